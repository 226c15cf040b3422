// SPDX-License-Identifier: MIT
/*
 * Compatibility: the format 1.0 traces committed under
 * tests/fuzz/corpus/format/ (written by tests/fuzz/fuzz_format_seeds.c)
 * must read back exactly, binding fields by name as a third-party reader
 * would. A change that breaks reading existing files fails here.
 */
#include "test_format_util.h"

#define SEEDS "tests/fuzz/corpus/format/"

static uint64_t u(const struct trace_event *ev, const char *name, size_t idx)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	cr_assert_not_null(f, "field %s", name);
	return trace_field__u64(f, ev->data, idx);
}

static int64_t s(const struct trace_event *ev, const char *name, size_t idx)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	cr_assert_not_null(f, "field %s", name);
	return trace_field__i64(f, ev->data, idx);
}

static const char *str(const struct trace_event *ev, const char *name)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	cr_assert_not_null(f, "field %s", name);
	return trace_field__str(f, ev->data);
}

/* Event i of the generator, checked field by field. */
static void check_event(const struct trace_event *ev, int i, int n)
{
	static const char *const paths[] = { "/etc/passwd", "/lib/libc.so.6", "data.txt", "" };
	const char *type = trace_schema__name(ev->schema);
	uint64_t ts = 1000000ull + (uint64_t)i * 1500;

	cr_assert_eq(ev->ts, ts);
	if (i % 9 == 0) {
		cr_assert_str_eq(type, "hist");
		cr_assert_eq(u(ev, "nr", 0), (uint64_t)i % 3);
		cr_assert_eq(u(ev, "small", 0), 65535);
		cr_assert_eq(s(ev, "tiny", 0), (int8_t)-i);
		cr_assert_eq(s(ev, "total", 0), -(int64_t)i * 1000);
		cr_assert_eq(u(ev, "start_ns", 0), ts - 500);
		for (int k = 0; k < 8; k++)
			cr_assert_eq(u(ev, "slots", (size_t)k), k < 3 ? (uint64_t)i * (uint64_t)k : 0);
		cr_assert_eq(s(ev, "deltas", 0), -i);
		cr_assert_eq(s(ev, "deltas", 1), INT16_MIN);
		const struct trace_field_desc *a = trace_schema__find_field(ev->schema, "addr");

		cr_assert_eq(trace_field__bytes(a, ev->data)[0], 10);
		cr_assert_eq(trace_field__bytes(a, ev->data)[3], (uint8_t)i);
	} else if (i % 13 == 0) {
		struct trace_lost l;

		cr_assert_str_eq(type, "lost");
		cr_assert_eq(trace_event__lost(ev, &l), 0);
		cr_assert_eq(l.since_ns, ts - 99);
		cr_assert_eq(l.count, 7);
		cr_assert_eq(l.cpu, 1);
		cr_assert_str_eq(l.probe, "opens");
	} else if (i % 17 == 0) {
		struct trace_process p;

		cr_assert_str_eq(type, "process");
		cr_assert_eq(trace_event__process(ev, &p), 0);
		cr_assert_eq(p.pid, (uint32_t)i);
		cr_assert_str_eq(p.cmdline, "bash -c 'make -j2'");
	} else {
		cr_assert_str_eq(type, "open");
		cr_assert_eq(u(ev, "latency_ns", 0), 1000 + (uint64_t)(i * 37) % 900);
		cr_assert_eq(u(ev, "tid", 0), 100 + (uint64_t)i % 2);
		cr_assert_eq(s(ev, "ret", 0), i % 5 ? 3 : -2);
		cr_assert_eq(s(ev, "dirfd", 0), -100);
		cr_assert_eq(u(ev, "flags", 0), 0x80000);
		cr_assert_str_eq(str(ev, "call"), "openat");
		cr_assert_str_eq(str(ev, "comm"), i % 2 ? "cat" : "python3");
		cr_assert_str_eq(str(ev, "path"), paths[i % 4]);
	}
	(void)n;
}

static void check_file(const char *path, int n, bool indexed)
{
	struct t_damage td = { 0 };
	struct trace_reader *r = t_open_reader(path, &td);
	struct trace_reader_stats st;
	struct trace_event ev;
	int i = 0;

	cr_assert_not_null(r, "%s: %s", path, trace_strerror(-errno));
	cr_assert_str_eq(trace_reader__meta(r, 0, "host.name"), "seedbox");
	cr_assert_str_eq(trace_reader__meta(r, 0, "record.exit_status"), "0");
	trace_reader__stats(r, &st);
	cr_assert_eq(st.files_indexed, indexed);
	cr_assert_eq(st.clock_steps, n > 10 ? 1 : 0);
	while (trace_reader__next(r, &ev) == 0)
		check_event(&ev, i++, n);
	cr_assert_eq(i, n, "%s: %d events", path, i);
	cr_assert_eq(td.count, 0, "%s: %s", path, td.last_what);
	/* the hour stepped in at n/2 */
	int64_t real;

	if (n == 0) {
		cr_assert_eq(trace_reader__realtime(r, 0, 1000000, &real), -ENODATA);
		trace_reader__close(r);
		return;
	}
	cr_assert_eq(trace_reader__realtime(r, 0, 1000000, &real), 0);
	cr_assert_eq(real, 1700000000000000000ll + 1000000);
	if (n > 20) {
		uint64_t late = 1000000ull + (uint64_t)(n - 1) * 1500;

		cr_assert_eq(trace_reader__realtime(r, 0, late, &real), 0);
		cr_assert_eq(real, 1700000000000000000ll + (int64_t)late + 3600000000000ll);
	}
	trace_reader__close(r);
}

Test(format_compat, v1_0_small)
{
	check_file(SEEDS "small.trace", 60, true);
}

Test(format_compat, v1_0_without_index)
{
	check_file(SEEDS "no-index.trace", 60, false);
}

Test(format_compat, v1_0_stored_chunks)
{
	check_file(SEEDS "stored.trace", 60, false);
}

Test(format_compat, v1_0_one_chunk)
{
	check_file(SEEDS "one-chunk.trace", 200, true);
}

Test(format_compat, v1_0_empty)
{
	check_file(SEEDS "empty.trace", 0, true);
}
