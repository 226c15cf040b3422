// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Probe `opens`: open, openat and openat2, recorded at exit with the path,
 * the result and the latency from entry.
 *
 * Strategies (record/probes.c picks one and autoloads only its programs):
 *   tracepoint  syscalls:sys_{enter,exit}_{open,openat,openat2}
 *   tp_btf      raw_syscalls sys_enter/sys_exit, filtered by syscall number
 */
#include "common.bpf.h"

/* Set before load. */
const volatile int nr_open = -1; /* absent on some architectures */
const volatile int nr_openat = -1;
const volatile int nr_openat2 = -1;

enum { CALL_OPEN, CALL_OPENAT, CALL_OPENAT2 };

/* "open", "openat", "openat2" as little-endian 8-byte words. */
static const __u64 call_names[3] = { 0x6e65706fULL, 0x74616e65706fULL, 0x3274616e65706fULL };

struct open_start {
	__u64 ts; /* boottime: the record's ts */
	__u64 mono; /* entry on the monotonic clock; 0 when no call is in flight */
	const char *path;
	__s32 dirfd;
	__u32 flags;
	__u32 mode;
	__u32 call;
};

/* Where the entry state lives, set before load: task-local storage where
 * the kernel has it (~30 ns per open against ~330 for a hash map update,
 * lookup and delete), else the hash map. record/probes.c creates only the
 * map in use. */
const volatile bool use_task_storage = false;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct open_start);
} ebt_open_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct open_start);
} ebt_open_start SEC(".maps");

struct open_buf {
	struct ebt_hdr hdr;
	struct ebt_open rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_buf);
} ebt_open_buf SEC(".maps");

/* The thread's entry state at exit; NULL when no call is in flight. */
static __always_inline struct open_start *start_find(__u32 tid)
{
	if (use_task_storage)
		return bpf_task_storage_get(&ebt_open_task, bpf_get_current_task_btf(), 0, 0);
	return bpf_map_lookup_elem(&ebt_open_start, &tid);
}

static __always_inline void start_put(struct open_start *s, __u32 tid)
{
	if (use_task_storage)
		s->mono = 0; /* kept for the thread's next open, freed with the task */
	else
		bpf_map_delete_elem(&ebt_open_start, &tid);
}

/* ts stays boottime at entry; the latency comes from the monotonic clock
 * alone, read at both ends (~20 ns a read against ~65 for boottime). The
 * two differ only by time spent suspended, which the latency leaves out. */
static __always_inline void start_set(struct open_start *s, __u32 call, long dirfd,
				      const char *path, __u64 flags, __u64 mode)
{
	s->ts = bpf_ktime_get_boot_ns();
	s->mono = bpf_ktime_get_ns();
	s->path = path;
	s->dirfd = (__s32)dirfd;
	s->flags = (__u32)flags;
	s->mode = (__u32)mode;
	s->call = call;
}

static __always_inline int on_enter(__u32 call, long dirfd, const char *path, __u64 flags,
				    __u64 mode)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ebt_config *c = ebt_cfg();
	struct open_start *s, n;
	__u32 tid = (__u32)id;

	if (!c || !ebt_wanted_task(c, id >> 32))
		return 0;
	if (use_task_storage) {
		s = bpf_task_storage_get(&ebt_open_task, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!s)
			goto lost;
		start_set(s, call, dirfd, path, flags, mode);
		return 0;
	}
	start_set(&n, call, dirfd, path, flags, mode);
	if (bpf_map_update_elem(&ebt_open_start, &tid, &n, BPF_ANY))
		goto lost;
	return 0;
lost:
	/* Task storage refuses under recursion (a program of ours interrupted
	 * on this CPU) and without memory; the hash map when full. The open
	 * is counted lost, so that seen = recorded + lost still holds. */
	ebt_count_lost(EBT_PROBE_OPENS);
	return 0;
}

static __always_inline void fill(struct ebt_open *o, const struct open_start *s, __u64 id,
				 long ret, __u64 now)
{
	o->ts = s->ts;
	o->latency_ns = now - s->mono;
	o->pid = id >> 32;
	o->tid = (__u32)id;
	o->uid = (__u32)bpf_get_current_uid_gid();
	o->ret = (__s32)ret;
	o->dirfd = s->dirfd;
	o->flags = s->flags;
	o->mode = s->mode;
	o->_pad = 0;
	*(__u64 *)o->call = call_names[s->call < 3 ? s->call : 0];
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

static __always_inline int on_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	struct ebt_config *c = ebt_cfg();
	__u32 tid = (__u32)id, zero = 0;
	struct open_start *s;
	struct open_buf *b;
	struct ebt_open *o;
	long n;

	s = start_find(tid);
	if (!s || !s->mono)
		return 0;
	if (!c)
		goto out;
	/* The record is built here and only its used part goes to the ring:
	 * against reserving whole records, a third of the ring space per
	 * open and less recorder CPU (measured: ~150 against ~190 ns per
	 * event in the drain). */
	b = bpf_map_lookup_elem(&ebt_open_buf, &zero);
	if (!b)
		goto out;
	o = &b->rec;
	fill(o, s, id, ret, now);
	n = bpf_probe_read_user_str(o->path, sizeof(o->path), s->path);
	if (n <= 0) {
		o->path[0] = 0;
		n = 1;
	}
	n &= EBT_PATH_LEN * 2 - 1;
	if (n > EBT_PATH_LEN)
		n = EBT_PATH_LEN;
	b->hdr.kind = EBT_KIND_OPEN;
	b->hdr.len = __builtin_offsetof(struct ebt_open, path) + n;
	ebt_output(c, EBT_PROBE_OPENS, b, sizeof(b->hdr) + __builtin_offsetof(struct ebt_open, path) + n);
out:
	start_put(s, tid);
	return 0;
}

/* ---- strategy: tracepoint ------------------------------------------------ */

SEC("tracepoint/syscalls/sys_enter_open")
int ebt_open_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(CALL_OPEN, -100 /* AT_FDCWD */, (const char *)ctx->args[0], ctx->args[1],
			ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int ebt_open_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(CALL_OPENAT, (long)ctx->args[0], (const char *)ctx->args[1],
			ctx->args[2], ctx->args[3]);
}

static __always_inline int enter_openat2(long dirfd, const char *path, const struct open_how *how)
{
	__u64 flags = 0, mode = 0;

	bpf_probe_read_user(&flags, sizeof(flags), &how->flags);
	bpf_probe_read_user(&mode, sizeof(mode), &how->mode);
	return on_enter(CALL_OPENAT2, dirfd, path, flags, mode);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int ebt_open_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return enter_openat2((long)ctx->args[0], (const char *)ctx->args[1],
			     (const struct open_how *)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int ebt_open_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int ebt_open_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int ebt_open_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

/* ---- strategy: tp_btf on raw_syscalls ------------------------------------ */

SEC("tp_btf/sys_enter")
int BPF_PROG(ebt_open_enter_btf, struct pt_regs *regs, long nr)
{
	if (nr == nr_openat)
		return on_enter(CALL_OPENAT, PT_REGS_PARM1_CORE_SYSCALL(regs),
				(const char *)PT_REGS_PARM2_CORE_SYSCALL(regs),
				PT_REGS_PARM3_CORE_SYSCALL(regs), PT_REGS_PARM4_CORE_SYSCALL(regs));
	if (nr == nr_open)
		return on_enter(CALL_OPEN, -100, (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs),
				PT_REGS_PARM2_CORE_SYSCALL(regs), PT_REGS_PARM3_CORE_SYSCALL(regs));
	if (nr == nr_openat2)
		return enter_openat2(PT_REGS_PARM1_CORE_SYSCALL(regs),
				     (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs),
				     (const struct open_how *)PT_REGS_PARM3_CORE_SYSCALL(regs));
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ebt_open_exit_btf, struct pt_regs *regs, long ret)
{
	/* Only a thread inside an open call has a start entry. */
	return on_exit(ret);
}
