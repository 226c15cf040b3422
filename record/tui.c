// SPDX-License-Identifier: MIT
/*
 * ebpf-record --tui: the dashboard (replay/dash/) live.
 *
 * What it shows is exactly what goes into the trace: every record the
 * recorder writes (ring events, histogram snapshots, lost records, the
 * process snapshot, the syscall table) is handed to the dashboard as it is
 * written. The recorder's files write through trace_writer__append/lost/
 * process; the link line wraps those (ld --wrap, record/build.mk) so that
 * this file sees them without the drain, the histogram snapshots or the
 * format library knowing about the dashboard. The analyses read records
 * through their schemas, which only a trace reader gives out: the types
 * registered on the trace are registered again on a small trace of
 * schemas only, read back once.
 *
 * The dashboard's filters go to the BPF programs' live configuration (the
 * mmapped ebt_config map and the ebt_pids set): the next event is filtered,
 * nothing is reloaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/trace.h"
#include "record/record.h"
#include "record/tui.h"
#include "replay/dash/dash.h"

#define MAX_TYPES 256

/* The real functions, behind the wrappers below. */
int __real_trace_writer__add_type(struct trace_writer *w, const struct trace_schema_desc *desc);
int __real_trace_writer__append(struct trace_writer *w, int type, const void *rec, size_t size);
int __real_trace_writer__lost(struct trace_writer *w, const struct trace_lost *l);
int __real_trace_writer__process(struct trace_writer *w, const struct trace_process *p);
int __wrap_trace_writer__add_type(struct trace_writer *w, const struct trace_schema_desc *desc);
int __wrap_trace_writer__append(struct trace_writer *w, int type, const void *rec, size_t size);
int __wrap_trace_writer__lost(struct trace_writer *w, const struct trace_lost *l);
int __wrap_trace_writer__process(struct trace_writer *w, const struct trace_process *p);

/* A record type as registered, copied (the recorder's descriptions are
 * static, but nothing says so). */
struct captured_type {
	struct trace_writer *w;
	int id;
	struct trace_schema_desc desc;
	struct trace_field_desc *fields;
	char *name;
};

static struct captured_type captured[MAX_TYPES];
static size_t ncaptured;

struct tui {
	struct tui_opts o;
	struct dash *dash;
	struct trace_reader *schemas; /* holds the schemas the events point to */
	const struct trace_schema *schema[MAX_TYPES + 1]; /* by type id */
	const struct trace_field_desc *time[MAX_TYPES + 1];
	const struct trace_schema *lost, *process;
	bool pid_set;	 /* a pid went into the kernel's set from here */
	uint32_t pid_added;
	int err;	 /* the first error feeding the dashboard */
};

/* The dashboard being fed, if any. */
static struct tui *feeding;

int __wrap_trace_writer__add_type(struct trace_writer *w, const struct trace_schema_desc *desc)
{
	int id = __real_trace_writer__add_type(w, desc);
	struct captured_type *c;

	if (id < 0 || ncaptured == MAX_TYPES)
		return id;
	c = &captured[ncaptured];
	c->name = strdup(desc->name);
	c->fields = calloc(desc->nfields ? desc->nfields : 1, sizeof(*c->fields));
	if (!c->name || !c->fields) {
		free(c->name);
		free(c->fields);
		return id; /* the dashboard will not know this type: it says so */
	}
	for (uint16_t i = 0; i < desc->nfields; i++) {
		c->fields[i] = desc->fields[i];
		c->fields[i].name = strdup(desc->fields[i].name);
		if (!c->fields[i].name)
			c->fields[i].name = "?";
	}
	c->desc = *desc;
	c->desc.name = c->name;
	c->desc.fields = c->fields;
	c->w = w;
	c->id = id;
	ncaptured++;
	return id;
}

static void feed(struct tui *t, const struct trace_schema *s, uint16_t type, const void *rec,
		 size_t size, uint64_t ts)
{
	struct trace_event ev = { .schema = s, .data = rec, .ts = ts, .size = (uint32_t)size,
				  .type = type, .file = 0 };
	int err = dash__feed(t->dash, &ev);

	if (err && !t->err)
		t->err = err;
}

int __wrap_trace_writer__append(struct trace_writer *w, int type, const void *rec, size_t size)
{
	int err = __real_trace_writer__append(w, type, rec, size);
	struct tui *t = feeding;

	if (!err && t && w == t->o.w && type > 0 && type <= MAX_TYPES && t->schema[type])
		feed(t, t->schema[type], (uint16_t)type, rec, size,
		     t->time[type] ? trace_field__u64(t->time[type], rec, 0) : 0);
	return err;
}

int __wrap_trace_writer__lost(struct trace_writer *w, const struct trace_lost *l)
{
	int err = __real_trace_writer__lost(w, l);
	struct tui *t = feeding;

	if (!err && t && w == t->o.w && t->lost)
		feed(t, t->lost, TRACE_TYPE_LOST, l, sizeof(*l), l->ts);
	return err;
}

int __wrap_trace_writer__process(struct trace_writer *w, const struct trace_process *p)
{
	int err = __real_trace_writer__process(w, p);
	struct tui *t = feeding;

	if (!err && t && w == t->o.w && t->process)
		feed(t, t->process, TRACE_TYPE_PROCESS, p, sizeof(*p), p->ts);
	return err;
}

/* The types registered on the trace, registered again on a trace of
 * schemas only and read back: the schemas the dashboard's events carry. */
static int load_schemas(struct tui *t, char *err, size_t errlen)
{
	char dir[] = "/tmp/ebpf-record-tui-XXXXXX", path[64];
	struct trace_writer_opts wo = { .sz = sizeof(wo), .uid = -1, .gid = -1 };
	struct trace_writer *w;
	int rc = 0;

	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "--tui: cannot create a temporary directory in /tmp: %s",
			 strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/schemas.trace", dir);
	w = trace_writer__open(path, &wo);
	if (!w) {
		rc = -errno;
		snprintf(err, errlen, "--tui: cannot write %s: %s", path, trace_strerror(rc));
		goto cleanup;
	}
	for (size_t i = 0; i < ncaptured && !rc; i++) {
		if (captured[i].w != t->o.w)
			continue;
		int id = __real_trace_writer__add_type(w, &captured[i].desc);
		if (id != captured[i].id) {
			rc = id < 0 ? id : -EPROTO;
			snprintf(err, errlen, "--tui: type %s registered as %d, not %d: %s",
				 captured[i].name, id, captured[i].id, trace_strerror(rc));
		}
	}
	int cerr = trace_writer__close(w);
	if (!rc && cerr) {
		rc = cerr;
		snprintf(err, errlen, "--tui: cannot write %s: %s", path, trace_strerror(rc));
	}
	if (rc)
		goto cleanup;
	t->schemas = trace_reader__open(path, NULL);
	if (!t->schemas) {
		rc = -errno;
		snprintf(err, errlen, "--tui: cannot read %s back: %s", path, trace_strerror(rc));
		goto cleanup;
	}
	for (size_t i = 0; i < ncaptured; i++) {
		const struct trace_schema *s;
		int id = captured[i].id;

		if (captured[i].w != t->o.w || id <= 0 || id > MAX_TYPES)
			continue;
		s = trace_reader__schema(t->schemas, 0, captured[i].name);
		if (!s)
			continue;
		t->schema[id] = s;
		for (size_t f = 0; f < trace_schema__nfields(s); f++)
			if (trace_schema__field(s, f)->hint == TRACE_HINT_TIME)
				t->time[id] = trace_schema__field(s, f);
	}
	t->lost = trace_reader__schema(t->schemas, 0, "lost");
	t->process = trace_reader__schema(t->schemas, 0, "process");
cleanup:
	unlink(path);
	rmdir(dir);
	return rc;
}

/* ---- what the dashboard asks of the recorder ------------------------------ */

static int set_filter(void *ctx, int64_t pid, const char *comm, char *msg, size_t size)
{
	struct tui *t = ctx;
	struct ebt_config *c = probes__config(t->o.probes);

	if (pid >= 0 && t->o.npids) {
		snprintf(msg, size, "the recording follows its -p or COMMAND pids; a pid from "
			 "here would only add to them");
		return -EINVAL;
	}
	/* The kernel's set can be added to but not taken from: one pid per
	 * recording, or the set would hold the old one too. */
	if (pid >= 0 && t->pid_set && (uint32_t)pid != t->pid_added) {
		snprintf(msg, size, "pid %u cannot leave the kernel's pid set while recording: "
			 "one pid filter per recording", t->pid_added);
		return -EBUSY;
	}
	if (pid >= 0 && !t->pid_set) {
		if (probes__pid_add(t->o.probes, (uint32_t)pid)) {
			snprintf(msg, size, "cannot add pid %lld to the kernel's set: %s",
				 (long long)pid, strerror(errno));
			return -errno;
		}
		t->pid_set = true;
		t->pid_added = (uint32_t)pid;
	}
	/* The name before the switch that turns it on. */
	if (comm) {
		memset(c->comm, 0, sizeof(c->comm));
		strncpy(c->comm, comm, sizeof(c->comm) - 1);
	}
	__sync_synchronize();
	c->filter_comm = comm ? 1 : (t->o.comm ? 1 : 0);
	if (!comm && t->o.comm) {
		/* Back to the recording's own -c. */
		memset(c->comm, 0, sizeof(c->comm));
		strncpy(c->comm, t->o.comm, sizeof(c->comm) - 1);
	}
	c->filter_pid = pid >= 0 || t->o.npids ? 1 : 0;
	__sync_synchronize();
	if (pid >= 0)
		snprintf(msg, size, "its children are not followed (-p PID at the start does that)");
	else if (!comm && t->o.comm)
		snprintf(msg, size, "back to -c %s", t->o.comm);
	return 0;
}

static int counts(void *ctx, struct dash_live_counts *out)
{
	struct tui *t = ctx;
	struct trace_writer_stats st;
	uint64_t seen, rec, lost;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < EBT_NPROBES && out->nprobes < DASH_MAX_PROBES; i++) {
		struct dash_probe_count *p = &out->probes[out->nprobes];

		if (!probes__attached(t->o.probes, i) || drain__counts(t->o.drain, i, &seen, &rec, &lost))
			continue;
		p->name = probe__name(i);
		p->strategy = probes__strategy(t->o.probes, i);
		p->seen = seen;
		p->recorded = rec;
		p->lost = lost;
		out->lost += lost;
		out->nprobes++;
	}
	out->recorded = drain__recorded(t->o.drain);
	trace_writer__stats(t->o.w, &st);
	out->bytes_written = st.bytes_written;
	return 0;
}

struct tui *tui__open(const struct tui_opts *o, char *err, size_t errlen)
{
	struct tui *t = calloc(1, sizeof(*t));
	struct dash_host host = { .sz = sizeof(host), .set_filter = set_filter, .counts = counts };
	struct dash_live_opts lo = { .sz = sizeof(lo), .output = o->output, .host = &host,
				     .pid = o->npids ? (int64_t)o->pids[0] : -1, .comm = o->comm };
	int rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->o = *o;
	host.ctx = t;
	rc = load_schemas(t, err, errlen);
	if (rc)
		goto fail;
	t->dash = dash__open_live(&lo);
	if (!t->dash) {
		rc = -errno;
		if (rc == -ENOTTY)
			snprintf(err, errlen, "--tui needs a terminal on stdin and stdout");
		else if (rc == -ENXIO)
			snprintf(err, errlen, "--tui: the terminal type '%s' is unknown here (set TERM "
				 "to one terminfo knows, e.g. xterm-256color)",
				 getenv("TERM") ? getenv("TERM") : "");
		else
			snprintf(err, errlen, "--tui: cannot start the dashboard: %s", strerror(-rc));
		goto fail;
	}
	feeding = t;
	return t;
fail:
	tui__close(t);
	return NULL;
}

int tui__tick(struct tui *t)
{
	if (!t)
		return 0;
	if (t->err)
		return t->err;
	return dash__tick(t->dash) == 1 ? 1 : 0;
}

void tui__close(struct tui *t)
{
	if (!t)
		return;
	if (feeding == t)
		feeding = NULL;
	dash__close(t->dash);
	trace_reader__close(t->schemas);
	free(t);
}
