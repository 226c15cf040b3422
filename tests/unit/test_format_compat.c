// SPDX-License-Identifier: MIT
/*
 * Compatibility: the format 1.0 traces committed under
 * tests/fuzz/corpus/format/ (written by tests/fuzz/fuzz_format_seeds.c,
 * every field type and encoding) and the real recording of each format
 * version under samples/format/ must read back exactly, binding fields by
 * name as a third-party reader would. A change that breaks reading
 * existing files fails here.
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

/* ---- samples/format/: real recordings, one per format version ---------- */

#define SAMPLES "samples/format/"

static void on_damage_fail(const struct trace_damage *d, void *ctx)
{
	(void)ctx;
	cr_assert_fail("%s: damage at %llu: %s", d->path, (unsigned long long)d->offset, d->what);
}

/* The workload of samples/format/README.md, read by field name. */
static void check_sample(const char *path, uint16_t minor)
{
	struct trace_reader_opts o = { .sz = sizeof(o), .on_damage = on_damage_fail };
	struct trace_reader *r = trace_reader__open(path, &o);
	struct trace_reader_stats st;
	struct trace_verify_stats vs;
	struct trace_event ev;
	uint8_t hdr[64];
	FILE *f = fopen(path, "rb");
	uint64_t events = 0, listed = 0, prev = 0, tx1000 = 0, tx2000 = 0;
	int hits = 0, misses = 0, execs = 0, procs = 0, other_opens = 0;
	const char *v;

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	fclose(f);
	cr_assert_eq(get_le16(hdr + 8), 1, "major");
	cr_assert_eq(get_le16(hdr + 10), minor, "minor");
	cr_assert_not_null(r, "%s: %s", path, trace_strerror(-errno));
	cr_assert_eq(trace_reader__verify(r, &vs), 0);
	cr_assert_eq(vs.files_indexed, 1);
	/* metadata */
	v = trace_reader__meta(r, 0, "session.id");
	cr_assert(v && strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32, "session.id %s", v);
	cr_assert_str_eq(trace_reader__meta(r, 0, "probes"), "opens,tcp,proc");
	cr_assert_str_eq(trace_reader__meta(r, 0, "record.version"), "0.1.0");
	cr_assert_str_eq(trace_reader__meta(r, 0, "record.exit_status"), "0");
	cr_assert_str_eq(trace_reader__meta(r, 0, "probe.opens.lost"), "0");
	v = trace_reader__meta(r, 0, "host.kernel_release");
	cr_assert(v && *v, "host.kernel_release");
	cr_assert_not_null(trace_reader__meta(r, 0, "host.boot_id"));
	cr_assert_geq(trace_reader__ncalibrations(r, 0), 2);
	/* the chunks' headers add up to the events read */
	for (size_t i = 0; i < trace_reader__nchunks(r, 0); i++) {
		struct trace_chunk_info ci;

		cr_assert_eq(trace_reader__chunk_at(r, 0, i, &ci), 0);
		cr_assert_eq(ci.status, 0);
		listed += ci.events;
	}
	while (trace_reader__next(r, &ev) == 0) {
		const char *type = trace_schema__name(ev.schema);

		cr_assert_geq(ev.ts, prev, "time order");
		prev = ev.ts;
		events++;
		if (!strcmp(type, "open")) {
			const char *p = str(&ev, "path");

			if (!strcmp(p, "/tmp/ebpf-format-sample/hostname")) {
				cr_assert_eq(s(&ev, "ret", 0), 3);
				cr_assert_str_eq(str(&ev, "comm"), "wl_opens");
				cr_assert_str_eq(str(&ev, "call"), "openat");
				cr_assert_gt(u(&ev, "latency_ns", 0), 0);
				hits++;
			} else if (!strcmp(p, "/tmp/ebpf-format-sample/missing")) {
				cr_assert_eq(s(&ev, "ret", 0), -ENOENT);
				misses++;
			} else {
				other_opens++; /* the loader's libraries */
			}
		} else if (!strcmp(type, "tcp_life")) {
			uint64_t tx = u(&ev, "tx_bytes", 0), rx = u(&ev, "rx_bytes", 0);

			cr_assert(tx + rx == 3000, "tx %llu rx %llu", (unsigned long long)tx,
				  (unsigned long long)rx);
			tx1000 += tx == 1000;
			tx2000 += tx == 2000;
			cr_assert_str_eq(str(&ev, "comm"), "wl_tcp");
		} else if (!strcmp(type, "exec")) {
			execs++;
		} else if (ev.type == TRACE_TYPE_PROCESS) {
			struct trace_process p;

			cr_assert_eq(trace_event__process(&ev, &p), 0);
			cr_assert_gt(p.pid, 0);
			procs++;
		}
	}
	cr_assert_eq(hits, 20);
	cr_assert_eq(misses, 1);
	cr_assert_eq(other_opens, 8, "ld.so.cache and libc for each of 4 programs");
	cr_assert_eq(tx1000, 2, "the clients");
	cr_assert_eq(tx2000, 2, "the servers");
	cr_assert_eq(execs, 4);
	cr_assert_gt(procs, 0);
	cr_assert_eq(events, listed);
	cr_assert_eq(events, 538);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.events_out_of_order, 0);
	trace_reader__close(r);
}

Test(format_compat, sample_v1_0)
{
	check_sample(SAMPLES "v1.0.trace", 0);
}
