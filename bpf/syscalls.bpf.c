// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Probe `syscalls`: the latency of every system call, folded into per-CPU
 * log2 histograms per syscall number (always), and recorded one by one when
 * ebt_config.syscall_events is set and the latency reaches min_latency_ns.
 *
 * Strategies:
 *   tracepoint  raw_syscalls:sys_enter, raw_syscalls:sys_exit
 *   tp_btf      tp_btf/sys_enter, tp_btf/sys_exit
 */
#include "common.bpf.h"

struct sys_start {
	__u64 mono; /* monotonic at entry; 0: no call in flight */
	__u64 ts; /* boottime at entry, read only while syscall records are wanted */
	__u32 nr;
	__u32 _pad;
};

/* Where the entry state lives, set before load: task-local storage where
 * the kernel has it (freed with the thread, and far cheaper than a hash
 * map on every system call), else the hash map. record/probes.c creates
 * only the map in use. */
const volatile bool use_task_storage = false;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_start);
} ebt_sys_task SEC(".maps");

/* Per thread; LRU because exited threads never clear their entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct sys_start);
} ebt_sys_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EBT_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct ebt_hist);
} ebt_hist SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* Boottime (~65 ns a read) only for the record's ts; the latency comes
 * from the monotonic clock (~20 ns) read at both ends: the two differ only
 * by time spent suspended, which the latency leaves out. */
static __always_inline void start_set(struct sys_start *s, const struct ebt_config *c, long nr)
{
	s->nr = nr;
	s->ts = c->syscall_events ? bpf_ktime_get_boot_ns() : 0;
	s->mono = bpf_ktime_get_ns();
}

static __always_inline int on_enter(long nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ebt_config *c = ebt_cfg();
	struct sys_start *s, n = {};
	__u32 tid = (__u32)id;

	if (!c || nr < 0 || !ebt_wanted_task(c, id >> 32))
		return 0;
	if (use_task_storage) {
		s = bpf_task_storage_get(&ebt_sys_task, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!s)
			goto lost;
		start_set(s, c, nr);
		return 0;
	}
	s = bpf_map_lookup_elem(&ebt_sys_start, &tid);
	if (s) {
		start_set(s, c, nr);
		return 0;
	}
	start_set(&n, c, nr);
	if (bpf_map_update_elem(&ebt_sys_start, &tid, &n, BPF_ANY))
		goto lost;
	return 0;
lost:
	/* Task storage refuses under recursion (a program of ours interrupted
	 * on this CPU) and without memory. Whether the call would have reached
	 * min_latency_ns is unknown: it is counted lost whenever syscall
	 * records are wanted, so that none goes missing silently. */
	if (c->syscall_events)
		ebt_count_lost(EBT_PROBE_SYSCALLS);
	return 0;
}

static __always_inline int on_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), ts, lat;
	struct ebt_config *c;
	struct ebt_syscall *e;
	struct sys_start *s;
	struct ebt_hist *h;
	__u32 tid = (__u32)id, nr, slot;

	if (use_task_storage)
		s = bpf_task_storage_get(&ebt_sys_task, bpf_get_current_task_btf(), 0, 0);
	else
		s = bpf_map_lookup_elem(&ebt_sys_start, &tid);
	if (!s || !s->mono)
		return 0;
	ts = s->ts;
	nr = s->nr;
	lat = now - s->mono;
	s->mono = 0;

	h = bpf_map_lookup_elem(&ebt_hist, &nr);
	if (h) {
		slot = log2_u64(lat);
		if (slot >= EBT_HIST_SLOTS)
			slot = EBT_HIST_SLOTS - 1;
		h->count++;
		h->total_ns += lat;
		if (lat > h->max_ns)
			h->max_ns = lat;
		h->slots[slot]++;
	}

	c = ebt_cfg();
	if (!c || !c->syscall_events || lat < c->min_latency_ns)
		return 0;
	/* A call entered before syscall records were switched on has no ts:
	 * like one in flight when the recording started, it is not an event. */
	if (!ts)
		return 0;
	e = ebt_reserve(EBT_PROBE_SYSCALLS, EBT_KIND_SYSCALL, sizeof(*e));
	if (!e)
		return 0;
	e->ts = ts;
	e->latency_ns = lat;
	e->ret = ret;
	e->pid = id >> 32;
	e->tid = tid;
	e->nr = nr;
	e->_pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	ebt_submit(c, e);
	return 0;
}

/* ---- strategy: tracepoint ------------------------------------------------ */

SEC("tracepoint/raw_syscalls/sys_enter")
int ebt_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->id);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int ebt_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

/* ---- strategy: tp_btf ---------------------------------------------------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(ebt_sys_enter_btf, struct pt_regs *regs, long nr)
{
	return on_enter(nr);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ebt_sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_exit(ret);
}
