# ebpf-trace top-level Makefile.
#
#   make                 build everything under $(BUILD)/ (default build/)
#   make test            every test (unit, live as root, golden, layering)
#   make bench           benchmarks, figures printed next to perf/trace-cmd
#   make SAN=1 test-unit the unit tests under ASan+UBSan (in build-san/)
#   make fuzz-run        the libFuzzer targets for FUZZ_SECONDS each
#   make install PREFIX=/usr/local
#   make deps            install missing Debian packages (needs root)
#   make check           deps, build, every test (the README's test command)
#   make demo            deps, build, record a bundled workload and replay it
#   V=1                  show the commands
#
# Each folder contributes a fragment (<dir>/build.mk) that appends to the
# lists below; this file holds only the shared rules.

VERSION := 0.1.0

SAN ?=
ifeq ($(SAN),1)
BUILD ?= build-san
else
BUILD ?= build
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
AR ?= ar
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 60

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-9s %s\n' '$(1)' '$(2)';
endif

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')

OPT ?= -O2
CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP \
	  -I. -Iformat -I$(BUILD)
LDFLAGS ?=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

# Libraries per layer: replay and query never link libbpf (checked by
# `make check-layering`).
LIBS_FORMAT := -llz4 -lz
LIBS_BPF := -lbpf -lelf -lz
LIBS_TUI := -lncursesw -ltinfo
LIBS_SQLITE := -lsqlite3
LIBS_TEST := -lcriterion

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD)/bpf -Ibpf -Wall -Werror

# Lists the fragments append to.
BINS :=
LIBRARIES :=
UNIT_TESTS :=
LIVE_TESTS :=
BENCHES :=
FUZZERS :=
INSTALL_HEADERS :=
CLEAN_EXTRA :=

.PHONY: all
all:

-include format/build.mk
-include samples/build.mk
-include bpf/build.mk
-include record/build.mk
-include replay/build.mk
-include replay/dash/build.mk
-include query/build.mk
-include tests/build.mk
-include tests/reliability/build.mk

all: $(LIBRARIES) $(BINS)

$(BUILD)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# ---- tests ----------------------------------------------------------------

.PHONY: test test-unit test-live check-layering check-install
test: test-unit test-live check-layering check-install

test-unit: $(UNIT_TESTS)
	$(Q)scripts/run-tests unit $(UNIT_TESTS)

test-live: $(LIVE_TESTS) $(BINS)
	$(Q)scripts/run-tests live $(LIVE_TESTS)

check-layering: $(BINS)
	$(Q)scripts/check-layering $(BUILD)

# make install, then the samples built against it with pkg-config alone.
check-install: all
	$(Q)scripts/check-install $(BUILD)

# ---- benchmarks, fuzzing ----------------------------------------------------

.PHONY: reliability
# The reliability suite (tests/reliability/): RELIABILITY=short for CI.
reliability: all
	$(Q)$(RELIABILITY_RUN)

.PHONY: bench fuzz fuzz-run
bench: all $(BENCHES)
	$(Q)scripts/run-bench $(BUILD) $(BENCHES)

fuzz: $(FUZZERS)

fuzz-run: $(FUZZERS)
	$(Q)scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZERS)

# ---- install, deps, clean ---------------------------------------------------

.PHONY: install deps clean check demo
# The README's two commands: `sudo make demo` and `sudo make check`.
check:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory -j2 all
	$(Q)$(MAKE) --no-print-directory test

demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory -j2 all
	$(Q)scripts/demo $(BUILD)

install: all
	$(Q)scripts/install "$(DESTDIR)" "$(PREFIX)" "$(BUILD)" "$(BINS)" "$(LIBRARIES)" "$(INSTALL_HEADERS)"

deps:
	$(Q)scripts/install-deps

clean:
	$(call msg,CLEAN,build build-san build-fuzz)
	$(Q)rm -rf build build-san build-fuzz $(CLEAN_EXTRA)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
