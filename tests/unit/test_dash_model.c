// SPDX-License-Identifier: MIT
/* The dashboard's model on traces written with the format writer:
 * aggregation windows (rates, sparklines, peaks, partial buckets, the
 * window sliding), sorting (histograms, connections, event types),
 * filtering, and the user's reset. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay/dash/model.h"
#include "tests/unit/replay_testlib.h"

#define S 1000000000ULL
#define MS 1000000ULL

static char *path;

static void setup(void)
{
	path = tmp_path(".trace");
}

static void teardown(void)
{
	unlink(path);
	free(path);
}

TestSuite(dash_model, .init = setup, .fini = teardown, .timeout = 60);

/* Feeds the whole trace; the reader stays open (the model keeps pointers
 * to its schemas) until the caller closes it. */
static struct trace_reader *feed_all(struct dash_model *m)
{
	struct trace_reader *r = trace_reader__open(path, NULL);
	struct trace_event ev;
	int err;

	cr_assert_not_null(r, "open %s: %s", path, trace_strerror(-errno));
	while ((err = trace_reader__next(r, &ev)) == 0)
		cr_assert_eq(dash_model__feed(m, &ev), 0);
	cr_assert_eq(err, -ENOENT);
	return r;
}

static struct dash_model *model(uint64_t bucket_ns, size_t nbuckets)
{
	struct dash_model_opts o = { .sz = sizeof(o), .bucket_ns = bucket_ns, .nbuckets = nbuckets };
	struct dash_model *m = dash_model__new(&o);

	cr_assert_not_null(m);
	return m;
}

static void snapshot(struct tw *t, uint64_t ts, uint32_t nr, uint64_t count, uint64_t lat)
{
	struct t_syscall_hist h = { .ts = ts, .nr = nr, .count = count, .total_ns = count * lat,
				    .max_ns = lat };

	h.slots[replay_log2_slot(lat)] = count;
	cr_assert_eq(trace_writer__append(t->w, t->syscall_hist, &h, sizeof(h)), 0);
}

static const struct dash_type_row *type_named(struct dash_model *m, const char *name)
{
	size_t n = dash_model__types(m, DASH_TYPE_NAME);

	for (size_t i = 0; i < n; i++)
		if (strcmp(dash_model__type_at(m, i)->name, name) == 0)
			return dash_model__type_at(m, i);
	return NULL;
}

Test(dash_model, window_rates_sparkline_and_peak)
{
	struct tw t;

	tw_open(&t, path, 0);
	for (int i = 0; i < 5; i++)
		tw_opn(&t, 1 * S + 200 * MS + i * MS, 7, "cat", "/a", 3, 1000);
	for (int i = 0; i < 3; i++)
		tw_opn(&t, 2 * S + 100 * MS + i * MS, 7, "cat", "/b", 3, 1000);
	for (int i = 0; i < 7; i++)
		tw_sys(&t, 5 * S + 500 * MS + i * MS, 7, 0, 2000);
	tw_close(&t);

	struct dash_model *m = model(S, 10);
	struct trace_reader *r = feed_all(m);

	cr_assert_eq(dash_model__events(m), 15);
	cr_assert_eq(dash_model__origin(m), 1 * S + 200 * MS, "counting begins at the first event");

	/* The first bucket began before the first event: its rate is over
	 * the 0.8 s counted. */
	dash_model__set_now(m, 2 * S + 500 * MS);
	cr_assert_float_eq(dash_model__rate(m), 5 / 0.8, 1e-9);

	dash_model__set_now(m, 6 * S + 500 * MS);
	cr_assert_float_eq(dash_model__rate(m), 7.0, 1e-9, "the last complete bucket: [5 s, 6 s)");
	uint64_t v[7];
	dash_model__spark(m, DASH_ALL, v, 7);
	uint64_t want[7] = { 0, 5, 3, 0, 0, 7, 0 }; /* buckets 0..6 */
	for (int i = 0; i < 7; i++)
		cr_expect_eq(v[i], want[i], "bucket %d: %llu, want %llu", i, (unsigned long long)v[i],
			     (unsigned long long)want[i]);

	const struct dash_type_row *o = type_named(m, "open"), *s = type_named(m, "syscall");
	cr_assert_not_null(o);
	cr_assert_not_null(s);
	cr_expect_eq(o->total, 8);
	cr_expect_eq(o->last, 0);
	cr_expect_eq(o->peak, 5);
	cr_expect_eq(s->total, 7);
	cr_expect_eq(s->last, 7);
	cr_expect_float_eq(s->rate, 7.0, 1e-9);
	cr_expect_null(type_named(m, "syscall_name"), "bookkeeping types are not listed");

	/* The window slides: 10 buckets back from 14.5 s is bucket 5, and the
	 * quiet buckets read 0. */
	dash_model__set_now(m, 14 * S + 500 * MS);
	uint64_t w[12];
	dash_model__spark(m, DASH_ALL, w, 12);
	for (int i = 0; i < 12; i++)
		cr_expect_eq(w[i], i == 2 ? 7 : 0, "bucket %d after sliding: %llu", 3 + i,
			     (unsigned long long)w[i]);
	cr_expect_float_eq(dash_model__rate(m), 0.0, 1e-9);
	dash_model__set_now(m, 20 * S);
	dash_model__spark(m, DASH_ALL, w, 12);
	for (int i = 0; i < 12; i++)
		cr_expect_eq(w[i], 0, "everything slid out");
	cr_expect_eq(type_named(m, "syscall")->total, 7, "totals do not slide");
	dash_model__free(m);
	trace_reader__close(r);
}

/* Every event of the trace with its record copied: to feed in any order. */
struct held {
	struct trace_event ev;
	void *data;
};

static size_t hold_all(struct trace_reader *r, struct held *out, size_t cap)
{
	struct trace_event ev;
	size_t n = 0;

	while (n < cap && trace_reader__next(r, &ev) == 0) {
		out[n].ev = ev;
		out[n].data = malloc(ev.size);
		cr_assert_not_null(out[n].data);
		memcpy(out[n].data, ev.data, ev.size);
		out[n].ev.data = out[n].data;
		n++;
	}
	return n;
}

Test(dash_model, late_events_land_in_their_bucket)
{
	struct tw t;
	struct held h[3];

	tw_open(&t, path, 0);
	tw_opn(&t, 1 * S + 500 * MS, 7, "cat", "/a", 3, 1000);
	tw_opn(&t, 2 * S + 5 * MS, 7, "cat", "/a", 3, 1000);
	tw_opn(&t, 3 * S + 10 * MS, 7, "cat", "/a", 3, 1000);
	tw_close(&t);

	struct dash_model *m = model(S, 8);
	struct trace_reader *r = trace_reader__open(path, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(hold_all(r, h, 3), 3);
	/* Live, the CPUs' events arrive a little out of order: the one of
	 * 2.005 s after the one of 3.01 s. */
	static const int order[3] = { 0, 2, 1 };
	for (int i = 0; i < 3; i++)
		cr_assert_eq(dash_model__feed(m, &h[order[i]].ev), 0);
	dash_model__set_now(m, 4 * S);
	uint64_t v[4];
	dash_model__spark(m, DASH_ALL, v, 4);
	cr_expect_eq(v[0], 1, "bucket 1");
	cr_expect_eq(v[1], 1, "the late event is in bucket 2");
	cr_expect_eq(v[2], 1, "bucket 3");
	cr_expect_eq(v[3], 0, "bucket 4");
	for (int i = 0; i < 3; i++)
		free(h[i].data);
	dash_model__free(m);
	trace_reader__close(r);
}

Test(dash_model, lost_events_by_probe)
{
	struct tw t;
	struct trace_lost l = { .ts = 2 * S + 300 * MS, .since_ns = 1 * S, .count = 40, .cpu = 1 };

	tw_open(&t, path, 0);
	tw_opn(&t, 1 * S, 7, "cat", "/a", 3, 1000);
	snprintf(l.probe, sizeof(l.probe), "opens");
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	l.ts += 1 * S;
	l.count = 2;
	l.cpu = 0;
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	tw_close(&t);

	struct dash_model *m = model(S, 8);
	struct trace_reader *r = feed_all(m);

	dash_model__set_now(m, 4 * S);
	cr_expect_eq(dash_model__lost(m), 42);
	cr_expect_eq(dash_model__events(m), 1, "lost records are not events");
	uint64_t v[3];
	dash_model__spark(m, DASH_LOST, v, 3);
	cr_expect_eq(v[0], 40);
	cr_expect_eq(v[1], 2);
	cr_assert_eq(dash_model__probes(m), 1);
	const struct dash_probe_row *p = dash_model__probe_at(m, 0);
	cr_expect_str_eq(p->name, "opens");
	cr_expect_eq(p->recorded, 1);
	cr_expect_eq(p->lost, 42);
	dash_model__free(m);
	trace_reader__close(r);
}

Test(dash_model, filters_by_pid_and_comm)
{
	struct tw t;
	struct trace_lost l = { .ts = 2 * S, .since_ns = 1 * S, .count = 5 };

	tw_open(&t, path, 0);
	for (int i = 0; i < 10; i++)
		tw_opn(&t, 1 * S + i * MS, 100 + i % 2, i % 2 ? "cat" : "grep", "/a", 3, 1000);
	snprintf(l.probe, sizeof(l.probe), "opens");
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	tw_close(&t);

	char buf[64];
	struct dash_model *m = model(S, 8);
	cr_expect_str_eq(dash_model__filter_text(m, buf, sizeof(buf)), "none");
	dash_model__set_pid(m, 101);
	cr_expect_str_eq(dash_model__filter_text(m, buf, sizeof(buf)), "pid 101");
	struct trace_reader *r = feed_all(m);
	cr_expect_eq(dash_model__events(m), 5);
	cr_expect_eq(dash_model__filtered(m), 5);
	cr_expect_eq(dash_model__lost(m), 5, "lost records pass every filter");
	trace_reader__close(r);

	dash_model__clear(m);
	dash_model__set_pid(m, -1);
	cr_assert_eq(dash_model__set_comm(m, "grep"), 0);
	cr_expect_str_eq(dash_model__filter_text(m, buf, sizeof(buf)), "comm grep");
	r = feed_all(m);
	cr_expect_eq(dash_model__events(m), 5);
	trace_reader__close(r);

	dash_model__clear(m);
	dash_model__set_pid(m, 101);
	cr_expect_str_eq(dash_model__filter_text(m, buf, sizeof(buf)), "pid 101, comm grep");
	r = feed_all(m);
	cr_expect_eq(dash_model__events(m), 0, "pid 101 is cat, not grep");
	cr_expect_eq(dash_model__filtered(m), 10);
	trace_reader__close(r);

	cr_expect_neq(dash_model__set_comm(m, "a-name-of-sixteen"), 0, "comm is 15 characters at most");
	cr_expect_str_eq(dash_model__comm(m), "grep", "a refused comm changes nothing");
	dash_model__free(m);
}

Test(dash_model, histograms_sorted_four_ways)
{
	struct tw t;

	tw_open(&t, path, 0);
	tw_name(&t, 0, "read");
	tw_name(&t, 1, "write");
	/* read: 3 calls of 10 us (total 30 us, max 10 us); write: 5 of 1 us
	 * and one of 50 us (total 55 us, max 50 us); nr 99: 1 call of 40 us. */
	for (int i = 0; i < 3; i++)
		tw_sys(&t, 1 * S + i * MS, 7, 0, 10000);
	for (int i = 0; i < 5; i++)
		tw_sys(&t, 1 * S + 10 * MS + i * MS, 7, 1, 1000);
	tw_sys(&t, 1 * S + 20 * MS, 7, 1, 50000);
	tw_sys(&t, 1 * S + 30 * MS, 7, 99, 40000);
	tw_close(&t);

	struct dash_model *m = model(S, 8);
	struct trace_reader *r = feed_all(m);
	static const struct {
		enum dash_hist_sort sort;
		uint32_t order[3];
	} cases[] = {
		{ DASH_HIST_COUNT, { 1, 0, 99 } },
		{ DASH_HIST_TOTAL, { 1, 99, 0 } },
		{ DASH_HIST_MAX, { 1, 99, 0 } },
		{ DASH_HIST_NAME, { 0, 1, 99 } }, /* read, write, then unnamed */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		cr_assert_eq(dash_model__hists(m, cases[c].sort), 3);
		for (size_t i = 0; i < 3; i++)
			cr_expect_eq(dash_model__hist_at(m, i)->nr, cases[c].order[i],
				     "sort %s, row %zu: nr %u", dash_hist_sort_name(cases[c].sort), i,
				     dash_model__hist_at(m, i)->nr);
	}
	dash_model__hists(m, DASH_HIST_COUNT);
	const struct replay_hist *w = dash_model__hist_at(m, 0);
	cr_expect_str_eq(w->name, "write");
	cr_expect_eq(w->count, 6);
	cr_expect_eq(w->total_ns, 55000);
	cr_expect_eq(w->max_ns, 50000);
	cr_expect_eq(w->slots[replay_log2_slot(1000)], 5);
	dash_model__free(m);
	trace_reader__close(r);
}

Test(dash_model, connections_sorted_by_recency_duration_bytes)
{
	struct tw t;

	tw_open(&t, path, 0);
	/* a: 1 s long, 100 bytes, closed at 2 s; b: 100 ms, 5000 bytes,
	 * closed at 3 s; c: open since 2.5 s. */
	tw_state(&t, 1 * S, 0xa, 7, 7, 2, 40001, 80);
	tw_state(&t, 1 * S + 1, 0xa, 7, 2, 1, 40001, 80);
	tw_life(&t, 2 * S, 0xa, 1 * S, 7, 60, 40, 0x7, 40001, 80);
	tw_state(&t, 2 * S + 900 * MS, 0xb, 7, 7, 2, 40002, 80);
	tw_state(&t, 2 * S + 900 * MS + 1, 0xb, 7, 2, 1, 40002, 80);
	tw_life(&t, 3 * S, 0xb, 2 * S + 900 * MS, 7, 1000, 4000, 0x7, 40002, 80);
	tw_state(&t, 2 * S + 500 * MS, 0xc, 7, 7, 2, 40003, 443);
	tw_state(&t, 2 * S + 500 * MS + 1, 0xc, 7, 2, 1, 40003, 443);
	tw_close(&t);

	struct dash_model *m = model(S, 8);
	struct trace_reader *r = feed_all(m);
	dash_model__set_now(m, 5 * S);
	static const struct {
		enum dash_tcp_sort sort;
		uint16_t sports[3];
	} cases[] = {
		{ DASH_TCP_RECENT, { 40003, 40002, 40001 } },
		{ DASH_TCP_DURATION, { 40003, 40001, 40002 } },
		{ DASH_TCP_BYTES, { 40003, 40002, 40001 } },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		cr_assert_eq(dash_model__tcp(m, cases[c].sort), 3);
		for (size_t i = 0; i < 3; i++)
			cr_expect_eq(dash_model__tcp_at(m, i)->c.sport, cases[c].sports[i],
				     "sort %s, row %zu: port %u", dash_tcp_sort_name(cases[c].sort), i,
				     dash_model__tcp_at(m, i)->c.sport);
	}
	cr_expect(dash_model__tcp_at(m, 0)->open, "open connections come first");
	cr_expect_eq(dash_model__tcp_open(m), 1);
	cr_expect_eq(dash_model__tcp_closed(m), 2);
	dash_model__tcp(m, DASH_TCP_BYTES);
	const struct dash_tcp_row *b = dash_model__tcp_at(m, 1);
	cr_expect_eq(b->c.tx_bytes, 1000);
	cr_expect_eq(b->c.rx_bytes, 4000);
	cr_expect_eq(b->c.duration_ns, 100 * MS);
	dash_model__free(m);
	trace_reader__close(r);
}

Test(dash_model, closed_connections_kept_bounded)
{
	struct tw t;

	tw_open(&t, path, 0);
	for (int i = 0; i < 20; i++)
		tw_life(&t, 1 * S + i * MS, 0x100 + i, 1 * S, 7, i, 0, 0x7, 30000 + i, 80);
	tw_close(&t);

	struct dash_model_opts o = { .sz = sizeof(o), .keep_closed = 8 };
	struct dash_model *m = dash_model__new(&o);
	struct trace_reader *r = feed_all(m);
	cr_assert_eq(dash_model__tcp(m, DASH_TCP_RECENT), 8, "the 8 most recent are kept");
	cr_expect_eq(dash_model__tcp_closed(m), 20, "all are counted");
	cr_expect_eq(dash_model__tcp_at(m, 0)->c.sport, 30019);
	cr_expect_eq(dash_model__tcp_at(m, 7)->c.sport, 30012);
	dash_model__free(m);
	trace_reader__close(r);
}

Test(dash_model, types_sorted)
{
	struct tw t;

	tw_open(&t, path, 0);
	tw_name(&t, 0, "read"); /* bookkeeping: not an event, not listed */
	for (int i = 0; i < 3; i++)
		tw_opn(&t, 1 * S + i * MS, 7, "cat", "/a", 3, 1000);
	tw_fork(&t, 1 * S + 500 * MS, 7, 8);
	for (int i = 0; i < 2; i++)
		tw_udp(&t, 2 * S + i * MS, 1, 7, 10, 0, 53);
	tw_close(&t);

	struct dash_model *m = model(S, 8);
	struct trace_reader *r = feed_all(m);
	dash_model__set_now(m, 3 * S);
	cr_expect_eq(dash_model__events(m), 6, "syscall_name records are bookkeeping");
	static const struct {
		enum dash_type_sort sort;
		const char *names[3];
	} cases[] = {
		{ DASH_TYPE_TOTAL, { "open", "udp", "fork" } },
		{ DASH_TYPE_RATE, { "udp", "open", "fork" } },
		{ DASH_TYPE_NAME, { "fork", "open", "udp" } },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		cr_assert_eq(dash_model__types(m, cases[c].sort), 3);
		for (size_t i = 0; i < 3; i++)
			cr_expect_str_eq(dash_model__type_at(m, i)->name, cases[c].names[i],
					 "sort %s, row %zu", dash_type_sort_name(cases[c].sort), i);
	}
	dash_model__free(m);
	trace_reader__close(r);
}

Test(dash_model, restart_counts_from_there)
{
	struct tw t;

	tw_open(&t, path, 0);
	tw_name(&t, 3, "close");
	snapshot(&t, 1 * S, 3, 10, 1000); /* cumulative kernel histogram */
	tw_opn(&t, 1 * S + 1, 7, "cat", "/a", 3, 1000);
	tw_state(&t, 1 * S + 2, 0xc, 7, 7, 2, 40003, 443); /* opens, stays open */
	tw_state(&t, 1 * S + 3, 0xc, 7, 2, 1, 40003, 443);
	tw_life(&t, 1 * S + 4, 0xa, 1 * S, 7, 60, 40, 0x7, 40001, 80);
	tw_close(&t);

	struct dash_model *m = model(S, 8);
	struct trace_reader *r = feed_all(m);
	cr_assert_eq(dash_model__hists(m, DASH_HIST_COUNT), 1);
	cr_expect_eq(dash_model__hist_at(m, 0)->count, 10);
	cr_expect_eq(dash_model__tcp(m, DASH_TCP_RECENT), 2);

	dash_model__restart(m, 2 * S);
	cr_expect_eq(dash_model__origin(m), 2 * S);
	cr_expect_eq(dash_model__events(m), 0);
	cr_expect_eq(dash_model__hists(m, DASH_HIST_COUNT), 0, "histograms start over");
	cr_expect_eq(dash_model__types(m, DASH_TYPE_TOTAL), 0);
	cr_expect_eq(dash_model__tcp_closed(m), 0);
	cr_assert_eq(dash_model__tcp(m, DASH_TCP_RECENT), 1, "the open connection stays");
	cr_expect(dash_model__tcp_at(m, 0)->open);

	/* Fed again, the same events are from before the restart (as those
	 * still in the ring at a live reset): they do not count. */
	struct trace_event ev;
	cr_assert_eq(trace_reader__rewind(r), 0);
	while (trace_reader__next(r, &ev) == 0)
		cr_assert_eq(dash_model__feed(m, &ev), 0);
	cr_expect_eq(dash_model__events(m), 0);
	cr_expect_eq(dash_model__types(m, DASH_TYPE_TOTAL), 0);
	cr_expect_eq(dash_model__tcp_closed(m), 0, "closed before the reset");
	trace_reader__close(r);

	/* The kernel's next cumulative snapshot counts from the restart. */
	struct tw t2;
	char *p2 = tmp_path(".trace");
	tw_open(&t2, p2, 0);
	snapshot(&t2, 3 * S, 3, 15, 1000);
	tw_close(&t2);
	r = trace_reader__open(p2, NULL);
	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0)
		if (strcmp(trace_schema__name(ev.schema), "syscall_hist") == 0)
			cr_assert_eq(dash_model__feed(m, &ev), 0);
	cr_assert_eq(dash_model__hists(m, DASH_HIST_COUNT), 1);
	cr_expect_eq(dash_model__hist_at(m, 0)->count, 5, "15 - 10 since the restart");
	cr_expect_str_eq(dash_model__hist_at(m, 0)->name, "close", "names survive the restart");
	trace_reader__close(r);
	unlink(p2);
	free(p2);

	dash_model__forget_connections(m);
	cr_expect_eq(dash_model__tcp(m, DASH_TCP_RECENT), 0, "open ones forgotten too");
	cr_expect_eq(dash_model__tcp_open(m), 0);
	cr_expect_eq(dash_model__hists(m, DASH_HIST_COUNT), 1, "only connections are forgotten");
	dash_model__clear(m);
	cr_expect_eq(dash_model__hists(m, DASH_HIST_COUNT), 0);
	cr_expect_eq(dash_model__now(m), 0);
	cr_expect_eq(dash_model__first_ns(m), 0);
	dash_model__free(m);
}

Test(dash_model, probe_of_type)
{
	cr_expect_str_eq(dash_probe_of_type("open"), "opens");
	cr_expect_str_eq(dash_probe_of_type("tcp_life"), "tcp");
	cr_expect_str_eq(dash_probe_of_type("exit"), "proc");
	cr_expect_null(dash_probe_of_type("syscall_hist"), "snapshots are not ring events");
	cr_expect_null(dash_probe_of_type("process"));
}
