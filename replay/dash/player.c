// SPDX-License-Identifier: MIT
/*
 * A trace played into the dashboard's model. The model always holds the
 * events from the start of the trace up to the position, so going back
 * clears it and feeds again from the start (reading to aggregates runs at
 * tens of millions of events a second; the work is cut into budgets so the
 * terminal stays responsive). A second reader makes the timeline strip
 * ahead of playback: first from the chunks' headers (their time ranges and
 * counts per type: a shape at once, without decompressing), then exactly,
 * from every event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/dash/model.h"

#define DEFAULT_STRIP_BUCKETS 1024
#define CHECK_EVERY 64 /* events between two looks at the clock */

struct dash_player {
	struct trace_reader *r, *scan_r;
	struct dash_model *m;
	uint64_t first, last;

	/* Playback: every event with ts <= pos is in the model. */
	uint64_t pos;
	struct trace_event next; /* read, not yet due; valid until the next read */
	bool has_next, eof, finished;
	bool rebuild;		 /* the model must be fed again from the start */
	uint64_t origin;	 /* the user's reset point, 0: none */
	bool origin_applied;
	uint64_t target;	 /* of the last advance */
	bool busy;		 /* the last advance did not reach its target */

	/* The strip: chunk spans first, then the exact timeline. */
	struct span {
		uint64_t min_ts, max_ts;
		uint64_t events;       /* bookkeeping aside */
		uint64_t lost_records;
	} *spans;
	size_t nspans, cap_spans;
	uint16_t span_file;
	size_t span_chunk;
	bool spans_done;
	struct timeline *strip;
	bool scanned;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* FNV-1a over a path without a segment suffix (".0003"): segments of one
 * recording get one group, as in ebpf-replay. */
static uint32_t group_of(const char *path)
{
	size_t len = path ? strlen(path) : 0;
	uint32_t h = 2166136261u;

	if (len > 5 && path[len - 5] == '.' && strspn(path + len - 4, "0123456789") == 4)
		len -= 5;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)path[i];
		h *= 16777619u;
	}
	return h;
}

static struct trace_reader *open_reader(const char *const *paths, size_t n,
					const struct trace_reader_opts *ro)
{
	return n == 1 ? trace_reader__open(paths[0], ro) : trace_reader__open_files(paths, n, ro);
}

struct dash_player *dash_player__open(const char *const *paths, size_t n,
				      const struct dash_player_opts *opts)
{
	struct dash_player_opts o = { .sz = sizeof(o), .pid = -1 };
	struct trace_reader_stats st;
	struct dash_player *p;
	int err = -ENOMEM;

	if (opts) {
		size_t k = opts->sz < sizeof(o) ? opts->sz : sizeof(o);
		memcpy(&o, opts, k);
	}
	if (!o.strip_buckets)
		o.strip_buckets = DEFAULT_STRIP_BUCKETS;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	p->r = open_reader(paths, n, o.reader);
	if (!p->r) {
		err = -errno;
		goto fail;
	}
	/* The scan reports no damage: playback reports it where it is met. */
	p->scan_r = open_reader(paths, n, NULL);
	if (!p->scan_r) {
		err = -errno;
		goto fail;
	}
	/* Positions are boottime: files of different boots have no common
	 * timeline to play along. */
	const char *boot0 = trace_reader__meta(p->r, 0, "host.boot_id");
	for (size_t i = 1; boot0 && i < trace_reader__nfiles(p->r) && i < 65536; i++) {
		const char *b = trace_reader__meta(p->r, (uint16_t)i, "host.boot_id");

		if (b && strcmp(b, boot0) != 0) {
			err = -EXDEV;
			goto fail;
		}
	}
	trace_reader__stats(p->r, &st);
	p->first = st.first_ts;
	p->last = st.last_ts < st.first_ts ? st.first_ts : st.last_ts;

	uint64_t len = p->last - p->first;
	uint64_t bucket = dash_nice_ns(len / 100 > 1000 ? len / 100 : 1000);
	struct dash_model_opts mo = { .sz = sizeof(mo),
				      .bucket_ns = bucket < 1000000000ULL ? bucket : 1000000000ULL };
	p->m = dash_model__new(&mo);
	if (!p->m)
		goto fail;
	dash_model__set_pid(p->m, o.pid);
	if (o.comm && (err = dash_model__set_comm(p->m, o.comm)))
		goto fail;
	for (size_t i = 0; i < trace_reader__nfiles(p->r) && i < 65536; i++)
		dash_model__set_group(p->m, (uint16_t)i,
				      group_of(trace_reader__file_path(p->r, (uint16_t)i)));

	struct timeline_opts to = { .sz = sizeof(to),
				    .bucket_ns = dash_nice_ns(len / o.strip_buckets + 1),
				    .max_buckets = 2 * o.strip_buckets + 2 };
	p->strip = timeline__new(&to);
	if (!p->strip)
		goto fail;
	p->pos = p->first ? p->first - 1 : 0;
	return p;
fail:
	dash_player__free(p);
	errno = -err;
	return NULL;
}

void dash_player__free(struct dash_player *p)
{
	if (!p)
		return;
	trace_reader__close(p->r);
	trace_reader__close(p->scan_r);
	dash_model__free(p->m);
	timeline__free(p->strip);
	free(p->spans);
	free(p);
}

struct dash_model *dash_player__model(struct dash_player *p) { return p->m; }
struct trace_reader *dash_player__reader(struct dash_player *p) { return p->r; }
uint64_t dash_player__first_ns(const struct dash_player *p) { return p->first; }
uint64_t dash_player__last_ns(const struct dash_player *p) { return p->last; }

uint64_t dash_player__position(const struct dash_player *p)
{
	return p->pos < p->first ? p->first : p->pos;
}

double dash_player__progress(const struct dash_player *p)
{
	if (!p->busy || p->target <= p->first)
		return 1.0;
	uint64_t at = dash_player__position(p) - p->first;
	return (double)at / (double)(p->target - p->first);
}

static int start_over(struct dash_player *p)
{
	int err = trace_reader__rewind(p->r);

	if (err)
		return err;
	dash_model__clear(p->m);
	p->has_next = p->eof = p->finished = false;
	p->origin_applied = false;
	p->pos = p->first ? p->first - 1 : 0;
	p->rebuild = false;
	return 0;
}

/* The reset point is passed: counting starts over there. */
static void apply_origin(struct dash_player *p)
{
	dash_model__restart(p->m, p->origin);
	p->origin_applied = true;
}

int dash_player__advance(struct dash_player *p, uint64_t ts, uint64_t budget_ns)
{
	uint64_t start = budget_ns ? mono_ns() : 0;
	size_t n = 0;
	int err;

	if (ts > p->last)
		ts = p->last;
	if (ts < p->first)
		ts = p->first;
	p->target = ts;
	if (p->origin && ts < p->origin) {
		p->origin = 0; /* before the reset: it no longer holds */
		p->rebuild = true;
	}
	if (p->rebuild || ts < p->pos) {
		err = start_over(p);
		if (err)
			return err;
	}
	for (;;) {
		if (!p->has_next && !p->eof) {
			err = trace_reader__next(p->r, &p->next);
			if (err == -ENOENT)
				p->eof = true;
			else if (err)
				return err;
			else
				p->has_next = true;
		}
		if (p->eof || p->next.ts > ts) {
			if (ts > p->pos)
				p->pos = ts;
			break;
		}
		if (p->origin && !p->origin_applied && p->next.ts > p->origin)
			apply_origin(p);
		err = dash_model__feed(p->m, &p->next);
		if (err)
			return err;
		p->has_next = false;
		if (p->next.ts > p->pos)
			p->pos = p->next.ts;
		if (budget_ns && ++n % CHECK_EVERY == 0 && mono_ns() - start > budget_ns) {
			dash_model__set_now(p->m, p->pos);
			p->busy = true;
			return 1;
		}
	}
	if (p->origin && !p->origin_applied && p->pos >= p->origin)
		apply_origin(p);
	if (p->eof && !p->finished) {
		dash_model__finish(p->m);
		p->finished = true;
	}
	dash_model__set_now(p->m, p->pos);
	p->busy = false;
	return 0;
}

void dash_player__restart(struct dash_player *p)
{
	p->origin = dash_player__position(p);
	p->origin_applied = true;
	dash_model__restart(p->m, p->origin);
}

int dash_player__set_filter(struct dash_player *p, int64_t pid, const char *comm)
{
	int err = dash_model__set_comm(p->m, comm);

	if (err)
		return err;
	dash_model__set_pid(p->m, pid);
	p->rebuild = true;
	return 0;
}

/* ---- the strip ---------------------------------------------------------- */

static bool strip_bookkeeping(const char *name)
{
	return name && (!strcmp(name, "process") || !strcmp(name, "syscall_name") ||
			!strcmp(name, "syscall_hist") || !strcmp(name, "lost"));
}

/* The type named so in a file, by id: bookkeeping (1), lost (2), else 0. */
static int type_kind(struct trace_reader *r, uint16_t file, uint16_t id)
{
	for (size_t i = 0; i < trace_reader__nschemas(r, file); i++) {
		const struct trace_schema *s = trace_reader__schema_at(r, file, i);

		if (!s || trace_schema__id(s) != id)
			continue;
		if (!strcmp(trace_schema__name(s), "lost"))
			return 2;
		return strip_bookkeeping(trace_schema__name(s)) ? 1 : 0;
	}
	return 0;
}

/* One chunk's header into a span. 1 when the files are done. */
static int scan_chunk(struct dash_player *p)
{
	struct trace_chunk_info ci;
	int err;

	while (p->span_file < trace_reader__nfiles(p->scan_r)) {
		err = trace_reader__chunk_at(p->scan_r, p->span_file, p->span_chunk, &ci);
		if (err == -ENOENT || err == -EPROTO) {
			/* Past the last chunk (or an index that points nowhere:
			 * the exact scan reports that damage). */
			p->span_file++;
			p->span_chunk = 0;
			continue;
		}
		if (err)
			return err;
		p->span_chunk++;
		if (ci.status || !ci.events)
			return 0;
		if (p->nspans == p->cap_spans) {
			size_t cap = p->cap_spans ? 2 * p->cap_spans : 64;
			struct span *n = realloc(p->spans, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			p->spans = n;
			p->cap_spans = cap;
		}
		struct span *sp = &p->spans[p->nspans++];
		*sp = (struct span){ .min_ts = ci.min_ts, .max_ts = ci.max_ts, .events = ci.events };
		for (size_t k = 0; k < ci.ntypes; k++) {
			int kind = type_kind(p->scan_r, p->span_file, ci.types[k].type);

			if (kind)
				sp->events -= ci.types[k].count;
			if (kind == 2)
				sp->lost_records += ci.types[k].count;
		}
		return 0;
	}
	return 1;
}

int dash_player__scan(struct dash_player *p, uint64_t budget_ns)
{
	uint64_t start = budget_ns ? mono_ns() : 0;
	struct trace_event ev;
	size_t n = 0;
	int err;

	while (!p->spans_done) {
		err = scan_chunk(p);
		if (err < 0)
			return err;
		if (err == 1) {
			p->spans_done = true;
			/* The exact pass reads from the start. */
			if ((err = trace_reader__rewind(p->scan_r)))
				return err;
			break;
		}
		if (budget_ns && mono_ns() - start > budget_ns)
			return 1;
	}
	while (!p->scanned) {
		err = trace_reader__next(p->scan_r, &ev);
		if (err == -ENOENT) {
			p->scanned = true;
			break;
		}
		if (err)
			return err;
		if ((err = timeline__feed(p->strip, &ev)))
			return err;
		if (budget_ns && ++n % CHECK_EVERY == 0 && mono_ns() - start > budget_ns)
			return 1;
	}
	/* Its buffers are not needed any more. */
	trace_reader__close(p->scan_r);
	p->scan_r = NULL;
	return 0;
}

bool dash_player__scanned(const struct dash_player *p)
{
	return p->scanned;
}

/* Before the exact pass is done: each chunk's events spread evenly over
 * its time range, and its lost records as a mark. */
static void strip_from_spans(const struct dash_player *p, uint64_t from, uint64_t to,
			     uint64_t *events, uint64_t *lost)
{
	for (size_t i = 0; i < p->nspans; i++) {
		const struct span *sp = &p->spans[i];
		uint64_t lo = sp->min_ts > from ? sp->min_ts : from;
		uint64_t hi = sp->max_ts + 1 < to ? sp->max_ts + 1 : to;

		if (lo >= hi)
			continue;
		*events += (uint64_t)((double)sp->events * (double)(hi - lo) /
				      (double)(sp->max_ts + 1 - sp->min_ts) + 0.5);
		*lost += sp->lost_records;
	}
}

void dash_player__strip(const struct dash_player *p, uint64_t from, uint64_t to,
			uint64_t *events, uint64_t *lost)
{
	const struct timeline *t = p->strip;
	uint64_t bw = timeline__bucket_ns(t), start = timeline__start_ns(t);
	size_t nb = timeline__nbuckets(t), nt = timeline__ntypes(t);

	*events = *lost = 0;
	if (!p->scanned) {
		strip_from_spans(p, from, to, events, lost);
		return;
	}
	if (!nb || to <= start)
		return;
	size_t b0 = from > start ? (size_t)((from - start + bw - 1) / bw) : 0;
	for (size_t b = b0; b < nb && start + b * bw < to; b++) {
		uint64_t n = timeline__bucket_total(t, b);

		for (size_t k = 0; k < nt; k++)
			if (strip_bookkeeping(timeline__type_name(t, k)))
				n -= timeline__count(t, b, k);
		*events += n;
		*lost += timeline__lost(t, b);
	}
}
