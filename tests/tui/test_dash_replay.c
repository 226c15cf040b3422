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
#include "replay/dash/model.h"

#include <inttypes.h>
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

/* ---- what the sample traces hold, read from the traces themselves -------
 * The samples are re-recorded from time to time (samples/make-samples), so
 * times, pids and ports come from the trace; what the workloads do (3
 * connections of 1000 bytes out and 2000 back, 107 opens and closes) stays
 * as literals in the tests. */

static uint64_t u64_of(const struct trace_event *ev, const char *field, size_t idx)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, field);

	cr_assert_not_null(f, "%s has no field %s", trace_schema__name(ev->schema), field);
	return trace_field__u64(f, ev->data, idx);
}

/* The trace's extent, as "X.XXXms", the dashboard's "at X of Y". */
struct extent {
	uint64_t first, last;
};

static void extent_fn(const struct trace_event *ev, void *ctx)
{
	struct extent *e = ctx;

	if (!e->first || ev->ts < e->first)
		e->first = ev->ts;
	if (ev->ts > e->last)
		e->last = ev->ts;
}

static void trace_length(const char *sample, char *out, size_t size)
{
	struct extent e = { 0 };

	tr_each(sample, extent_fn, &e);
	cr_assert_gt(e.last, e.first, "%s: no extent", sample);
	dash_fmt_elapsed(out, size, e.last - e.first);
}

/* tcp.trace: the first connection the client (1000 bytes out, 2000 back)
 * made, its server side, the longest one, and the record counts. */
struct tcp_facts {
	struct conn {
		uint64_t start, duration, tx, rx;
		uint16_t sport, dport;
	} client, server, longest;
	size_t lifes, states;
	char length[32];
	char client_local[32], client_remote[32];
	char client_time[16], server_time[16], longest_time[16];
};

static void tcp_fn(const struct trace_event *ev, void *ctx)
{
	struct tcp_facts *f = ctx;
	const char *name = trace_schema__name(ev->schema);
	struct conn c;

	if (!strcmp(name, "tcp_state"))
		f->states++;
	if (strcmp(name, "tcp_life"))
		return;
	f->lifes++;
	c.start = u64_of(ev, "start_ns", 0);
	c.duration = u64_of(ev, "duration_ns", 0);
	c.tx = u64_of(ev, "tx_bytes", 0);
	c.rx = u64_of(ev, "rx_bytes", 0);
	c.sport = (uint16_t)u64_of(ev, "sport", 0);
	c.dport = (uint16_t)u64_of(ev, "dport", 0);
	if (c.tx == 1000 && c.rx == 2000 && (!f->client.start || c.start < f->client.start))
		f->client = c;
	if (c.duration > f->longest.duration)
		f->longest = c;
}

static void server_fn(const struct trace_event *ev, void *ctx)
{
	struct tcp_facts *f = ctx;

	if (strcmp(trace_schema__name(ev->schema), "tcp_life") ||
	    u64_of(ev, "sport", 0) != f->client.dport || u64_of(ev, "dport", 0) != f->client.sport)
		return;
	f->server.duration = u64_of(ev, "duration_ns", 0);
	f->server.tx = u64_of(ev, "tx_bytes", 0);
	f->server.rx = u64_of(ev, "rx_bytes", 0);
}

static void tcp_facts(struct tcp_facts *f)
{
	const char *sample = SRCDIR "/samples/replay/tcp.trace";

	memset(f, 0, sizeof(*f));
	tr_each(sample, tcp_fn, f);
	/* wl_tcp 3 1000 2000: both ends of 3 connections close. */
	cr_assert_eq(f->lifes, 6, "%s: %zu tcp_life records", sample, f->lifes);
	cr_assert_gt(f->client.duration, 0, "%s: no client connection", sample);
	tr_each(sample, server_fn, f);
	cr_assert(f->server.tx == 2000 && f->server.rx == 1000, "%s: no server side of %u->%u",
		  sample, f->client.sport, f->client.dport);
	trace_length(sample, f->length, sizeof(f->length));
	snprintf(f->client_local, sizeof(f->client_local), "127.0.0.1:%u", f->client.sport);
	snprintf(f->client_remote, sizeof(f->client_remote), "127.0.0.1:%u", f->client.dport);
	dash_fmt_duration(f->client_time, sizeof(f->client_time), f->client.duration);
	dash_fmt_duration(f->server_time, sizeof(f->server_time), f->server.duration);
	dash_fmt_duration(f->longest_time, sizeof(f->longest_time), f->longest.duration);
}

/* opens.trace: the in-kernel histogram of each syscall, its last snapshot
 * (they are cumulative), and the syscall table. */
#define NR_MAX 512
#define SLOTS 40

struct hist_facts {
	struct {
		uint64_t count, total, max, slots[SLOTS];
		char name[32];
	} nr[NR_MAX];
	size_t events; /* kernel events: the recorder's bookkeeping aside */
	char length[32];
};

static void hist_fn(const struct trace_event *ev, void *ctx)
{
	struct hist_facts *h = ctx;
	const char *name = trace_schema__name(ev->schema);
	uint64_t nr;

	h->events += strcmp(name, "process") && strcmp(name, "syscall_name") &&
		     strcmp(name, "syscall_hist") && strcmp(name, "lost");
	if (!strcmp(name, "syscall_name")) {
		nr = u64_of(ev, "nr", 0);
		if (nr < NR_MAX)
			snprintf(h->nr[nr].name, sizeof(h->nr[nr].name), "%s",
				 trace_field__str(trace_schema__find_field(ev->schema, "name"),
						  ev->data));
		return;
	}
	if (strcmp(name, "syscall_hist"))
		return;
	nr = u64_of(ev, "nr", 0);
	cr_assert_lt(nr, NR_MAX);
	h->nr[nr].count = u64_of(ev, "count", 0);
	h->nr[nr].total = u64_of(ev, "total_ns", 0);
	h->nr[nr].max = u64_of(ev, "max_ns", 0);
	for (size_t i = 0; i < SLOTS; i++)
		h->nr[nr].slots[i] = u64_of(ev, "slots", i);
}

static struct hist_facts *hist_facts(void)
{
	const char *sample = SRCDIR "/samples/replay/opens.trace";
	struct hist_facts *h = calloc(1, sizeof(*h));

	cr_assert_not_null(h);
	tr_each(sample, hist_fn, h);
	trace_length(sample, h->length, sizeof(h->length));
	return h;
}

static size_t nr_of(const struct hist_facts *h, const char *name)
{
	for (size_t nr = 0; nr < NR_MAX; nr++)
		if (h->nr[nr].count && !strcmp(h->nr[nr].name, name))
			return nr;
	cr_assert_fail("no histogram of %s in opens.trace", name);
	return 0;
}

/* Row i of nr's histogram as the panel draws it (from the first non-empty
 * slot on): the slot's lower bound and its count, padded as on the screen;
 * false past the last non-empty slot. */
static bool hist_row(const struct hist_facts *h, size_t nr, size_t i, char *label, char *count)
{
	size_t lo = 0, hi = 0;

	for (size_t s = 0; s < SLOTS; s++)
		if (h->nr[nr].slots[s]) {
			if (!hi)
				lo = s;
			hi = s + 1;
		}
	if (lo + i >= hi)
		return false;
	dash_fmt_slot(label, 16, (unsigned)(lo + i));
	snprintf(count, 24, " %" PRIu64 " ", h->nr[nr].slots[lo + i]);
	return true;
}

/* The table row of a syscall: " CALLS ", " AVG ", " MAX ". */
static void hist_cells(const struct hist_facts *h, size_t nr, char *calls, char *avg, char *max)
{
	char b[16];

	snprintf(calls, 24, " %" PRIu64 " ", h->nr[nr].count);
	snprintf(avg, 24, " %s ", dash_fmt_duration(b, sizeof(b), h->nr[nr].total / h->nr[nr].count));
	snprintf(max, 24, " %s ", dash_fmt_duration(b, sizeof(b), h->nr[nr].max));
}

TestSuite(dash_replay, .fini = tmux_cleanup, .timeout = 120);

Test(dash_replay, tcp_sample_shows_its_connections)
{
	struct tmux t;
	struct tcp_facts f;
	char at[96], states[24];

	tcp_facts(&f);
	snprintf(at, sizeof(at), "at %s of %s", f.length, f.length);
	snprintf(states, sizeof(states), " %zu ", f.states);
	start(&t, 120, 40, "samples/replay/tcp.trace");
	/* A few ms of trace: at 1x it ends at once. */
	WAIT_LINE(&t, WAIT, "END (1x)");
	EXPECT_LINE(&t, "ebpf-trace", "REPLAY samples/replay/tcp.trace");
	EXPECT_NO_LINE(&t, "(unknown)");
	EXPECT_LINE(&t, at, "lost 0", "filter none");
	EXPECT_LINE(&t, "2 TCP", "0 open  6 closed  sort: recency");
	EXPECT_LINE(&t, "STATE", "PID", "COMM", "LOCAL", "REMOTE", "TX", "RX", "TIME");
	/* The client side of the first connection and its server side. */
	EXPECT_LINE(&t, "closed", "wl_tcp", f.client_local, f.client_remote, " 1000 ", " 2000 ",
		    f.client_time);
	EXPECT_LINE(&t, "closed", "wl_tcp", f.client_remote, f.client_local, " 2000 ", " 1000 ",
		    f.server_time);
	EXPECT_LINE(&t, "tcp_life", " 6 ");
	EXPECT_LINE(&t, "tcp_state", states);
	/* Every state change and lifetime the probe saw was recorded. */
	snprintf(states, sizeof(states), " %zu ", f.states + f.lifes);
	EXPECT_LINE(&t, "tcp ", states, states, " 0 ", "tracepoint:sock:inet_sock_set_state");
	/* Its attach points do not fit in 120 columns: the cut is marked. */
	EXPECT_LINE(&t, "tcp ", "tracepoint:sock:inet_sock_set_state,", "...");
	EXPECT_LINE(&t, "no syscall latencies: the probe syscalls is not in this trace");
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
}

Test(dash_replay, opens_sample_histogram_rows_and_selection)
{
	struct tmux t;
	struct hist_facts *h = hist_facts();
	size_t close_nr = nr_of(h, "close"), openat_nr = nr_of(h, "openat"), nsys = 0;
	char calls[24], avg[24], max[24], label[16], count[24], title[64];

	for (size_t nr = 0; nr < NR_MAX; nr++)
		nsys += h->nr[nr].count > 0;
	/* wl_opens: 100 opens and closes, 1 failing open, and the dynamic
	 * loader's 2 of sh and of each wl_opens. */
	cr_assert_eq(h->nr[close_nr].count, 107);
	cr_assert_eq(h->nr[openat_nr].count, 107);
	snprintf(title, sizeof(title), "%zu syscalls  sort: count  in-kernel", nsys);
	start(&t, 120, 40, "samples/replay/opens.trace");
	WAIT_LINE(&t, WAIT, "END (1x)");
	EXPECT_LINE(&t, "1 Syscall latency", title);
	EXPECT_LINE(&t, "SYSCALL", "CALLS", "AVG", "MAX", "close latency", "calls");
	/* Most called first (close before openat on a tie), close selected:
	 * its histogram's rows beside the first rows of the table. */
	cr_assert(hist_row(h, close_nr, 0, label, count));
	hist_cells(h, close_nr, calls, avg, max);
	EXPECT_LINE(&t, "close ", calls, avg, max, label, count);
	hist_cells(h, openat_nr, calls, avg, max);
	if (hist_row(h, close_nr, 1, label, count))
		EXPECT_LINE(&t, "openat ", calls, avg, max, label, count);
	else
		EXPECT_LINE(&t, "openat ", calls, avg, max);
	EXPECT_LINE(&t, "opens ", " 107 ", " 107 ", " 0 ");
	/* The header counts kernel events as the text report does: the
	 * in-kernel histogram snapshots are the recorder's bookkeeping. */
	char events[32];
	snprintf(events, sizeof(events), "events %zu ", h->events);
	EXPECT_LINE(&t, events, "lost 0");
	EXPECT_NO_LINE(&t, "syscall_hist ");
	/* Down selects openat: its histogram is shown. */
	tmux_keys(&t, "Down");
	WAIT_LINE(&t, WAIT, "openat latency");
	cr_assert(hist_row(h, openat_nr, 0, label, count));
	EXPECT_LINE(&t, "close ", " 107 ", label, count);
	if (hist_row(h, openat_nr, 1, label, count))
		EXPECT_LINE(&t, "openat ", " 107 ", label, count);
	/* Sorted by max latency, the slowest syscall of the trace is first. */
	size_t slowest = 0;
	for (size_t nr = 0; nr < NR_MAX; nr++)
		if (h->nr[nr].max > h->nr[slowest].max)
			slowest = nr;
	tmux_keys(&t, "s s");
	WAIT_LINE(&t, WAIT, "sort: max");
	const char *screen = tmux_capture(&t);
	const char *head = strstr(screen, "\nSYSCALL ");
	const char *row = head ? strchr(head + 1, '\n') : NULL;
	size_t len = strlen(h->nr[slowest].name);
	cr_expect(row && !strncmp(row + 1, h->nr[slowest].name, len) && row[1 + len] == ' ',
		  "%s (max %" PRIu64 " ns) is not first:\n%s", h->nr[slowest].name,
		  h->nr[slowest].max, screen);
	quit_and_check(&t, "q", "exit=0");
	tmux_stop(&t);
	free(h);
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
	struct tcp_facts f;
	char at0[96], at_end[96];

	tcp_facts(&f);
	snprintf(at0, sizeof(at0), "at 0.000ms of %s", f.length);
	snprintf(at_end, sizeof(at_end), "at %s of %s", f.length, f.length);
	start(&t, 120, 40, "samples/replay/tcp.trace");
	WAIT_LINE(&t, WAIT, "END (1x)");
	tmux_keys(&t, "g");
	WAIT_LINE(&t, WAIT, at0);
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
	EXPECT_LINE(&t, at_end);
	/* Home, then G: the end again, everything. */
	tmux_keys(&t, "Home");
	WAIT_LINE(&t, WAIT, "0 open  0 closed");
	tmux_keys(&t, "G");
	WAIT_LINE(&t, WAIT, at_end);
	WAIT_LINE(&t, WAIT, "0 open  6 closed");
	EXPECT_LINE(&t, "closed", f.client_local, f.client_remote, " 1000 ", " 2000 ");
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
	struct tcp_facts f;

	tcp_facts(&f);
	start(&t, 120, 40, "samples/replay/tcp.trace");
	WAIT_LINE(&t, WAIT, "END (1x)");
	tmux_keys(&t, "2 s");
	WAIT_LINE(&t, WAIT, "sort: duration");
	/* Longest first. */
	const char *screen = tmux_capture(&t);
	const char *head = strstr(screen, "STATE");
	const char *row = head ? strchr(head, '\n') : NULL;
	cr_assert_not_null(row, "%s", screen);
	cr_expect(strncmp(row + 1, "closed", 6) == 0 && strstr(row + 1, f.longest_time) &&
			  strstr(row + 1, f.longest_time) < strchr(row + 1, '\n'),
		  "the first row is not the longest (%s):\n%s", f.longest_time, screen);
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
	struct tcp_facts f;
	char resized[PANE_MAX];

	tcp_facts(&f);

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
	EXPECT_LINE(&big, "closed", f.client_local, f.client_remote, " 1000 ", " 2000 ");
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
