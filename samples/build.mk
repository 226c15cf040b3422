# samples/: workloads that produce known kernel events, for the live tests
# and the benchmarks.

WORKLOAD_SRCS := $(wildcard samples/workloads/*.c)
WORKLOADS := $(patsubst %.c,$(BUILD)/%,$(WORKLOAD_SRCS))

all: $(WORKLOADS)

$(WORKLOADS): $(BUILD)/samples/workloads/%: $(BUILD)/samples/workloads/%.o
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@
