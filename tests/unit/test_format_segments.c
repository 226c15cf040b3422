// SPDX-License-Identifier: MIT
/* Segments: rotation, the keep-newest-N ring, set validation, and merging
 * files of one boot or of different boots. */
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

TestSuite(format_segments, .init = setup, .fini = teardown);

struct seg_ctx {
	uint32_t calls;
	uint32_t last;
	uint64_t ts;
};

/* The recorder's job at a rotation: a fresh process snapshot. */
static int on_segment(struct trace_writer *w, uint32_t segment, void *ctx)
{
	struct seg_ctx *c = ctx;
	struct trace_process p = { .ts = c->ts, .pid = 1, .ppid = 0 };

	cr_assert_eq(segment, c->last + 1, "segments are announced in order");
	c->calls++;
	c->last = segment;
	strcpy(p.comm, "init");
	snprintf(p.cmdline, sizeof(p.cmdline), "snapshot for segment %u", segment);
	return trace_writer__process(w, &p);
}

static void write_segmented(const char *base, uint64_t n, uint32_t keep, struct seg_ctx *sc,
			    struct trace_writer_stats *ws)
{
	struct trace_writer_opts o = {
		.sz = sizeof(o), .segment_size = 4096, .keep_segments = keep, .chunk_events = 50,
		.uid = -1, .gid = -1, .on_segment = on_segment, .ctx = sc,
	};
	struct trace_writer *w = trace_writer__open(base, &o);
	struct trace_calibration cal = { .boot_ns = 1, .real_ns = 1700000000000000000ll };
	int type;

	cr_assert_not_null(w, "%s", trace_strerror(-errno));
	cr_assert_eq(trace_writer__set_meta(w, "host.boot_id", "b00t"), 0);
	type = trace_writer__add_type(w, &t_open_desc);
	cr_assert_eq(trace_writer__calibrate(w, &cal), 0);
	for (uint64_t i = 0; i < n; i++) {
		struct t_open o2;

		t_open_make(&o2, i);
		sc->ts = o2.ts;
		cr_assert_eq(trace_writer__append(w, type, &o2, sizeof(o2)), 0);
	}
	trace_writer__stats(w, ws);
	cr_assert_eq(trace_writer__close(w), 0);
}

Test(format_segments, rotation_and_merge_yield_every_event_in_order)
{
	char *base = t_path(dir, "rec.trace");
	struct seg_ctx sc = { 0 };
	struct trace_writer_stats ws;
	struct t_damage td = { 0 };
	struct trace_event ev;
	const uint64_t n = 6000;
	uint64_t i = 0, procs = 0, last_ts = 0;
	struct stat st;

	write_segmented(base, n, 0, &sc, &ws);
	cr_assert_gt(ws.segments, 5, "only %u segments", ws.segments);
	cr_assert_eq(sc.calls, ws.segments - 1, "on_segment for every segment but the first");
	cr_assert_neq(stat(base, &st), 0, "PATH itself is not created");

	struct trace_reader *r = t_open_reader(base, &td);

	cr_assert_not_null(r, "%s", trace_strerror(-errno));
	cr_assert_eq(trace_reader__nfiles(r), ws.segments);
	const char *sess = trace_reader__meta(r, 0, "session.id");

	cr_assert_not_null(sess);
	cr_assert_eq(strlen(sess), 32);
	for (uint16_t f = 0; f < trace_reader__nfiles(r); f++) {
		char num[16];

		snprintf(num, sizeof(num), "%u", f);
		cr_assert_str_eq(trace_reader__meta(r, f, "session.id"), sess);
		cr_assert_str_eq(trace_reader__meta(r, f, "segment.index"), num);
		cr_assert_str_eq(trace_reader__meta(r, f, "host.boot_id"), "b00t");
		cr_assert_not_null(trace_reader__schema(r, f, "open"), "every segment has the schemas");
		int64_t real;

		cr_assert_eq(trace_reader__realtime(r, f, 1, &real), 0, "and a calibration");
	}
	while (trace_reader__next(r, &ev) == 0) {
		cr_assert_geq(ev.ts, last_ts, "time order");
		last_ts = ev.ts;
		if (strcmp(trace_schema__name(ev.schema), "process") == 0) {
			procs++;
			continue;
		}
		struct t_open want;

		t_open_make(&want, i++);
		cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0, "event %llu",
			     (unsigned long long)i - 1);
	}
	cr_assert_eq(i, n);
	cr_assert_eq(procs, sc.calls);
	cr_assert_eq(td.count, 0, "%s", td.last_what);
	trace_reader__close(r);
	free(base);
}

Test(format_segments, keep_n_keeps_the_newest_n)
{
	char *base = t_path(dir, "ring.trace");
	struct seg_ctx sc = { 0 };
	struct trace_writer_stats ws;
	struct t_damage td = { 0 };
	struct trace_event ev;
	uint64_t first = UINT64_MAX, count = 0, prev = 0;

	write_segmented(base, 8000, 3, &sc, &ws);
	cr_assert_gt(ws.segments, 6);
	cr_assert_eq(ws.segments_removed, ws.segments - 3);
	for (uint32_t s = 0; s < ws.segments; s++) {
		char *p = malloc(strlen(base) + 16);
		struct stat st;

		sprintf(p, "%s.%04u", base, s);
		cr_assert_eq(stat(p, &st) == 0, s >= ws.segments - 3, "segment %u", s);
		free(p);
	}
	struct trace_reader *r = t_open_reader(base, &td);

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__nfiles(r), 3);
	/* the newest events, contiguous up to the last one */
	while (trace_reader__next(r, &ev) == 0) {
		if (strcmp(trace_schema__name(ev.schema), "open") != 0)
			continue;
		const struct trace_field_desc *f = trace_schema__find_field(ev.schema, "ts");
		uint64_t idx = (trace_field__u64(f, ev.data, 0) - 1000000000ull) / 2000;
		struct t_open want;

		t_open_make(&want, idx);
		cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0);
		if (first == UINT64_MAX)
			first = idx;
		else
			cr_assert_eq(idx, prev + 1);
		prev = idx;
		count++;
	}
	cr_assert_eq(prev, 7999);
	cr_assert_gt(first, 0);
	cr_assert_eq(td.count, 0, "missing leading segments are the ring's doing: %s", td.last_what);
	trace_reader__close(r);
	free(base);
}

static char *seg(const char *base, uint32_t n)
{
	char *p = malloc(strlen(base) + 16);

	sprintf(p, "%s.%04u", base, n);
	return p;
}

Test(format_segments, sets_are_checked)
{
	char *a = t_path(dir, "a.trace"), *b = t_path(dir, "b.trace");
	struct seg_ctx sc = { 0 }, sc2 = { 0 };
	struct trace_writer_stats ws;
	struct t_damage td = { 0 };
	size_t len;

	write_segmented(a, 3000, 0, &sc, &ws);
	write_segmented(b, 3000, 0, &sc2, &ws);
	cr_assert_gt(ws.segments, 3);
	/* a segment of another recording in the set */
	char *a2 = seg(a, 2), *b2 = seg(b, 2), *a9 = seg(a, 9), *a1 = seg(a, 1);
	uint8_t *buf = t_slurp(a2, &len), *other;

	other = t_slurp(b2, &len);
	t_spit(a2, other, len);
	free(other);
	cr_assert_null(t_open_reader(a, &td));
	cr_assert_eq(errno, EXDEV);
	cr_assert_eq(td.last_err, -EXDEV);
	cr_assert(strstr(td.last_what, "not a segment of the same recording"), "%s", td.last_what);
	/* a duplicate: segment 1 copied to number 9 */
	uint8_t *orig2 = buf;

	t_spit(a2, orig2, len);
	other = t_slurp(a1, &len);
	t_spit(a9, other, len);
	memset(&td, 0, sizeof(td));
	cr_assert_null(t_open_reader(a, &td));
	cr_assert_eq(errno, EEXIST);
	cr_assert(strstr(td.last_what, "are both segment 1"), "%s", td.last_what);
	unlink(a9);
	/* a gap: reported, the rest reads */
	unlink(a2);
	memset(&td, 0, sizeof(td));
	cr_assert_gt(t_count(a, &td), 0);
	cr_assert_eq(td.count, 1);
	cr_assert_eq(td.last_err, -ENOENT);
	cr_assert(strstr(td.last_what, "segments 2 to 2 of the recording are missing"), "%s",
		  td.last_what);
	/* the newest segment just created, still empty: passed over */
	char *last = seg(a, ws.segments);

	t_spit(last, (const uint8_t *)"", 0);
	memset(&td, 0, sizeof(td));
	cr_assert_gt(t_count(a, &td), 0);
	cr_assert_eq(td.by_err[EPROTO], 1, "%s", td.last_what);
	free(last);
	/* nothing there at all */
	char *none = t_path(dir, "none.trace");

	cr_assert_null(t_open_reader(none, NULL));
	cr_assert_eq(errno, ENOENT);
	free(none);
	free(other);
	free(buf);
	free(a2);
	free(b2);
	free(a9);
	free(a1);
	free(a);
	free(b);
}

/* Two recordings of different boots, merged by wall-clock time. */
Test(format_segments, different_boots_merge_by_wall_clock)
{
	char *p1 = t_path(dir, "host1.trace"), *p2 = t_path(dir, "host2.trace");
	const char *paths[] = { p1, p2 };
	/* host1 booted at epoch 1000 s, host2 at epoch 1500 s */
	const int64_t boot_epoch[] = { 1000000000000ll, 1500000000000ll };

	for (int h = 0; h < 2; h++) {
		struct trace_writer *w = t_open_writer(paths[h], NULL);
		struct trace_calibration c = { .boot_ns = 5000000000ull,
					       .real_ns = boot_epoch[h] + 5000000000ll };
		int type;

		cr_assert_not_null(w);
		cr_assert_eq(trace_writer__set_meta(w, "host.boot_id", h ? "two" : "one"), 0);
		type = trace_writer__add_type(w, &t_open_desc);
		cr_assert_eq(trace_writer__calibrate(w, &c), 0);
		/* events every second of wall time 1600 s..1700 s, interleaved */
		for (int64_t real = 1600; real < 1700; real++) {
			struct t_open o;

			if ((real % 2) != h)
				continue;
			t_open_make(&o, (uint64_t)real);
			o.ts = (uint64_t)(real * 1000000000ll - boot_epoch[h]);
			o.pid = (uint32_t)real;
			cr_assert_eq(trace_writer__append(w, type, &o, sizeof(o)), 0);
		}
		cr_assert_eq(trace_writer__close(w), 0);
	}
	struct trace_reader *r = trace_reader__open_files(paths, 2, NULL);
	struct trace_event ev;
	uint32_t want = 1600;

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct trace_field_desc *f = trace_schema__find_field(ev.schema, "pid");
		int64_t real;

		cr_assert_eq(trace_field__u64(f, ev.data, 0), want, "wall-clock order");
		cr_assert_eq(ev.file, want % 2);
		cr_assert_eq(trace_reader__realtime(r, ev.file, ev.ts, &real), 0);
		cr_assert_eq(real, (int64_t)want * 1000000000ll);
		want++;
	}
	cr_assert_eq(want, 1700);
	trace_reader__close(r);
	free(p1);
	free(p2);
}
