# api/: the public C API (api/ebpftrace.h, libebpfapi.a: traces and live
# sessions) and the reference tracers' APIs on top of it (api/tcp/event.h,
# libebpftrace-tcp.a; api/udp/event.h, libebpftrace-udp.a); the example
# programs of samples/api/; the tests tests/unit/test_api_*.c (no root) and
# tests/live/test_api_*.c (root). Read after record/build.mk (its objects go
# into libebpfapi.a), once.

ifndef EBPFTRACE_API_MK
EBPFTRACE_API_MK := 1

LIBEBPFAPI := $(BUILD)/lib/libebpfapi.a
LIBEBPFTCP := $(BUILD)/lib/libebpftrace-tcp.a
LIBEBPFUDP := $(BUILD)/lib/libebpftrace-udp.a
API_OBJS := $(BUILD)/api/session.o $(BUILD)/api/addr.o
API_COMPAT_OBJ := $(BUILD)/api/compat.o
API_ALL_OBJS := $(API_OBJS) $(API_COMPAT_OBJ) $(BUILD)/api/tcp_tracer.o $(BUILD)/api/udp_tracer.o
# What a program using them links, in order.
LIBS_API := $(LIBEBPFAPI) $(LIBEBPFTRACE) $(LIBS_BPF) $(LIBS_FORMAT) -lpthread
API_HEADERS := api/ebpftrace.h api/tcp/event.h api/udp/event.h api/api.h api/compat.h

LIBRARIES += $(LIBEBPFAPI) $(LIBEBPFTCP) $(LIBEBPFUDP)
INSTALL_HEADERS += api/ebpftrace.h

$(API_ALL_OBJS): CFLAGS += -DVERSION='"$(VERSION)"'
$(API_ALL_OBJS): | $(BPF_SKELS) $(SYSCALL_TABLE)
# Internal helpers stay inside the libraries.
$(BUILD)/api/addr.o $(API_COMPAT_OBJ): CFLAGS += -fvisibility=hidden

# Every header compiles on its own.
API_HEADER_CHECKS := $(patsubst %.h,$(BUILD)/hdrcheck/%.ok,$(API_HEADERS))
$(BUILD)/hdrcheck/%.ok: %.h
	$(call msg,HDR,$<)
	$(Q)mkdir -p $(@D)
	$(Q)printf '#include "%s"\n' $< | \
		$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -fsyntax-only -x c - && touch $@

# One relocatable object per library: the names a program may use stay
# global, every hidden one (the recorder's, the engine's) becomes local, so
# that nothing of ours collides with a program's own names.
define api_archive
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LD) -r -o $@.o $(1)
	$(Q)objcopy --localize-hidden $@.o
	$(Q)rm -f $@ && $(AR) rcs $@ $@.o && rm -f $@.o
endef

$(LIBEBPFAPI): $(API_OBJS) $(RECORD_LIB_OBJS) | $(API_HEADER_CHECKS)
	$(call api_archive,$(API_OBJS) $(RECORD_LIB_OBJS))

$(LIBEBPFTCP): $(API_COMPAT_OBJ) $(BUILD)/api/tcp_tracer.o
	$(call api_archive,$^)

$(LIBEBPFUDP): $(API_COMPAT_OBJ) $(BUILD)/api/udp_tracer.o
	$(call api_archive,$^)

# ---- samples/api/: example programs, built by `make` ----------------------

API_SAMPLE_DIR := $(BUILD)/samples/api
API_SAMPLES := $(API_SAMPLE_DIR)/trace_events $(API_SAMPLE_DIR)/live_events
API_TCP_SAMPLES := $(API_SAMPLE_DIR)/tcp_consumer
API_UDP_SAMPLES := $(API_SAMPLE_DIR)/udp_consumer
all: $(API_SAMPLES) $(API_TCP_SAMPLES) $(API_UDP_SAMPLES)

$(API_SAMPLES): $(API_SAMPLE_DIR)/%: $(BUILD)/samples/api/%.o $(LIBEBPFAPI) $(LIBEBPFTRACE)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBS_API) -o $@

# The samples include "ebpftrace.h" as a program that uses pkg-config does;
# the reference tracers' consumers include "event.h" as written for them,
# and leave their thread's argument unused.
$(BUILD)/samples/api/%.o: CFLAGS += -Iapi
$(BUILD)/samples/api/tcp_consumer.o: CFLAGS += -Iapi/tcp -Wno-unused-parameter
$(BUILD)/samples/api/udp_consumer.o: CFLAGS += -Iapi/udp -Wno-unused-parameter

$(API_TCP_SAMPLES): $(API_SAMPLE_DIR)/%: $(BUILD)/samples/api/%.o $(LIBEBPFTCP) $(LIBEBPFAPI)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBEBPFTCP) $(LIBS_API) -o $@

$(API_UDP_SAMPLES): $(API_SAMPLE_DIR)/%: $(BUILD)/samples/api/%.o $(LIBEBPFUDP) $(LIBEBPFAPI)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBEBPFUDP) $(LIBS_API) -o $@

# ---- tests ----------------------------------------------------------------------

API_TEST_FLAGS := -DSRCDIR='"$(abspath .)"' -DVERSION_STRING='"$(VERSION)"' -DSAMPLE_DIR='"$(abspath $(API_SAMPLE_DIR))"' \
		  -DWORKLOAD_DIR='"$(abspath $(BUILD))/samples/workloads"' \
		  -DEBPF_RECORD_BIN='"$(abspath $(EBPF_RECORD))"'

API_UNIT_SRCS := $(wildcard tests/unit/test_api_*.c)
API_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(API_UNIT_SRCS))
UNIT_TESTS += $(API_UNIT_TESTS)
$(patsubst %.c,$(BUILD)/%.o,$(API_UNIT_SRCS)): CFLAGS += $(API_TEST_FLAGS)

$(API_UNIT_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBEBPFAPI) $(LIBEBPFTRACE) \
		   | $(API_SAMPLES) $(API_TCP_SAMPLES) $(API_UDP_SAMPLES)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBS_API) $(LIBS_TEST) -o $@

API_LIVE_SRCS := $(wildcard tests/live/test_api_*.c)
API_LIVE_TESTS := $(patsubst tests/live/%.c,$(BUILD)/tests/%,$(API_LIVE_SRCS))
LIVE_TESTS += $(API_LIVE_TESTS)
$(patsubst %.c,$(BUILD)/%.o,$(API_LIVE_SRCS)): CFLAGS += $(API_TEST_FLAGS)

$(API_LIVE_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/live/%.o $(LIBEBPFAPI) $(LIBEBPFTRACE) \
		   | $(API_SAMPLES) $(API_TCP_SAMPLES) $(API_UDP_SAMPLES) $(EBPF_RECORD) $(WORKLOADS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBS_API) $(LIBS_TEST) -o $@

# ---- install: the reference tracers' headers keep their name, event.h --------

API_INC := $(DESTDIR)$(PREFIX)/include/ebpftrace
API_PC := $(DESTDIR)$(PREFIX)/lib/pkgconfig

.PHONY: install-api-compat
install: install-api-compat
install-api-compat: $(LIBEBPFTCP) $(LIBEBPFUDP)
	$(Q)install -d "$(API_INC)/tcp" "$(API_INC)/udp" "$(API_PC)"
	$(Q)install -m 0644 api/tcp/event.h "$(API_INC)/tcp/event.h"
	$(Q)install -m 0644 api/udp/event.h "$(API_INC)/udp/event.h"
	$(Q)for p in tcp udp; do \
		printf '%s\n' "prefix=$(PREFIX)" 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
			"Name: ebpftrace-$$p" \
			"Description: the $$p event tracer API (AddProbe, DequeuePerfEvent, ...) served by ebpf-trace" \
			"Version: $(VERSION)" \
			"Cflags: -I\$${includedir}/ebpftrace/$$p -I\$${includedir}/ebpftrace" \
			"Libs: -L\$${libdir} -lebpftrace-$$p -lebpfapi -lebpftrace -lbpf -lelf -lz -llz4 -lpthread" \
			> "$(API_PC)/ebpftrace-$$p.pc"; \
	done

endif
