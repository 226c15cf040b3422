# record/: libebpfrecord.a (the recorder's core as an in-process library,
# record/session.h: probes, drain, histograms, /proc snapshot) and
# ebpf-record (options, the dashboard, the default session index), linked
# with the BPF skeletons, libbpf, the format library and query's indexer;
# its live tests and benchmarks.

RECORD_LIB_SRCS := record/session.c record/drain.c record/probes.c record/hist.c \
		   record/procscan.c record/calibrate.c record/schemas.c record/syscalls.c
RECORD_BIN_SRCS := $(filter-out $(RECORD_LIB_SRCS),$(wildcard record/*.c))
RECORD_LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(RECORD_LIB_SRCS))
RECORD_BIN_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(RECORD_BIN_SRCS))
RECORD_OBJS := $(RECORD_LIB_OBJS) $(RECORD_BIN_OBJS)
LIBEBPFRECORD := $(BUILD)/lib/libebpfrecord.a
EBPF_RECORD := $(BUILD)/bin/ebpf-record
SYSCALL_TABLE := $(BUILD)/record/syscall_table.h
# query/build.mk and replay/build.mk are read after this file.
RECORD_QUERY_LIBS := $(BUILD)/lib/libebpfquery.a $(BUILD)/lib/libebpfreplay.a

BINS += $(EBPF_RECORD)

# The build host's syscall table, from <asm/unistd.h>.
$(SYSCALL_TABLE):
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)printf '#include <asm/unistd.h>\n' | $(CC) -E -dM -x c - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/\t{ \2, "\1" },/p' | \
		sort -t'{' -k2 -n > $@.tmp
	$(Q)test -s $@.tmp || { echo "record/build.mk: no syscalls found in <asm/unistd.h>" >&2; exit 1; }
	$(Q)mv $@.tmp $@

$(RECORD_OBJS): CFLAGS += -DVERSION='"$(VERSION)"'
$(RECORD_OBJS): | $(BPF_SKELS) $(SYSCALL_TABLE)
# Only the public API's names leave libebpfapi.a (api/build.mk).
$(RECORD_LIB_OBJS): CFLAGS += -fvisibility=hidden

$(LIBEBPFRECORD): $(RECORD_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# --tui: the dashboard (replay/dash/) is the session's consumer
# (record/tui.c); replay/dash/build.mk, read after this file, adds its
# libraries to the prerequisites.
$(EBPF_RECORD): $(RECORD_BIN_OBJS) $(LIBEBPFRECORD) $(LIBEBPFTRACE) $(RECORD_QUERY_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(RECORD_BIN_OBJS) $(LIBEBPFRECORD) $(LIBEBPFDASH) \
		$(RECORD_QUERY_LIBS) $(LIBEBPFTRACE) $(LIBS_BPF) $(LIBS_FORMAT) $(LIBS_TUI) \
		$(LIBS_SQLITE) -lm -o $@

# Live tests: tests/live/test_record_*.c, one binary each, run as root
# against the real kernel with the workloads of samples/workloads/.
RECORD_LIVE_SRCS := $(wildcard tests/live/test_record_*.c)
RECORD_LIVE_TESTS := $(patsubst tests/live/%.c,$(BUILD)/tests/%,$(RECORD_LIVE_SRCS))
LIVE_TESTS += $(RECORD_LIVE_TESTS)

$(patsubst %.c,$(BUILD)/%.o,$(RECORD_LIVE_SRCS)): CFLAGS += \
	-DEBPF_RECORD_BIN='"$(abspath $(EBPF_RECORD))"' \
	-DEBPF_QUERY_BIN='"$(abspath $(BUILD))/bin/ebpf-query"' \
	-DEBPF_REPLAY_BIN='"$(abspath $(BUILD))/bin/ebpf-replay"' \
	-DWORKLOAD_DIR='"$(abspath $(BUILD))/samples/workloads"'

# (ebpf-query and ebpf-replay by name: their build.mk are read later.)
$(RECORD_LIVE_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/live/%.o $(LIBEBPFTRACE) | $(EBPF_RECORD) \
		      $(WORKLOADS) $(BUILD)/bin/ebpf-query $(BUILD)/bin/ebpf-replay
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(filter %.o %.a,$^) $(LIBS_FORMAT) $(LIBS_TEST) -o $@

# Benchmarks: tests/bench/bench_record*.sh, run by `make bench`.
BENCHES += $(wildcard tests/bench/bench_record*.sh)

# Helpers of the benchmark, built with it: the counting-only floor and a
# trace counter.
RECORD_BENCH_HELPERS := $(BUILD)/bench/bench_record_floor $(BUILD)/bench/bench_record_count
all: $(RECORD_BENCH_HELPERS)

$(BUILD)/tests/bench/bench_record_floor.o: | $(BPF_SKELS)

$(BUILD)/bench/bench_record_floor: $(BUILD)/tests/bench/bench_record_floor.o
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_BPF) -o $@

$(BUILD)/bench/bench_record_count: $(BUILD)/tests/bench/bench_record_count.o $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_FORMAT) -o $@

# The public C API and the reference tracers' APIs, built on libebpfrecord
# (api/build.mk guards against being read twice).
include api/build.mk
