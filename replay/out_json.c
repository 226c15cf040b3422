// SPDX-License-Identifier: MIT
/* NDJSON output: one object per row, each with a "kind"; field names are
 * documented in replay/OUTPUT.md and never change meaning. */
#include <inttypes.h>
#include <string.h>

#include "replay/out.h"
#include "replay/report.h"

void json_str(FILE *f, const char *s)
{
	LINE_LOCAL(l, 8192);

	line_reset(&l);
	line_json_str(&l, s, SIZE_MAX);
	line_flush(&l, f);
}

static void line_key(struct line *l, const char *k)
{
	line_chr(l, ',');
	line_chr(l, '"');
	line_str(l, k);
	line_str(l, "\":");
}

static void line_time_iso(struct replay_ctx *c, struct line *l, uint16_t file, uint64_t ts)
{
	int64_t real = ctx_realtime(c, file, ts);
	char buf[48];

	if (!real || !ts) {
		line_str(l, "null");
		return;
	}
	fmt_iso_utc(buf, sizeof(buf), real);
	line_chr(l, '"');
	line_str(l, buf);
	line_chr(l, '"');
}

void json_event(struct replay_ctx *c, const struct trace_event *ev)
{
	LINE_LOCAL(l, 8192);
	const struct trace_schema *s = ev->schema;
	size_t n = trace_schema__nfields(s);
	const struct trace_field_desc *family = NULL;

	line_reset(&l);
	line_str(&l, "{\"kind\":\"event\",\"type\":");
	line_json_str(&l, trace_schema__name(s), SIZE_MAX);
	line_key(&l, "time");
	line_time_iso(c, &l, ev->file, ev->ts);
	line_key(&l, "ts_ns");
	line_u64(&l, ev->ts);
	line_key(&l, "file");
	line_u64(&l, ev->file);
	line_str(&l, ",\"fields\":{");
	for (size_t i = 0; i < n; i++) {
		const struct trace_field_desc *f = trace_schema__field(s, i);
		if (f && f->hint == TRACE_HINT_FAMILY)
			family = f;
	}
	for (size_t i = 0; i < n; i++) {
		const struct trace_field_desc *f = trace_schema__field(s, i);
		if (!f)
			continue;
		if (i)
			line_chr(&l, ',');
		line_json_str(&l, f->name, SIZE_MAX);
		line_chr(&l, ':');
		bool is_signed = f->type >= TRACE_FIELD_S8 && f->type <= TRACE_FIELD_S64;
		if (f->type == TRACE_FIELD_STR) {
			line_json_str(&l, (const char *)ev->data + f->offset, f->size);
		} else if (f->type == TRACE_FIELD_BYTES) {
			if (f->hint == TRACE_HINT_IPADDR && f->size >= 16) {
				char buf[64];
				replay_format_addr((uint16_t)replay_field_u64(family, ev->data),
						   trace_field__bytes(f, ev->data), buf, sizeof(buf));
				line_json_str(&l, buf, SIZE_MAX);
			} else {
				static const char hex[] = "0123456789abcdef";
				const uint8_t *b = trace_field__bytes(f, ev->data);
				line_chr(&l, '"');
				for (size_t k = 0; k < f->size && line_room(&l) > 2; k++) {
					line_chr(&l, hex[b[k] >> 4]);
					line_chr(&l, hex[b[k] & 15]);
				}
				line_chr(&l, '"');
			}
		} else if (f->count > 1) {
			line_chr(&l, '[');
			for (size_t k = 0; k < f->count; k++) {
				if (k)
					line_chr(&l, ',');
				if (is_signed)
					line_i64(&l, trace_field__i64(f, ev->data, k));
				else
					line_u64(&l, trace_field__u64(f, ev->data, k));
			}
			line_chr(&l, ']');
		} else if (is_signed) {
			line_i64(&l, trace_field__i64(f, ev->data, 0));
		} else {
			line_u64(&l, trace_field__u64(f, ev->data, 0));
		}
	}
	line_str(&l, "}}\n");
	struct line *sink = line_sink();
	line_strn(sink, l.buf, (size_t)(l.p - l.buf));
	line_end(sink, c->out);
}

/* ---- report rows -------------------------------------------------------- */

/* Rows are built with fprintf: they are few. */
static void kv_str(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	json_str(f, v);
}

static void kv_u64(FILE *f, const char *k, uint64_t v)
{
	fprintf(f, ",\"%s\":%" PRIu64, k, v);
}

static void kv_time(struct replay_ctx *c, FILE *f, const char *k, uint16_t file, uint64_t ts)
{
	LINE_LOCAL(l, 8192);

	fprintf(f, ",\"%s\":", k);
	line_reset(&l);
	line_time_iso(c, &l, file, ts);
	line_flush(&l, f);
}

static void buckets(FILE *f, const uint64_t *slots)
{
	bool first = true;

	fprintf(f, ",\"buckets\":[");
	for (size_t i = 0; i < REPLAY_HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		fprintf(f, "%s{\"low_ns\":%llu,\"high_ns\":%llu,\"count\":%" PRIu64 "}", first ? "" : ",",
			i ? 1ULL << i : 0ULL, i < 63 ? (1ULL << (i + 1)) - 1 : UINT64_MAX, slots[i]);
		first = false;
	}
	fprintf(f, "]");
}

static void summary_rows(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct report_host h;
	struct trace_reader_stats st;

	report_host(c, &h);
	trace_reader__stats(c->r, &st);
	fprintf(f, "{\"kind\":\"summary\"");
	fprintf(f, ",\"files\":[");
	for (size_t i = 0; i < trace_reader__nfiles(c->r); i++) {
		if (i)
			fputc(',', f);
		json_str(f, trace_reader__file_path(c->r, (uint16_t)i));
	}
	fprintf(f, "]");
	kv_str(f, "host", h.hostname);
	kv_str(f, "kernel", h.kernel);
	kv_str(f, "machine", h.machine);
	kv_str(f, "cpus", h.cpus);
	kv_str(f, "command", h.command);
	uint64_t first = timeline__first_ns(c->timeline), last = timeline__last_ns(c->timeline);
	kv_time(c, f, "start", 0, first);
	kv_time(c, f, "end", 0, last);
	kv_u64(f, "start_ns", first);
	kv_u64(f, "end_ns", last);
	kv_u64(f, "duration_ns", last - first);
	kv_u64(f, "events", timeline__total(c->timeline));
	kv_u64(f, "bookkeeping", report_bookkeeping_total(c));
	kv_u64(f, "lost", lost_analysis__total(c->lost));
	kv_u64(f, "chunks", st.chunks);
	kv_u64(f, "files_indexed", st.files_indexed);
	kv_u64(f, "damaged_blocks", c->damage_count);
	kv_u64(f, "damaged_bytes", c->damage_bytes);
	fprintf(f, "}\n");
	for (size_t i = 0; i < timeline__ntypes(c->timeline); i++) {
		fprintf(f, "{\"kind\":\"type\"");
		kv_str(f, "type", timeline__type_name(c->timeline, i));
		kv_u64(f, "events", timeline__type_total(c->timeline, i));
		fprintf(f, "}\n");
	}
	for (size_t i = 0; i < report_nprobes(c); i++) {
		const char *name, *how;
		report_probe(c, i, &name, &how);
		fprintf(f, "{\"kind\":\"probe\"");
		kv_str(f, "probe", name);
		kv_str(f, "attach", how);
		fprintf(f, "}\n");
	}
}

static void hist_rows(struct replay_ctx *c)
{
	FILE *f = c->out;
	size_t n = hist_analysis__count(c->hist);

	for (size_t i = 0; i < n && i < c->top; i++) {
		const struct replay_hist *h = hist_analysis__at(c->hist, i);
		fprintf(f, "{\"kind\":\"hist\"");
		fprintf(f, ",\"syscall\":");
		if (h->name)
			json_str(f, h->name);
		else
			fprintf(f, "null");
		kv_u64(f, "nr", h->nr);
		if (c->per_process) {
			kv_u64(f, "pid", h->pid);
			kv_str(f, "comm", h->comm);
		}
		kv_str(f, "source", h->from_kernel ? "kernel" : "events");
		kv_u64(f, "count", h->count);
		kv_u64(f, "total_ns", h->total_ns);
		kv_u64(f, "max_ns", h->max_ns);
		buckets(f, h->slots);
		fprintf(f, "}\n");
	}
}

static void key_row(FILE *f, const char *kind, const char *name, const struct opens_key *k)
{
	fprintf(f, "{\"kind\":\"%s\"", kind);
	kv_str(f, name, k->key);
	kv_u64(f, "opens", k->count);
	kv_u64(f, "failures", k->failures);
	kv_u64(f, "total_ns", k->total_ns);
	kv_u64(f, "max_ns", k->max_ns);
	kv_u64(f, "error", k->error);
	fprintf(f, "}\n");
}

static void opens_rows(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct opens_totals t;

	opens_analysis__totals(c->opens, &t);
	fprintf(f, "{\"kind\":\"opens\"");
	kv_u64(f, "opens", t.count);
	kv_u64(f, "failures", t.failures);
	kv_u64(f, "total_ns", t.total_ns);
	kv_u64(f, "max_ns", t.max_ns);
	buckets(f, t.slots);
	fprintf(f, "}\n");
	for (size_t i = 0; i < opens_analysis__npaths(c->opens) && i < c->top; i++)
		key_row(f, "open_path", "path", opens_analysis__path_at(c->opens, i));
	for (size_t i = 0; i < opens_analysis__ncomms(c->opens) && i < c->top; i++)
		key_row(f, "open_comm", "comm", opens_analysis__comm_at(c->opens, i));
	for (size_t i = 0; i < opens_analysis__nslowest(c->opens) && i < c->top; i++) {
		const struct opens_call *o = opens_analysis__slowest_at(c->opens, i);
		fprintf(f, "{\"kind\":\"open_slow\"");
		kv_time(c, f, "time", o->file, o->ts);
		kv_u64(f, "ts_ns", o->ts);
		kv_u64(f, "pid", o->pid);
		kv_u64(f, "tid", o->tid);
		kv_u64(f, "uid", o->uid);
		kv_str(f, "comm", o->comm);
		kv_str(f, "call", o->call);
		fprintf(f, ",\"dirfd\":%d", o->dirfd);
		kv_str(f, "path", o->path);
		kv_u64(f, "flags", o->flags);
		kv_u64(f, "mode", o->mode);
		fprintf(f, ",\"ret\":%d", o->ret);
		kv_u64(f, "latency_ns", o->latency_ns);
		fprintf(f, "}\n");
	}
	for (size_t i = 0; i < opens_analysis__nerrnos(c->opens); i++) {
		const struct opens_errno *e = opens_analysis__errno_at(c->opens, i);
		const char *name = replay_errno_name(e->err);
		fprintf(f, "{\"kind\":\"open_errno\",\"errno\":%d,\"name\":", e->err);
		if (name)
			json_str(f, name);
		else
			fprintf(f, "null");
		kv_u64(f, "count", e->count);
		kv_str(f, "last_path", e->path);
		fprintf(f, "}\n");
	}
}

void json_tcp_conn(struct replay_ctx *c, const struct tcp_conn *t, const char *status)
{
	FILE *f = c->out;
	char a[64];

	fprintf(f, "{\"kind\":\"tcp\"");
	kv_str(f, "status", status);
	kv_u64(f, "pid", t->pid);
	kv_str(f, "comm", t->comm);
	kv_u64(f, "family", t->family);
	kv_str(f, "saddr", replay_format_addr(t->family, t->saddr, a, sizeof(a)));
	kv_u64(f, "sport", t->sport);
	kv_str(f, "daddr", replay_format_addr(t->family, t->daddr, a, sizeof(a)));
	kv_u64(f, "dport", t->dport);
	kv_u64(f, "tx_bytes", t->tx_bytes);
	kv_u64(f, "rx_bytes", t->rx_bytes);
	kv_u64(f, "segs_out", t->segs_out);
	kv_u64(f, "segs_in", t->segs_in);
	kv_time(c, f, "start", t->file, t->start_ns);
	if (t->start_ns)
		kv_u64(f, "start_ns", t->start_ns);
	else
		fprintf(f, ",\"start_ns\":null");
	kv_time(c, f, "end", t->file, t->end_ns);
	kv_u64(f, "end_ns", t->end_ns);
	if (t->start_ns && (t->flags & TCP_CONN_CLOSED))
		kv_u64(f, "duration_ns", t->duration_ns);
	else
		fprintf(f, ",\"duration_ns\":null");
	fprintf(f, ",\"established\":%s,\"active\":%s,\"bytes_known\":%s",
		t->flags & TCP_CONN_ESTABLISHED ? "true" : "false",
		t->flags & TCP_CONN_ACTIVE ? "true" : "false",
		t->flags & TCP_CONN_LIFE ? "true" : "false");
	kv_str(f, "state", replay_tcp_state_name(t->state));
	fprintf(f, ",\"skaddr\":\"0x%" PRIx64 "\"}\n", t->skaddr);
}

static void tcp_rows(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct tcp_totals t;
	uint64_t dropped;

	if (!c->tcp_streamed) {
		size_t n = tcp_analysis__nclosed(c->tcp, &dropped);
		for (size_t i = 0; i < n; i++)
			json_tcp_conn(c, tcp_analysis__closed_at(c->tcp, i), "closed");
	}
	size_t nopen = tcp_analysis__nopen(c->tcp);
	for (size_t i = 0; i < nopen; i++)
		json_tcp_conn(c, tcp_analysis__open_at(c->tcp, i), "open");
	tcp_analysis__totals(c->tcp, &t);
	fprintf(f, "{\"kind\":\"tcp_totals\"");
	kv_u64(f, "closed", t.closed);
	kv_u64(f, "never_established", t.never_established);
	kv_u64(f, "open", nopen);
	kv_u64(f, "tx_bytes", t.tx_bytes);
	kv_u64(f, "rx_bytes", t.rx_bytes);
	kv_u64(f, "state_changes", t.state_changes);
	if (!c->tcp_streamed) {
		tcp_analysis__nclosed(c->tcp, &dropped);
		kv_u64(f, "closed_not_listed", dropped);
	}
	buckets(f, t.lifetime_slots);
	fprintf(f, "}\n");
}

static void udp_rows(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct udp_totals t;
	char a[64];

	for (size_t i = 0; i < udp_analysis__nflows(c->udp) && i < c->top; i++) {
		const struct udp_flow *u = udp_analysis__flow_at(c->udp, i);
		fprintf(f, "{\"kind\":\"udp\"");
		kv_u64(f, "pid", u->pid);
		kv_str(f, "comm", u->comm);
		kv_u64(f, "family", u->family);
		kv_str(f, "saddr", replay_format_addr(u->family, u->saddr, a, sizeof(a)));
		kv_u64(f, "sport", u->sport);
		kv_str(f, "daddr", replay_format_addr(u->family, u->daddr, a, sizeof(a)));
		kv_u64(f, "dport", u->dport);
		kv_u64(f, "tx_packets", u->tx_packets);
		kv_u64(f, "tx_bytes", u->tx_bytes);
		kv_u64(f, "rx_packets", u->rx_packets);
		kv_u64(f, "rx_bytes", u->rx_bytes);
		kv_time(c, f, "first", u->file, u->first_ns);
		kv_time(c, f, "last", u->file, u->last_ns);
		kv_u64(f, "first_ns", u->first_ns);
		kv_u64(f, "last_ns", u->last_ns);
		fprintf(f, "}\n");
	}
	udp_analysis__totals(c->udp, &t);
	fprintf(f, "{\"kind\":\"udp_totals\"");
	kv_u64(f, "packets", t.packets);
	kv_u64(f, "flows", t.flows);
	kv_u64(f, "tx_bytes", t.tx_bytes);
	kv_u64(f, "rx_bytes", t.rx_bytes);
	kv_u64(f, "overflow_packets", t.overflow_packets);
	kv_u64(f, "overflow_bytes", t.overflow_bytes);
	fprintf(f, "}\n");
}

static void procs_rows(struct replay_ctx *c)
{
	FILE *f = c->out;

	for (size_t i = 0; i < procs_analysis__count(c->procs); i++) {
		const struct proc_info *p = procs_analysis__at(c->procs, i);
		fprintf(f, "{\"kind\":\"process\"");
		kv_u64(f, "pid", p->pid);
		kv_u64(f, "ppid", p->ppid);
		kv_u64(f, "uid", p->uid);
		kv_str(f, "comm", p->comm);
		kv_str(f, "cmdline", p->cmdline);
		kv_str(f, "filename", p->filename);
		kv_time(c, f, "start", p->file, p->start_ns);
		kv_time(c, f, "exec", p->file, p->exec_ns);
		kv_time(c, f, "exit", p->file, p->exit_ns);
		if (p->flags & PROC_EXITED)
			fprintf(f, ",\"exit_status\":%d,\"exit_code\":%d,\"exit_signal\":%d",
				p->exit_status, (p->exit_status >> 8) & 0xff, p->exit_status & 0x7f);
		else
			fprintf(f, ",\"exit_status\":null,\"exit_code\":null,\"exit_signal\":null");
		kv_u64(f, "events", p->events);
		fprintf(f, ",\"in_snapshot\":%s,\"forked\":%s,\"execed\":%s}\n",
			p->flags & PROC_SNAPSHOT ? "true" : "false",
			p->flags & PROC_FORKED ? "true" : "false",
			p->flags & PROC_EXECED ? "true" : "false");
	}
}

static void lost_rows(struct replay_ctx *c)
{
	FILE *f = c->out;

	for (size_t i = 0; i < lost_analysis__nprobes(c->lost); i++) {
		const struct lost_probe *p = lost_analysis__probe_at(c->lost, i);
		fprintf(f, "{\"kind\":\"lost\"");
		kv_str(f, "probe", p->probe);
		kv_u64(f, "count", p->count);
		kv_u64(f, "records", p->records);
		kv_u64(f, "cpus", p->cpus);
		kv_time(c, f, "from", 0, p->first_ns);
		kv_time(c, f, "to", 0, p->last_ns);
		fprintf(f, "}\n");
	}
}

static void rate_rows(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct timeline *t = c->timeline;

	for (size_t b = 0; b < timeline__nbuckets(t); b++) {
		uint64_t start = timeline__start_ns(t) + b * timeline__bucket_ns(t);
		fprintf(f, "{\"kind\":\"rate\"");
		kv_time(c, f, "start", 0, start);
		kv_u64(f, "start_ns", start);
		kv_u64(f, "width_ns", timeline__bucket_ns(t));
		kv_u64(f, "events", timeline__bucket_total(t, b));
		kv_u64(f, "lost", timeline__lost(t, b));
		fprintf(f, ",\"types\":{");
		bool first = true;
		for (size_t k = 0; k < timeline__ntypes(t); k++) {
			uint64_t n = timeline__count(t, b, k);
			if (!n)
				continue;
			fprintf(f, "%s", first ? "" : ",");
			json_str(f, timeline__type_name(t, k));
			fprintf(f, ":%" PRIu64, n);
			first = false;
		}
		fprintf(f, "}}\n");
	}
}

void json_report(struct replay_ctx *c)
{
	unsigned s = c->show;

	if (s & SHOW_SUMMARY)
		summary_rows(c);
	if (s & SHOW_HIST)
		hist_rows(c);
	if (s & SHOW_OPENS)
		opens_rows(c);
	if (s & SHOW_TCP)
		tcp_rows(c);
	if (s & SHOW_UDP)
		udp_rows(c);
	if (s & SHOW_PROCS)
		procs_rows(c);
	if (s & SHOW_LOST)
		lost_rows(c);
	if (s & SHOW_RATES)
		rate_rows(c);
}
