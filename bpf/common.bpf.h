/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Maps and helpers every probe object shares. The recorder creates the
 * shared maps once and hands them to each object with bpf_map__reuse_fd()
 * before load, so all probes feed one ring buffer and one set of counters,
 * and read one live configuration.
 */
#ifndef EBPFTRACE_COMMON_BPF_H
#define EBPFTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "events.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 64); /* replaced by the recorder's --ring-size */
} ebt_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EBT_NPROBES);
	__type(key, __u32);
	__type(value, struct ebt_counts);
} ebt_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ebt_config);
} ebt_config SEC(".maps");

/* Processes (tgids) to record when ebt_config.filter_pid is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EBT_MAX_FILTER_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} ebt_pids SEC(".maps");

char LICENSE[] SEC("license") = "Dual MIT/GPL";

static __always_inline struct ebt_config *ebt_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ebt_config, &zero);
}

static __always_inline bool ebt_comm_matches(const struct ebt_config *c)
{
	char comm[EBT_COMM_LEN];
	const __u64 *a = (const __u64 *)comm, *b = (const __u64 *)c->comm;

	bpf_get_current_comm(comm, sizeof(comm));
	return a[0] == b[0] && a[1] == b[1];
}

/* Whether the current task's events are wanted: never the recorder's own,
 * then the pid set and the name. */
static __always_inline bool ebt_wanted_task(const struct ebt_config *c, __u32 tgid)
{
	if (tgid == c->self_tgid)
		return false;
	if (c->filter_pid && !bpf_map_lookup_elem(&ebt_pids, &tgid))
		return false;
	if (c->filter_comm && !ebt_comm_matches(c))
		return false;
	return true;
}

static __always_inline bool ebt_wanted_port(const struct ebt_config *c, __u16 sport, __u16 dport)
{
	return !c->filter_port || c->filter_port == sport || c->filter_port == dport;
}

/* Counts the event as seen, reserves room for it, and counts it lost when
 * the ring is full: seen = recorded + lost holds for every probe. The
 * increments are atomic because a softirq can nest on the same CPU. */
static __always_inline void *ebt_reserve(__u32 probe, __u32 kind, __u32 len)
{
	struct ebt_counts *cnt = bpf_map_lookup_elem(&ebt_counters, &probe);
	struct ebt_hdr *h;

	if (cnt)
		__sync_fetch_and_add(&cnt->seen, 1);
	h = bpf_ringbuf_reserve(&ebt_events, sizeof(*h) + len, 0);
	if (!h) {
		if (cnt)
			__sync_fetch_and_add(&cnt->lost, 1);
		return NULL;
	}
	h->kind = kind;
	h->len = len;
	return h + 1;
}

/* Counts an event that passed the filters but cannot be recorded (its
 * entry state could not be kept) as seen and lost, as ebt_reserve() counts
 * a full ring. */
static __always_inline void ebt_count_lost(__u32 probe)
{
	struct ebt_counts *cnt = bpf_map_lookup_elem(&ebt_counters, &probe);

	if (!cnt)
		return;
	__sync_fetch_and_add(&cnt->seen, 1);
	__sync_fetch_and_add(&cnt->lost, 1);
}

/* No wake-up per event: the recorder drains on a timer, and is woken only
 * when the unread data passes the configured threshold. */
static __always_inline __u64 ebt_wakeup_flag(const struct ebt_config *c)
{
	return bpf_ringbuf_query(&ebt_events, BPF_RB_AVAIL_DATA) >= c->wakeup_bytes ?
		       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void ebt_submit(const struct ebt_config *c, void *rec)
{
	bpf_ringbuf_submit((struct ebt_hdr *)rec - 1, ebt_wakeup_flag(c));
}

/* Copies a prepared record (header first) into the ring; counted as
 * ebt_reserve() counts. */
static __always_inline void ebt_output(const struct ebt_config *c, __u32 probe, void *hdr,
				       __u64 size)
{
	struct ebt_counts *cnt = bpf_map_lookup_elem(&ebt_counters, &probe);

	if (cnt)
		__sync_fetch_and_add(&cnt->seen, 1);
	if (bpf_ringbuf_output(&ebt_events, hdr, size, ebt_wakeup_flag(c)) && cnt)
		__sync_fetch_and_add(&cnt->lost, 1);
}

static __always_inline __u32 ebt_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* Reads a socket's family, ports (host order) and addresses (16-byte
 * fields, IPv4 in the first four bytes). */
static __always_inline void ebt_sock_addrs(const struct sock *sk, __u16 *family, __u16 *sport,
					   __u16 *dport, __u8 *saddr, __u8 *daddr)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);

	*family = fam;
	*sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	*dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == 10 /* AF_INET6 */) {
		bpf_core_read(saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO((__u32 *)saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)daddr, sk, __sk_common.skc_daddr);
	}
}

/* Called in the parent at sched_process_fork: whether the new task
 * child_tid starts a process rather than a thread. A new process is the
 * last entry of its real parent's children list (the current task, or its
 * parent with CLONE_PARENT); threads are never on such a list. */
static __always_inline bool ebt_is_new_process(__u32 child_tid)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	__u64 off = bpf_core_field_offset(struct task_struct, sibling);
	struct task_struct *parents[2] = { cur, BPF_CORE_READ(cur, real_parent) };
	struct task_struct *last;

	for (int i = 0; i < 2; i++) {
		last = (struct task_struct *)((char *)BPF_CORE_READ(parents[i], children.prev) - off);
		if ((__u32)BPF_CORE_READ(last, pid) == child_tid)
			return true;
	}
	return false;
}

#endif /* EBPFTRACE_COMMON_BPF_H */
