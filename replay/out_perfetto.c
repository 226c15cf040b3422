// SPDX-License-Identifier: MIT
/* --export perfetto: Chrome Trace Event JSON (the format ui.perfetto.dev
 * and chrome://tracing open). A track per process and thread; opens and
 * syscalls as complete slices, TCP connections as async slices, process
 * events and lost events as instants, event rates as counters. Times are
 * microseconds from the first event; its wall-clock time is in otherData. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay/out.h"
#include "replay/report.h"

struct pf {
	struct replay_ctx *c;
	FILE *f;
	uint64_t base; /* boottime of ts 0 */
	bool based;
	bool first;    /* no comma before the first element */
	struct replay_binding *open_b, *sys_b, *tid_b, *proc_b;
	struct procs_analysis *procs;
	struct timeline *timeline;
	struct tcp_analysis *tcp;
	uint64_t tcp_end; /* last event time, for connections open at the end */
};

enum { PO_TID, PO_LAT, PO_PATH, PO_RET, PO_CALL, PO_FLAGS, PO_N };
static const char *const open_fields[PO_N] = { "tid", "latency_ns", "path", "ret", "call", "flags" };
enum { PS_TID, PS_LAT, PS_NR, PS_RET, PS_N };
static const char *const sys_fields[PS_N] = { "tid", "latency_ns", "nr", "ret" };
static const char *const pid_fields[2] = { "pid", "comm" };

static void begin(struct pf *p, struct line *l)
{
	line_reset(l);
	if (!p->first)
		line_str(l, ",\n");
	p->first = false;
}

/* Microseconds from the base, with ns precision. */
static void line_ts(struct pf *p, struct line *l, uint64_t ts)
{
	if (ts < p->base) {
		line_chr(l, '-');
		ts = p->base + (p->base - ts);
	}
	line_usecs(l, ts - p->base);
}

static void slice(struct pf *p, const char *cat, const char *name, uint32_t pid, uint32_t tid,
		  uint64_t ts, uint64_t dur, const struct trace_event *ev)
{
	LINE_LOCAL(l, 8192);

	begin(p, &l);
	line_str(&l, "{\"ph\":\"X\",\"cat\":\"");
	line_str(&l, cat);
	line_str(&l, "\",\"name\":");
	line_json_str(&l, name, 200);
	line_str(&l, ",\"pid\":");
	line_u64(&l, pid);
	line_str(&l, ",\"tid\":");
	line_u64(&l, tid ? tid : pid);
	line_str(&l, ",\"ts\":");
	line_ts(p, &l, ts);
	line_str(&l, ",\"dur\":");
	line_usecs(&l, dur);
	line_str(&l, ",\"args\":{\"detail\":");
	LINE_LOCAL(d, 4096);
	line_reset(&d);
	event_details(p->c, ev, &d);
	*d.p = '\0';
	line_json_str(&l, d.buf, d.cap);
	line_str(&l, "}}");
	line_flush(&l, p->f);
}

static void instant(struct pf *p, const char *name, uint32_t pid, uint64_t ts, bool global,
		    const struct trace_event *ev)
{
	LINE_LOCAL(l, 8192);

	begin(p, &l);
	line_str(&l, "{\"ph\":\"i\",\"cat\":\"");
	line_str(&l, trace_schema__name(ev->schema));
	line_str(&l, "\",\"name\":");
	line_json_str(&l, name, 200);
	line_str(&l, global ? ",\"s\":\"g\"" : ",\"s\":\"p\"");
	line_str(&l, ",\"pid\":");
	line_u64(&l, pid);
	line_str(&l, ",\"tid\":");
	line_u64(&l, pid);
	line_str(&l, ",\"ts\":");
	line_ts(p, &l, ts);
	line_str(&l, ",\"args\":{\"detail\":");
	LINE_LOCAL(d, 4096);
	line_reset(&d);
	event_details(p->c, ev, &d);
	*d.p = '\0';
	line_json_str(&l, d.buf, d.cap);
	line_str(&l, "}}");
	line_flush(&l, p->f);
}

static void tcp_async(struct pf *p, const struct tcp_conn *t)
{
	char r[80], name[160], lo[80];
	LINE_LOCAL(l, 8192);

	report_endpoint(t->family, t->daddr, t->dport, r, sizeof(r));
	report_endpoint(t->family, t->saddr, t->sport, lo, sizeof(lo));
	snprintf(name, sizeof(name), "tcp %s", r);
	uint64_t start = t->start_ns ? t->start_ns : p->base;
	uint64_t end = (t->flags & TCP_CONN_CLOSED) ? t->end_ns : p->tcp_end;
	for (int phase = 0; phase < 2; phase++) {
		begin(p, &l);
		line_str(&l, phase ? "{\"ph\":\"e\"" : "{\"ph\":\"b\"");
		line_str(&l, ",\"cat\":\"tcp\",\"id\":\"");
		line_hex(&l, t->skaddr);
		line_chr(&l, ':');
		line_u64(&l, start);
		line_str(&l, "\",\"name\":");
		line_json_str(&l, name, sizeof(name));
		line_str(&l, ",\"pid\":");
		line_u64(&l, t->pid);
		line_str(&l, ",\"tid\":");
		line_u64(&l, t->pid);
		line_str(&l, ",\"ts\":");
		line_ts(p, &l, phase ? end : start);
		if (phase) {
			char args[400];
			snprintf(args, sizeof(args), "%s -> %s, sent %" PRIu64 " B, received %" PRIu64
				 " B, segs out %u in %u%s%s", lo, r, t->tx_bytes, t->rx_bytes,
				 t->segs_out, t->segs_in, *report_tcp_note(t) ? ", " : "",
				 report_tcp_note(t));
			line_str(&l, ",\"args\":{\"detail\":");
			line_json_str(&l, args, sizeof(args));
			line_chr(&l, '}');
		}
		line_chr(&l, '}');
		line_flush(&l, p->f);
	}
}

static void on_tcp_close(const struct tcp_conn *t, void *ctx)
{
	tcp_async(ctx, t);
}

static void event(struct pf *p, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd;
	uint32_t pid = 0;
	char comm[16], name[300];
	const void *r = ev->data;

	if ((fd = replay_binding__resolve(p->proc_b, ev->schema)))
		pid = (uint32_t)replay_field_u64(fd[0], r);
	if ((fd = replay_binding__resolve(p->open_b, ev->schema))) {
		char call[16], path[256];
		replay_field_str(fd[PO_CALL], r, call, sizeof(call));
		replay_field_str(fd[PO_PATH], r, path, sizeof(path));
		snprintf(name, sizeof(name), "%s %s", call[0] ? call : "open", path);
		slice(p, "open", name, pid, (uint32_t)replay_field_u64(fd[PO_TID], r), ev->ts,
		      replay_field_u64(fd[PO_LAT], r), ev);
		return;
	}
	if ((fd = replay_binding__resolve(p->sys_b, ev->schema))) {
		uint32_t nr = (uint32_t)replay_field_u64(fd[PS_NR], r);
		const char *sn = syscall_names__get(p->c->names, nr);
		if (sn)
			snprintf(name, sizeof(name), "%s", sn);
		else
			snprintf(name, sizeof(name), "syscall %u", nr);
		slice(p, "syscall", name, pid, (uint32_t)replay_field_u64(fd[PS_TID], r), ev->ts,
		      replay_field_u64(fd[PS_LAT], r), ev);
		return;
	}
	const char *type = trace_schema__name(ev->schema);
	if (ev->type == TRACE_TYPE_LOST) {
		struct trace_lost lo;
		if (trace_event__lost(ev, &lo) == 0) {
			lo.probe[sizeof(lo.probe) - 1] = '\0';
			snprintf(name, sizeof(name), "lost %" PRIu64 " %s events", lo.count, lo.probe);
			instant(p, name, 0, ev->ts, true, ev);
		}
		return;
	}
	if (!strcmp(type, "exec") || !strcmp(type, "exit") || !strcmp(type, "fork")) {
		event_pid_comm(ev, &pid, comm, sizeof(comm));
		snprintf(name, sizeof(name), "%s %s", type, comm);
		instant(p, name, pid, ev->ts, false, ev);
	}
}

static void metadata(struct pf *p)
{
	LINE_LOCAL(l, 8192);

	for (size_t i = 0; i < procs_analysis__count(p->procs); i++) {
		const struct proc_info *pi = procs_analysis__at(p->procs, i);
		if (!pi->events)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%s %u", pi->comm[0] ? pi->comm : "?", pi->pid);
		begin(p, &l);
		line_str(&l, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
		line_u64(&l, pi->pid);
		line_str(&l, ",\"tid\":0,\"args\":{\"name\":");
		line_json_str(&l, name, sizeof(name));
		line_str(&l, "}}");
		line_flush(&l, p->f);
	}
	begin(p, &l);
	line_str(&l, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"tid\":0,\"args\":{\"name\":"
		     "\"kernel / whole trace\"}}");
	line_flush(&l, p->f);
}

static void counters(struct pf *p)
{
	struct timeline *t = p->timeline;
	double secs = timeline__bucket_ns(t) / 1e9;

	for (size_t b = 0; b < timeline__nbuckets(t); b++) {
		LINE_LOCAL(l, 8192);
		begin(p, &l);
		line_str(&l, "{\"ph\":\"C\",\"name\":\"events/s\",\"pid\":0,\"tid\":0,\"ts\":");
		line_ts(p, &l, timeline__start_ns(t) + b * timeline__bucket_ns(t));
		line_str(&l, ",\"args\":{");
		for (size_t k = 0; k < timeline__ntypes(t); k++) {
			char v[32];
			if (k)
				line_chr(&l, ',');
			line_json_str(&l, timeline__type_name(t, k), 64);
			snprintf(v, sizeof(v), ":%.1f", timeline__count(t, b, k) / secs);
			line_str(&l, v);
		}
		line_str(&l, "}}");
		line_flush(&l, p->f);
		begin(p, &l);
		line_str(&l, "{\"ph\":\"C\",\"name\":\"lost events\",\"pid\":0,\"tid\":0,\"ts\":");
		line_ts(p, &l, timeline__start_ns(t) + b * timeline__bucket_ns(t));
		line_str(&l, ",\"args\":{\"lost\":");
		line_u64(&l, timeline__lost(t, b));
		line_str(&l, "}}");
		line_flush(&l, p->f);
	}
}

int perfetto_export(struct replay_ctx *c, const char *path)
{
	struct pf p = { .c = c, .first = true };
	struct tcp_analysis_opts to = { .sz = sizeof(to), .keep_closed = 1, .on_close = on_tcp_close,
					.ctx = &p };
	struct trace_event ev;
	int err = 0;

	p.f = fopen(path, "w");
	if (!p.f) {
		err = -errno;
		fprintf(stderr, "ebpf-replay: cannot write %s: %s\n", path, strerror(errno));
		return err;
	}
	p.open_b = replay_binding__new("open", open_fields, PO_N);
	p.sys_b = replay_binding__new("syscall", sys_fields, PS_N);
	p.proc_b = replay_binding__new(NULL, pid_fields, 2);
	p.procs = procs_analysis__new();
	p.timeline = timeline__new(NULL);
	p.tcp = tcp_analysis__new(&to);
	if (!p.open_b || !p.sys_b || !p.proc_b || !p.procs || !p.timeline || !p.tcp) {
		err = -ENOMEM;
		goto cleanup;
	}
	fprintf(p.f, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
	while ((err = trace_reader__next(c->r, &ev)) == 0) {
		if (!replay_filter__match(c->filter, &ev))
			continue;
		if (!p.based) {
			p.base = ev.ts;
			p.based = true;
		}
		p.tcp_end = ev.ts;
		if (ev.type >= TRACE_TYPE_FIRST_USER && (err = syscall_names__feed(c->names, &ev)))
			goto cleanup;
		if ((err = procs_analysis__feed(p.procs, &ev)) || (err = timeline__feed(p.timeline, &ev)) ||
		    (err = tcp_analysis__feed(p.tcp, &ev)))
			goto cleanup;
		event(&p, &ev);
	}
	if (err != -ENOENT)
		goto cleanup;
	err = 0;
	tcp_analysis__finish(p.tcp);
	for (size_t i = 0; i < tcp_analysis__nopen(p.tcp); i++)
		tcp_async(&p, tcp_analysis__open_at(p.tcp, i));
	metadata(&p);
	counters(&p);
	char start[64] = "";
	int64_t real = p.based ? ctx_realtime(c, 0, p.base) : 0;
	if (real)
		fmt_iso_utc(start, sizeof(start), real);
	fprintf(p.f, "\n],\"otherData\":{\"generator\":\"ebpf-replay\",\"ts_zero_boottime_ns\":\"%" PRIu64
		"\",\"ts_zero_utc\":\"%s\"}}\n", p.base, start);
cleanup:
	if (fclose(p.f) && !err)
		err = -EIO;
	replay_binding__free(p.open_b);
	replay_binding__free(p.sys_b);
	replay_binding__free(p.proc_b);
	procs_analysis__free(p.procs);
	timeline__free(p.timeline);
	tcp_analysis__free(p.tcp);
	return err;
}
