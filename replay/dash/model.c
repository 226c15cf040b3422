// SPDX-License-Identifier: MIT
/*
 * The dashboard's model. Events go through the filter into per-type
 * counters, a ring of time buckets (rates and sparklines over a sliding
 * window), replay's histogram and TCP analyses, and a bounded list of
 * recently closed connections. Everything is in trace time, so a replay
 * shows at its cursor what a live dashboard showed at that instant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/dash/model.h"

#define NSLOTS (DASH_MAX_TYPES + 1) /* the last one is "other" */
#define COL_ALL NSLOTS
#define COL_LOST (NSLOTS + 1)
#define NCOLS (NSLOTS + 2)
#define NO_EPOCH UINT64_MAX
#define MAX_PROBES 16
#define SCHEMA_CACHE 64

struct type_info {
	char name[32];
	bool bookkeeping; /* the /proc snapshot, the syscall table, lost records */
	bool to_hist;	  /* what the histogram analysis reads */
	bool to_tcp;	  /* what the TCP analysis reads */
	int probe;	  /* index in probes, -1 none */
	uint64_t total;
};

struct dash_model {
	struct dash_model_opts opts;
	struct replay_filter *filter;
	int64_t pid;
	char comm[16];
	struct hist_analysis *hist;
	struct tcp_analysis *tcp;

	struct type_info types[NSLOTS];
	size_t ntypes;
	struct {
		const struct trace_schema *s;
		size_t slot;
	} cache[SCHEMA_CACHE];
	size_t ncache, next_cache, last_cache;

	/* The window: bucket e covers [e * bucket_ns, (e + 1) * bucket_ns)
	 * and lives in row e % nbuckets while e > head - nbuckets. */
	uint64_t *epoch;
	uint64_t *counts; /* nbuckets * NCOLS */
	uint64_t head;
	bool have_head;

	uint64_t now, origin, first, last;
	bool restarted;
	uint64_t events, filtered, lost;

	struct tcp_conn *closed; /* ring of keep_closed */
	size_t nclosed, closed_head;
	uint64_t closed_total;

	struct dash_probe_row probes[MAX_PROBES];
	size_t nprobes;

	struct dash_type_row type_rows[NSLOTS];
	size_t ntype_rows;
	const struct replay_hist **hist_rows;
	size_t nhist_rows, cap_hist_rows;
	struct dash_tcp_row *tcp_rows;
	size_t ntcp_rows, cap_tcp_rows;
};

static const char *const hist_sorts[] = { "count", "total time", "max", "name" };
static const char *const tcp_sorts[] = { "recency", "duration", "bytes" };
static const char *const type_sorts[] = { "total", "rate", "name" };

const char *dash_hist_sort_name(enum dash_hist_sort s)
{
	return s < DASH_HIST_NSORT ? hist_sorts[s] : "?";
}

const char *dash_tcp_sort_name(enum dash_tcp_sort s)
{
	return s < DASH_TCP_NSORT ? tcp_sorts[s] : "?";
}

const char *dash_type_sort_name(enum dash_type_sort s)
{
	return s < DASH_TYPE_NSORT ? type_sorts[s] : "?";
}

const char *dash_probe_of_type(const char *type)
{
	static const struct {
		const char *type, *probe;
	} map[] = {
		{ "open", "opens" },	  { "syscall", "syscalls" }, { "tcp_state", "tcp" },
		{ "tcp_life", "tcp" },	  { "udp", "udp" },	     { "exec", "proc" },
		{ "fork", "proc" },	  { "exit", "proc" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].type, type) == 0)
			return map[i].probe;
	return NULL;
}

static void on_close(const struct tcp_conn *c, void *ctx)
{
	struct dash_model *m = ctx;
	size_t cap = m->opts.keep_closed;

	if (m->restarted && c->end_ns < m->origin)
		return; /* closed before the reset, seen after it */
	if (m->nclosed < cap) {
		m->closed[(m->closed_head + m->nclosed++) % cap] = *c;
	} else {
		m->closed[m->closed_head] = *c;
		m->closed_head = (m->closed_head + 1) % cap;
	}
	m->closed_total++;
}

static void window_clear(struct dash_model *m)
{
	for (size_t i = 0; i < m->opts.nbuckets; i++)
		m->epoch[i] = NO_EPOCH;
	m->have_head = false;
	m->head = 0;
}

struct dash_model *dash_model__new(const struct dash_model_opts *opts)
{
	struct dash_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(m->opts) ? opts->sz : sizeof(m->opts);
		memcpy(&m->opts, opts, n);
	}
	if (!m->opts.bucket_ns)
		m->opts.bucket_ns = 1000000000ULL;
	if (!m->opts.nbuckets)
		m->opts.nbuckets = 240;
	if (m->opts.nbuckets < 2)
		m->opts.nbuckets = 2;
	if (!m->opts.keep_closed)
		m->opts.keep_closed = 256;
	m->pid = -1;

	struct hist_analysis_opts ho = { .sz = sizeof(ho) };
	/* The analysis keeps one closed connection; the model keeps its own
	 * list, which a reset can empty without losing the open ones. */
	struct tcp_analysis_opts to = { .sz = sizeof(to), .keep_closed = 1, .top_longest = 1,
					.on_close = on_close, .ctx = m };
	m->filter = replay_filter__new();
	m->hist = hist_analysis__new(&ho);
	m->tcp = tcp_analysis__new(&to);
	m->epoch = calloc(m->opts.nbuckets, sizeof(*m->epoch));
	m->counts = calloc(m->opts.nbuckets * NCOLS, sizeof(*m->counts));
	m->closed = calloc(m->opts.keep_closed, sizeof(*m->closed));
	if (!m->filter || !m->hist || !m->tcp || !m->epoch || !m->counts || !m->closed) {
		dash_model__free(m);
		errno = ENOMEM;
		return NULL;
	}
	window_clear(m);
	return m;
}

void dash_model__free(struct dash_model *m)
{
	if (!m)
		return;
	replay_filter__free(m->filter);
	hist_analysis__free(m->hist);
	tcp_analysis__free(m->tcp);
	free(m->epoch);
	free(m->counts);
	free(m->closed);
	free(m->hist_rows);
	free(m->tcp_rows);
	free(m);
}

static void counts_clear(struct dash_model *m)
{
	for (size_t i = 0; i < m->ntypes; i++)
		m->types[i].total = 0;
	for (size_t i = 0; i < m->nprobes; i++)
		m->probes[i].recorded = m->probes[i].lost = 0;
	m->events = m->filtered = m->lost = 0;
	m->nclosed = m->closed_head = 0;
	m->closed_total = 0;
	window_clear(m);
}

void dash_model__clear(struct dash_model *m)
{
	counts_clear(m);
	m->ntypes = 0;
	m->ncache = m->next_cache = m->last_cache = 0;
	m->nprobes = 0;
	hist_analysis__reset(m->hist);
	tcp_analysis__reset(m->tcp);
	m->now = m->origin = m->first = m->last = 0;
	m->restarted = false;
	m->ntype_rows = m->nhist_rows = m->ntcp_rows = 0;
}

void dash_model__restart(struct dash_model *m, uint64_t now_ns)
{
	counts_clear(m);
	hist_analysis__restart(m->hist);
	m->origin = now_ns;
	m->restarted = true;
	if (now_ns > m->now)
		m->now = now_ns;
	m->ntype_rows = m->nhist_rows = m->ntcp_rows = 0;
}

void dash_model__forget_connections(struct dash_model *m)
{
	tcp_analysis__reset(m->tcp);
	m->nclosed = m->closed_head = 0;
	m->closed_total = 0;
	m->ntcp_rows = 0;
}

void dash_model__finish(struct dash_model *m)
{
	tcp_analysis__finish(m->tcp);
}

void dash_model__set_group(struct dash_model *m, uint16_t file, uint32_t group)
{
	hist_analysis__set_group(m->hist, file, group);
}

/* ---- window ------------------------------------------------------------ */

/* Makes e the newest bucket, emptying the rows it passes. */
static void window_advance(struct dash_model *m, uint64_t e)
{
	size_t n = m->opts.nbuckets;

	if (!m->have_head) {
		m->have_head = true;
		m->head = e;
		m->epoch[e % n] = e;
		memset(&m->counts[(e % n) * NCOLS], 0, NCOLS * sizeof(*m->counts));
		return;
	}
	if (e <= m->head)
		return;
	uint64_t k = e - m->head >= n ? e - n + 1 : m->head + 1;
	for (; k <= e; k++) {
		m->epoch[k % n] = k;
		memset(&m->counts[(k % n) * NCOLS], 0, NCOLS * sizeof(*m->counts));
	}
	m->head = e;
}

/* The counters of bucket e, or NULL when it is out of the window. Every
 * bucket from the first one on has its row (window_advance). */
static uint64_t *window_row(struct dash_model *m, uint64_t e)
{
	size_t n = m->opts.nbuckets;

	if (!m->have_head || e > m->head || e + n <= m->head || m->epoch[e % n] != e)
		return NULL;
	return &m->counts[(e % n) * NCOLS];
}

static const uint64_t *window_get(const struct dash_model *m, uint64_t e)
{
	return window_row((struct dash_model *)m, e);
}

static void window_add(struct dash_model *m, uint64_t ts, size_t col, uint64_t v)
{
	uint64_t e = ts / m->opts.bucket_ns;
	uint64_t *row;

	window_advance(m, e);
	row = window_row(m, e);
	if (row)
		row[col] += v;
}

/* One event of a type: its column and everything's. */
static void window_count(struct dash_model *m, uint64_t ts, size_t col)
{
	uint64_t e = ts / m->opts.bucket_ns;
	uint64_t *row;

	if (!m->have_head || e != m->head)
		window_advance(m, e);
	row = window_row(m, e);
	if (row) {
		row[col]++;
		row[COL_ALL]++;
	}
}

void dash_model__set_now(struct dash_model *m, uint64_t now_ns)
{
	if (now_ns <= m->now)
		return;
	m->now = now_ns;
	if (m->have_head)
		window_advance(m, now_ns / m->opts.bucket_ns);
}

uint64_t dash_model__now(const struct dash_model *m)
{
	return m->now;
}

uint64_t dash_model__origin(const struct dash_model *m)
{
	return m->restarted ? m->origin : m->first;
}

uint64_t dash_model__bucket_ns(const struct dash_model *m)
{
	return m->opts.bucket_ns;
}

size_t dash_model__nbuckets(const struct dash_model *m)
{
	return m->opts.nbuckets;
}

/* The part of bucket e counted, in seconds: buckets that begin before the
 * origin were counted from the origin on. 0 when none of it. */
static double covered_s(const struct dash_model *m, uint64_t e)
{
	uint64_t bw = m->opts.bucket_ns, start = e * bw, end = start + bw;
	uint64_t origin = dash_model__origin(m);

	if (origin >= end)
		return 0;
	if (origin > start)
		start = origin;
	return (double)(end - start) / 1e9;
}

static uint64_t last_complete(const struct dash_model *m, bool *ok)
{
	uint64_t e = m->now / m->opts.bucket_ns;

	*ok = e > 0;
	return e ? e - 1 : 0;
}

static double rate_of(const struct dash_model *m, size_t col)
{
	bool ok;
	uint64_t e = last_complete(m, &ok);
	const uint64_t *row = ok ? window_get(m, e) : NULL;
	double s = ok ? covered_s(m, e) : 0;

	return row && s > 0 ? (double)row[col] / s : 0;
}

double dash_model__rate(const struct dash_model *m)
{
	return rate_of(m, COL_ALL);
}

static size_t col_of(size_t type)
{
	if (type == DASH_ALL)
		return COL_ALL;
	if (type == DASH_LOST)
		return COL_LOST;
	return type < NSLOTS ? type : NSLOTS - 1;
}

void dash_model__spark(const struct dash_model *m, size_t type, uint64_t *out, size_t n)
{
	uint64_t end = m->now / m->opts.bucket_ns;
	size_t col = col_of(type);

	for (size_t i = 0; i < n; i++) {
		uint64_t back = n - 1 - i;
		const uint64_t *row = back <= end ? window_get(m, end - back) : NULL;

		out[i] = row && covered_s(m, end - back) > 0 ? row[col] : 0;
	}
}

/* ---- feeding ------------------------------------------------------------ */

static int probe_index(struct dash_model *m, const char *name)
{
	for (size_t i = 0; i < m->nprobes; i++)
		if (strcmp(m->probes[i].name, name) == 0)
			return (int)i;
	if (m->nprobes == MAX_PROBES)
		return -1;
	snprintf(m->probes[m->nprobes].name, sizeof(m->probes[0].name), "%s", name);
	m->probes[m->nprobes].recorded = m->probes[m->nprobes].lost = 0;
	return (int)m->nprobes++;
}

/* As ebpf-replay's reports: the recorder's records about the recording,
 * the in-kernel histogram snapshots among them (a burst of them at the
 * stop is not kernel activity), are not events. */
static bool is_bookkeeping(const char *name)
{
	return !strcmp(name, "process") || !strcmp(name, "syscall_name") ||
	       !strcmp(name, "syscall_hist") || !strcmp(name, "lost");
}

static size_t type_slot(struct dash_model *m, const struct trace_schema *s)
{
	if (m->ncache && m->cache[m->last_cache].s == s)
		return m->cache[m->last_cache].slot;
	for (size_t i = 0; i < m->ncache; i++)
		if (m->cache[i].s == s) {
			m->last_cache = i;
			return m->cache[i].slot;
		}
	const char *name = s ? trace_schema__name(s) : "?";
	size_t slot;
	for (slot = 0; slot < m->ntypes; slot++)
		if (strcmp(m->types[slot].name, name) == 0)
			break;
	if (slot == m->ntypes) {
		/* Past DASH_MAX_TYPES names, the rest share "other". */
		if (m->ntypes >= NSLOTS - 1) {
			slot = NSLOTS - 1;
			name = "other";
		}
		if (m->ntypes < NSLOTS) {
			struct type_info *t = &m->types[m->ntypes++];
			const char *probe = dash_probe_of_type(name);

			snprintf(t->name, sizeof(t->name), "%s", name);
			t->bookkeeping = is_bookkeeping(name);
			/* Other types pass the analyses by: skip them. */
			t->to_hist = !strcmp(name, "syscall") || !strcmp(name, "syscall_hist") ||
				     !strcmp(name, "syscall_name");
			t->to_tcp = !strcmp(name, "tcp_state") || !strcmp(name, "tcp_life");
			t->probe = probe ? probe_index(m, probe) : -1;
			t->total = 0;
		}
	}
	size_t c = m->ncache < SCHEMA_CACHE ? m->ncache++ : (m->next_cache++ % SCHEMA_CACHE);
	m->cache[c].s = s;
	m->cache[c].slot = slot;
	m->last_cache = c;
	return slot;
}

int dash_model__feed(struct dash_model *m, const struct trace_event *ev)
{
	int err;

	if (!m->first)
		m->first = ev->ts;
	if (ev->ts > m->last)
		m->last = ev->ts;
	if (!replay_filter__match(m->filter, ev)) {
		m->filtered++;
		return 0;
	}
	size_t slot = type_slot(m, ev->schema);
	struct type_info *t = &m->types[slot];
	/* Live, events from before a reset still come out of the ring after
	 * it: they do not count, but connections still change state. */
	if (m->restarted && ev->ts < m->origin)
		return t->to_tcp ? tcp_analysis__feed(m->tcp, ev) : 0;
	t->total++;
	if (!t->bookkeeping) {
		m->events++;
		window_count(m, ev->ts, slot);
		if (t->probe >= 0)
			m->probes[t->probe].recorded++;
	}
	if (ev->type == TRACE_TYPE_LOST) {
		struct trace_lost l;

		if (trace_event__lost(ev, &l) == 0) {
			int p = probe_index(m, l.probe[0] ? l.probe : "?");

			m->lost += l.count;
			window_add(m, ev->ts, COL_LOST, l.count);
			if (p >= 0)
				m->probes[p].lost += l.count;
		}
		return 0;
	}
	err = t->to_hist ? hist_analysis__feed(m->hist, ev) : 0;
	if (!err && t->to_tcp)
		err = tcp_analysis__feed(m->tcp, ev);
	return err;
}

/* ---- filters ----------------------------------------------------------- */

void dash_model__set_pid(struct dash_model *m, int64_t pid)
{
	m->pid = pid < 0 ? -1 : pid;
	replay_filter__set_pid(m->filter, m->pid);
}

int dash_model__set_comm(struct dash_model *m, const char *comm)
{
	int err = replay_filter__set_comm(m->filter, comm);

	if (err)
		return err;
	snprintf(m->comm, sizeof(m->comm), "%s", comm ? comm : "");
	return 0;
}

int64_t dash_model__pid(const struct dash_model *m)
{
	return m->pid;
}

const char *dash_model__comm(const struct dash_model *m)
{
	return m->comm;
}

const char *dash_model__filter_text(const struct dash_model *m, char *buf, size_t size)
{
	if (m->pid >= 0 && m->comm[0])
		snprintf(buf, size, "pid %lld, comm %s", (long long)m->pid, m->comm);
	else if (m->pid >= 0)
		snprintf(buf, size, "pid %lld", (long long)m->pid);
	else if (m->comm[0])
		snprintf(buf, size, "comm %s", m->comm);
	else
		snprintf(buf, size, "none");
	return buf;
}

/* ---- totals ------------------------------------------------------------ */

uint64_t dash_model__events(const struct dash_model *m) { return m->events; }
uint64_t dash_model__filtered(const struct dash_model *m) { return m->filtered; }
uint64_t dash_model__lost(const struct dash_model *m) { return m->lost; }
uint64_t dash_model__first_ns(const struct dash_model *m) { return m->first; }
uint64_t dash_model__last_ns(const struct dash_model *m) { return m->last; }

/* ---- event counters ----------------------------------------------------- */

static int cmp_type_total(const void *a, const void *b)
{
	const struct dash_type_row *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_type_rate(const void *a, const void *b)
{
	const struct dash_type_row *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return cmp_type_total(a, b);
}

static int cmp_type_name(const void *a, const void *b)
{
	const struct dash_type_row *x = a, *y = b;

	return strcmp(x->name, y->name);
}

size_t dash_model__types(struct dash_model *m, enum dash_type_sort sort)
{
	static int (*const cmp[])(const void *, const void *) = {
		cmp_type_total, cmp_type_rate, cmp_type_name,
	};
	bool ok;
	uint64_t last = last_complete(m, &ok);
	const uint64_t *row = ok ? window_get(m, last) : NULL;
	double s = ok ? covered_s(m, last) : 0;
	size_t n = 0;

	for (size_t i = 0; i < m->ntypes; i++) {
		const struct type_info *t = &m->types[i];
		struct dash_type_row *r = &m->type_rows[n];

		if (t->bookkeeping || !t->total)
			continue;
		r->name = t->name;
		r->type = i;
		r->total = t->total;
		r->last = row ? row[i] : 0;
		r->rate = s > 0 ? (double)r->last / s : 0;
		r->peak = 0;
		for (size_t k = 1; ok && k <= m->opts.nbuckets && k <= last + 1; k++) {
			const uint64_t *b = window_get(m, last + 1 - k);

			if (b && b[i] > r->peak)
				r->peak = b[i];
		}
		n++;
	}
	if (n > 1)
		qsort(m->type_rows, n, sizeof(m->type_rows[0]),
		      cmp[sort < DASH_TYPE_NSORT ? sort : 0]);
	m->ntype_rows = n;
	return n;
}

const struct dash_type_row *dash_model__type_at(const struct dash_model *m, size_t i)
{
	return i < m->ntype_rows ? &m->type_rows[i] : NULL;
}

/* ---- histograms --------------------------------------------------------- */

static int cmp_nr(const struct replay_hist *x, const struct replay_hist *y)
{
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int cmp_hist_count(const void *a, const void *b)
{
	const struct replay_hist *x = *(const struct replay_hist *const *)a;
	const struct replay_hist *y = *(const struct replay_hist *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_nr(x, y);
}

static int cmp_hist_total(const void *a, const void *b)
{
	const struct replay_hist *x = *(const struct replay_hist *const *)a;
	const struct replay_hist *y = *(const struct replay_hist *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return cmp_hist_count(a, b);
}

static int cmp_hist_max(const void *a, const void *b)
{
	const struct replay_hist *x = *(const struct replay_hist *const *)a;
	const struct replay_hist *y = *(const struct replay_hist *const *)b;

	if (x->max_ns != y->max_ns)
		return x->max_ns > y->max_ns ? -1 : 1;
	return cmp_hist_count(a, b);
}

/* Named ones alphabetically, then unnamed ones by number. */
static int cmp_hist_name(const void *a, const void *b)
{
	const struct replay_hist *x = *(const struct replay_hist *const *)a;
	const struct replay_hist *y = *(const struct replay_hist *const *)b;

	if (x->name && y->name) {
		int c = strcmp(x->name, y->name);
		return c ? c : cmp_nr(x, y);
	}
	if (x->name || y->name)
		return x->name ? -1 : 1;
	return cmp_nr(x, y);
}

size_t dash_model__hists(struct dash_model *m, enum dash_hist_sort sort)
{
	static int (*const cmp[])(const void *, const void *) = {
		cmp_hist_count, cmp_hist_total, cmp_hist_max, cmp_hist_name,
	};
	size_t total = hist_analysis__count(m->hist), n = 0;

	if (total > m->cap_hist_rows) {
		const struct replay_hist **r = realloc(m->hist_rows, total * sizeof(*r));
		if (!r) {
			m->nhist_rows = 0;
			return 0;
		}
		m->hist_rows = r;
		m->cap_hist_rows = total;
	}
	for (size_t i = 0; i < total; i++) {
		const struct replay_hist *h = hist_analysis__at(m->hist, i);

		if (h && h->count)
			m->hist_rows[n++] = h;
	}
	if (n > 1)
		qsort(m->hist_rows, n, sizeof(*m->hist_rows), cmp[sort < DASH_HIST_NSORT ? sort : 0]);
	m->nhist_rows = n;
	return n;
}

const struct replay_hist *dash_model__hist_at(const struct dash_model *m, size_t i)
{
	return i < m->nhist_rows ? m->hist_rows[i] : NULL;
}

/* ---- TCP ----------------------------------------------------------------- */

static uint64_t tcp_age(const struct dash_tcp_row *r, const struct dash_model *m)
{
	if (!r->open)
		return r->c.duration_ns;
	uint64_t start = r->c.start_ns ? r->c.start_ns : m->first;
	return m->now > start ? m->now - start : 0;
}

static int cmp_tcp_recent(const void *a, const void *b, void *ctx)
{
	const struct dash_tcp_row *x = a, *y = b;

	(void)ctx;
	if (x->open != y->open)
		return x->open ? -1 : 1;
	if (x->c.end_ns != y->c.end_ns)
		return x->c.end_ns > y->c.end_ns ? -1 : 1;
	if (x->c.start_ns != y->c.start_ns)
		return x->c.start_ns > y->c.start_ns ? -1 : 1;
	return x->c.skaddr < y->c.skaddr ? -1 : x->c.skaddr > y->c.skaddr;
}

/* Open ones by age so far, closed ones by duration. */
static int cmp_tcp_duration(const void *a, const void *b, void *ctx)
{
	const struct dash_tcp_row *x = a, *y = b;
	uint64_t dx = tcp_age(x, ctx), dy = tcp_age(y, ctx);

	if (x->open != y->open)
		return x->open ? -1 : 1;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return cmp_tcp_recent(a, b, ctx);
}

static int cmp_tcp_bytes(const void *a, const void *b, void *ctx)
{
	const struct dash_tcp_row *x = a, *y = b;
	uint64_t bx = x->c.tx_bytes + x->c.rx_bytes, by = y->c.tx_bytes + y->c.rx_bytes;

	if (x->open != y->open)
		return x->open ? -1 : 1;
	if (bx != by)
		return bx > by ? -1 : 1;
	return cmp_tcp_recent(a, b, ctx);
}

size_t dash_model__tcp(struct dash_model *m, enum dash_tcp_sort sort)
{
	static int (*const cmp[])(const void *, const void *, void *) = {
		cmp_tcp_recent, cmp_tcp_duration, cmp_tcp_bytes,
	};
	size_t nopen = tcp_analysis__nopen(m->tcp), n = nopen + m->nclosed;

	if (n > m->cap_tcp_rows) {
		struct dash_tcp_row *r = realloc(m->tcp_rows, n * sizeof(*r));
		if (!r) {
			m->ntcp_rows = 0;
			return 0;
		}
		m->tcp_rows = r;
		m->cap_tcp_rows = n;
	}
	n = 0;
	for (size_t i = 0; i < nopen; i++) {
		const struct tcp_conn *c = tcp_analysis__open_at(m->tcp, i);

		if (!c)
			continue;
		m->tcp_rows[n].c = *c;
		m->tcp_rows[n++].open = true;
	}
	for (size_t i = 0; i < m->nclosed; i++) {
		m->tcp_rows[n].c = m->closed[(m->closed_head + i) % m->opts.keep_closed];
		m->tcp_rows[n++].open = false;
	}
	if (n > 1)
		qsort_r(m->tcp_rows, n, sizeof(*m->tcp_rows), cmp[sort < DASH_TCP_NSORT ? sort : 0], m);
	m->ntcp_rows = n;
	return n;
}

const struct dash_tcp_row *dash_model__tcp_at(const struct dash_model *m, size_t i)
{
	return i < m->ntcp_rows ? &m->tcp_rows[i] : NULL;
}

size_t dash_model__tcp_open(const struct dash_model *m)
{
	struct tcp_totals t;

	tcp_analysis__totals(m->tcp, &t);
	return (size_t)t.open;
}

uint64_t dash_model__tcp_closed(const struct dash_model *m)
{
	return m->closed_total;
}

/* ---- probes ------------------------------------------------------------- */

size_t dash_model__probes(const struct dash_model *m)
{
	return m->nprobes;
}

const struct dash_probe_row *dash_model__probe_at(const struct dash_model *m, size_t i)
{
	return i < m->nprobes ? &m->probes[i] : NULL;
}
