# replay/: libebpfreplay.a (the analyses) and ebpf-replay. Links the format
# library, libc and -lm only: never libbpf (make check-layering).

REPLAY_LIB_SRCS := replay/bind.c replay/map.c replay/topk.c replay/filter.c replay/sysnames.c \
		   replay/hist.c replay/opens.c replay/tcp.c replay/udp.c replay/procs.c \
		   replay/timeline.c replay/lost.c replay/redact.c replay/redact_trace.c
REPLAY_LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(REPLAY_LIB_SRCS))
REPLAY_BIN_SRCS := $(filter-out $(REPLAY_LIB_SRCS),$(wildcard replay/*.c))
REPLAY_BIN_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(REPLAY_BIN_SRCS))
LIBEBPFREPLAY := $(BUILD)/lib/libebpfreplay.a
EBPF_REPLAY := $(BUILD)/bin/ebpf-replay
LIBS_REPLAY := $(LIBEBPFREPLAY) $(LIBEBPFTRACE) $(LIBS_FORMAT) -lm

LIBRARIES += $(LIBEBPFREPLAY)
BINS += $(EBPF_REPLAY)
INSTALL_HEADERS += replay/replay.h

$(LIBEBPFREPLAY): $(REPLAY_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(EBPF_REPLAY): $(REPLAY_BIN_OBJS) $(LIBEBPFREPLAY) $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(REPLAY_BIN_OBJS) $(LIBEBPFDASH) $(LIBS_REPLAY) $(LIBS_TUI) -o $@

# Unit tests: tests/unit/test_replay_*.c, one binary each, with the shared
# trace-building helpers in tests/unit/replay_testlib.c.
REPLAY_TESTLIB := $(BUILD)/tests/unit/replay_testlib.o
REPLAY_TEST_SRCS := $(wildcard tests/unit/test_replay_*.c)
REPLAY_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(REPLAY_TEST_SRCS))
UNIT_TESTS += $(REPLAY_TESTS)

$(REPLAY_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(REPLAY_TESTLIB) $(LIBEBPFREPLAY) \
		 $(LIBEBPFTRACE) $(EBPF_REPLAY)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(REPLAY_TESTLIB) $(LIBS_REPLAY) $(LIBS_TEST) -o $@

# Golden tests: the outputs of ebpf-replay on the real traces in samples/.
REPLAY_GOLDEN_SRCS := $(wildcard tests/golden/test_replay_golden*.c)
REPLAY_GOLDEN := $(patsubst tests/golden/%.c,$(BUILD)/tests/%,$(REPLAY_GOLDEN_SRCS))
UNIT_TESTS += $(REPLAY_GOLDEN)

$(REPLAY_GOLDEN): $(BUILD)/tests/%: $(BUILD)/tests/golden/%.o $(EBPF_REPLAY)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBS_TEST) -o $@

# The tests find the program and the build through these.
$(BUILD)/tests/unit/test_replay_%.o $(BUILD)/tests/golden/test_replay_%.o $(REPLAY_TESTLIB): \
	CFLAGS += -DREPLAY_BIN='"$(abspath $(EBPF_REPLAY))"' -DSRCDIR='"$(abspath .)"'

# Benchmarks: tests/bench/bench_replay* (scripts).
BENCHES += $(wildcard tests/bench/bench_replay*)
