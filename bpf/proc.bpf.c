// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Probe `proc`: process lifetimes: exec (with the program and its
 * arguments), fork (new processes, not threads) and exit (once per process,
 * when its last thread exits, with the wait(2) status).
 *
 * Strategies:
 *   tracepoint  sched:sched_process_{exec,fork,exit}
 *   tp_btf      tp_btf/sched_process_{exec,fork,exit}
 */
#include "common.bpf.h"

static __always_inline int on_exec(const char *filename, bool kernel_filename)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct ebt_config *c = ebt_cfg();
	unsigned long arg_start, arg_end, len;
	struct ebt_exec *e;

	if (!c || !ebt_wanted_task(c, id >> 32))
		return 0;
	e = ebt_reserve(EBT_PROBE_PROC, EBT_KIND_EXEC, sizeof(*e));
	if (!e)
		return 0;
	/* The ring's memory is not cleared: strings are read into zeros. */
	__builtin_memset(e->filename, 0, sizeof(e->filename));
	__builtin_memset(e->args, 0, sizeof(e->args));
	e->ts = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->_pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (kernel_filename)
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	else
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
					  BPF_CORE_READ((struct linux_binprm *)filename, filename));
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end - arg_start;
	if (len > EBT_ARGS_LEN - 1)
		len = EBT_ARGS_LEN - 1;
	if (len > 0)
		bpf_probe_read_user(e->args, len & (EBT_ARGS_LEN - 1), (const void *)arg_start);
	ebt_submit(c, e);
	return 0;
}

static __always_inline int on_fork(__u32 child_tid)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ebt_config *c = ebt_cfg();
	struct ebt_fork *e;

	if (!c || !ebt_wanted_task(c, id >> 32) || !ebt_is_new_process(child_tid))
		return 0;
	e = ebt_reserve(EBT_PROBE_PROC, EBT_KIND_FORK, sizeof(*e));
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->child_pid = child_tid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	ebt_submit(c, e);
	return 0;
}

static __always_inline int on_exit(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct ebt_config *c = ebt_cfg();
	struct ebt_exit *e;

	/* signal->live drops to 0 before the tracepoint in the last thread. */
	if (!c || BPF_CORE_READ(task, signal, live.counter) != 0 || !ebt_wanted_task(c, id >> 32))
		return 0;
	e = ebt_reserve(EBT_PROBE_PROC, EBT_KIND_EXIT, sizeof(*e));
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->status = BPF_CORE_READ(task, exit_code);
	e->_pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	ebt_submit(c, e);
	return 0;
}

/* ---- strategy: tracepoint ------------------------------------------------ */

SEC("tracepoint/sched/sched_process_exec")
int ebt_proc_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	unsigned int loc = ctx->__data_loc_filename & 0xffff;

	return on_exec((const char *)ctx + loc, true);
}

SEC("tracepoint/sched/sched_process_fork")
int ebt_proc_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	return on_fork(ctx->child_pid);
}

SEC("tracepoint/sched/sched_process_exit")
int ebt_proc_exit(void *ctx)
{
	return on_exit();
}

/* ---- strategy: tp_btf ---------------------------------------------------- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ebt_proc_exec_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec((const char *)bprm, false);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ebt_proc_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(child->pid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ebt_proc_exit_btf, struct task_struct *p)
{
	return on_exit();
}
