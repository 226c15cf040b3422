# record/: ebpf-record, linked with the BPF skeletons, libbpf and the
# format library; its live tests and benchmarks.

RECORD_SRCS := $(wildcard record/*.c)
RECORD_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(RECORD_SRCS))
EBPF_RECORD := $(BUILD)/bin/ebpf-record
SYSCALL_TABLE := $(BUILD)/record/syscall_table.h

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

# --tui: the dashboard (replay/dash/) sees every record written through
# the writer's wrapped entry points (record/tui.c). replay/dash/build.mk,
# read after this file, adds its libraries to the prerequisites.
RECORD_TUI_WRAP := -Wl,--wrap=trace_writer__add_type,--wrap=trace_writer__append,--wrap=trace_writer__lost,--wrap=trace_writer__process

$(EBPF_RECORD): $(RECORD_OBJS) $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(RECORD_TUI_WRAP) $(RECORD_OBJS) $(LIBEBPFDASH) $(LIBEBPFREPLAY) \
		$(LIBEBPFTRACE) $(LIBS_BPF) $(LIBS_FORMAT) $(LIBS_TUI) -lm -o $@

# Live tests: tests/live/test_record_*.c, one binary each, run as root
# against the real kernel with the workloads of samples/workloads/.
RECORD_LIVE_SRCS := $(wildcard tests/live/test_record_*.c)
RECORD_LIVE_TESTS := $(patsubst tests/live/%.c,$(BUILD)/tests/%,$(RECORD_LIVE_SRCS))
LIVE_TESTS += $(RECORD_LIVE_TESTS)

$(patsubst %.c,$(BUILD)/%.o,$(RECORD_LIVE_SRCS)): CFLAGS += \
	-DEBPF_RECORD_BIN='"$(abspath $(EBPF_RECORD))"' \
	-DWORKLOAD_DIR='"$(abspath $(BUILD))/samples/workloads"'

$(RECORD_LIVE_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/live/%.o $(LIBEBPFTRACE) | $(EBPF_RECORD) $(WORKLOADS)
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
