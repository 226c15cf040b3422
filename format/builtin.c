// SPDX-License-Identifier: MIT
/* The built-in record types and their decoders. */
#include "builtin.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "schema.h"

#define F(st, name, type, hint) \
	{ #name, type, hint, offsetof(st, name), sizeof(((st *)0)->name), 1 }

static const struct trace_field_desc lost_fields[] = {
	F(struct trace_lost, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	F(struct trace_lost, since_ns, TRACE_FIELD_U64, TRACE_HINT_BOOTTIME),
	F(struct trace_lost, count, TRACE_FIELD_U64, TRACE_HINT_NONE),
	F(struct trace_lost, cpu, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct trace_lost, probe, TRACE_FIELD_STR, TRACE_HINT_NONE),
};

static const struct trace_field_desc process_fields[] = {
	F(struct trace_process, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	F(struct trace_process, start_ns, TRACE_FIELD_U64, TRACE_HINT_BOOTTIME),
	F(struct trace_process, pid, TRACE_FIELD_U32, TRACE_HINT_PID),
	F(struct trace_process, ppid, TRACE_FIELD_U32, TRACE_HINT_PID),
	F(struct trace_process, uid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct trace_process, gid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct trace_process, comm, TRACE_FIELD_STR, TRACE_HINT_NONE),
	F(struct trace_process, cmdline, TRACE_FIELD_STR, TRACE_HINT_NONE),
};

const struct trace_schema_desc builtin_lost_desc = {
	.name = "lost",
	.size = sizeof(struct trace_lost),
	.nfields = sizeof(lost_fields) / sizeof(lost_fields[0]),
	.fields = lost_fields,
};

const struct trace_schema_desc builtin_process_desc = {
	.name = "process",
	.size = sizeof(struct trace_process),
	.nfields = sizeof(process_fields) / sizeof(process_fields[0]),
	.fields = process_fields,
};

static uint64_t get_u(const struct trace_event *ev, const char *name)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	return f ? trace_field__u64(f, ev->data, 0) : 0;
}

static void get_str(const struct trace_event *ev, const char *name, char *dst, size_t size)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	memset(dst, 0, size);
	if (f && f->type == TRACE_FIELD_STR) {
		const char *src = trace_field__str(f, ev->data);

		memcpy(dst, src, strnlen(src, size - 1));
	}
}

int trace_event__lost(const struct trace_event *ev, struct trace_lost *out)
{
	if (!ev || !ev->schema || strcmp(trace_schema__name(ev->schema), "lost") != 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->ts = ev->ts;
	out->since_ns = get_u(ev, "since_ns");
	out->count = get_u(ev, "count");
	out->cpu = (uint32_t)get_u(ev, "cpu");
	get_str(ev, "probe", out->probe, sizeof(out->probe));
	return 0;
}

int trace_event__process(const struct trace_event *ev, struct trace_process *out)
{
	if (!ev || !ev->schema || strcmp(trace_schema__name(ev->schema), "process") != 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->ts = ev->ts;
	out->start_ns = get_u(ev, "start_ns");
	out->pid = (uint32_t)get_u(ev, "pid");
	out->ppid = (uint32_t)get_u(ev, "ppid");
	out->uid = (uint32_t)get_u(ev, "uid");
	out->gid = (uint32_t)get_u(ev, "gid");
	get_str(ev, "comm", out->comm, sizeof(out->comm));
	get_str(ev, "cmdline", out->cmdline, sizeof(out->cmdline));
	return 0;
}
