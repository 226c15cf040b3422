// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Not a probe: the benchmark's floor (tests/bench/bench_record_floor.c).
 * Programs on the recorder's tracepoints that only count, so that the
 * recorder's slowdown can be set against what any BPF program costs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ebt_floor_count SEC(".maps");

static __always_inline int count(void)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&ebt_floor_count, &zero);

	if (c)
		(*c)++;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int ebt_floor_open_enter(void *ctx)
{
	return count();
}

SEC("tracepoint/syscalls/sys_exit_openat")
int ebt_floor_open_exit(void *ctx)
{
	return count();
}

SEC("tracepoint/sock/inet_sock_set_state")
int ebt_floor_tcp(void *ctx)
{
	return count();
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
