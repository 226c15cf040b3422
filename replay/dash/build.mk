# replay/dash/: libebpfdash.a, the ncurses dashboard of `ebpf-replay --tui`
# and `ebpf-record --tui`. Uses the format library and libebpfreplay's
# analyses; kept out of libebpfreplay.a so that ebpf-query never needs
# ncurses.

DASH_SRCS := $(wildcard replay/dash/*.c)
DASH_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(DASH_SRCS))
LIBEBPFDASH := $(BUILD)/lib/libebpfdash.a
LIBS_DASH := $(LIBEBPFDASH) $(LIBEBPFREPLAY) $(LIBEBPFTRACE) $(LIBS_FORMAT) $(LIBS_TUI) -lm

LIBRARIES += $(LIBEBPFDASH)

$(LIBEBPFDASH): $(DASH_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# ebpf-replay --tui (replay/build.mk links it with $(LIBEBPFDASH) $(LIBS_TUI)).
$(EBPF_REPLAY): $(LIBEBPFDASH)

# Unit tests of the model: tests/unit/test_dash_*.c, one binary each, with
# replay's trace-building helpers.
DASH_TEST_SRCS := $(wildcard tests/unit/test_dash_*.c)
DASH_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(DASH_TEST_SRCS))
UNIT_TESTS += $(DASH_TESTS)

$(patsubst %.c,$(BUILD)/%.o,$(DASH_TEST_SRCS)): CFLAGS += -DSRCDIR='"$(abspath .)"'

$(DASH_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(REPLAY_TESTLIB) $(LIBEBPFDASH) \
	       $(LIBEBPFREPLAY) $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(REPLAY_TESTLIB) $(LIBS_DASH) $(LIBS_TEST) -o $@
