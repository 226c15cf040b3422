// SPDX-License-Identifier: MIT
/*
 * The four panels: 1 syscall latency (top syscalls, and the selected one's
 * log2 histogram with counts and bars), 2 TCP connections (open and
 * recently closed), 3 event counters (totals, rates, sparklines), 4 probes
 * (seen, recorded, lost, how attached). Columns that do not fit are left
 * out whole, least useful first, so every number shown is complete.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "replay/dash/view.h"

/* A detail histogram needs this much room right of the syscall table. */
#define HIST_TABLE_W 43
#define HIST_DETAIL_MIN 30
#define SPARK_MAX 512

static void sel_clamp(struct dash *d, enum dash_panel p, size_t n, int rows)
{
	if (n == 0) {
		d->sel[p] = d->top[p] = 0;
		return;
	}
	if (d->sel[p] >= n)
		d->sel[p] = n - 1;
	if (rows <= 0)
		return;
	if (d->top[p] > d->sel[p])
		d->top[p] = d->sel[p];
	if (d->sel[p] >= d->top[p] + (size_t)rows)
		d->top[p] = d->sel[p] - (size_t)rows + 1;
	if (d->top[p] + (size_t)rows > n)
		d->top[p] = n > (size_t)rows ? n - (size_t)rows : 0;
}

static void row_on(struct dash *d, enum dash_panel p, size_t i)
{
	if (d->focus == p && d->sel[p] == i)
		attron(A_REVERSE);
}

static void row_off(void)
{
	attroff(A_REVERSE);
}

/* Whether the recording has the probe (unknown: assume so). */
static bool has_probe(struct dash *d, const char *name)
{
	if (d->live) {
		if (!d->have_counts)
			return true;
		for (size_t i = 0; i < d->counts.nprobes; i++)
			if (d->counts.probes[i].name && strcmp(d->counts.probes[i].name, name) == 0)
				return true;
		return false;
	}
	if (!d->nprobes)
		return true;
	for (size_t i = 0; i < d->nprobes; i++)
		if (strcmp(d->probes[i].name, name) == 0)
			return true;
	return false;
}

static void empty(struct dash *d, int y, int x, int w, const char *what, const char *probe)
{
	char msg[128];

	if (has_probe(d, probe))
		snprintf(msg, sizeof(msg), "no %s yet", what);
	else
		snprintf(msg, sizeof(msg), "no %s: the probe %s is not %s", what, probe,
			 d->live ? "enabled (--probes)" : "in this trace");
	attron(A_DIM);
	view__put(y, x + 2, w - 2, msg);
	attroff(A_DIM);
}

/* ---- 1: syscall latency --------------------------------------------------- */

static void slot_range(const struct replay_hist *h, unsigned *lo, unsigned *hi)
{
	*lo = REPLAY_HIST_SLOTS;
	*hi = 0;
	for (unsigned i = 0; i < REPLAY_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (*lo == REPLAY_HIST_SLOTS)
			*lo = i;
		*hi = i;
	}
}

static const char *hist_name(const struct replay_hist *h, char *buf, size_t size)
{
	if (h->name)
		snprintf(buf, size, "%s", h->name);
	else
		snprintf(buf, size, "syscall %u", h->nr);
	return buf;
}

static int hist_want(struct dash *d, int w)
{
	size_t n = dash_model__hists(d->m, d->hist_sort);
	int rows = (int)n;

	if (!n)
		return 2;
	if (w >= HIST_TABLE_W + 2 + HIST_DETAIL_MIN) {
		const struct replay_hist *h = dash_model__hist_at(d->m, d->sel[PANEL_HIST] < n ?
								 d->sel[PANEL_HIST] : 0);
		unsigned lo, hi;

		slot_range(h, &lo, &hi);
		if (lo <= hi && (int)(hi - lo + 1) > rows)
			rows = (int)(hi - lo + 1);
	}
	return 2 + rows;
}

static void hist_detail(struct dash *d, const struct replay_hist *h, int y, int x, int h_rows,
			int w)
{
	char name[40], head[96], lab[16], cnt[16];
	unsigned lo, hi;
	uint64_t max = 0;

	snprintf(head, sizeof(head), "%s latency", hist_name(h, name, sizeof(name)));
	attron(A_BOLD);
	view__put(y, x, w - 8, head);
	view__put_right(y, x, w, "calls");
	attroff(A_BOLD);
	slot_range(h, &lo, &hi);
	if (lo > hi)
		return;
	for (unsigned i = lo; i <= hi; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	/* More slots than rows: the rows around the busiest slot. */
	unsigned nslots = hi - lo + 1, first = lo;
	if ((int)nslots > h_rows) {
		unsigned busiest = lo;
		for (unsigned i = lo; i <= hi; i++)
			if (h->slots[i] > h->slots[busiest])
				busiest = i;
		first = busiest > (unsigned)h_rows / 2 ? busiest - (unsigned)h_rows / 2 : lo;
		if (first < lo)
			first = lo;
		if (first + (unsigned)h_rows > hi + 1)
			first = hi + 1 - (unsigned)h_rows;
	}
	for (int r = 0; r < h_rows && first + (unsigned)r <= hi; r++) {
		unsigned s = first + (unsigned)r;
		int bar = w - 17;

		dash_fmt_slot(lab, sizeof(lab), s);
		view__put_right(y + 1 + r, x, 7, lab);
		dash_fmt_count(cnt, sizeof(cnt), h->slots[s], 7);
		view__put_right(y + 1 + r, x + 8, 7, cnt);
		view__bar(d, y + 1 + r, x + 16, bar, h->slots[s], max);
	}
}

static void hist_draw(struct dash *d, int y, int x, int h, int w)
{
	size_t n = dash_model__hists(d->m, d->hist_sort);
	char extra[128], name[40], a[16], b[16], c[16], line[128];
	bool kernel = false;

	for (size_t i = 0; i < n; i++)
		kernel |= dash_model__hist_at(d->m, i)->from_kernel;
	snprintf(extra, sizeof(extra), "%zu syscall%s  sort: %s%s", n, n == 1 ? "" : "s",
		 dash_hist_sort_name(d->hist_sort),
		 kernel ? (dash_model__pid(d->m) >= 0 || dash_model__comm(d->m)[0] ?
				   "  in-kernel, all processes" : "  in-kernel") : "");
	view__title(d, y, x, w, PANEL_HIST, "Syscall latency", extra);
	if (h < 2)
		return;
	if (!n) {
		empty(d, y + 1, x, w, "syscall latencies", "syscalls");
		return;
	}
	int rows = h - 2;
	sel_clamp(d, PANEL_HIST, n, rows);
	bool detail = w >= HIST_TABLE_W + 2 + HIST_DETAIL_MIN;
	int tw = detail ? HIST_TABLE_W : w;

	attron(A_BOLD);
	snprintf(line, sizeof(line), "%-16s %8s %8s %8s", "SYSCALL", "CALLS", "AVG", "MAX");
	view__put(y + 1, x, tw, line);
	attroff(A_BOLD);
	for (int r = 0; r < rows && d->top[PANEL_HIST] + (size_t)r < n; r++) {
		size_t i = d->top[PANEL_HIST] + (size_t)r;
		const struct replay_hist *hi = dash_model__hist_at(d->m, i);

		snprintf(line, sizeof(line), "%-16.16s %8s %8s %8s", hist_name(hi, name, sizeof(name)),
			 dash_fmt_count(a, sizeof(a), hi->count, 8),
			 dash_fmt_duration(b, sizeof(b), hi->count ? hi->total_ns / hi->count : 0),
			 dash_fmt_duration(c, sizeof(c), hi->max_ns));
		row_on(d, PANEL_HIST, i);
		view__put(y + 2 + r, x, tw, line);
		row_off();
	}
	if (detail)
		hist_detail(d, dash_model__hist_at(d->m, d->sel[PANEL_HIST]), y + 1,
			    x + HIST_TABLE_W + 2, h - 2, w - HIST_TABLE_W - 2);
}

/* ---- 2: TCP ------------------------------------------------------------------ */

enum { TC_STATE, TC_PID, TC_COMM, TC_LOCAL, TC_REMOTE, TC_TX, TC_RX, TC_TIME, TC_N };

static const struct {
	const char *title;
	int width;
	int prio; /* 0 always; higher ones go first when narrow */
	bool right;
} tcp_cols[TC_N] = {
	[TC_STATE] = { "STATE", 6, 0, false },	[TC_PID] = { "PID", 7, 2, true },
	[TC_COMM] = { "COMM", 15, 1, false },	[TC_LOCAL] = { "LOCAL", 21, 0, false },
	[TC_REMOTE] = { "REMOTE", 21, 0, false }, [TC_TX] = { "TX", 8, 0, true },
	[TC_RX] = { "RX", 8, 0, true },		[TC_TIME] = { "TIME", 8, 0, true },
};

static const char *short_state(unsigned s)
{
	static const char *const names[] = { "?",	"ESTAB",  "SYN-S", "SYN-R", "FIN-W1", "FIN-W2",
					     "TIME-W", "CLOSE", "CLS-W", "L-ACK", "LISTEN", "CLSING",
					     "NSYN-R" };
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* "addr:port", "[v6]:port"; the tail (with the port) when too long. */
static const char *endpoint(const struct tcp_conn *c, bool local, char *buf, size_t size,
			    int width)
{
	char addr[64], full[96];

	replay_format_addr(c->family, local ? c->saddr : c->daddr, addr, sizeof(addr));
	if (c->family == 10)
		snprintf(full, sizeof(full), "[%s]:%u", addr, local ? c->sport : c->dport);
	else
		snprintf(full, sizeof(full), "%s:%u", addr, local ? c->sport : c->dport);
	size_t len = strlen(full);
	if ((int)len > width && width > 2)
		snprintf(buf, size, "..%s", full + len - (size_t)(width - 2));
	else
		snprintf(buf, size, "%s", full);
	return buf;
}

static int tcp_want(struct dash *d)
{
	size_t n = dash_model__tcp(d->m, d->tcp_sort);

	return n ? 2 + (int)n : 2;
}

static void tcp_draw(struct dash *d, int y, int x, int h, int w)
{
	size_t n = dash_model__tcp(d->m, d->tcp_sort);
	bool on[TC_N];
	char extra[128], cell[TC_N][96];
	int used = 0;

	snprintf(extra, sizeof(extra), "%zu open  %llu closed  sort: %s", dash_model__tcp_open(d->m),
		 (unsigned long long)dash_model__tcp_closed(d->m), dash_tcp_sort_name(d->tcp_sort));
	view__title(d, y, x, w, PANEL_TCP, "TCP", extra);
	if (h < 2)
		return;
	if (!n) {
		empty(d, y + 1, x, w, "TCP connections", "tcp");
		return;
	}
	/* Columns: the essential ones, then COMM, then PID, as room allows.
	 * Narrower than the essential ones: addresses as narrow as an IPv4
	 * one with its port (longer ones keep their tail), then no TIME. */
	int width[TC_N];
	for (int i = 0; i < TC_N; i++) {
		width[i] = tcp_cols[i].width;
		on[i] = tcp_cols[i].prio == 0;
		if (on[i])
			used += width[i] + 1;
	}
	while (used > w && width[TC_LOCAL] > 15) {
		width[TC_LOCAL]--;
		width[TC_REMOTE]--;
		used -= 2;
	}
	if (used > w) {
		on[TC_TIME] = false;
		used -= width[TC_TIME] + 1;
	}
	for (int prio = 1; prio <= 2; prio++)
		for (int i = 0; i < TC_N; i++)
			if (tcp_cols[i].prio == prio && used + width[i] + 1 <= w) {
				on[i] = true;
				used += width[i] + 1;
			}
	int rows = h - 2;
	sel_clamp(d, PANEL_TCP, n, rows);
	for (int r = -1; r < rows && d->top[PANEL_TCP] + (size_t)(r < 0 ? 0 : r) < n; r++) {
		int cx = x;

		if (r < 0) {
			for (int i = 0; i < TC_N; i++)
				snprintf(cell[i], sizeof(cell[i]), "%s", tcp_cols[i].title);
			attron(A_BOLD);
		} else {
			size_t idx = d->top[PANEL_TCP] + (size_t)r;
			const struct dash_tcp_row *t = dash_model__tcp_at(d->m, idx);
			const struct tcp_conn *c = &t->c;
			bool bytes = !t->open && (c->flags & TCP_CONN_LIFE);

			snprintf(cell[TC_STATE], sizeof(cell[0]), "%s", t->open ? short_state(c->state) : "closed");
			snprintf(cell[TC_PID], sizeof(cell[0]), "%u", c->pid);
			snprintf(cell[TC_COMM], sizeof(cell[0]), "%.15s", c->comm[0] ? c->comm : "-");
			endpoint(c, true, cell[TC_LOCAL], sizeof(cell[0]), width[TC_LOCAL]);
			endpoint(c, false, cell[TC_REMOTE], sizeof(cell[0]), width[TC_REMOTE]);
			if (bytes) {
				dash_fmt_bytes(cell[TC_TX], sizeof(cell[0]), c->tx_bytes, 8);
				dash_fmt_bytes(cell[TC_RX], sizeof(cell[0]), c->rx_bytes, 8);
			} else {
				snprintf(cell[TC_TX], sizeof(cell[0]), "-");
				snprintf(cell[TC_RX], sizeof(cell[0]), "-");
			}
			if (t->open) {
				uint64_t now = dash_model__now(d->m);

				if (c->start_ns && now > c->start_ns)
					dash_fmt_duration(cell[TC_TIME], sizeof(cell[0]), now - c->start_ns);
				else
					snprintf(cell[TC_TIME], sizeof(cell[0]), "-");
			} else if (c->start_ns) {
				dash_fmt_duration(cell[TC_TIME], sizeof(cell[0]), c->duration_ns);
			} else {
				snprintf(cell[TC_TIME], sizeof(cell[0]), "-");
			}
			row_on(d, PANEL_TCP, idx);
		}
		for (int i = 0; i < TC_N; i++) {
			if (!on[i])
				continue;
			if (tcp_cols[i].right)
				view__put_right(y + 2 + r, cx, width[i], cell[i]);
			else
				view__put(y + 2 + r, cx, width[i], cell[i]);
			cx += width[i] + 1;
		}
		if (r < 0)
			attroff(A_BOLD);
		else
			row_off();
	}
}

/* ---- 3: event counters ---------------------------------------------------------- */

static int events_want(struct dash *d)
{
	size_t n = dash_model__types(d->m, d->type_sort);

	return n ? 3 + (int)n + (dash_model__lost(d->m) ? 1 : 0) : 2;
}

static void events_row(struct dash *d, int y, int x, int w, const char *name, uint64_t total,
		       double rate, double peak, size_t type, bool alert, int spark_w)
{
	char line[96], a[16], b[16], c[16];
	uint64_t v[SPARK_MAX];

	snprintf(line, sizeof(line), "%-12.12s %9s %8s %8s", name,
		 dash_fmt_count(a, sizeof(a), total, 9), dash_fmt_rate(b, sizeof(b), rate),
		 dash_fmt_rate(c, sizeof(c), peak));
	if (alert)
		attron(A_BOLD);
	view__put(y, x, w, line);
	if (alert)
		attroff(A_BOLD);
	if (spark_w > 0) {
		dash_model__spark(d->m, type, v, (size_t)spark_w);
		view__spark(d, y, x + 41, v, (size_t)spark_w, alert);
	}
}

static void events_draw(struct dash *d, int y, int x, int h, int w)
{
	size_t n = dash_model__types(d->m, d->type_sort);
	double bucket_s = (double)dash_model__bucket_ns(d->m) / 1e9;
	int spark_w = w - 41;
	char extra[96], a[16], line[128];
	uint64_t v[SPARK_MAX];

	if (spark_w > SPARK_MAX)
		spark_w = SPARK_MAX;
	if (spark_w < 8)
		spark_w = 0;
	snprintf(extra, sizeof(extra), "%zu type%s  sort: %s", n, n == 1 ? "" : "s",
		 dash_type_sort_name(d->type_sort));
	view__title(d, y, x, w, PANEL_EVENTS, "Events", extra);
	if (h < 2)
		return;
	if (!n) {
		attron(A_DIM);
		view__put(y + 1, x + 2, w - 2, "no events yet");
		attroff(A_DIM);
		return;
	}
	attron(A_BOLD);
	snprintf(line, sizeof(line), "%-12s %9s %8s %8s", "TYPE", "TOTAL", "RATE/s", "PEAK/s");
	view__put(y + 1, x, w, line);
	if (spark_w) {
		snprintf(line, sizeof(line), "one column = %s", dash_fmt_duration(a, sizeof(a),
						dash_model__bucket_ns(d->m)));
		view__put(y + 1, x + 41, spark_w, line);
	}
	attroff(A_BOLD);
	if (h < 3)
		return;

	/* Everything first, then each type, then what was lost. */
	size_t nb = dash_model__nbuckets(d->m);
	uint64_t all_peak = 0;
	if (nb > SPARK_MAX)
		nb = SPARK_MAX;
	dash_model__spark(d->m, DASH_ALL, v, nb);
	for (size_t i = 0; i + 1 < nb; i++) /* complete buckets only */
		if (v[i] > all_peak)
			all_peak = v[i];
	events_row(d, y + 2, x, w, "all", dash_model__events(d->m), dash_model__rate(d->m),
		   (double)all_peak / bucket_s, DASH_ALL, false, spark_w);

	int rows = h - 3 - (dash_model__lost(d->m) ? 1 : 0);
	sel_clamp(d, PANEL_EVENTS, n, rows);
	int r = 0;
	for (; r < rows && d->top[PANEL_EVENTS] + (size_t)r < n; r++) {
		size_t i = d->top[PANEL_EVENTS] + (size_t)r;
		const struct dash_type_row *t = dash_model__type_at(d->m, i);

		row_on(d, PANEL_EVENTS, i);
		events_row(d, y + 3 + r, x, w, t->name, t->total, t->rate, (double)t->peak / bucket_s,
			   t->type, false, spark_w);
		row_off();
	}
	if (dash_model__lost(d->m) && 3 + r < h) {
		uint64_t lost_peak = 0;

		dash_model__spark(d->m, DASH_LOST, v, nb);
		for (size_t i = 0; i + 1 < nb; i++)
			if (v[i] > lost_peak)
				lost_peak = v[i];
		if (d->colors)
			attron(COLOR_PAIR(PAIR_ALERT));
		v[0] = 0;
		dash_model__spark(d->m, DASH_LOST, v, 2);
		events_row(d, y + 3 + r, x, w, "lost", dash_model__lost(d->m),
			   (double)v[0] / bucket_s, (double)lost_peak / bucket_s, DASH_LOST, true,
			   spark_w);
		if (d->colors)
			attroff(COLOR_PAIR(PAIR_ALERT));
	}
}

/* ---- 4: probes -------------------------------------------------------------------- */

struct probe_line {
	char name[16];
	const char *strategy;
	uint64_t seen, recorded, lost;
	bool counted; /* seen is the kernel's own count */
};

static size_t probe_lines(struct dash *d, struct probe_line *out, size_t cap)
{
	size_t n = 0;

	if (d->live && d->have_counts) {
		for (size_t i = 0; i < d->counts.nprobes && n < cap; i++, n++) {
			const struct dash_probe_count *c = &d->counts.probes[i];

			snprintf(out[n].name, sizeof(out[n].name), "%s", c->name ? c->name : "?");
			out[n].strategy = c->strategy ? c->strategy : "";
			out[n].seen = c->seen;
			out[n].recorded = c->recorded;
			out[n].lost = c->lost;
			out[n].counted = true;
		}
		return n;
	}
	/* Replay: the probes the trace names, with what the events say so
	 * far (seen = recorded + lost, as the recorder guarantees). */
	for (size_t i = 0; i < d->nprobes && n < cap; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%s", d->probes[i].name);
		out[n].strategy = d->probes[i].strategy;
	}
	for (size_t k = 0; k < dash_model__probes(d->m); k++) {
		const struct dash_probe_row *r = dash_model__probe_at(d->m, k);
		size_t i;

		for (i = 0; i < n; i++)
			if (strcmp(out[i].name, r->name) == 0)
				break;
		if (i == n) {
			if (n == cap)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%s", r->name);
			out[n].strategy = "";
			n++;
		}
		out[i].recorded = r->recorded;
		out[i].lost = r->lost;
		out[i].seen = r->recorded + r->lost;
	}
	return n;
}

size_t panel__rows(struct dash *d, enum dash_panel p)
{
	struct probe_line pl[DASH_MAX_PROBES * 2];

	switch (p) {
	case PANEL_HIST: return dash_model__hists(d->m, d->hist_sort);
	case PANEL_TCP: return dash_model__tcp(d->m, d->tcp_sort);
	case PANEL_EVENTS: return dash_model__types(d->m, d->type_sort);
	case PANEL_PROBES: return probe_lines(d, pl, DASH_MAX_PROBES * 2);
	default: return 0;
	}
}

static void probes_draw(struct dash *d, int y, int x, int h, int w)
{
	struct probe_line pl[DASH_MAX_PROBES * 2];
	size_t n = probe_lines(d, pl, DASH_MAX_PROBES * 2);
	char extra[64], line[256], a[16], b[16], c[16];
	uint64_t lost = 0;

	for (size_t i = 0; i < n; i++)
		lost += pl[i].lost;
	snprintf(extra, sizeof(extra), "%zu probe%s  lost %s", n, n == 1 ? "" : "s",
		 dash_fmt_count(a, sizeof(a), lost, 9));
	view__title(d, y, x, w, PANEL_PROBES, "Probes", extra);
	if (h < 2)
		return;
	if (!n) {
		attron(A_DIM);
		view__put(y + 1, x + 2, w - 2, "no probes named in the trace");
		attroff(A_DIM);
		return;
	}
	attron(A_BOLD);
	snprintf(line, sizeof(line), "%-9s %10s %10s %8s  %s", "PROBE", "SEEN", "RECORDED", "LOST",
		 "ATTACHED AS");
	view__put(y + 1, x, w, line);
	attroff(A_BOLD);
	int rows = h - 2;
	sel_clamp(d, PANEL_PROBES, n, rows);
	for (int r = 0; r < rows && d->top[PANEL_PROBES] + (size_t)r < n; r++) {
		size_t i = d->top[PANEL_PROBES] + (size_t)r;

		snprintf(line, sizeof(line), "%-9.9s %10s %10s %8s  %s", pl[i].name,
			 dash_fmt_count(a, sizeof(a), pl[i].seen, 10),
			 dash_fmt_count(b, sizeof(b), pl[i].recorded, 10),
			 dash_fmt_count(c, sizeof(c), pl[i].lost, 8), pl[i].strategy);
		/* The attach points run long: say that they go on. */
		if (w > 3 && (int)strlen(line) > w && (size_t)w < sizeof(line))
			memcpy(line + w - 3, "...", 4);
		row_on(d, PANEL_PROBES, i);
		if (pl[i].lost && d->colors)
			attron(COLOR_PAIR(PAIR_ALERT));
		view__put(y + 2 + r, x, w, line);
		if (pl[i].lost && d->colors)
			attroff(COLOR_PAIR(PAIR_ALERT));
		row_off();
	}
}

/* ---- dispatch ------------------------------------------------------------------ */

int panel__want(struct dash *d, enum dash_panel p, int w)
{
	switch (p) {
	case PANEL_HIST: return hist_want(d, w);
	case PANEL_TCP: return tcp_want(d);
	case PANEL_EVENTS: return events_want(d);
	case PANEL_PROBES: {
		size_t n = panel__rows(d, PANEL_PROBES);
		return n ? 2 + (int)n : 2;
	}
	default: return 1;
	}
}

void panel__draw(struct dash *d, enum dash_panel p, int y, int x, int h, int w)
{
	if (h <= 0 || w <= 0)
		return;
	switch (p) {
	case PANEL_HIST: hist_draw(d, y, x, h, w); break;
	case PANEL_TCP: tcp_draw(d, y, x, h, w); break;
	case PANEL_EVENTS: events_draw(d, y, x, h, w); break;
	case PANEL_PROBES: probes_draw(d, y, x, h, w); break;
	default: break;
	}
}
