// SPDX-License-Identifier: MIT
/* Seeking: set_range and set_types skip whole chunks, with and without
 * an index; rewind. */
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

TestSuite(format_seek, .init = setup, .fini = teardown);

struct t_tick {
	uint64_t ts;
	uint32_t n;
	uint32_t pad;
};

static const struct trace_field_desc tick_fields[] = {
	{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
	{ "n", TRACE_FIELD_U32, TRACE_HINT_NONE, 8, 4, 1 },
};

static const struct trace_schema_desc tick_desc = { "tick", sizeof(struct t_tick), 2, tick_fields };

/* 100 chunks of 100 events, ts = 1000 * i: chunks 0-49 hold opens, 50-99
 * ticks. */
static char *write_phases(const char *name, bool index)
{
	char *path = t_path(dir, name);
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 100, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	int ot, tt;

	cr_assert_not_null(w);
	ot = trace_writer__add_type(w, &t_open_desc);
	tt = trace_writer__add_type(w, &tick_desc);
	for (uint32_t i = 0; i < 10000; i++) {
		if (i < 5000) {
			struct t_open e;

			t_open_make(&e, i);
			e.ts = 1000ull * i;
			cr_assert_eq(trace_writer__append(w, ot, &e, sizeof(e)), 0);
		} else {
			struct t_tick t = { 1000ull * i, i, 0 };

			cr_assert_eq(trace_writer__append(w, tt, &t, sizeof(t)), 0);
		}
	}
	cr_assert_eq(trace_writer__close(w), 0);
	if (!index) {
		size_t len, nb;
		uint8_t *buf = t_slurp(path, &len);
		struct t_block b[256];

		nb = t_blocks(buf, len, b, 256);
		for (size_t i = 0; i < nb; i++)
			if (b[i].kind == 5)
				len = b[i].off;
		t_spit(path, buf, len);
		free(buf);
	}
	return path;
}

static void check_range(bool index)
{
	char *path = write_phases(index ? "idx.trace" : "noidx.trace", index);
	struct trace_reader *r = t_open_reader(path, NULL);
	struct trace_reader_stats st;
	struct trace_event ev;
	uint64_t n = 0, want = 4200000;

	cr_assert_not_null(r);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.files_indexed, index);
	cr_assert_eq(st.chunks, 100);
	cr_assert_eq(st.first_ts, 0);
	cr_assert_eq(st.last_ts, 9999000);
	/* chunks 42..45 hold [4 200 000, 4 599 000] */
	cr_assert_eq(trace_reader__set_range(r, 4200000, 4550000), 0);
	while (trace_reader__next(r, &ev) == 0) {
		cr_assert_eq(ev.ts, want);
		want += 1000;
		n++;
	}
	cr_assert_eq(n, 351);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.chunks_skipped, 96, "skipped %llu", (unsigned long long)st.chunks_skipped);
	/* rewind keeps the range */
	cr_assert_eq(trace_reader__rewind(r), 0);
	n = 0;
	while (trace_reader__next(r, &ev) == 0)
		n++;
	cr_assert_eq(n, 351);
	/* open ends */
	cr_assert_eq(trace_reader__set_range(r, 9990000, UINT64_MAX), 0);
	n = 0;
	while (trace_reader__next(r, &ev) == 0)
		n++;
	cr_assert_eq(n, 10);
	cr_assert_eq(trace_reader__set_range(r, 5, 4), -EINVAL);
	trace_reader__close(r);
	free(path);
}

Test(format_seek, range_skips_chunks_with_index)
{
	check_range(true);
}

Test(format_seek, range_skips_chunks_without_index)
{
	check_range(false);
}

Test(format_seek, types_skip_chunks)
{
	char *path = write_phases("types.trace", true);
	struct trace_reader *r = t_open_reader(path, NULL);
	const char *const ticks[] = { "tick", NULL };
	const char *const none[] = { "no_such_type", NULL };
	struct trace_reader_stats st;
	struct trace_event ev;
	uint32_t n = 0;

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__set_types(r, ticks), 0);
	while (trace_reader__next(r, &ev) == 0) {
		const struct trace_field_desc *f = trace_schema__find_field(ev.schema, "n");

		cr_assert_str_eq(trace_schema__name(ev.schema), "tick");
		cr_assert_eq(trace_field__u64(f, ev.data, 0), 5000 + n);
		n++;
	}
	cr_assert_eq(n, 5000);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.chunks_skipped, 50);
	cr_assert_eq(trace_reader__set_types(r, none), 0);
	cr_assert_eq(trace_reader__rewind(r), 0);
	cr_assert_eq(trace_reader__next(r, &ev), -ENOENT);
	cr_assert_eq(trace_reader__set_types(r, NULL), 0);
	cr_assert_eq(trace_reader__rewind(r), 0);
	n = 0;
	while (trace_reader__next(r, &ev) == 0)
		n++;
	cr_assert_eq(n, 10000);
	trace_reader__close(r);
	free(path);
}

/* Mixed chunks: a type filter still delivers only that type, and the
 * rows it passed over do not shift the ones it delivers. */
Test(format_seek, types_within_mixed_chunks)
{
	char *path = t_path(dir, "mixed.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	const char *const opens[] = { "open", NULL };
	struct trace_event ev;
	int ot, tt;
	uint64_t n = 0;

	cr_assert_not_null(w);
	ot = trace_writer__add_type(w, &t_open_desc);
	tt = trace_writer__add_type(w, &tick_desc);
	for (uint32_t i = 0; i < 3000; i++) {
		struct t_open e;
		struct t_tick t = { 10ull * i, i, 0 };

		t_open_make(&e, i);
		e.ts = 10ull * i + 5;
		cr_assert_eq(trace_writer__append(w, tt, &t, sizeof(t)), 0);
		if (i % 3 == 0)
			cr_assert_eq(trace_writer__append(w, ot, &e, sizeof(e)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	/* read some of everything, then switch to opens only mid-chunk */
	for (int k = 0; k < 100; k++)
		cr_assert_eq(trace_reader__next(r, &ev), 0);
	cr_assert_eq(trace_reader__set_types(r, opens), 0);
	while (trace_reader__next(r, &ev) == 0) {
		struct t_open want;
		uint64_t i = ev.ts / 10;

		cr_assert_str_eq(trace_schema__name(ev.schema), "open");
		t_open_make(&want, i);
		want.ts = ev.ts;
		cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0, "open %llu", (unsigned long long)i);
		n++;
	}
	cr_assert_eq(n, 1000 - 25);
	trace_reader__close(r);
	free(path);
}

/* Projection: only the fields asked for are decoded, the rest read 0. */
Test(format_seek, fields_decode_only_what_is_asked)
{
	char *path = write_phases("fields.trace", true);
	struct trace_reader *r = t_open_reader(path, NULL);
	const char *const some[] = { "latency_ns", "path", "nope", NULL };
	struct trace_event ev;
	uint64_t n = 0;

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__set_fields(r, "open", some), 0);
	cr_assert_eq(trace_reader__set_fields(r, NULL, some), -EINVAL);
	while (trace_reader__next(r, &ev) == 0) {
		if (strcmp(trace_schema__name(ev.schema), "open") != 0)
			continue;
		const struct t_open *o = ev.data;
		struct t_open want, got = *o;

		t_open_make(&want, n);
		want.ts = 1000ull * n;
		cr_assert_eq(got.ts, want.ts);
		cr_assert_eq(got.latency_ns, want.latency_ns);
		cr_assert_str_eq(got.path, want.path);
		cr_assert_eq(got.pid, 0);
		cr_assert_eq(got.ret, 0);
		cr_assert_str_eq(got.comm, "");
		cr_assert_str_eq(got.call, "");
		n++;
	}
	cr_assert_eq(n, 5000);
	/* back to whole records */
	cr_assert_eq(trace_reader__set_fields(r, "open", NULL), 0);
	cr_assert_eq(trace_reader__rewind(r), 0);
	n = 0;
	while (trace_reader__next(r, &ev) == 0) {
		struct t_open want;

		if (strcmp(trace_schema__name(ev.schema), "open") != 0)
			continue;
		t_open_make(&want, n);
		want.ts = 1000ull * n;
		cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0);
		n++;
	}
	cr_assert_eq(n, 5000);
	trace_reader__close(r);
	free(path);
}
