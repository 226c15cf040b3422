// SPDX-License-Identifier: MIT
/*
 * ebpf-record --tui: the dashboard (replay/dash/) live.
 *
 * What it shows is exactly what goes into the trace: the dashboard is the
 * session's consumer, handed every record after the writer took it (ring
 * events, histogram snapshots, lost records, the process snapshot, the
 * syscall table), each with the schema the writer registered for its type
 * (trace_writer__schema), which is what the analyses bind fields with.
 *
 * The dashboard's filters go to the session's live configuration (the
 * mmapped ebt_config map and the ebt_pids set): the next event is filtered,
 * nothing is reloaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/trace.h"
#include "record/record.h"
#include "record/tui.h"
#include "replay/dash/dash.h"

struct tui {
	struct tui_opts o;
	struct dash *dash;
	const struct trace_schema *schema[RECORD_NTYPES]; /* by record type */
	uint16_t id[RECORD_NTYPES];			   /* the writer's type ids */
	bool pid_set;	 /* a pid went into the kernel's set from here */
	uint32_t pid_added;
	int err;	 /* the first error feeding the dashboard */
};

static int on_record(void *ctx, const struct record_event *ev)
{
	struct tui *t = ctx;
	struct trace_event te;
	int err;

	if (!t->schema[ev->type])
		return 0;
	te = (struct trace_event){ .schema = t->schema[ev->type], .data = ev->data, .ts = ev->ts,
				   .size = ev->desc->size, .type = t->id[ev->type], .file = 0 };
	err = dash__feed(t->dash, &te);
	if (err && !t->err)
		t->err = err;
	return 0; /* the recording goes on; tui__tick reports it */
}

/* ---- what the dashboard asks of the recorder ------------------------------ */

static int set_filter(void *ctx, int64_t pid, const char *comm, char *msg, size_t size)
{
	struct tui *t = ctx;
	struct record_session *s = t->o.session;
	int err;

	if (pid >= 0 && t->o.npids) {
		snprintf(msg, size, "the recording follows its -p or COMMAND pids; a pid from "
			 "here would only add to them");
		return -EINVAL;
	}
	if (!t->o.npids && (pid < 0 || !t->pid_set || (uint32_t)pid != t->pid_added)) {
		/* Another pid (or none): the set starts over, the children the
		 * last one forked meanwhile included. */
		if (pid < 0)
			record_session__set_pid_filter(s, false);
		err = record_session__pid_clear(s);
		if (err) {
			snprintf(msg, size, "cannot empty the kernel's pid set: %s", strerror(-err));
			return err;
		}
		t->pid_set = false;
		if (pid >= 0) {
			err = record_session__pid_add(s, (uint32_t)pid);
			if (err) {
				snprintf(msg, size, "cannot add pid %lld to the kernel's set: %s",
					 (long long)pid, strerror(-err));
				return err;
			}
			t->pid_set = true;
			t->pid_added = (uint32_t)pid;
			record_session__set_pid_filter(s, true);
		}
	}
	err = record_session__set_comm(s, comm ? comm : t->o.comm);
	if (err) {
		snprintf(msg, size, "cannot set the name filter: %s", strerror(-err));
		return err;
	}
	if (pid >= 0)
		snprintf(msg, size, "with the processes it forks from now on");
	else if (!comm && t->o.comm)
		snprintf(msg, size, "back to -c %s", t->o.comm);
	return 0;
}

static int counts(void *ctx, struct dash_live_counts *out)
{
	struct tui *t = ctx;
	struct trace_writer_stats st;
	struct record_counts c;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < EBT_NPROBES && out->nprobes < DASH_MAX_PROBES; i++) {
		struct dash_probe_count *p = &out->probes[out->nprobes];

		if (!record_session__attached(t->o.session, i) ||
		    record_session__counts(t->o.session, i, &c))
			continue;
		p->name = record_probe__name(i);
		p->strategy = record_session__strategy(t->o.session, i);
		p->seen = c.seen;
		p->recorded = c.recorded;
		p->lost = c.lost;
		out->lost += c.lost;
		out->nprobes++;
	}
	out->recorded = record_session__recorded(t->o.session);
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
	for (int type = 1; type < RECORD_NTYPES; type++) {
		int id = record_session__type_id(o->session, type);

		t->schema[type] = id > 0 ? trace_writer__schema(o->w, id) : NULL;
		if (!t->schema[type]) {
			snprintf(err, errlen, "--tui: the trace has no schema for %s records",
				 record_type__desc(type)->name);
			goto fail;
		}
		t->id[type] = (uint16_t)id;
	}
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
	record_session__set_consumer(o->session, on_record, t);
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
	if (t->dash)
		record_session__set_consumer(t->o.session, NULL, NULL);
	dash__close(t->dash);
	free(t);
}
