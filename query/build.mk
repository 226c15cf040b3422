# query/: libebpfquery.a (the language, the scanner, the SQLite index) and
# ebpf-query. Links the format library, replay's analyses, sqlite3 and libc:
# never libbpf (make check-layering).

QUERY_LIB_SRCS := $(filter-out query/main.c,$(wildcard query/*.c))
QUERY_LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(QUERY_LIB_SRCS))
LIBEBPFQUERY := $(BUILD)/lib/libebpfquery.a
EBPF_QUERY := $(BUILD)/bin/ebpf-query
QUERY_DEP_LIBS := $(LIBEBPFQUERY) $(BUILD)/lib/libebpfreplay.a $(BUILD)/lib/libebpftrace.a
LIBS_QUERY := $(QUERY_DEP_LIBS) $(LIBS_SQLITE) $(LIBS_FORMAT) -lm

LIBRARIES += $(LIBEBPFQUERY)
BINS += $(EBPF_QUERY)
INSTALL_HEADERS += query/query.h query/index.h

$(LIBEBPFQUERY): $(QUERY_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(EBPF_QUERY): $(BUILD)/query/main.o $(QUERY_DEP_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBS_QUERY) -o $@

$(BUILD)/query/main.o: CFLAGS += -DEBPFQUERY_VERSION='"$(VERSION)"'

# Unit tests: tests/unit/test_query_*.c, one binary each, with the shared
# trace-building helpers in tests/unit/query_testlib.c.
QUERY_TESTLIB := $(BUILD)/tests/unit/query_testlib.o
QUERY_TEST_SRCS := $(wildcard tests/unit/test_query_*.c)
QUERY_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(QUERY_TEST_SRCS))
UNIT_TESTS += $(QUERY_TESTS)

$(QUERY_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(QUERY_TESTLIB) $(QUERY_DEP_LIBS) \
		$(EBPF_QUERY)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(QUERY_TESTLIB) $(LIBS_QUERY) $(LIBS_TEST) -o $@

$(BUILD)/tests/unit/test_query_%.o $(QUERY_TESTLIB): \
	CFLAGS += -DQUERY_BIN='"$(abspath $(EBPF_QUERY))"' -DSRCDIR='"$(abspath .)"'

# Benchmarks: tests/bench/bench_query* (a C driver and the script that runs it).
QUERY_BENCH_BIN := $(BUILD)/tests/bench_query_gen
BENCHES += $(wildcard tests/bench/bench_query*.sh)

$(QUERY_BENCH_BIN): $(BUILD)/tests/bench/bench_query_gen.o $(QUERY_TESTLIB) $(QUERY_DEP_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(QUERY_TESTLIB) $(LIBS_QUERY) -o $@

bench: $(QUERY_BENCH_BIN)

# Fuzzer: the parser and the SQL compiler on any bytes (build-fuzz/, clang,
# libFuzzer with ASan and UBSan). The seeds are tests/fuzz/corpus/query/.
QUERY_FUZZ_SRCS := query/lex.c query/parse.c query/catalog.c query/qerror.c query/units.c \
		   query/describe.c query/sql.c query/dbschema.c
QUERY_FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -I. -Iformat \
		    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS += build-fuzz/fuzz_query

build-fuzz/fuzz_query: tests/fuzz/fuzz_query.c $(QUERY_FUZZ_SRCS) $(wildcard query/*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(QUERY_FUZZ_FLAGS) tests/fuzz/fuzz_query.c $(QUERY_FUZZ_SRCS) \
		$(LIBS_SQLITE) -o $@
