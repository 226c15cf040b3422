# tests/reliability/: the reliability and security suite (`make reliability`,
# README.md there) and the fuzz targets of ebpf-replay and ebpf-query over
# trace files.

# ---- fuzzers ----------------------------------------------------------------
# Built with clang's libFuzzer, ASan and UBSan into build-fuzz/, run by
# `make fuzz-run` with the seeds in tests/fuzz/corpus/<name without fuzz_>/
# (real traces: copies of samples/replay/*.trace).
# fuzz_replay: ebpf-replay's own main on any bytes, every analysis and
# output, --info, --verify, --recover and --redact (whose copies must
# verify). replay/events.c is built into the target itself (see there).
# fuzz_replay_query: ebpf-query's scan and SQLite index on any bytes.
REL_FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -I. -Iformat \
		  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
REL_FUZZ_FORMAT := $(wildcard format/*.c)
REL_FUZZ_REPLAY := $(filter-out replay/events.c,$(wildcard replay/*.c))
REL_FUZZ_QUERY := $(filter-out query/main.c,$(wildcard query/*.c)) $(REPLAY_LIB_SRCS)
FUZZERS += build-fuzz/fuzz_replay build-fuzz/fuzz_replay_query

build-fuzz/fuzz_replay: tests/fuzz/fuzz_replay.c $(REL_FUZZ_REPLAY) replay/events.c $(REL_FUZZ_FORMAT) \
			$(wildcard replay/*.h replay/dash/dash.h format/*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(REL_FUZZ_FLAGS) -Dmain=replay_main $< $(REL_FUZZ_REPLAY) $(REL_FUZZ_FORMAT) \
		$(LIBS_FORMAT) -lm -o $@

build-fuzz/fuzz_replay_query: tests/fuzz/fuzz_replay_query.c $(REL_FUZZ_QUERY) $(REL_FUZZ_FORMAT) \
			      $(wildcard query/*.h replay/*.h format/*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(REL_FUZZ_FLAGS) $< $(REL_FUZZ_QUERY) $(REL_FUZZ_FORMAT) $(LIBS_SQLITE) \
		$(LIBS_FORMAT) -lm -o $@

# ---- the suite ----------------------------------------------------------------
# build/tests/ebt-reliability: one program, run as root (README.md here). It
# links the format library (to read traces back) and nothing of the
# recorder: it runs the programs as a user would.
REL_SRCS := $(filter-out %/README.md,$(wildcard tests/reliability/*.c))
REL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(REL_SRCS))
REL_BIN := $(BUILD)/tests/ebt-reliability

$(REL_OBJS): CFLAGS += -DSRCDIR='"$(abspath .)"'

$(REL_BIN): $(REL_OBJS) $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(REL_OBJS) $(LIBEBPFTRACE) $(LIBS_FORMAT) -o $@

# `make reliability` (RELIABILITY=short for CI, under ~10 minutes on 2
# cores; default full: an 11-minute long run, 15 minutes of fuzzing per
# target, 100 kills). Needs the sanitizer build (build-san/) and the
# fuzzers, built here when missing or stale.
RELIABILITY ?= full
.PHONY: reliability-deps
reliability-deps:
	$(Q)$(MAKE) --no-print-directory SAN=1 BUILD=build-san build-san/bin/ebpf-record \
		build-san/bin/ebpf-replay build-san/bin/ebpf-query
	$(Q)$(MAKE) --no-print-directory $(FUZZERS)

reliability: $(REL_BIN) $(WORKLOADS) reliability-deps
RELIABILITY_RUN = $(REL_BIN) --$(RELIABILITY) --build $(BUILD) $(RELIABILITY_ARGS)
