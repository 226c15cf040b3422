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

# ebpf-replay --tui and ebpf-record --tui (their build.mk link them with
# $(LIBEBPFDASH) and $(LIBS_TUI)).
$(EBPF_REPLAY): $(LIBEBPFDASH)
$(EBPF_RECORD): $(LIBEBPFDASH) $(LIBEBPFREPLAY)

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

# End-to-end tests under tmux: tests/tui/test_dash_replay.c (no root: unit
# suite) drives ebpf-replay --tui; tests/tui/test_dash_live.c (root: live
# suite) drives ebpf-record --tui with the bundled workloads.
DASH_TUI_REPLAY := $(patsubst tests/tui/%.c,$(BUILD)/tests/%,$(wildcard tests/tui/test_dash_replay*.c))
DASH_TUI_LIVE := $(patsubst tests/tui/%.c,$(BUILD)/tests/%,$(wildcard tests/tui/test_dash_live*.c))
UNIT_TESTS += $(DASH_TUI_REPLAY)
LIVE_TESTS += $(DASH_TUI_LIVE)

$(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/tui/test_dash_*.c)): CFLAGS += \
	-DREPLAY_BIN='"$(abspath $(EBPF_REPLAY))"' -DSRCDIR='"$(abspath .)"' \
	-DEBPF_RECORD_BIN='"$(abspath $(EBPF_RECORD))"' \
	-DWORKLOAD_DIR='"$(abspath $(BUILD))/samples/workloads"'

# The replay one formats what it expects with the dashboard's own number
# formatting (fmt.c), hence libebpfdash.
$(DASH_TUI_REPLAY): $(BUILD)/tests/%: $(BUILD)/tests/tui/%.o $(REPLAY_TESTLIB) $(LIBEBPFDASH) \
		    $(LIBEBPFREPLAY) $(LIBEBPFTRACE) | $(EBPF_REPLAY)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(REPLAY_TESTLIB) $(LIBS_DASH) $(LIBS_TEST) -o $@

# (The workloads by name: samples/build.mk, which lists them, is read
# after this file.)
$(DASH_TUI_LIVE): $(BUILD)/tests/%: $(BUILD)/tests/tui/%.o $(REPLAY_TESTLIB) $(LIBEBPFREPLAY) \
		  $(LIBEBPFTRACE) | $(EBPF_REPLAY) $(EBPF_RECORD) \
		  $(BUILD)/samples/workloads/wl_tcp $(BUILD)/samples/workloads/wl_exec
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(REPLAY_TESTLIB) $(LIBS_REPLAY) $(LIBS_TEST) -o $@
