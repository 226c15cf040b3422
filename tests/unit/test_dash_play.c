// SPDX-License-Identifier: MIT
/* The replay side of the dashboard's model: the play clock (trace time
 * mapped to wall time by speed, pause, speed changes, seeking by timeline
 * cells, the end) and the player (seeking back and forth gives what a
 * straight feed gives, the user's reset point, filters, budgets, the
 * timeline strip). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay/dash/model.h"
#include "tests/unit/replay_testlib.h"

#define S 1000000000ULL
#define MS 1000000ULL

/* ---- the clock ------------------------------------------------------------ */

Test(dash_play, cursor_moves_with_wall_time_at_speed)
{
	struct dash_play p;
	char buf[16];

	dash_play__init(&p, 10 * S, 20 * S, 1000 * S);
	cr_expect_eq(dash_play__cursor(&p, 1005 * S), 10 * S, "paused until played");
	dash_play__set_playing(&p, true, 1000 * S);
	cr_expect_eq(dash_play__cursor(&p, 1001 * S), 11 * S);
	cr_expect_str_eq(dash_play__speed_text(&p, buf, sizeof(buf)), "1x");

	/* Faster: the cursor stays where it is, then moves 2x. */
	dash_play__change_speed(&p, 1, 1002 * S);
	cr_expect_eq(dash_play__cursor(&p, 1002 * S), 12 * S);
	cr_expect_eq(dash_play__cursor(&p, 1003 * S), 14 * S);
	cr_expect_str_eq(dash_play__speed_text(&p, buf, sizeof(buf)), "2x");

	/* Pause holds it. */
	dash_play__set_playing(&p, false, 1003 * S + 500 * MS);
	cr_expect_eq(dash_play__cursor(&p, 1100 * S), 15 * S);

	/* Never past the end. */
	dash_play__set_playing(&p, true, 1100 * S);
	cr_expect_eq(dash_play__cursor(&p, 1200 * S), 20 * S);

	/* Slower than 1x does not exist; the top is "as fast as possible". */
	for (int i = 0; i < 5; i++)
		dash_play__change_speed(&p, -1, 1200 * S);
	cr_expect_float_eq(dash_play__speed(&p), 1.0, 1e-12);
	for (int i = 0; i < 20; i++)
		dash_play__change_speed(&p, 1, 1200 * S);
	cr_expect_float_eq(dash_play__speed(&p), DASH_SPEED_MAX, 1e-12);
	cr_expect_str_eq(dash_play__speed_text(&p, buf, sizeof(buf)), "max");
	dash_play__seek(&p, 12 * S, 1200 * S);
	cr_expect_eq(dash_play__cursor(&p, 1200 * S), 20 * S, "max speed: the end at once");
}

Test(dash_play, end_stops_and_play_starts_over)
{
	struct dash_play p;

	dash_play__init(&p, 10 * S, 20 * S, 0);
	dash_play__set_playing(&p, true, 0);
	cr_expect_not(dash_play__check_end(&p, 15 * S, 5 * S), "not at the end");
	cr_expect(p.playing);
	cr_expect(dash_play__check_end(&p, 20 * S, 10 * S), "fed up to the end: stop");
	cr_expect_not(p.playing);
	cr_expect_eq(dash_play__cursor(&p, 99 * S), 20 * S);
	dash_play__set_playing(&p, true, 100 * S);
	cr_expect_eq(dash_play__cursor(&p, 100 * S), 10 * S, "play at the end starts over");
}

Test(dash_play, seek_clamps_and_steps_by_cells)
{
	struct dash_play p;

	dash_play__init(&p, 100 * S, 200 * S, 0); /* 100 s over 10 cells: 10 s each */
	dash_play__seek(&p, 5 * S, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 100 * S, "before the start: the start");
	dash_play__seek(&p, 500 * S, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 200 * S, "after the end: the end");

	dash_play__seek(&p, 100 * S, 0);
	dash_play__step(&p, 1, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 110 * S);
	dash_play__step(&p, 3, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 140 * S);
	dash_play__seek(&p, 143 * S, 0);
	dash_play__step(&p, -1, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 140 * S, "back from inside a cell: its start");
	dash_play__step(&p, -1, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 130 * S);
	dash_play__seek(&p, 143 * S, 0);
	dash_play__step(&p, 1, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 150 * S, "forward: the next cell's start");
	dash_play__step(&p, 10, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 200 * S);
	dash_play__step(&p, -100, 10, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), 100 * S);
}

Test(dash_play, every_step_moves_one_cell)
{
	struct dash_play p;
	uint64_t first = 5000000000123ULL, last = first + 6452001;

	/* A length the cells do not divide: rounding must not stall a step. */
	dash_play__init(&p, first, last, 0);
	for (size_t k = 1; k <= 118; k++) {
		uint64_t before = dash_play__cursor(&p, 0);

		dash_play__step(&p, 1, 118, 0);
		cr_assert_gt(dash_play__cursor(&p, 0), before, "step %zu stalled", k);
		cr_expect_eq(dash_play__cell(&p, dash_play__cursor(&p, 0), 118), k < 118 ? k : 117,
			     "step %zu", k);
	}
	cr_expect_eq(dash_play__cursor(&p, 0), last, "118 steps: the end");
	for (size_t k = 1; k <= 118; k++)
		dash_play__step(&p, -1, 118, 0);
	cr_expect_eq(dash_play__cursor(&p, 0), first, "and back");
}

/* ---- the player ------------------------------------------------------------- */

static char *path;

/* 10 s of trace from boottime 1 s: an open every 100 ms by pid 7 or 8
 * (100), a TCP connection closing each second (1000 + i bytes out),
 * syscall events, and 50 lost opens at 5.5 s. */
static void make_trace(void)
{
	struct tw t;
	struct trace_lost l = { .ts = 5 * S + 500 * MS, .since_ns = 5 * S, .count = 50, .cpu = 0 };

	path = tmp_path(".trace");
	tw_open(&t, path, 16);
	tw_name(&t, 0, "read");
	for (int i = 0; i < 100; i++) {
		uint64_t ts = 1 * S + (uint64_t)i * 100 * MS;

		tw_opn(&t, ts, 7 + i % 2, i % 2 ? "cat" : "grep", "/etc/hosts", 3, 1000);
		tw_sys(&t, ts + 1, 7, 0, 1000 + (uint64_t)i);
		if (i == 46) {
			snprintf(l.probe, sizeof(l.probe), "opens");
			cr_assert_eq(trace_writer__lost(t.w, &l), 0);
		}
		if (i % 10 == 5) {
			uint64_t sk = 0x1000 + (uint64_t)i;

			tw_state(&t, ts - 300 * MS, sk, 7, 7, 2, (uint16_t)(40000 + i), 80);
			tw_state(&t, ts - 300 * MS + 1, sk, 7, 2, 1, (uint16_t)(40000 + i), 80);
			tw_life(&t, ts, sk, ts - 300 * MS, 7, 1000 + (uint64_t)i, 2000, 0x7,
				(uint16_t)(40000 + i), 80);
		}
	}
	tw_close(&t);
}

static void drop_trace(void)
{
	unlink(path);
	free(path);
}

TestSuite(dash_player, .init = make_trace, .fini = drop_trace, .timeout = 60);

static struct dash_player *open_player(int64_t pid)
{
	const char *paths[1] = { path };
	struct dash_player_opts o = { .sz = sizeof(o), .pid = pid };
	struct dash_player *p = dash_player__open(paths, 1, &o);

	cr_assert_not_null(p, "dash_player__open: %s", strerror(errno));
	return p;
}

/* What a panel would show, to compare two models. */
struct look {
	uint64_t events, lost, closed, tx;
	size_t nhists, ntcp;
	uint64_t calls;
};

static struct look look_at(struct dash_player *p)
{
	struct dash_model *m = dash_player__model(p);
	struct look l = { dash_model__events(m), dash_model__lost(m), dash_model__tcp_closed(m), 0,
			  dash_model__hists(m, DASH_HIST_COUNT), dash_model__tcp(m, DASH_TCP_RECENT),
			  0 };

	for (size_t i = 0; i < l.ntcp; i++)
		l.tx += dash_model__tcp_at(m, i)->c.tx_bytes;
	if (l.nhists)
		l.calls = dash_model__hist_at(m, 0)->count;
	return l;
}

static void expect_same(struct look a, struct look b, const char *what)
{
	cr_expect_eq(a.events, b.events, "%s: events %llu vs %llu", what,
		     (unsigned long long)a.events, (unsigned long long)b.events);
	cr_expect_eq(a.lost, b.lost, "%s: lost", what);
	cr_expect_eq(a.closed, b.closed, "%s: closed", what);
	cr_expect_eq(a.tx, b.tx, "%s: tx bytes", what);
	cr_expect_eq(a.ntcp, b.ntcp, "%s: connections", what);
	cr_expect_eq(a.calls, b.calls, "%s: calls", what);
}

Test(dash_player, extent_and_straight_feed)
{
	struct dash_player *p = open_player(-1);

	cr_expect_eq(dash_player__first_ns(p), 1 * S);
	cr_expect_eq(dash_player__last_ns(p), 1 * S + 9900 * MS + 1);
	cr_assert_eq(dash_player__advance(p, UINT64_MAX, 0), 0);
	cr_expect_eq(dash_player__position(p), dash_player__last_ns(p));
	struct look l = look_at(p);
	/* 100 opens + 100 syscalls + 10 x (2 states + 1 life). */
	cr_expect_eq(l.events, 230);
	cr_expect_eq(l.lost, 50);
	cr_expect_eq(l.closed, 10);
	cr_expect_eq(l.calls, 100);
	dash_player__free(p);
}

Test(dash_player, seeking_back_and_forth_is_a_straight_feed)
{
	uint64_t mid = 5 * S + 200 * MS;
	struct dash_player *a = open_player(-1), *b = open_player(-1);

	/* a: straight to mid; b: to the end, back to the start, to mid. */
	cr_assert_eq(dash_player__advance(a, mid, 0), 0);
	cr_assert_eq(dash_player__advance(b, UINT64_MAX, 0), 0);
	cr_assert_eq(dash_player__advance(b, 0, 0), 0);
	cr_expect_eq(dash_player__position(b), 1 * S);
	cr_assert_eq(dash_player__advance(b, 3 * S, 0), 0);
	cr_assert_eq(dash_player__advance(b, mid, 0), 0);
	expect_same(look_at(a), look_at(b), "mid");
	struct look l = look_at(a);
	/* Opens and syscalls at 1.0 .. 5.2 s: 43 each; closes at 1.5 .. 4.5 s. */
	cr_expect_eq(l.events, 43 * 2 + 4 * 3);
	cr_expect_eq(l.closed, 4);
	cr_expect_eq(l.tx, 1005 + 1015 + 1025 + 1035);
	cr_expect_eq(l.lost, 0, "the loss is at 5.5 s");
	cr_expect_eq(dash_model__now(dash_player__model(b)), mid);
	dash_player__free(a);
	dash_player__free(b);
}

Test(dash_player, small_budgets_get_there_too)
{
	struct dash_player *a = open_player(-1), *b = open_player(-1);
	int rounds = 0, r;

	cr_assert_eq(dash_player__advance(a, UINT64_MAX, 0), 0);
	while ((r = dash_player__advance(b, UINT64_MAX, 1)) == 1) {
		double prog = dash_player__progress(b);

		cr_expect(prog >= 0 && prog < 1, "progress %f while busy", prog);
		rounds++;
	}
	cr_assert_eq(r, 0);
	cr_expect_gt(rounds, 0, "a 1 ns budget stops before the end");
	cr_expect_float_eq(dash_player__progress(b), 1.0, 1e-12);
	expect_same(look_at(a), look_at(b), "end");
	dash_player__free(a);
	dash_player__free(b);
}

Test(dash_player, reset_point_holds_until_seeking_before_it)
{
	struct dash_player *p = open_player(-1), *fresh = open_player(-1);

	cr_assert_eq(dash_player__advance(p, 3 * S, 0), 0);
	struct look at3 = look_at(p);
	dash_player__restart(p);
	cr_expect_eq(look_at(p).events, 0);
	cr_assert_eq(dash_player__advance(p, 6 * S, 0), 0);
	cr_assert_eq(dash_player__advance(fresh, 6 * S, 0), 0);
	struct look l = look_at(p), all = look_at(fresh);
	cr_expect_eq(l.events, all.events - at3.events, "counted from 3 s");
	cr_expect_eq(l.calls, 30);
	cr_expect_eq(l.lost, 50);

	/* Back to 4 s, after the reset: still counted from 3 s. */
	cr_assert_eq(dash_player__advance(p, 4 * S, 0), 0);
	cr_expect_eq(look_at(p).calls, 10);
	/* Before the reset: it no longer holds. */
	cr_assert_eq(dash_player__advance(p, 2 * S, 0), 0);
	cr_assert_eq(dash_player__advance(fresh, 2 * S, 0), 0);
	expect_same(look_at(p), look_at(fresh), "before the reset");
	dash_player__free(p);
	dash_player__free(fresh);
}

Test(dash_player, filter_replays_from_the_start)
{
	struct dash_player *p = open_player(-1), *only8 = open_player(8);

	cr_assert_eq(dash_player__advance(p, UINT64_MAX, 0), 0);
	cr_assert_eq(dash_player__set_filter(p, 8, NULL), 0);
	cr_assert_eq(dash_player__advance(p, dash_player__position(p), 0), 0);
	cr_assert_eq(dash_player__advance(only8, UINT64_MAX, 0), 0);
	expect_same(look_at(p), look_at(only8), "pid 8");
	cr_expect_eq(look_at(p).events, 50, "pid 8's opens only");
	cr_expect_eq(dash_model__filtered(dash_player__model(p)), 180);

	cr_assert_eq(dash_player__set_filter(p, -1, "grep"), 0);
	cr_assert_eq(dash_player__advance(p, dash_player__position(p), 0), 0);
	cr_expect_eq(look_at(p).events, 50, "grep's opens (syscalls are p7)");
	cr_expect_neq(dash_player__set_filter(p, -1, "sixteen-chars-xx"), 0);
	dash_player__free(p);
	dash_player__free(only8);
}

Test(dash_player, strip_counts_the_whole_trace)
{
	struct dash_player *p = open_player(-1);
	uint64_t ev, lost, first = dash_player__first_ns(p), last = dash_player__last_ns(p);
	int r, rounds = 0;

	cr_expect_not(dash_player__scanned(p));
	/* Chunk by chunk, the chunks' headers give the shape first: every
	 * event once they are all read, and a mark where events were lost. */
	uint64_t before = 0, marks = 0;
	while ((r = dash_player__scan(p, 1)) == 1) {
		if (!dash_player__scanned(p)) {
			dash_player__strip(p, first, last + 1, &ev, &lost);
			cr_expect_geq(ev, before, "the shape only grows");
			before = ev;
			marks = lost;
		}
		rounds++;
	}
	cr_assert_eq(r, 0);
	cr_expect_eq(before, 230, "all chunks' events before the exact pass ended");
	cr_expect_gt(marks, 0, "the lost record's chunk is marked");
	cr_expect_gt(rounds, 5);
	cr_expect(dash_player__scanned(p));
	dash_player__strip(p, first, last + 1, &ev, &lost);
	cr_expect_eq(ev, 230, "bookkeeping (syscall_name, lost) is not in the rate");
	cr_expect_eq(lost, 50);
	/* Halves: [1 s, 6 s) and [6 s, end]. */
	uint64_t ev1, lost1, ev2, lost2;
	dash_player__strip(p, 1 * S, 6 * S, &ev1, &lost1);
	dash_player__strip(p, 6 * S, last + 1, &ev2, &lost2);
	cr_expect_eq(ev1 + ev2, 230);
	cr_expect_eq(lost1, 50);
	cr_expect_eq(lost2, 0);
	cr_expect_eq(ev1, 50 * 2 + 5 * 3);
	/* The playback is independent of the scan. */
	cr_assert_eq(dash_player__advance(p, UINT64_MAX, 0), 0);
	cr_expect_eq(look_at(p).events, 230);
	dash_player__free(p);
}

Test(dash_player, missing_file_fails_cleanly)
{
	const char *paths[1] = { "/nonexistent/x.trace" };

	cr_expect_null(dash_player__open(paths, 1, NULL));
	cr_expect_eq(errno, ENOENT);
}

Test(dash_player, one_boot_only)
{
	char *p1 = tmp_path(".trace"), *p2 = tmp_path(".trace");
	const char *paths[2] = { p1, p2 };
	struct tw t;

	for (int i = 0; i < 2; i++) {
		tw_open(&t, paths[i], 0);
		cr_assert_eq(trace_writer__set_meta(t.w, "host.boot_id", i ? "boot-b" : "boot-a"), 0);
		tw_opn(&t, (uint64_t)(1 + i) * S, 7, "cat", "/a", 3, 1000);
		tw_close(&t);
	}
	errno = 0;
	cr_expect_null(dash_player__open(paths, 2, NULL));
	cr_expect_eq(errno, EXDEV, "two boots have no common timeline");

	tw_open(&t, p2, 0);
	cr_assert_eq(trace_writer__set_meta(t.w, "host.boot_id", "boot-a"), 0);
	tw_opn(&t, 2 * S, 7, "cat", "/a", 3, 1000);
	tw_close(&t);
	struct dash_player *p = dash_player__open(paths, 2, NULL);
	cr_assert_not_null(p, "%s", strerror(errno));
	cr_assert_eq(dash_player__advance(p, UINT64_MAX, 0), 0);
	cr_expect_eq(dash_model__events(dash_player__model(p)), 2, "both files, merged");
	dash_player__free(p);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}
