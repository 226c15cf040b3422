// SPDX-License-Identifier: MIT
/*
 * Time order within a file: events that arrive after their chunk was
 * sealed (an open's entry time, emitted at its exit; CPUs interleaved by
 * the ring buffer) come out in timestamp order, equal timestamps in order
 * of arrival; seeking and type filters still skip chunks; past the bound
 * on open chunks every event still comes exactly once and the ones that
 * come late are counted.
 */
#include "test_format_util.h"

static char *dir;

static void setup(void)
{
	dir = t_mkdtemp();
}

static void teardown(void)
{
	t_rmdir(dir);
}

TestSuite(format_order, .init = setup, .fini = teardown);

struct t_ev {
	uint64_t ts;
	uint32_t n;     /* order of arrival */
	uint32_t kind;  /* 0 or 1: two types */
};

static const struct trace_field_desc ev_fields[] = {
	{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
	{ "n", TRACE_FIELD_U32, TRACE_HINT_NONE, 8, 4, 1 },
	{ "kind", TRACE_FIELD_U32, TRACE_HINT_NONE, 12, 4, 1 },
};

static const struct trace_schema_desc a_desc = { "a", sizeof(struct t_ev), 3, ev_fields };
static const struct trace_schema_desc b_desc = { "b", sizeof(struct t_ev), 3, ev_fields };

/* Arrival i at 1000 * i ns; every `every`-th arrival (when every > 0) is
 * `late` ns late, so it lands in a chunk sealed after its time. Every
 * fifth arrival is of type b. */
static uint64_t ts_of(uint32_t i, uint32_t every, uint64_t late)
{
	uint64_t ts = 1000000ull + 1000ull * i;

	return every && i % every == every - 1 ? ts - late : ts;
}

static struct t_ev *write_late(const char *path, uint32_t n, uint32_t chunk, uint32_t every,
			       uint64_t late, const struct trace_writer_opts *extra)
{
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = chunk, .uid = -1,
				       .gid = -1 };
	struct t_ev *evs = calloc(n, sizeof(*evs));
	struct trace_writer *w;
	int types[2];

	if (extra)
		o = *extra;
	w = t_open_writer(path, &o);
	cr_assert_not_null(w);
	types[0] = trace_writer__add_type(w, &a_desc);
	types[1] = trace_writer__add_type(w, &b_desc);
	for (uint32_t i = 0; i < n; i++) {
		evs[i] = (struct t_ev){ ts_of(i, every, late), i, i % 5 == 4 };
		cr_assert_eq(trace_writer__append(w, types[evs[i].kind], &evs[i], sizeof(evs[i])), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	return evs;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct t_ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void drop_index(const char *path)
{
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	struct t_block *b = calloc(4096, sizeof(*b));

	nb = t_blocks(buf, len, b, 4096);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 5)
			len = b[i].off;
	t_spit(path, buf, len);
	free(b);
	free(buf);
}

/* Reads everything in [from, to] and compares with the arrivals sorted by
 * (ts, arrival): the exact order, nothing counted out of order. */
static void check_sorted(struct trace_reader *r, const struct t_ev *evs, uint32_t n,
			 uint64_t from, uint64_t to, int only_kind)
{
	struct t_ev *want = malloc(n * sizeof(*want));
	struct trace_reader_stats st;
	struct trace_event ev;
	uint32_t nw = 0, got = 0;

	for (uint32_t i = 0; i < n; i++)
		if (evs[i].ts >= from && evs[i].ts <= to &&
		    (only_kind < 0 || evs[i].kind == (uint32_t)only_kind))
			want[nw++] = evs[i];
	qsort(want, nw, sizeof(*want), cmp_ev);
	while (trace_reader__next(r, &ev) == 0) {
		const struct t_ev *e = ev.data;

		cr_assert_lt(got, nw, "more events than written");
		cr_assert_eq(e->ts, want[got].ts, "event %u: ts %llu, want %llu (arrival %u, want %u)",
			     got, (unsigned long long)e->ts, (unsigned long long)want[got].ts, e->n,
			     want[got].n);
		cr_assert_eq(e->n, want[got].n, "event %u at %llu: arrival %u, want %u", got,
			     (unsigned long long)e->ts, e->n, want[got].n);
		cr_assert_eq(ev.ts, e->ts);
		got++;
	}
	cr_assert_eq(got, nw, "read %u events, want %u", got, nw);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.events_out_of_order, 0);
	free(want);
}

static void check_file(const char *path, const struct t_ev *evs, uint32_t n)
{
	struct t_damage td = { 0 };
	struct trace_reader *r = t_open_reader(path, &td);

	cr_assert_not_null(r);
	check_sorted(r, evs, n, 0, UINT64_MAX, -1);
	cr_assert_eq(td.count, 0, "%s", td.last_what);
	trace_reader__close(r);
}

/* Opens 50 us late: 50 arrivals, half a chunk of 100, so chunk time
 * ranges overlap their neighbours'. */
Test(format_order, late_events_across_chunk_boundaries)
{
	char *path = t_path(dir, "late.trace");
	struct t_ev *evs = write_late(path, 20000, 100, 7, 50000, NULL);

	check_file(path, evs, 20000);
	drop_index(path);
	check_file(path, evs, 20000);
	free(evs);
	free(path);
}

/* Late by 30 chunks: each late event's chunk overlaps 30 others. */
Test(format_order, events_late_by_many_chunks)
{
	char *path = t_path(dir, "later.trace");
	struct t_ev *evs = write_late(path, 30000, 100, 997, 3000000, NULL);

	check_file(path, evs, 30000);
	drop_index(path);
	check_file(path, evs, 30000);
	free(evs);
	free(path);
}

/* The first event arrives last, in the last chunk: the file's first
 * event comes first all the same. */
Test(format_order, earliest_event_in_the_last_chunk)
{
	char *path = t_path(dir, "first.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 64, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	const uint32_t n = 5000;
	struct t_ev *evs = calloc(n, sizeof(*evs));
	int a;

	cr_assert_not_null(w);
	a = trace_writer__add_type(w, &a_desc);
	for (uint32_t i = 0; i < n; i++) {
		evs[i] = (struct t_ev){ i + 1 == n ? 5 : 1000000ull + 1000ull * i, i, 0 };
		cr_assert_eq(trace_writer__append(w, a, &evs[i], sizeof(evs[i])), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	check_file(path, evs, n);
	drop_index(path);
	check_file(path, evs, n);
	free(evs);
	free(path);
}

/* Equal timestamps in different chunks come in order of arrival. */
Test(format_order, equal_timestamps_keep_arrival_order)
{
	char *path = t_path(dir, "eq.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 10, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	const uint32_t n = 1000;
	struct t_ev *evs = calloc(n, sizeof(*evs));
	int a;

	cr_assert_not_null(w);
	a = trace_writer__add_type(w, &a_desc);
	for (uint32_t i = 0; i < n; i++) {
		/* timestamps repeat in blocks of 25 arrivals, across chunks,
		 * and every 9th arrival is late to the previous block */
		uint64_t ts = 1000ull * (i / 25);

		evs[i] = (struct t_ev){ i % 9 == 8 && ts ? ts - 1000 : ts, i, 0 };
		cr_assert_eq(trace_writer__append(w, a, &evs[i], sizeof(evs[i])), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	check_file(path, evs, n);
	free(evs);
	free(path);
}

static void check_range(const char *path, const struct t_ev *evs, uint32_t n, uint64_t from,
			uint64_t to, uint64_t min_skipped)
{
	struct trace_reader *r = t_open_reader(path, NULL);
	struct trace_reader_stats st;

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__set_range(r, from, to), 0);
	check_sorted(r, evs, n, from, to, -1);
	trace_reader__stats(r, &st);
	cr_assert_geq(st.chunks_skipped, min_skipped, "skipped %llu chunks",
		      (unsigned long long)st.chunks_skipped);
	/* and rewinding keeps it */
	cr_assert_eq(trace_reader__rewind(r), 0);
	check_sorted(r, evs, n, from, to, -1);
	trace_reader__close(r);
}

Test(format_order, range_with_late_events_skips_chunks)
{
	char *path = t_path(dir, "range.trace");
	const uint32_t n = 20000; /* 200 chunks */
	struct t_ev *evs = write_late(path, n, 100, 7, 250000, NULL);
	/* arrivals 10000..10999: 10 chunks, and a few late ones from the 3
	 * chunks after (late by 250) */
	uint64_t from = ts_of(10000, 0, 0), to = ts_of(10999, 0, 0);

	check_range(path, evs, n, from, to, 180);
	check_range(path, evs, n, 0, ts_of(300, 0, 0), 190);
	check_range(path, evs, n, ts_of(19900, 0, 0), UINT64_MAX, 190);
	drop_index(path);
	check_range(path, evs, n, from, to, 180);
	free(evs);
	free(path);
}

Test(format_order, types_with_late_events)
{
	char *path = t_path(dir, "types.trace");
	const uint32_t n = 10000;
	struct t_ev *evs = write_late(path, n, 100, 3, 120000, NULL);
	const char *const only_b[] = { "b", NULL };
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__set_types(r, only_b), 0);
	check_sorted(r, evs, n, 0, UINT64_MAX, 1);
	trace_reader__close(r);
	free(evs);
	free(path);
}

/* Late events across segment boundaries merge with the other segments. */
Test(format_order, late_events_across_segments)
{
	char *path = t_path(dir, "seg.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 100, .segment_size = 2048,
				       .uid = -1, .gid = -1 };
	const uint32_t n = 8000;
	struct t_ev *evs = write_late(path, n, 100, 11, 300000, &o);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	cr_assert_gt(trace_reader__nfiles(r), 3);
	check_sorted(r, evs, n, 0, UINT64_MAX, -1);
	trace_reader__close(r);
	free(evs);
	free(path);
}

/*
 * 40 chunks that all start at the beginning (each holds one event from
 * the first microseconds): more than can be open at once. Every event
 * still comes exactly once; each that comes after a later one is counted.
 */
Test(format_order, past_the_bound_everything_comes_once_and_is_counted)
{
	char *path = t_path(dir, "wide.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 100, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	const uint32_t n = 4000;
	struct trace_reader_stats st;
	struct trace_event ev;
	uint64_t prev = 0, inversions = 0;
	uint8_t *seen = calloc(n, 1);
	uint32_t got = 0;
	int a;

	cr_assert_not_null(w);
	a = trace_writer__add_type(w, &a_desc);
	for (uint32_t i = 0; i < n; i++) {
		struct t_ev e = { i % 100 == 99 ? 10 + i / 100 : 1000000ull + 1000ull * i, i, 0 };

		cr_assert_eq(trace_writer__append(w, a, &e, sizeof(e)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct t_ev *e = ev.data;

		cr_assert_lt(e->n, n);
		cr_assert_eq(seen[e->n], 0, "arrival %u came twice", e->n);
		seen[e->n] = 1;
		inversions += ev.ts < prev;
		prev = ev.ts;
		got++;
	}
	cr_assert_eq(got, n);
	trace_reader__stats(r, &st);
	cr_assert_gt(st.events_out_of_order, 0);
	cr_assert_eq(st.events_out_of_order, inversions);
	/* the first 16 chunks' early events do come first, in order */
	cr_assert_eq(trace_reader__rewind(r), 0);
	for (uint32_t k = 0; k < 16; k++) {
		cr_assert_eq(trace_reader__next(r, &ev), 0);
		cr_assert_eq(ev.ts, 10 + k);
	}
	trace_reader__close(r);
	free(seen);
	free(path);
}

/* A chunk whose events are not sorted (a foreign writer; ours sorts):
 * delivered as stored, each inversion counted. */
Test(format_order, unsorted_chunk_is_counted)
{
	char *path = t_path(dir, "unsorted.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	static const uint64_t want[] = { 1000, 1060, 1020 };
	struct trace_reader_stats st;
	struct trace_event ev;
	size_t len, nb, ck = 0;
	struct t_block b[64];
	const uint8_t *q, *end;
	uint8_t *buf, *pl;
	uint64_t v;
	int a;

	cr_assert_not_null(w);
	a = trace_writer__add_type(w, &a_desc);
	for (uint32_t i = 0; i < 3; i++) {
		struct t_ev e = { 1000 + 30 * i, i, 0 };

		cr_assert_eq(trace_writer__append(w, a, &e, sizeof(e)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	buf = t_slurp(path, &len);
	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 3)
			ck = i;
	pl = buf + b[ck].off + 20;
	cr_assert_eq(pl[24], 0, "3 events are stored, not compressed");
	q = pl + 32 + 8 * get_le16(pl + 26);
	end = pl + b[ck].len;
	/* past the dictionary and the type runs to the timestamps */
	cr_assert_eq(varint_get(&q, end, &v), 0);
	cr_assert_eq(varint_get(&q, end, &v), 0);
	q += v;
	cr_assert_eq(varint_get(&q, end, &v), 0);
	q += v;
	cr_assert_eq(q[0], 3);
	cr_assert_eq(q[1], 0);
	cr_assert_eq(q[2], 60); /* zigzag(+30) */
	cr_assert_eq(q[3], 60);
	/* deltas 0, +60, -40: 1000, 1060, 1020 */
	buf[q + 2 - buf] = 120;
	buf[q + 3 - buf] = 79;
	t_reseal(buf, b[ck].off);
	t_spit(path, buf, len);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(trace_reader__next(r, &ev), 0);
		cr_assert_eq(ev.ts, want[i]);
	}
	cr_assert_eq(trace_reader__next(r, &ev), -ENOENT);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.events_out_of_order, 1);
	trace_reader__close(r);
	free(buf);
	free(path);
}
