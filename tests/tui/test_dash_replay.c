// SPDX-License-Identifier: MIT
/*
 * ebpf-replay --tui under tmux: the sample traces of the bundled workloads
 * (samples/replay/) show their known connections and histogram rows; seek,
 * pause, sort, filter, help, resize; the terminal is restored on quit, on
 * SIGINT, SIGTERM and SIGHUP and when the trace cannot be read. What the
 * screen shows is read with capture-pane and waited for by polling it.
 */
#include "tests/tui/tmux.h"
#include "tests/unit/replay_testlib.h"

#include <signal.h>
#include <sys/stat.h>

#define S 1000000000ULL
#define MS 1000000ULL
#define WAIT 10000 /* ms: generous, the machine is shared */

/* The dashboard on ARGS in the source tree; after it, its exit status and
 * whether the terminal is back in canonical mode with echo. */
static void start(struct tmux *t, int cols, int rows, const char *args)
{
	char script[2048];

	snprintf(script, sizeof(script),
		 "trap : INT TERM HUP; cd %s && %s --tui %s; echo \"exit=$?\"; "
		 "stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; "
		 "echo '<stty'; exec sleep 600",
		 SRCDIR, REPLAY_BIN, args);
	tmux_start(t, cols, rows, script);
}

/* Quit with q and check that the terminal came back as it was. */
static void quit_and_check(struct tmux *t, const char *keys, const char *exit_line)
{
	if (keys)
		tmux_keys(t, keys);
	WAIT_LINE(t, WAIT, exit_line);
	WAIT_LINE(t, WAIT, "icanon echo <stty");
	EXPECT_NO_LINE(t, "ebpf-trace  REPLAY");
}

TestSuite(dash_replay, .fini = tmux_cleanup, .timeout = 120);

Test(dash_replay, tcp_sample_shows_its_connections)
{
	struct tmux t;

	start(&t, 120, 40, "samples/replay/tcp.trace");
	/* 6 ms of trace: at 1x it ends at once. */
	WAIT_LINE(&t, WAIT, "END (1x)");
	EXPECT_LINE(&t, "ebpf-trace", "REPLAY samples/replay/tcp.trace");
	EXPECT_LINE(&t, "at 6.452ms of 6.452ms", "lost 0", "filter none");
	EXPECT_LINE(&t, "2 TCP", "0 open  6 closed  sort: recency");
	EXPECT_LINE(&t, "STATE", "PID", "COMM", "LOCAL", "REMOTE", "TX", "RX", "TIME");
	/* The client side of the first connection and its server side. */
	EXPECT_LINE(&t, "closed", "wl_tcp", "127.0.0.1:52544", "127.0.0.1:35263", " 1000 ",
		    " 2000 ", "423us");
	EXPECT_LINE(&t, "closed", "wl_tcp", "127.0.0.1:35263", "127.0.0.1:52544", " 2000 ",
		    " 1000 ", "109us");
	EXPECT_LINE(&t, "tcp_life", " 6 ");
	EXPECT_LINE(&t, "tcp_state", " 32 ");
	EXPECT_LINE(&t, "tcp ", " 38 ", " 38 ", " 0 ", "tracepoint:sock:inet_sock_set_state");
	EXPECT_LINE(&t, "no syscall latencies: the probe syscalls is not in this trace");
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
}

Test(dash_replay, opens_sample_histogram_rows_and_selection)
{
	struct tmux t;

	start(&t, 120, 40, "samples/replay/opens.trace");
	WAIT_LINE(&t, WAIT, "END (1x)");
	EXPECT_LINE(&t, "1 Syscall latency", "31 syscalls  sort: count  in-kernel");
	EXPECT_LINE(&t, "SYSCALL", "CALLS", "AVG", "MAX", "close latency", "calls");
	EXPECT_LINE(&t, "close ", " 107 ", " 1.08us ", " 1.83us ", "512ns", " 22 ");
	EXPECT_LINE(&t, "openat ", " 107 ", " 4.34us ", " 53.6us ", "1.02us", " 85 ");
	EXPECT_LINE(&t, "opens ", " 107 ", " 107 ", " 0 ");
	/* Down selects openat: its histogram is shown. */
	tmux_keys(&t, "Down");
	WAIT_LINE(&t, WAIT, "openat latency");
	EXPECT_LINE(&t, "close ", " 107 ", "2.05us", " 97 ");
	EXPECT_LINE(&t, "openat ", " 107 ", "4.10us", " 7 ");
	EXPECT_LINE(&t, "mprotect ", " 9 ", "32.8us", " 1 ");
	/* Sorted by max latency, execve (489us) is above mmap. */
	tmux_keys(&t, "s s");
	WAIT_LINE(&t, WAIT, "sort: max");
	const char *screen = tmux_capture(&t);
	const char *execve = strstr(screen, "\nexecve "), *mmap = strstr(screen, "\nmmap ");
	cr_expect(execve && mmap && execve < mmap, "execve not above mmap:\n%s", screen);
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
}

/* "N closed" from the TCP panel's title. */
static int closed_count(struct tmux *t)
{
	const char *title = strstr(t->pane, " 2 TCP ");
	int open, closed;

	cr_assert_not_null(title, "no TCP panel:\n%s", t->pane);
	cr_assert_eq(sscanf(title, " 2 TCP %d open %d closed", &open, &closed), 2, "%s", t->pane);
	return closed;
}

/* The position shown, "at X of Y". */
static void position(struct tmux *t, char *out, size_t size)
{
	const char *at = strstr(tmux_capture(t), " at ");
	const char *end = at ? strstr(at, " of ") : NULL;

	cr_assert(at && end, "no position on the screen:\n%s", t->pane);
	snprintf(out, size, "%.*s", (int)(end - at), at);
}

/* Sends a seek key and waits until the position on the screen changes. */
static void seek_key(struct tmux *t, const char *key)
{
	char before[64], now[64];
	uint64_t end = tmux_now_ms() + WAIT;

	position(t, before, sizeof(before));
	tmux_keys(t, key);
	do {
		cr_assert(tmux_now_ms() < end, "%s did not move from%s:\n%s", key, before, t->pane);
		usleep(20000);
		position(t, now, sizeof(now));
	} while (strcmp(before, now) == 0);
}

Test(dash_replay, seek_to_start_and_end)
{
	struct tmux t;

	start(&t, 120, 40, "samples/replay/tcp.trace");
	WAIT_LINE(&t, WAIT, "END (1x)");
	tmux_keys(&t, "g");
	WAIT_LINE(&t, WAIT, "at 0.000ms of 6.452ms");
	EXPECT_LINE(&t, "PAUSED (1x)");
	EXPECT_LINE(&t, "0 open  0 closed");
	EXPECT_LINE(&t, "^ 0.000ms");
	/* Cell by cell: connections close one after the other, never
	 * un-close, and all 6 have closed at the last cell. */
	int last = 0, seen_between = 0, cells = 0;
	while (!strstr(t.pane, "END (1x)")) {
		cr_assert_lt(cells++, 200, "more cells than the strip has:\n%s", t.pane);
		seek_key(&t, "Right");
		int n = closed_count(&t);
		cr_expect_geq(n, last, "closed went from %d to %d going forward", last, n);
		if (n > 0 && n < 6) {
			seen_between++;
			if (seen_between == 1) {
				/* One cell back: fewer again. */
				seek_key(&t, "Left");
				cr_expect_lt(closed_count(&t), n, "back one cell:\n%s", t.pane);
				seek_key(&t, "Right");
				cr_expect_eq(closed_count(&t), n, "forward again:\n%s", t.pane);
			}
		}
		last = n;
	}
	cr_expect_eq(cells, 118, "the strip has 118 cells at 120 columns");
	cr_expect_gt(seen_between, 0, "no cell with some connections closed but not all");
	cr_expect_eq(last, 6);
	EXPECT_LINE(&t, "at 6.452ms of 6.452ms");
	/* Home, then G: the end again, everything. */
	tmux_keys(&t, "Home");
	WAIT_LINE(&t, WAIT, "0 open  0 closed");
	tmux_keys(&t, "G");
	WAIT_LINE(&t, WAIT, "at 6.452ms of 6.452ms");
	WAIT_LINE(&t, WAIT, "0 open  6 closed");
	EXPECT_LINE(&t, "closed", "127.0.0.1:52544", "127.0.0.1:35263", " 1000 ", " 2000 ");
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
}

/* A trace of 30 s (an open every 100 ms, by pids 7 and 8, and 50 lost at
 * 15 s) to play in real time. */
static char *long_trace(void)
{
	char *path = tmp_path(".trace");
	struct tw t;

	tw_open(&t, path, 64);
	for (int i = 0; i < 300; i++) {
		tw_opn(&t, 1 * S + (uint64_t)i * 100 * MS, 7 + i % 2, i % 2 ? "cat" : "grep",
		       "/etc/hosts", 3, 1000);
		if (i == 140) {
			struct trace_lost l = { .ts = 15 * S + 50 * MS, .since_ns = 14 * S, .count = 50 };

			snprintf(l.probe, sizeof(l.probe), "opens");
			cr_assert_eq(trace_writer__lost(t.w, &l), 0);
		}
	}
	tw_close(&t);
	chmod(path, 0644);
	return path;
}

Test(dash_replay, play_pause_and_speed)
{
	struct tmux t;
	char *trace = long_trace(), a[64], b[64];

	start(&t, 100, 30, trace);
	WAIT_LINE(&t, WAIT, "PLAYING 1x");
	tmux_keys(&t, "Space");
	WAIT_LINE(&t, WAIT, "PAUSED (1x)");
	position(&t, a, sizeof(a));
	/* Paused means paused: nothing moves for a while. */
	usleep(1500 * 1000);
	WAIT_LINE(&t, WAIT, "PAUSED (1x)");
	position(&t, b, sizeof(b));
	cr_expect_str_eq(a, b, "the position moved while paused");
	/* Faster: 1x, 2x, 5x, 10x, 20x, 50x: 30 s of trace in under a second. */
	tmux_keys(&t, "'>' '>' '>' '>' '>'");
	WAIT_LINE(&t, WAIT, "speed 50x");
	tmux_keys(&t, "Space");
	WAIT_LINE(&t, WAIT, "END (50x)");
	EXPECT_LINE(&t, "at 29.900s of 29.900s");
	EXPECT_LINE(&t, "open ", " 300 ");
	EXPECT_LINE(&t, "lost 50", "filter none");
	EXPECT_LINE(&t, "lost ", " 50 ");
	EXPECT_LINE(&t, "opens ", " 350 ", " 300 ", " 50");
	/* The strip marks where events were lost, about half way. */
	const char *strip = strchr(t.pane, '\n');
	strip = strip ? strchr(strip + 1, '\n') : NULL; /* the third line */
	cr_assert_not_null(strip, "%s", t.pane);
	const char *bang = strchr(strip + 1, '!');
	cr_expect(bang && bang < strchr(strip + 1, '\n'), "no lost mark on the strip:\n%s", t.pane);
	/* Slower again, down to 1x and no further. */
	tmux_keys(&t, "'<' '<' '<' '<' '<' '<' '<' '<'");
	WAIT_LINE(&t, WAIT, "END (1x)");
	/* Filter: pid 8, replayed from the start to the position. */
	tmux_keys(&t, "f");
	WAIT_LINE(&t, WAIT, "filter: pid or comm, empty clears (now none):");
	tmux_keys(&t, "-l 8");
	tmux_keys(&t, "Enter");
	WAIT_LINE(&t, WAIT, "filter pid 8");
	WAIT_LINE(&t, WAIT, "open ", " 150 ");
	tmux_keys(&t, "f");
	tmux_keys(&t, "-l grep");
	tmux_keys(&t, "Enter");
	WAIT_LINE(&t, WAIT, "filter comm grep");
	WAIT_LINE(&t, WAIT, "open ", " 150 ");
	tmux_keys(&t, "f Enter");
	WAIT_LINE(&t, WAIT, "filter none");
	WAIT_LINE(&t, WAIT, "open ", " 300 ");
	tmux_keys(&t, "f");
	tmux_keys(&t, "-l 123456789012345678");
	tmux_keys(&t, "Enter");
	WAIT_LINE(&t, WAIT, "not a process id");
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
	unlink(trace);
	free(trace);
}

Test(dash_replay, sort_focus_and_help)
{
	struct tmux t;

	start(&t, 120, 40, "samples/replay/tcp.trace");
	WAIT_LINE(&t, WAIT, "END (1x)");
	tmux_keys(&t, "2 s");
	WAIT_LINE(&t, WAIT, "sort: duration");
	/* Longest first: the 423 us client connection. */
	const char *screen = tmux_capture(&t);
	const char *head = strstr(screen, "STATE");
	const char *row = head ? strchr(head, '\n') : NULL;
	cr_assert_not_null(row, "%s", screen);
	cr_expect(strncmp(row + 1, "closed", 6) == 0 && strstr(row + 1, "423us") &&
			  strstr(row + 1, "423us") < strchr(row + 1, '\n'),
		  "the first row is not the longest:\n%s", screen);
	tmux_keys(&t, "s");
	WAIT_LINE(&t, WAIT, "sort: bytes");
	tmux_keys(&t, "s");
	WAIT_LINE(&t, WAIT, "sort: recency");
	tmux_keys(&t, "h");
	WAIT_LINE(&t, WAIT, "space", "play / pause");
	EXPECT_LINE(&t, "g / G", "go to the start / the end");
	tmux_keys(&t, "x");
	WAIT_NO_LINE(&t, WAIT, "play / pause");
	EXPECT_LINE(&t, "sort: recency");
	/* q in the help closes the help, not the dashboard. */
	tmux_keys(&t, "h");
	WAIT_LINE(&t, WAIT, "play / pause");
	tmux_keys(&t, "q");
	WAIT_NO_LINE(&t, WAIT, "play / pause");
	EXPECT_LINE(&t, "END (1x)");
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
}

/* After a resize the screen is what a fresh start at that size draws. */
Test(dash_replay, resize_redraws_cleanly)
{
	struct tmux big, small;
	char resized[PANE_MAX];

	start(&big, 160, 45, "samples/replay/tcp.trace");
	WAIT_LINE(&big, WAIT, "END (1x)");
	WAIT_LINE(&big, WAIT, "4 Probes");
	tmux_cmd(&big, NULL, 0, "resize-window -t dash -x 80 -y 24");
	WAIT_LINE(&big, WAIT, "q quit  h help  space play");
	start(&small, 80, 24, "samples/replay/tcp.trace");
	WAIT_LINE(&small, WAIT, "END (1x)");
	/* Same screen, line for line (both are at the end, paused). */
	for (int tries = 0; tries < 50; tries++) {
		snprintf(resized, sizeof(resized), "%s", tmux_capture(&big));
		if (strcmp(resized, tmux_capture(&small)) == 0)
			break;
		usleep(100000);
	}
	cr_expect_str_eq(resized, small.pane, "resized:\n%s\nfresh:\n%s", resized, small.pane);
	/* And back up. */
	tmux_cmd(&big, NULL, 0, "resize-window -t dash -x 200 -y 50");
	WAIT_LINE(&big, WAIT, "+/- refresh");
	EXPECT_LINE(&big, "closed", "127.0.0.1:52544", "127.0.0.1:35263", " 1000 ", " 2000 ");
	quit_and_check(&big, "q", "exit=0");
	quit_and_check(&small, "q", "exit=0");
	tmux_stop(&big);
	tmux_stop(&small);
}

Test(dash_replay, signals_restore_the_terminal)
{
	static const struct {
		const char *how;
		int sig;
	} cases[] = { { "C-c", 0 }, { NULL, SIGTERM }, { NULL, SIGHUP }, { NULL, SIGINT } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmux t;

		start(&t, 100, 30, "samples/replay/opens.trace");
		WAIT_LINE(&t, WAIT, "END (1x)");
		if (cases[i].how) {
			tmux_keys(&t, cases[i].how);
		} else {
			pid_t pid = tmux_child_pid(&t, WAIT);
			cr_assert_eq(kill(pid, cases[i].sig), 0);
		}
		quit_and_check(&t, NULL, "exit=0");
		tmux_stop(&t);
	}
}

Test(dash_replay, errors_leave_the_terminal_alone)
{
	struct tmux t;

	start(&t, 100, 30, "/nonexistent.trace");
	WAIT_LINE(&t, WAIT, "ebpf-replay: /nonexistent.trace:");
	quit_and_check(&t, NULL, "exit=1");
	tmux_stop(&t);

	start(&t, 100, 30, "samples/replay/tcp.trace --json");
	WAIT_LINE(&t, WAIT, "--tui shows the dashboard: it does not combine");
	quit_and_check(&t, NULL, "exit=1");
	tmux_stop(&t);

	start(&t, 100, 30, "samples/replay/tcp.trace </dev/null");
	WAIT_LINE(&t, WAIT, "--tui needs a terminal");
	quit_and_check(&t, NULL, "exit=1");
	tmux_stop(&t);
}

/* A damaged chunk is shown on the status line while playing and said on
 * the way out; the rest replays. */
Test(dash_replay, damaged_trace)
{
	struct tmux t;
	char *trace = tmp_path(".trace"), args[512];
	struct tw w;

	tw_open(&w, trace, 16);
	for (int i = 0; i < 64; i++)
		tw_opn(&w, 1 * S + (uint64_t)i * MS, 7, "cat", "/etc/hosts", 3, 1000);
	tw_close(&w);
	/* Flip a byte in the middle of the file (inside a chunk). */
	FILE *f = fopen(trace, "r+b");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size / 2, SEEK_SET);
	int c = fgetc(f);
	fseek(f, size / 2, SEEK_SET);
	fputc(c ^ 0xff, f);
	fclose(f);
	chmod(trace, 0644);

	snprintf(args, sizeof(args), "%s", trace);
	start(&t, 100, 30, args);
	WAIT_LINE(&t, WAIT, "END (1x)");
	WAIT_LINE(&t, WAIT, "damaged");
	quit_and_check(&t, "q", "exit=0");
	EXPECT_LINE(&t, "the trace is damaged: 1 block(s)");
	tmux_stop(&t);
	unlink(trace);
	free(trace);
}
