// SPDX-License-Identifier: MIT
/* The dashboard's keys, its filter prompt, and the numbers it prints:
 * exact when they fit, never wider than their column. */
#include <criterion/criterion.h>
#include <curses.h>
#include <errno.h>
#include <string.h>

#include "replay/dash/model.h"

Test(dash_keys, the_documented_keys)
{
	static const struct {
		int key;
		enum dash_action live, replay;
	} cases[] = {
		{ 'q', DASH_ACT_QUIT, DASH_ACT_QUIT },
		{ 'p', DASH_ACT_PAUSE, DASH_ACT_PAUSE },
		{ 'r', DASH_ACT_RESET, DASH_ACT_RESET },
		{ 'f', DASH_ACT_FILTER, DASH_ACT_FILTER },
		{ '1', DASH_ACT_FOCUS1, DASH_ACT_FOCUS1 },
		{ '4', DASH_ACT_FOCUS4, DASH_ACT_FOCUS4 },
		{ '+', DASH_ACT_REFRESH_UP, DASH_ACT_REFRESH_UP },
		{ '-', DASH_ACT_REFRESH_DOWN, DASH_ACT_REFRESH_DOWN },
		{ 'h', DASH_ACT_HELP, DASH_ACT_HELP },
		{ 's', DASH_ACT_SORT, DASH_ACT_SORT },
		{ KEY_RESIZE, DASH_ACT_RESIZE, DASH_ACT_RESIZE },
		/* Replay only. */
		{ ' ', DASH_ACT_NONE, DASH_ACT_PLAY },
		{ '<', DASH_ACT_NONE, DASH_ACT_SLOWER },
		{ '>', DASH_ACT_NONE, DASH_ACT_FASTER },
		{ KEY_LEFT, DASH_ACT_NONE, DASH_ACT_BACK },
		{ KEY_RIGHT, DASH_ACT_NONE, DASH_ACT_FORWARD },
		{ 'g', DASH_ACT_NONE, DASH_ACT_START },
		{ 'G', DASH_ACT_NONE, DASH_ACT_END },
		{ 'x', DASH_ACT_NONE, DASH_ACT_NONE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(dash_keys__action(cases[i].key, false), cases[i].live, "live key %d",
			     cases[i].key);
		cr_expect_eq(dash_keys__action(cases[i].key, true), cases[i].replay, "replay key %d",
			     cases[i].key);
	}
}

Test(dash_keys, prompt_edits_a_line)
{
	struct dash_prompt p = { .len = 0 };
	const char *typed = "ngin";

	for (const char *c = typed; *c; c++)
		cr_expect_eq(dash_prompt__key(&p, *c), DASH_PROMPT_EDITING);
	cr_expect_eq(dash_prompt__key(&p, 'y'), DASH_PROMPT_EDITING);
	cr_expect_eq(dash_prompt__key(&p, KEY_BACKSPACE), DASH_PROMPT_EDITING);
	cr_expect_eq(dash_prompt__key(&p, 127), DASH_PROMPT_EDITING);
	cr_expect_eq(dash_prompt__key(&p, 'n'), DASH_PROMPT_EDITING);
	cr_expect_eq(dash_prompt__key(&p, 'x'), DASH_PROMPT_EDITING);
	cr_expect_eq(dash_prompt__key(&p, KEY_LEFT), DASH_PROMPT_EDITING, "ignored");
	cr_expect_str_eq(p.text, "nginx");
	cr_expect_eq(dash_prompt__key(&p, '\r'), DASH_PROMPT_DONE);
	cr_expect_eq(dash_prompt__key(&p, 27), DASH_PROMPT_CANCEL);
	cr_expect_eq(dash_prompt__key(&p, 'U' & 0x1f), DASH_PROMPT_EDITING);
	cr_expect_str_eq(p.text, "", "Ctrl-U empties the line");
	for (int i = 0; i < 200; i++)
		dash_prompt__key(&p, 'a');
	cr_expect_eq(p.len, DASH_PROMPT_MAX - 1, "the line is bounded");
}

Test(dash_keys, filter_text_is_a_pid_a_comm_or_nothing)
{
	char comm[16], err[128];
	int64_t pid;

	cr_assert_eq(dash_parse_filter(" 4242 ", &pid, comm, sizeof(comm), err, sizeof(err)), 0);
	cr_expect_eq(pid, 4242);
	cr_expect_str_eq(comm, "");
	cr_assert_eq(dash_parse_filter("nginx", &pid, comm, sizeof(comm), err, sizeof(err)), 0);
	cr_expect_eq(pid, -1);
	cr_expect_str_eq(comm, "nginx");
	cr_assert_eq(dash_parse_filter("kworker/0:1", &pid, comm, sizeof(comm), err, sizeof(err)), 0);
	cr_expect_str_eq(comm, "kworker/0:1");
	cr_assert_eq(dash_parse_filter("   ", &pid, comm, sizeof(comm), err, sizeof(err)), 0);
	cr_expect_eq(pid, -1, "empty clears");
	cr_expect_str_eq(comm, "");
	cr_expect_eq(dash_parse_filter("0", &pid, comm, sizeof(comm), err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "not a process id") != NULL, "%s", err);
	cr_expect_eq(dash_parse_filter("99999999999", &pid, comm, sizeof(comm), err, sizeof(err)),
		     -EINVAL);
	cr_expect_eq(dash_parse_filter("a-name-of-sixteen", &pid, comm, sizeof(comm), err,
				       sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "at most 15") != NULL, "%s", err);
}

Test(dash_fmt, counts_and_bytes_exact_when_they_fit)
{
	char b[32];

	cr_expect_str_eq(dash_fmt_count(b, sizeof(b), 0, 5), "0");
	cr_expect_str_eq(dash_fmt_count(b, sizeof(b), 99999, 5), "99999");
	cr_expect_str_eq(dash_fmt_count(b, sizeof(b), 123456, 5), "123k");
	cr_expect_str_eq(dash_fmt_count(b, sizeof(b), 1234567, 5), "1.23M");
	cr_expect_str_eq(dash_fmt_count(b, sizeof(b), 999999, 5), "1.00M", "rounding carries");
	cr_expect_str_eq(dash_fmt_bytes(b, sizeof(b), 2000, 8), "2000");
	cr_expect_str_eq(dash_fmt_bytes(b, sizeof(b), 123456789, 8), "118M");
	cr_expect_str_eq(dash_fmt_bytes(b, sizeof(b), 1536, 3), "1.50K");
	cr_expect_str_eq(dash_fmt_rate(b, sizeof(b), 0), "0");
	cr_expect_str_eq(dash_fmt_rate(b, sizeof(b), 0.5), "0.5");
	cr_expect_str_eq(dash_fmt_rate(b, sizeof(b), 42.4), "42");
	cr_expect_str_eq(dash_fmt_rate(b, sizeof(b), 80000), "80.0k");
	cr_expect_str_eq(dash_fmt_rate(b, sizeof(b), 1.8e6), "1.80M");
}

Test(dash_fmt, durations_times_and_slots)
{
	char b[32];

	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 512), "512ns");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 1084), "1.08us");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 53620), "53.6us");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 423000), "423us");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 999999), "1.00ms", "rounding carries");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 1250000000), "1.25s");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 303000000000ULL), "5m03s");
	cr_expect_str_eq(dash_fmt_duration(b, sizeof(b), 7500000000000ULL), "2h05m");
	cr_expect_str_eq(dash_fmt_elapsed(b, sizeof(b), 6453000), "6.453ms");
	cr_expect_str_eq(dash_fmt_elapsed(b, sizeof(b), 12345999999ULL), "12.345s", "truncated");
	cr_expect_str_eq(dash_fmt_elapsed(b, sizeof(b), 3723000000000ULL), "1:02:03");
	cr_expect_str_eq(dash_fmt_clock(b, sizeof(b), 0), "--:--:--");
	cr_expect_str_eq(dash_fmt_slot(b, sizeof(b), 0), "0");
	cr_expect_str_eq(dash_fmt_slot(b, sizeof(b), 9), "512ns");
	cr_expect_str_eq(dash_fmt_slot(b, sizeof(b), 20), "1.05ms");
	cr_expect_eq(dash_nice_ns(64500), 100000);
	cr_expect_eq(dash_nice_ns(10700000), 20000000);
	cr_expect_eq(dash_nice_ns(1000), 1000);
	cr_expect_eq(dash_nice_ns(0), 1);
	for (uint64_t v = 1; v < UINT64_MAX / 3; v *= 3) {
		cr_expect_leq(strlen(dash_fmt_duration(b, sizeof(b), v)), 7, "%s", b);
		cr_expect_leq(strlen(dash_fmt_count(b, sizeof(b), v, 5)), 5, "%s", b);
	}
}
