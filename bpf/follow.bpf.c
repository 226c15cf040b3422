// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Not a probe: keeps the pid filter (ebt_pids) following the chosen
 * processes' descendants, for -p and -- COMMAND. Loaded only when the pid
 * filter is on, whatever probes are enabled.
 */
#include "common.bpf.h"

SEC("tracepoint/sched/sched_process_fork")
int ebt_follow_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = ebt_tgid(), child = ctx->child_pid;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&ebt_pids, &parent) || !ebt_is_new_process(child))
		return 0;
	bpf_map_update_elem(&ebt_pids, &child, &one, BPF_ANY);
	return 0;
}

/* A pid leaves the set when its task is freed, after its exit was
 * recorded, so a recycled pid is not taken for a descendant. */
SEC("tracepoint/sched/sched_process_free")
int ebt_follow_free(struct trace_event_raw_sched_process_template *ctx)
{
	__u32 pid = ctx->pid;

	bpf_map_delete_elem(&ebt_pids, &pid);
	return 0;
}
