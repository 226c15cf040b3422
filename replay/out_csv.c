// SPDX-License-Identifier: MIT
/* CSV output (RFC 4180): one table per analysis, each with its header
 * row; several tables are separated by one empty line. */
#include <inttypes.h>
#include <string.h>

#include "replay/out.h"
#include "replay/report.h"

static void line_csv(struct line *l, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		line_str(l, s);
		return;
	}
	line_chr(l, '"');
	for (; *s; s++) {
		if (*s == '"')
			line_chr(l, '"');
		line_chr(l, *s);
	}
	line_chr(l, '"');
}

static void cell(FILE *f, const char *s, bool last)
{
	LINE_LOCAL(l, 8192);

	line_reset(&l);
	line_csv(&l, s);
	line_chr(&l, last ? '\n' : ',');
	line_flush(&l, f);
}

static void table(struct replay_ctx *c, const char *header)
{
	if (c->csv_started)
		fputc('\n', c->out);
	c->csv_started = true;
	fprintf(c->out, "%s\n", header);
}

static void time_cell(struct replay_ctx *c, uint16_t file, uint64_t ts, char *buf, size_t size)
{
	int64_t real = ts ? ctx_realtime(c, file, ts) : 0;

	if (real)
		fmt_iso_utc(buf, size, real);
	else
		buf[0] = '\0';
}

void csv_events_header(struct replay_ctx *c)
{
	table(c, "time,ts_ns,type,pid,comm,details");
}

void csv_event(struct replay_ctx *c, const struct trace_event *ev)
{
	LINE_LOCAL(l, 8192);
	LINE_LOCAL(d, 4096);
	uint32_t pid;
	char comm[16], t[48];

	line_reset(&l);
	time_cell(c, ev->file, ev->ts, t, sizeof(t));
	line_str(&l, t);
	line_chr(&l, ',');
	line_u64(&l, ev->ts);
	line_chr(&l, ',');
	line_csv(&l, trace_schema__name(ev->schema));
	line_chr(&l, ',');
	event_pid_comm(ev, &pid, comm, sizeof(comm));
	line_u64(&l, pid);
	line_chr(&l, ',');
	line_csv(&l, comm);
	line_chr(&l, ',');
	line_reset(&d);
	event_details(c, ev, &d);
	*d.p = '\0';
	line_csv(&l, d.buf);
	line_chr(&l, '\n');
	struct line *sink = line_sink();
	line_strn(sink, l.buf, (size_t)(l.p - l.buf));
	line_end(sink, c->out);
}

static void summary_tables(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct report_host h;
	char a[48], b[48];

	report_host(c, &h);
	table(c, "host,kernel,machine,cpus,command,start,end,duration_ns,events,lost,damaged_blocks");
	uint64_t first = timeline__first_ns(c->timeline), last = timeline__last_ns(c->timeline);
	time_cell(c, 0, first, a, sizeof(a));
	time_cell(c, 0, last, b, sizeof(b));
	cell(f, h.hostname, false);
	cell(f, h.kernel, false);
	cell(f, h.machine, false);
	cell(f, h.cpus, false);
	cell(f, h.command, false);
	fprintf(f, "%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", a, b, last - first,
		timeline__total(c->timeline), lost_analysis__total(c->lost), c->damage_count);
	table(c, "type,events");
	for (size_t i = 0; i < timeline__ntypes(c->timeline); i++) {
		cell(f, timeline__type_name(c->timeline, i), false);
		fprintf(f, "%" PRIu64 "\n", timeline__type_total(c->timeline, i));
	}
	if (report_nprobes(c)) {
		table(c, "probe,attach");
		for (size_t i = 0; i < report_nprobes(c); i++) {
			const char *name, *how;
			report_probe(c, i, &name, &how);
			cell(f, name, false);
			cell(f, how, true);
		}
	}
}

static void hist_table(struct replay_ctx *c)
{
	FILE *f = c->out;

	table(c, "syscall,nr,pid,comm,source,count,total_ns,max_ns,low_ns,high_ns,bucket_count");
	for (size_t i = 0; i < hist_analysis__count(c->hist) && i < c->top; i++) {
		const struct replay_hist *h = hist_analysis__at(c->hist, i);
		for (size_t s = 0; s < REPLAY_HIST_SLOTS; s++) {
			if (!h->slots[s])
				continue;
			cell(f, h->name ? h->name : "", false);
			fprintf(f, "%u,%u,", h->nr, h->pid);
			cell(f, h->comm, false);
			fprintf(f, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%llu,%llu,%" PRIu64 "\n",
				h->from_kernel ? "kernel" : "events", h->count, h->total_ns, h->max_ns,
				s ? 1ULL << s : 0ULL, s < 63 ? (1ULL << (s + 1)) - 1 : UINT64_MAX,
				h->slots[s]);
		}
	}
}

static void opens_tables(struct replay_ctx *c)
{
	FILE *f = c->out;
	char t[48];

	table(c, "path,opens,failures,total_ns,max_ns,error");
	for (size_t i = 0; i < opens_analysis__npaths(c->opens) && i < c->top; i++) {
		const struct opens_key *k = opens_analysis__path_at(c->opens, i);
		cell(f, k->key, false);
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", k->count,
			k->failures, k->total_ns, k->max_ns, k->error);
	}
	table(c, "comm,opens,failures,total_ns,max_ns,error");
	for (size_t i = 0; i < opens_analysis__ncomms(c->opens) && i < c->top; i++) {
		const struct opens_key *k = opens_analysis__comm_at(c->opens, i);
		cell(f, k->key, false);
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", k->count,
			k->failures, k->total_ns, k->max_ns, k->error);
	}
	table(c, "time,ts_ns,pid,tid,comm,call,path,flags,ret,latency_ns");
	for (size_t i = 0; i < opens_analysis__nslowest(c->opens) && i < c->top; i++) {
		const struct opens_call *o = opens_analysis__slowest_at(c->opens, i);
		time_cell(c, o->file, o->ts, t, sizeof(t));
		fprintf(f, "%s,%" PRIu64 ",%u,%u,", t, o->ts, o->pid, o->tid);
		cell(f, o->comm, false);
		cell(f, o->call, false);
		cell(f, o->path, false);
		fprintf(f, "%u,%d,%" PRIu64 "\n", o->flags, o->ret, o->latency_ns);
	}
	table(c, "errno,name,count,last_path");
	for (size_t i = 0; i < opens_analysis__nerrnos(c->opens); i++) {
		const struct opens_errno *e = opens_analysis__errno_at(c->opens, i);
		const char *name = replay_errno_name(e->err);
		fprintf(f, "%d,%s,%" PRIu64 ",", e->err, name ? name : "", e->count);
		cell(f, e->path, true);
	}
}

void csv_tcp_header(struct replay_ctx *c)
{
	table(c, "status,pid,comm,saddr,sport,daddr,dport,tx_bytes,rx_bytes,segs_out,segs_in,"
		 "start,end,duration_ns,established,active");
}

void csv_tcp_conn(struct replay_ctx *c, const struct tcp_conn *t, const char *status)
{
	FILE *f = c->out;
	char a[64], s[48], e[48];

	fprintf(f, "%s,%u,", status, t->pid);
	cell(f, t->comm, false);
	fprintf(f, "%s,%u,", replay_format_addr(t->family, t->saddr, a, sizeof(a)), t->sport);
	fprintf(f, "%s,%u,", replay_format_addr(t->family, t->daddr, a, sizeof(a)), t->dport);
	time_cell(c, t->file, t->start_ns, s, sizeof(s));
	time_cell(c, t->file, t->end_ns, e, sizeof(e));
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%u,%u,%s,%s,", t->tx_bytes, t->rx_bytes, t->segs_out,
		t->segs_in, s, e);
	if (t->start_ns && (t->flags & TCP_CONN_CLOSED))
		fprintf(f, "%" PRIu64, t->duration_ns);
	fprintf(f, ",%d,%d\n", !!(t->flags & TCP_CONN_ESTABLISHED), !!(t->flags & TCP_CONN_ACTIVE));
}

static void tcp_table(struct replay_ctx *c)
{
	uint64_t dropped;

	if (!c->tcp_streamed) {
		csv_tcp_header(c);
		size_t n = tcp_analysis__nclosed(c->tcp, &dropped);
		for (size_t i = 0; i < n; i++)
			csv_tcp_conn(c, tcp_analysis__closed_at(c->tcp, i), "closed");
	}
	size_t nopen = tcp_analysis__nopen(c->tcp);
	for (size_t i = 0; i < nopen; i++)
		csv_tcp_conn(c, tcp_analysis__open_at(c->tcp, i), "open");
}

static void udp_table(struct replay_ctx *c)
{
	FILE *f = c->out;
	char a[64], s[48], e[48];

	table(c, "pid,comm,saddr,sport,daddr,dport,tx_packets,tx_bytes,rx_packets,rx_bytes,first,last");
	for (size_t i = 0; i < udp_analysis__nflows(c->udp) && i < c->top; i++) {
		const struct udp_flow *u = udp_analysis__flow_at(c->udp, i);
		fprintf(f, "%u,", u->pid);
		cell(f, u->comm, false);
		fprintf(f, "%s,%u,", replay_format_addr(u->family, u->saddr, a, sizeof(a)), u->sport);
		fprintf(f, "%s,%u,", replay_format_addr(u->family, u->daddr, a, sizeof(a)), u->dport);
		time_cell(c, u->file, u->first_ns, s, sizeof(s));
		time_cell(c, u->file, u->last_ns, e, sizeof(e));
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s\n", u->tx_packets,
			u->tx_bytes, u->rx_packets, u->rx_bytes, s, e);
	}
}

static void procs_table(struct replay_ctx *c)
{
	FILE *f = c->out;
	char s[48], x[48];

	table(c, "pid,ppid,uid,comm,start,exit,exit_code,exit_signal,events,cmdline");
	for (size_t i = 0; i < procs_analysis__count(c->procs); i++) {
		const struct proc_info *p = procs_analysis__at(c->procs, i);
		time_cell(c, p->file, p->start_ns, s, sizeof(s));
		time_cell(c, p->file, p->exit_ns, x, sizeof(x));
		fprintf(f, "%u,%u,%u,", p->pid, p->ppid, p->uid);
		cell(f, p->comm, false);
		fprintf(f, "%s,%s,", s, x);
		if (p->flags & PROC_EXITED)
			fprintf(f, "%d,%d,", (p->exit_status >> 8) & 0xff, p->exit_status & 0x7f);
		else
			fprintf(f, ",,");
		fprintf(f, "%" PRIu64 ",", p->events);
		cell(f, p->cmdline, true);
	}
}

static void lost_table(struct replay_ctx *c)
{
	FILE *f = c->out;
	char a[48], b[48];

	table(c, "probe,count,records,cpus,from,to");
	for (size_t i = 0; i < lost_analysis__nprobes(c->lost); i++) {
		const struct lost_probe *p = lost_analysis__probe_at(c->lost, i);
		time_cell(c, 0, p->first_ns, a, sizeof(a));
		time_cell(c, 0, p->last_ns, b, sizeof(b));
		cell(f, p->probe, false);
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",%u,%s,%s\n", p->count, p->records, p->cpus, a, b);
	}
}

static void rate_table(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct timeline *t = c->timeline;
	char a[48];

	table(c, "start,start_ns,width_ns,events,lost");
	for (size_t b = 0; b < timeline__nbuckets(t); b++) {
		uint64_t start = timeline__start_ns(t) + b * timeline__bucket_ns(t);
		time_cell(c, 0, start, a, sizeof(a));
		fprintf(f, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", a, start,
			timeline__bucket_ns(t), timeline__bucket_total(t, b), timeline__lost(t, b));
	}
}

void csv_report(struct replay_ctx *c)
{
	unsigned s = c->show;

	if (s & SHOW_SUMMARY)
		summary_tables(c);
	if (s & SHOW_HIST)
		hist_table(c);
	if (s & SHOW_OPENS)
		opens_tables(c);
	if (s & SHOW_TCP)
		tcp_table(c);
	if (s & SHOW_UDP)
		udp_table(c);
	if (s & SHOW_PROCS)
		procs_table(c);
	if (s & SHOW_LOST)
		lost_table(c);
	if (s & SHOW_RATES)
		rate_table(c);
}
