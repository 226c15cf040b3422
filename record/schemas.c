// SPDX-License-Identifier: MIT
/*
 * The trace schema of every record type (format/EVENTS.md), built from the
 * structs of bpf/events.h with offsetof/sizeof: the layout has one
 * definition, and the names are the contract with every reader.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "format/trace.h"
#include "record/record.h"

#define FSIZE(st, f) sizeof(((struct st *)0)->f)
/* A scalar or string field. */
#define F(st, f, ty, hint) \
	{ #f, TRACE_FIELD_##ty, TRACE_HINT_##hint, offsetof(struct st, f), FSIZE(st, f), 1 }
/* An array of integers. */
#define FA(st, f, ty, hint, n) \
	{ #f, TRACE_FIELD_##ty, TRACE_HINT_##hint, offsetof(struct st, f), FSIZE(st, f), n }
#define SCHEMA(type_name, st, fields) \
	{ type_name, sizeof(struct st), sizeof(fields) / sizeof(fields[0]), fields }

static const struct trace_field_desc open_fields[] = {
	F(ebt_open, ts, U64, TIME),
	F(ebt_open, latency_ns, U64, DURATION),
	F(ebt_open, pid, U32, PID),
	F(ebt_open, tid, U32, NONE),
	F(ebt_open, uid, U32, NONE),
	F(ebt_open, ret, S32, ERRNO),
	F(ebt_open, dirfd, S32, NONE),
	F(ebt_open, flags, U32, HEX),
	F(ebt_open, mode, U32, HEX),
	F(ebt_open, call, STR, NONE),
	F(ebt_open, comm, STR, NONE),
	F(ebt_open, path, STR, NONE),
};

static const struct trace_field_desc syscall_fields[] = {
	F(ebt_syscall, ts, U64, TIME),
	F(ebt_syscall, latency_ns, U64, DURATION),
	F(ebt_syscall, pid, U32, PID),
	F(ebt_syscall, tid, U32, NONE),
	F(ebt_syscall, nr, U32, NONE),
	F(ebt_syscall, ret, S64, ERRNO),
	F(ebt_syscall, comm, STR, NONE),
};

static const struct trace_field_desc syscall_hist_fields[] = {
	F(ebt_syscall_hist, ts, U64, TIME),
	F(ebt_syscall_hist, nr, U32, NONE),
	F(ebt_syscall_hist, count, U64, NONE),
	F(ebt_syscall_hist, total_ns, U64, DURATION),
	F(ebt_syscall_hist, max_ns, U64, DURATION),
	FA(ebt_syscall_hist, slots, U64, NONE, EBT_HIST_SLOTS),
};

static const struct trace_field_desc syscall_name_fields[] = {
	F(ebt_syscall_name, ts, U64, TIME),
	F(ebt_syscall_name, nr, U32, NONE),
	F(ebt_syscall_name, name, STR, NONE),
};

static const struct trace_field_desc tcp_state_fields[] = {
	F(ebt_tcp_state, ts, U64, TIME),
	F(ebt_tcp_state, skaddr, U64, HEX),
	F(ebt_tcp_state, pid, U32, PID),
	F(ebt_tcp_state, family, U16, FAMILY),
	F(ebt_tcp_state, sport, U16, NONE),
	F(ebt_tcp_state, dport, U16, NONE),
	F(ebt_tcp_state, oldstate, U8, NONE),
	F(ebt_tcp_state, newstate, U8, NONE),
	F(ebt_tcp_state, comm, STR, NONE),
	F(ebt_tcp_state, saddr, BYTES, IPADDR),
	F(ebt_tcp_state, daddr, BYTES, IPADDR),
};

static const struct trace_field_desc tcp_life_fields[] = {
	F(ebt_tcp_life, ts, U64, TIME),
	F(ebt_tcp_life, start_ns, U64, BOOTTIME),
	F(ebt_tcp_life, duration_ns, U64, DURATION),
	F(ebt_tcp_life, skaddr, U64, HEX),
	F(ebt_tcp_life, tx_bytes, U64, BYTES),
	F(ebt_tcp_life, rx_bytes, U64, BYTES),
	F(ebt_tcp_life, segs_out, U32, NONE),
	F(ebt_tcp_life, segs_in, U32, NONE),
	F(ebt_tcp_life, pid, U32, PID),
	F(ebt_tcp_life, family, U16, FAMILY),
	F(ebt_tcp_life, sport, U16, NONE),
	F(ebt_tcp_life, dport, U16, NONE),
	F(ebt_tcp_life, flags, U8, HEX),
	F(ebt_tcp_life, comm, STR, NONE),
	F(ebt_tcp_life, saddr, BYTES, IPADDR),
	F(ebt_tcp_life, daddr, BYTES, IPADDR),
	F(ebt_tcp_life, uid, U32, NONE),
};

static const struct trace_field_desc udp_fields[] = {
	F(ebt_udp, ts, U64, TIME),
	F(ebt_udp, skaddr, U64, HEX),
	F(ebt_udp, pid, U32, PID),
	F(ebt_udp, tid, U32, NONE),
	F(ebt_udp, bytes, U32, BYTES),
	F(ebt_udp, family, U16, FAMILY),
	F(ebt_udp, sport, U16, NONE),
	F(ebt_udp, dport, U16, NONE),
	F(ebt_udp, dir, U8, NONE),
	F(ebt_udp, comm, STR, NONE),
	F(ebt_udp, saddr, BYTES, IPADDR),
	F(ebt_udp, daddr, BYTES, IPADDR),
	F(ebt_udp, uid, U32, NONE),
};

static const struct trace_field_desc exec_fields[] = {
	F(ebt_exec, ts, U64, TIME),
	F(ebt_exec, pid, U32, PID),
	F(ebt_exec, ppid, U32, PID),
	F(ebt_exec, uid, U32, NONE),
	F(ebt_exec, comm, STR, NONE),
	F(ebt_exec, filename, STR, NONE),
	F(ebt_exec, args, STR, NONE),
};

static const struct trace_field_desc fork_fields[] = {
	F(ebt_fork, ts, U64, TIME),
	F(ebt_fork, pid, U32, PID),
	F(ebt_fork, child_pid, U32, PID),
	F(ebt_fork, comm, STR, NONE),
};

static const struct trace_field_desc exit_fields[] = {
	F(ebt_exit, ts, U64, TIME),
	F(ebt_exit, pid, U32, PID),
	F(ebt_exit, ppid, U32, PID),
	F(ebt_exit, status, S32, NONE),
	F(ebt_exit, comm, STR, NONE),
};

/* The format's own types, as the public structs of format/trace.h lay
 * them out: what a consumer gets (the writer has its own descriptions). */
static const struct trace_field_desc lost_fields[] = {
	F(trace_lost, ts, U64, TIME),
	F(trace_lost, since_ns, U64, BOOTTIME),
	F(trace_lost, count, U64, NONE),
	F(trace_lost, cpu, U32, NONE),
	F(trace_lost, probe, STR, NONE),
};

static const struct trace_field_desc process_fields[] = {
	F(trace_process, ts, U64, TIME),
	F(trace_process, start_ns, U64, BOOTTIME),
	F(trace_process, pid, U32, PID),
	F(trace_process, ppid, U32, PID),
	F(trace_process, uid, U32, NONE),
	F(trace_process, gid, U32, NONE),
	F(trace_process, comm, STR, NONE),
	F(trace_process, cmdline, STR, NONE),
};

static const struct trace_schema_desc schemas[RECORD_NTYPES] = {
	[EBT_KIND_OPEN] = SCHEMA("open", ebt_open, open_fields),
	[EBT_KIND_SYSCALL] = SCHEMA("syscall", ebt_syscall, syscall_fields),
	[EBT_KIND_TCP_STATE] = SCHEMA("tcp_state", ebt_tcp_state, tcp_state_fields),
	[EBT_KIND_TCP_LIFE] = SCHEMA("tcp_life", ebt_tcp_life, tcp_life_fields),
	[EBT_KIND_UDP] = SCHEMA("udp", ebt_udp, udp_fields),
	[EBT_KIND_EXEC] = SCHEMA("exec", ebt_exec, exec_fields),
	[EBT_KIND_FORK] = SCHEMA("fork", ebt_fork, fork_fields),
	[EBT_KIND_EXIT] = SCHEMA("exit", ebt_exit, exit_fields),
	[RECORD_SYSCALL_HIST] = SCHEMA("syscall_hist", ebt_syscall_hist, syscall_hist_fields),
	[RECORD_SYSCALL_NAME] = SCHEMA("syscall_name", ebt_syscall_name, syscall_name_fields),
	[RECORD_LOST] = SCHEMA("lost", trace_lost, lost_fields),
	[RECORD_PROCESS] = SCHEMA("process", trace_process, process_fields),
};

const struct trace_schema_desc *record_type__desc(int type)
{
	return type > 0 && type < RECORD_NTYPES ? &schemas[type] : NULL;
}

int schemas__register(struct trace_writer *w, int ids[RECORD_NTYPES])
{
	int id;

	memset(ids, 0, RECORD_NTYPES * sizeof(ids[0]));
	for (int t = 1; t < RECORD_LOST; t++) {
		id = trace_writer__add_type(w, &schemas[t]);
		if (id < 0)
			return id;
		ids[t] = id;
	}
	ids[RECORD_LOST] = TRACE_TYPE_LOST;
	ids[RECORD_PROCESS] = TRACE_TYPE_PROCESS;
	return 0;
}
