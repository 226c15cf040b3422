// SPDX-License-Identifier: MIT
/* Text output: the summary, each analysis as a readable report (histograms
 * as bcc draws them), and one line per event for --events. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/out.h"
#include "replay/report.h"

/* ---- --events --------------------------------------------------------- */

/* "HH:MM:SS.uuuuuu": the seconds part is formatted once per second. */
static void line_time(struct replay_ctx *c, struct line *l, uint16_t file, uint64_t ts)
{
	static int64_t cached_sec = INT64_MIN;
	static char cached[16];
	int64_t real = ctx_realtime(c, file, ts);

	if (!real) {
		/* No calibration: seconds of boottime. */
		line_u64(l, ts / 1000000000);
		line_chr(l, '.');
		uint64_t us = ts % 1000000000 / 1000;
		char frac[8];
		for (int i = 5; i >= 0; i--, us /= 10)
			frac[i] = (char)('0' + us % 10);
		line_strn(l, frac, 6);
		return;
	}
	int64_t sec = real / 1000000000;
	if (sec != cached_sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		if (c->utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		snprintf(cached, sizeof(cached), "%02d:%02d:%02d.", tm.tm_hour, tm.tm_min, tm.tm_sec);
		cached_sec = sec;
	}
	line_strn(l, cached, 9);
	uint64_t us = (uint64_t)(real % 1000000000) / 1000;
	char frac[6];
	for (int i = 5; i >= 0; i--, us /= 10)
		frac[i] = (char)('0' + us % 10);
	line_strn(l, frac, 6);
}

void text_events_header(struct replay_ctx *c)
{
	fprintf(c->out, "%-15s %-16s %-7s %-10s %s\n", "TIME", "COMM", "PID", "TYPE", "DETAILS");
}

void text_event(struct replay_ctx *c, const struct trace_event *ev)
{
	struct line *l = line_sink();

	line_time(c, l, ev->file, ev->ts);
	line_chr(l, ' ');
	event_prefix(ev, l);
	event_details(c, ev, l);
	line_chr(l, '\n');
	line_end(l, c->out);
}

/* ---- the report -------------------------------------------------------- */

static void heading(FILE *f, const char *title)
{
	fprintf(f, "\n%s\n", title);
	for (const char *p = title; *p; p++)
		fputc('=', f);
	fputc('\n', f);
}

static void clock_line(struct replay_ctx *c, FILE *f, const char *label, uint64_t ts)
{
	int64_t real = ctx_realtime(c, 0, ts);
	char local[64], utc[64];

	if (!real) {
		fprintf(f, "%-11s boottime %.6f s (no clock calibration in the trace)\n", label, ts / 1e9);
		return;
	}
	fmt_datetime(local, sizeof(local), real, false);
	fmt_datetime(utc, sizeof(utc), real, true);
	/* UTC beside local time, unless local time is UTC. */
	if (strcmp(local, utc))
		fprintf(f, "%-11s %s   (%s)\n", label, local, utc);
	else
		fprintf(f, "%-11s %s\n", label, local);
}

static void summary(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct report_host h;
	struct trace_reader_stats st;
	char buf[64];

	report_host(c, &h);
	trace_reader__stats(c->r, &st);
	heading(f, "Summary");
	size_t nfiles = trace_reader__nfiles(c->r);
	fprintf(f, "%-11s %s", "Trace", trace_reader__file_path(c->r, 0));
	if (nfiles > 1)
		fprintf(f, " and %zu more file(s), merged in time order", nfiles - 1);
	fprintf(f, "\n");
	fprintf(f, "%-11s %s\n", "Host", h.hostname);
	fprintf(f, "%-11s %s %s%s%s\n", "Kernel", h.kernel, h.machine, h.cpus[0] ? ", CPUs: " : "",
		h.cpus);
	if (report_nrecordings(c) == 1) {
		if (h.command[0])
			fprintf(f, "%-11s %s\n", "Command", h.command);
		if (h.exit_status[0])
			fprintf(f, "%-11s %s\n", "Exit status", h.exit_status);
	} else {
		/* Several recordings merged: each one's command, not the first's. */
		for (size_t i = 0; i < report_nrecordings(c); i++) {
			uint16_t file = report_recording_file(c, i);
			const char *cmd = trace_reader__meta(c->r, file, "record.command");
			const char *st = trace_reader__meta(c->r, file, "record.exit_status");
			fprintf(f, "%-11s %s", i ? "" : "Commands", trace_reader__file_path(c->r, file));
			if (cmd)
				fprintf(f, ": %s", cmd);
			if (st)
				fprintf(f, " (exit status %s)", st);
			fprintf(f, "\n");
		}
	}
	uint64_t first = timeline__first_ns(c->timeline), last = timeline__last_ns(c->timeline);
	if (timeline__total(c->timeline)) {
		clock_line(c, f, "Start", first);
		clock_line(c, f, "End", last);
		fmt_duration(buf, sizeof(buf), last - first);
		fprintf(f, "%-11s %s\n", "Duration", buf);
	} else {
		fprintf(f, "%-11s no events%s\n", "Time", replay_filter__active(c->filter) ||
			c->since_arg || c->until_arg ? " match the filters" : "");
	}
	if (replay_filter__active(c->filter) || c->since_arg || c->until_arg)
		fprintf(f, "%-11s %s\n", "Filters", report_filters(c, buf, sizeof(buf)));
	uint64_t books = report_bookkeeping_total(c);
	fprintf(f, "%-11s %" PRIu64 " events", "Events", timeline__total(c->timeline) - books);
	if (books)
		fprintf(f, " and %" PRIu64 " bookkeeping records", books);
	const char *chunks = st.chunks == 1 ? "chunk" : "chunks";
	if (st.files_indexed == nfiles)
		fprintf(f, ", %" PRIu64 " %s, indexed\n", st.chunks, chunks);
	else
		fprintf(f, ", %" PRIu64 " %s, %zu of %zu file(s) without an index (unfinished?)\n",
			st.chunks, chunks, nfiles - st.files_indexed, nfiles);
	if (c->damage_count || st.chunks_bad || st.files_truncated)
		fprintf(f, "%-11s %" PRIu64 " damaged block(s) skipped (%" PRIu64
			" bytes), %u file(s) end torn: the rest was replayed\n", "DAMAGE",
			c->damage_count, c->damage_bytes, st.files_truncated);
	if (st.clock_steps)
		fprintf(f, "%-11s %u realtime step(s) during the recording: wall-clock times "
			"follow the nearest calibration\n", "Clock", st.clock_steps);

	fprintf(f, "\n  %-16s %12s %10s\n", "TYPE", "EVENTS", "PER SEC");
	double secs = last > first ? (last - first) / 1e9 : 0;
	for (size_t i = 0; i < timeline__ntypes(c->timeline); i++) {
		uint64_t n = timeline__type_total(c->timeline, i);
		const char *name = timeline__type_name(c->timeline, i);
		fprintf(f, "  %-16s %12" PRIu64, name, n);
		/* The recorder's own records: a snapshot at the start has no rate. */
		if (report_bookkeeping(name))
			fprintf(f, " %10s  (bookkeeping)\n", "-");
		else if (secs > 0)
			fprintf(f, " %10.1f\n", n / secs);
		else
			fprintf(f, " %10s\n", "-");
	}
	fprintf(f, "\n%-11s %" PRIu64 " events", "Lost", lost_analysis__total(c->lost));
	if (!lost_analysis__total(c->lost))
		fprintf(f, " (every event the probes saw was recorded)");
	fprintf(f, "\n");

	size_t np = report_nprobes(c);
	if (np) {
		fprintf(f, "\n  %-10s %12s %12s %10s  %s\n", "PROBE", "SEEN", "RECORDED", "LOST",
			"ATTACHED AS");
		for (size_t i = 0; i < np; i++) {
			const char *name, *how;
			report_probe(c, i, &name, &how);
			char seen[32], rec[32], lost[32];
			fprintf(f, "  %-10s %12s %12s %10s  %s\n", name,
				report_probe_count(c, name, "seen", seen, sizeof(seen)),
				report_probe_count(c, name, "recorded", rec, sizeof(rec)),
				report_probe_count(c, name, "lost", lost, sizeof(lost)), how);
		}
	}
}

static void hist_section(struct replay_ctx *c)
{
	FILE *f = c->out;
	size_t n = hist_analysis__count(c->hist);
	char avg[32], max[32];

	heading(f, "Syscall latency");
	if (!n) {
		fprintf(f, "No syscall events or histograms in the trace%s.\n",
			report_probe_note(c, "syscalls"));
		return;
	}
	size_t shown = n < c->top ? n : c->top;
	for (size_t i = 0; i < shown; i++) {
		const struct replay_hist *h = hist_analysis__at(c->hist, i);
		fmt_duration(avg, sizeof(avg), h->count ? h->total_ns / h->count : 0);
		fmt_duration(max, sizeof(max), h->max_ns);
		fprintf(f, "\n%s", h->name ? h->name : "syscall");
		if (!h->name)
			fprintf(f, " %u", h->nr);
		if (h->pid)
			fprintf(f, " by %s (pid %u)", h->comm, h->pid);
		fprintf(f, ": %" PRIu64 " calls, avg %s, max %s%s\n", h->count, avg, max,
			h->from_kernel ? " (in-kernel histogram)" : "");
		replay_print_log2_hist(f, h->slots, REPLAY_HIST_SLOTS, "nsecs");
	}
	if (shown < n)
		fprintf(f, "\n(%zu more syscalls; --top N shows more)\n", n - shown);
}

static void opens_section(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct opens_totals t;
	char avg[32], max[32];

	heading(f, "File opens");
	opens_analysis__totals(c->opens, &t);
	if (!t.count) {
		fprintf(f, "No opens in the trace%s.\n", report_probe_note(c, "opens"));
		return;
	}
	fmt_duration(avg, sizeof(avg), t.total_ns / t.count);
	fmt_duration(max, sizeof(max), t.max_ns);
	fprintf(f, "%" PRIu64 " opens, %" PRIu64 " failed; latency avg %s, max %s\n\n", t.count,
		t.failures, avg, max);
	replay_print_log2_hist(f, t.slots, REPLAY_HIST_SLOTS, "nsecs");

	size_t n = opens_analysis__npaths(c->opens);
	fprintf(f, "\nTop paths\n  %8s %8s %12s %12s  %s\n", "OPENS", "FAILED", "AVG_US", "MAX_US",
		"PATH");
	for (size_t i = 0; i < n && i < c->top; i++) {
		const struct opens_key *k = opens_analysis__path_at(c->opens, i);
		fprintf(f, "  %8" PRIu64 " %8" PRIu64 " %12.3f %12.3f  %s%s\n", k->count, k->failures,
			k->total_ns / 1e3 / k->count, k->max_ns / 1e3, k->key,
			k->error ? " (approximate)" : "");
	}
	n = opens_analysis__ncomms(c->opens);
	fprintf(f, "\nBy command\n  %8s %8s %12s  %s\n", "OPENS", "FAILED", "AVG_US", "COMM");
	for (size_t i = 0; i < n && i < c->top; i++) {
		const struct opens_key *k = opens_analysis__comm_at(c->opens, i);
		fprintf(f, "  %8" PRIu64 " %8" PRIu64 " %12.3f  %s\n", k->count, k->failures,
			k->total_ns / 1e3 / k->count, k->key);
	}
	n = opens_analysis__nslowest(c->opens);
	fprintf(f, "\nSlowest\n  %-15s %-16s %7s %12s %6s  %s\n", "TIME", "COMM", "PID", "LAT_US",
		"RET", "PATH");
	for (size_t i = 0; i < n && i < c->top; i++) {
		const struct opens_call *o = opens_analysis__slowest_at(c->opens, i);
		char when[40];
		report_clock(c, o->file, o->ts, when, sizeof(when));
		fprintf(f, "  %-15s %-16s %7u %12.3f %6d  %s\n", when, o->comm, o->pid,
			o->latency_ns / 1e3, o->ret, o->path);
	}
	n = opens_analysis__nerrnos(c->opens);
	if (n) {
		fprintf(f, "\nFailures\n  %-14s %8s  %s\n", "ERRNO", "COUNT", "LAST PATH");
		for (size_t i = 0; i < n; i++) {
			const struct opens_errno *e = opens_analysis__errno_at(c->opens, i);
			const char *name = replay_errno_name(e->err);
			char num[16];
			snprintf(num, sizeof(num), "errno %d", e->err);
			fprintf(f, "  %-14s %8" PRIu64 "  %s\n", name ? name : num, e->count, e->path);
		}
	}
}

void text_tcp_header(struct replay_ctx *c)
{
	fprintf(c->out, "%-15s %-7s %-16s %-22s %-22s %10s %10s %7s %7s %11s  %s\n", "START", "PID",
		"COMM", "LADDR:LPORT", "RADDR:RPORT", "TX_BYTES", "RX_BYTES", "SEGS_O", "SEGS_I",
		"MS", "NOTE");
}

void text_tcp_conn(struct replay_ctx *c, const struct tcp_conn *t)
{
	char start[40], l[64], r[64], ms[24];

	if (t->start_ns)
		report_clock(c, t->file, t->start_ns, start, sizeof(start));
	else
		snprintf(start, sizeof(start), "(before)");
	report_endpoint(t->family, t->saddr, t->sport, l, sizeof(l));
	report_endpoint(t->family, t->daddr, t->dport, r, sizeof(r));
	if (t->start_ns && (t->flags & TCP_CONN_CLOSED))
		snprintf(ms, sizeof(ms), "%.3f", t->duration_ns / 1e6);
	else
		snprintf(ms, sizeof(ms), "-");
	const char *note = report_tcp_note(t);
	fprintf(c->out, "%-15s %-7u %-16s %-22s %-22s %10" PRIu64 " %10" PRIu64 " %7u %7u %11s%s%s\n",
		start, t->pid, t->comm[0] ? t->comm : "-", l, r, t->tx_bytes, t->rx_bytes,
		t->segs_out, t->segs_in, ms, *note ? "  " : "", note);
}

/* "9000 bytes", "1048576 bytes (1.0 MiB)": the table above is in bytes,
 * and its rows add up to this. */
static void exact_bytes(char *buf, size_t size, uint64_t v)
{
	char h[32];

	if (v < 10240) {
		snprintf(buf, size, "%" PRIu64 " bytes", v);
		return;
	}
	fmt_bytes(h, sizeof(h), v);
	snprintf(buf, size, "%" PRIu64 " bytes (%s)", v, h);
}

static void tcp_section(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct tcp_totals t;
	uint64_t dropped;
	char tx[64], rx[64];

	tcp_analysis__totals(c->tcp, &t);
	size_t nopen = tcp_analysis__nopen(c->tcp);
	if (!c->tcp_streamed)
		heading(f, "TCP connections");
	if (!t.closed && !nopen) {
		fprintf(f, "No TCP connections in the trace%s.\n", report_probe_note(c, "tcp"));
		return;
	}
	if (!c->tcp_streamed) {
		size_t n = tcp_analysis__nclosed(c->tcp, &dropped);
		text_tcp_header(c);
		for (size_t i = 0; i < n; i++)
			text_tcp_conn(c, tcp_analysis__closed_at(c->tcp, i));
		if (dropped)
			fprintf(f, "(%" PRIu64 " earlier connections not listed: --tcp lists all)\n",
				dropped);
	}
	exact_bytes(tx, sizeof(tx), t.tx_bytes);
	exact_bytes(rx, sizeof(rx), t.rx_bytes);
	fprintf(f, "\n%" PRIu64 " closed (%" PRIu64 " never established), %zu still open at the end; "
		"sent %s, received %s\n", t.closed, t.never_established, nopen, tx, rx);
	if (nopen) {
		fprintf(f, "\nStill open at the end of the trace\n");
		text_tcp_header(c);
		for (size_t i = 0; i < nopen; i++)
			text_tcp_conn(c, tcp_analysis__open_at(c->tcp, i));
	}
	bool any = false;
	for (size_t i = 0; i < REPLAY_HIST_SLOTS; i++)
		any |= t.lifetime_slots[i] != 0;
	if (any) {
		fprintf(f, "\nConnection lifetime\n");
		replay_print_log2_hist(f, t.lifetime_slots, REPLAY_HIST_SLOTS, "nsecs");
	}
}

static void udp_section(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct udp_totals t;

	heading(f, "UDP flows");
	udp_analysis__totals(c->udp, &t);
	if (!t.packets) {
		fprintf(f, "No UDP datagrams in the trace%s.\n", report_probe_note(c, "udp"));
		return;
	}
	fprintf(f, "%" PRIu64 " datagrams in %" PRIu64 " flows: %" PRIu64 " bytes sent, %" PRIu64
		" received\n", t.packets, t.flows, t.tx_bytes, t.rx_bytes);
	if (t.overflow_packets)
		fprintf(f, "(%" PRIu64 " datagrams, %" PRIu64 " bytes, beyond the flow table's size: "
			"counted in the totals only)\n", t.overflow_packets, t.overflow_bytes);
	fprintf(f, "\n%-7s %-16s %-22s %-22s %8s %10s %8s %10s %10s\n", "PID", "COMM", "LADDR:LPORT",
		"RADDR:RPORT", "TX_PKTS", "TX_BYTES", "RX_PKTS", "RX_BYTES", "SPAN_MS");
	size_t n = udp_analysis__nflows(c->udp);
	for (size_t i = 0; i < n && i < c->top; i++) {
		const struct udp_flow *u = udp_analysis__flow_at(c->udp, i);
		char l[64], r[64];
		report_endpoint(u->family, u->saddr, u->sport, l, sizeof(l));
		report_endpoint(u->family, u->daddr, u->dport, r, sizeof(r));
		fprintf(f, "%-7u %-16s %-22s %-22s %8" PRIu64 " %10" PRIu64 " %8" PRIu64 " %10" PRIu64
			" %10.3f\n", u->pid, u->comm, l, r, u->tx_packets, u->tx_bytes, u->rx_packets,
			u->rx_bytes, (u->last_ns - u->first_ns) / 1e6);
	}
	if (n > c->top)
		fprintf(f, "(%zu more flows; --top N shows more)\n", n - c->top);
}

static void procs_section(struct replay_ctx *c, bool all)
{
	FILE *f = c->out;
	size_t n = procs_analysis__count(c->procs), shown = 0, quiet = 0;

	heading(f, "Processes");
	if (!n) {
		fprintf(f, "No processes in the trace%s.\n", report_probe_note(c, "proc"));
		return;
	}
	fprintf(f, "%-7s %-7s %-16s %-15s %-15s %-12s %8s  %s\n", "PID", "PPID", "COMM", "START",
		"EXIT", "STATUS", "EVENTS", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		const struct proc_info *p = procs_analysis__at(c->procs, i);
		/* The report shows the processes that did something; --procs all. */
		if (!all && !p->events && !(p->flags & (PROC_FORKED | PROC_EXECED | PROC_EXITED))) {
			quiet++;
			continue;
		}
		char start[40] = "-", exit_at[40] = "-", status[24] = "running";
		if (p->start_ns && (p->flags & PROC_FORKED))
			report_clock(c, p->file, p->start_ns, start, sizeof(start));
		else if (p->flags & PROC_SNAPSHOT)
			snprintf(start, sizeof(start), "(before)");
		if (p->flags & PROC_EXITED) {
			report_clock(c, p->file, p->exit_ns, exit_at, sizeof(exit_at));
			report_exit_status(p->exit_status, status, sizeof(status));
		} else if (!(p->flags & (PROC_SNAPSHOT | PROC_FORKED | PROC_EXECED))) {
			snprintf(status, sizeof(status), "?");
		}
		fprintf(f, "%-7u %-7u %-16s %-15s %-15s %-12s %8" PRIu64 "  %s\n", p->pid, p->ppid,
			p->comm, start, exit_at, status, p->events, p->cmdline);
		shown++;
	}
	if (quiet)
		fprintf(f, "(%zu more processes from the /proc snapshot did nothing traced: --procs "
			"lists them)\n", quiet);
}

static void lost_section(struct replay_ctx *c)
{
	FILE *f = c->out;
	size_t n = lost_analysis__nprobes(c->lost);

	heading(f, "Lost events");
	if (!n) {
		fprintf(f, "None: every event the probes saw was recorded.\n");
		return;
	}
	fprintf(f, "%-12s %12s %8s %5s  %-15s %-15s\n", "PROBE", "LOST", "RECORDS", "CPUS", "FROM",
		"TO");
	for (size_t i = 0; i < n; i++) {
		const struct lost_probe *p = lost_analysis__probe_at(c->lost, i);
		char from[40], to[40];
		report_clock(c, 0, p->first_ns, from, sizeof(from));
		report_clock(c, 0, p->last_ns, to, sizeof(to));
		fprintf(f, "%-12s %12" PRIu64 " %8" PRIu64 " %5u  %-15s %-15s\n", p->probe, p->count,
			p->records, p->cpus, from, to);
	}
}

static void rates_section(struct replay_ctx *c)
{
	FILE *f = c->out;
	struct report_rates rr;

	heading(f, "Event rate");
	if (!report_rates(c, 24, &rr)) {
		fprintf(f, "No events.\n");
		return;
	}
	fprintf(f, "%-15s %12s %10s\n", "FROM", "EVENTS/S", "LOST");
	for (size_t i = 0; i < rr.n; i++) {
		char when[40];
		report_clock(c, 0, rr.start_ns + i * rr.width_ns, when, sizeof(when));
		int stars = rr.max ? (int)(rr.rate[i] * 40 / rr.max) : 0;
		fprintf(f, "%-15s %12.1f %10" PRIu64 "  |", when, rr.rate[i], rr.lost[i]);
		for (int s = 0; s < 40; s++)
			fputc(s < stars ? '*' : ' ', f);
		fprintf(f, "|%s\n", rr.lost[i] ? " LOST" : "");
	}
	char width[32];
	fmt_duration(width, sizeof(width), rr.width_ns);
	fprintf(f, "(rows of %s; kernel events only, the recorder's bookkeeping records are left "
		"out)\n", width);
}

void text_report(struct replay_ctx *c)
{
	unsigned s = c->show;

	if (c->tcp_streamed) {
		tcp_section(c);
		return;
	}
	if (s & SHOW_SUMMARY)
		summary(c);
	if (s & SHOW_HIST)
		hist_section(c);
	if (s & SHOW_OPENS)
		opens_section(c);
	if (s & SHOW_TCP)
		tcp_section(c);
	if (s & SHOW_UDP)
		udp_section(c);
	if (s & SHOW_PROCS)
		procs_section(c, s == SHOW_PROCS);
	if (s & SHOW_LOST)
		lost_section(c);
	if (s & SHOW_RATES)
		rates_section(c);
}
