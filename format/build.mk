# format/: libebpftrace.a, the trace format library (no libbpf).

FORMAT_SRCS := $(wildcard format/*.c)
FORMAT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(FORMAT_SRCS))
LIBEBPFTRACE := $(BUILD)/lib/libebpftrace.a

LIBRARIES += $(LIBEBPFTRACE)
INSTALL_HEADERS += format/trace.h

$(LIBEBPFTRACE): $(FORMAT_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Unit tests: tests/unit/test_format*.c, one binary each.
FORMAT_TEST_SRCS := $(wildcard tests/unit/test_format*.c)
FORMAT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(FORMAT_TEST_SRCS))
UNIT_TESTS += $(FORMAT_TESTS)

$(FORMAT_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_FORMAT) $(LIBS_TEST) -o $@

# Benchmark: tests/bench/bench_format*.c, run by `make bench`.
FORMAT_BENCH_SRCS := $(wildcard tests/bench/bench_format*.c)
FORMAT_BENCHES := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(FORMAT_BENCH_SRCS))
BENCHES += $(FORMAT_BENCHES)

$(FORMAT_BENCHES): $(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_FORMAT) -o $@
