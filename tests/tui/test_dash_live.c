// SPDX-License-Identifier: MIT
/*
 * ebpf-record --tui under tmux, as root, on the real kernel: the dashboard
 * shows what a bundled workload does while it is recorded (its TCP
 * connections with their exact bytes), its counters equal what the file
 * it wrote holds, a filter typed in it reaches the BPF programs at once,
 * and the terminal comes back on q and on SIGTERM with the trace closed.
 */
#include "tests/tui/tmux.h"

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>

#include "format/trace.h"

#define WAIT 15000 /* ms */
#define WL(name) WORKLOAD_DIR "/" name

/* A temporary directory, and the TCP workload under two names of this
 * test's own: the machine is shared, and others run the same workloads. */
struct dir {
	char path[64];
	char trace[128];
	char tcp_name[16], other_name[16];
	char tcp[192], other[192];
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);

/* The test's directory, for fini when an assertion ends the test early
 * (its struct dir is gone by then). */
static char current_dir[64];

static void dir_make(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/ebt-dash-live-XXXXXX");
	cr_assert_not_null(mkdtemp(d->path));
	memcpy(current_dir, d->path, sizeof(current_dir));
	snprintf(d->trace, sizeof(d->trace), "%s/run.trace", d->path);
	snprintf(d->tcp_name, sizeof(d->tcp_name), "dtcp%05d", (int)getpid() % 100000);
	snprintf(d->other_name, sizeof(d->other_name), "dother%05d", (int)getpid() % 100000);
	snprintf(d->tcp, sizeof(d->tcp), "%s/%s", d->path, d->tcp_name);
	snprintf(d->other, sizeof(d->other), "%s/%s", d->path, d->other_name);
	/* Run through a link, a program's comm is the link's name. */
	cr_assert_eq(symlink(WL("wl_tcp"), d->tcp), 0);
	cr_assert_eq(symlink(WL("wl_tcp"), d->other), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void dir_remove(struct dir *d)
{
	nftw(d->path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	current_dir[0] = 0;
}

static void cleanup(void)
{
	tmux_cleanup();
	if (current_dir[0])
		nftw(current_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ebpf-record --tui ARGS -o TRACE in the pane; then its exit status and
 * whether the terminal is back in canonical mode with echo. */
static void start(struct tmux *t, const struct dir *d, const char *args)
{
	char script[2048];

	snprintf(script, sizeof(script),
		 "trap : INT TERM HUP; %s --tui --no-index %s -o %s; echo \"exit=$?\"; "
		 "stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; "
		 "echo '<stty'; exec sleep 600",
		 EBPF_RECORD_BIN, args, d->trace);
	tmux_start(t, 120, 40, script);
	WAIT_LINE(t, WAIT, "RECORDING", "refresh 1s");
}

/* A workload under test runs as built: with `make SAN=1` it is
 * instrumented too, and LeakSanitizer's check at exit forks a tracer
 * (one more fork event than the workload does). */
static void plain_workload_env(void)
{
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
}

/* Runs a workload to its end; its exit status. */
static int run(const char *const *argv)
{
	pid_t pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		plain_workload_env();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The Events panel's rows: type and total, "all" first. */
struct row {
	char type[32];
	unsigned long long total;
};

static size_t event_rows(const char *screen, struct row *rows, size_t cap)
{
	const char *p = strstr(screen, " 3 Events ");
	size_t n = 0;

	if (!p || !(p = strstr(p, "\nTYPE ")))
		return 0;
	p = strchr(p + 1, '\n');
	while (p && n < cap) {
		struct row r;

		memset(&r, 0, sizeof(r));
		p++;
		if (sscanf(p, "%31s %llu", r.type, &r.total) != 2 || strcmp(r.type, "4") == 0)
			break;
		rows[n++] = r;
		p = strchr(p, '\n');
	}
	return n;
}

/* The panel's rows once they stop changing (all the workload's events in). */
static size_t settled_rows(struct tmux *t, struct row *rows, size_t cap)
{
	struct row prev[32];
	size_t n = 0, pn = 0;
	uint64_t end = tmux_now_ms() + WAIT;

	for (;;) {
		n = event_rows(tmux_capture(t), rows, cap);
		if (n && n == pn && memcmp(rows, prev, n * sizeof(*rows)) == 0)
			return n;
		cr_assert(tmux_now_ms() < end, "the counters never settled:\n%s", t->pane);
		memcpy(prev, rows, n * sizeof(*rows));
		pn = n;
		/* A redraw is due every second: two equal ones in a row. */
		usleep(1200 * 1000);
	}
}

/* Records of each type in the file, bookkeeping aside. */
static unsigned long long file_count(const char *path, const char *type)
{
	struct trace_reader *r = trace_reader__open(path, NULL);
	struct trace_event ev;
	unsigned long long n = 0;

	cr_assert_not_null(r, "%s: %s", path, trace_strerror(-errno));
	while (trace_reader__next(r, &ev) == 0) {
		const char *name = trace_schema__name(ev.schema);

		if (!strcmp(type, "all") ? strcmp(name, "process") && strcmp(name, "syscall_name") &&
						   strcmp(name, "lost")
					 : !strcmp(name, type))
			n++;
	}
	trace_reader__close(r);
	return n;
}

static void quit_and_check(struct tmux *t, const char *keys)
{
	if (keys)
		tmux_keys(t, keys);
	WAIT_LINE(t, WAIT, "exit=0");
	WAIT_LINE(t, WAIT, "icanon echo <stty");
	EXPECT_NO_LINE(t, "ebpf-trace  RECORDING");
}

TestSuite(dash_live, .fini = cleanup, .timeout = 180);

Test(dash_live, shows_the_workload_and_the_file_agrees)
{
	struct tmux t;
	struct dir d;
	struct row rows[32];
	char args[64];

	dir_make(&d);
	const char *wl[] = { d.tcp, "3", "1000", "2000", NULL };
	snprintf(args, sizeof(args), "-c %s --probes tcp,proc", d.tcp_name);
	start(&t, &d, args);
	EXPECT_LINE(&t, "filter comm", d.tcp_name);
	cr_assert_eq(run(wl), 0);
	/* 3 connections, each seen from both ends: 1000 bytes one way and
	 * 2000 the other. */
	WAIT_LINE(&t, WAIT, "2 TCP", "0 open  6 closed");
	for (int i = 0; i < 3; i++) {
		EXPECT_LINE(&t, "closed", d.tcp_name, "127.0.0.1:", "127.0.0.1:", " 1000 ", " 2000 ");
		EXPECT_LINE(&t, "closed", d.tcp_name, "127.0.0.1:", "127.0.0.1:", " 2000 ", " 1000 ");
	}
	size_t n = settled_rows(&t, rows, 32);
	cr_assert_gt(n, 1, "%s", t.pane);
	quit_and_check(&t, "q");
	EXPECT_LINE(&t, "ebpf-record: stopped: quit from the dashboard");

	/* The file replays to what the dashboard counted. */
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(file_count(d.trace, rows[i].type), rows[i].total,
			     "%s: the dashboard counted %llu, the file holds %llu", rows[i].type,
			     rows[i].total, file_count(d.trace, rows[i].type));
	cr_expect_eq(file_count(d.trace, "tcp_life"), 6);
	tmux_stop(&t);
	dir_remove(&d);
}

Test(dash_live, a_filter_reaches_the_kernel_at_once)
{
	struct tmux t;
	struct dir d;
	char keys[64];

	dir_make(&d);
	const char *wl[] = { d.tcp, "2", "100", "200", NULL };
	const char *wl_other[] = { d.other, "2", "100", "200", NULL };
	start(&t, &d, "--probes tcp");
	EXPECT_LINE(&t, "filter none");
	tmux_keys(&t, "f");
	WAIT_LINE(&t, WAIT, "filter: pid or comm, empty clears (now none):");
	snprintf(keys, sizeof(keys), "-l %s", d.tcp_name);
	tmux_keys(&t, keys);
	uint64_t sent = tmux_now_ms();
	tmux_keys(&t, "Enter");
	snprintf(keys, sizeof(keys), "recording comm %s from now on; counters reset", d.tcp_name);
	WAIT_LINE(&t, 1000, keys);
	cr_expect_lt(tmux_now_ms() - sent, 1000, "the filter took over a second");
	EXPECT_LINE(&t, "filter comm", d.tcp_name);
	/* The same program under another name: its comm differs. */
	cr_assert_eq(run(wl_other), 0);
	cr_assert_eq(run(wl), 0);
	WAIT_LINE(&t, WAIT, "0 open  4 closed");
	EXPECT_NO_LINE(&t, d.other_name);
	/* Cleared: everything again. */
	tmux_keys(&t, "f Enter");
	WAIT_LINE(&t, WAIT, "recording everything from now on");
	EXPECT_LINE(&t, "filter none");
	quit_and_check(&t, "q");

	/* The file: after the filter, this test's connections and no others'. */
	struct trace_reader *r = trace_reader__open(d.trace, NULL);
	struct trace_event ev;
	int ours = 0, others = 0;
	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct trace_field_desc *comm;

		if (strcmp(trace_schema__name(ev.schema), "tcp_life"))
			continue;
		comm = trace_schema__find_field(ev.schema, "comm");
		cr_assert_not_null(comm);
		if (!strcmp(trace_field__str(comm, ev.data), d.tcp_name))
			ours++;
		else if (!strcmp(trace_field__str(comm, ev.data), d.other_name))
			others++;
	}
	trace_reader__close(r);
	cr_expect_eq(ours, 4);
	cr_expect_eq(others, 0, "%s was recorded after the filter", d.other_name);
	tmux_stop(&t);
	dir_remove(&d);
}

/* A child that waits on a pipe, then runs ARGV. */
static pid_t spawn_waiting(const char *const *argv, int *go)
{
	int p[2];
	pid_t pid;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char c;
		int null = open("/dev/null", O_RDWR);

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(126);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		plain_workload_env();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

Test(dash_live, a_pid_filter_reaches_the_kernel)
{
	struct tmux t;
	struct dir d;
	char keys[64];
	const char *wl[] = { WL("wl_exec"), "5", NULL };
	int go_p, go_q, go_r, st;

	dir_make(&d);
	start(&t, &d, "--probes proc");
	pid_t p = spawn_waiting(wl, &go_p), q = spawn_waiting(wl, &go_q), r = spawn_waiting(wl, &go_r);
	tmux_keys(&t, "f");
	snprintf(keys, sizeof(keys), "-l %d", (int)p);
	tmux_keys(&t, keys);
	tmux_keys(&t, "Enter");
	snprintf(keys, sizeof(keys), "recording pid %d from now on", (int)p);
	WAIT_LINE(&t, 1000, keys);
	EXPECT_LINE(&t, "with the processes it forks from now on");
	cr_assert_eq(write(go_p, "x", 1), 1);
	cr_assert_eq(write(go_q, "x", 1), 1);
	cr_assert_eq(waitpid(p, &st, 0), p);
	cr_assert_eq(waitpid(q, &st, 0), q);
	close(go_p);
	close(go_q);
	/* p's exec, fork and exit, and its child's exec and exit (followed);
	 * q is not recorded. */
	WAIT_LINE(&t, WAIT, "exit ", " 2 ");
	WAIT_LINE(&t, WAIT, "exec ", " 2 ");
	WAIT_LINE(&t, WAIT, "fork ", " 1 ");
	/* Another pid takes its place: the kernel's set starts over. */
	tmux_keys(&t, "f");
	snprintf(keys, sizeof(keys), "-l %d", (int)r);
	tmux_keys(&t, keys);
	tmux_keys(&t, "Enter");
	snprintf(keys, sizeof(keys), "recording pid %d from now on", (int)r);
	WAIT_LINE(&t, WAIT, keys);
	cr_assert_eq(write(go_r, "x", 1), 1);
	cr_assert_eq(waitpid(r, &st, 0), r);
	close(go_r);
	quit_and_check(&t, "q");

	struct trace_reader *tr = trace_reader__open(d.trace, NULL);
	struct trace_event ev;
	int of[3] = { 0 }, children_of[3] = { 0 };
	const pid_t who[3] = { p, q, r };
	cr_assert_not_null(tr);
	while (trace_reader__next(tr, &ev) == 0) {
		const struct trace_field_desc *pid = trace_schema__find_field(ev.schema, "pid");
		const struct trace_field_desc *ppid = trace_schema__find_field(ev.schema, "ppid");

		if (ev.type < TRACE_TYPE_FIRST_USER || !pid)
			continue;
		for (int i = 0; i < 3; i++) {
			of[i] += trace_field__u64(pid, ev.data, 0) == (uint64_t)who[i];
			children_of[i] += ppid && trace_field__u64(ppid, ev.data, 0) == (uint64_t)who[i];
		}
	}
	trace_reader__close(tr);
	cr_expect_eq(of[0], 3, "p's exec, fork and exit");
	cr_expect_eq(children_of[0], 2, "p's child's exec and exit");
	cr_expect_eq(of[1] + children_of[1], 0, "q was recorded after the pid filter");
	cr_expect_eq(of[2], 3, "r's exec, fork and exit, after the filter changed to it");
	cr_expect_eq(children_of[2], 2, "r's child's exec and exit");
	tmux_stop(&t);
	dir_remove(&d);
}

Test(dash_live, sigterm_closes_the_trace_and_the_terminal)
{
	struct tmux t;
	struct dir d;
	struct trace_reader_stats st;

	dir_make(&d);
	start(&t, &d, "--probes proc");
	pid_t pid = tmux_child_pid(&t, WAIT);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	quit_and_check(&t, NULL);
	EXPECT_LINE(&t, "ebpf-record: stopped:");
	struct trace_reader *r = trace_reader__open(d.trace, NULL);
	cr_assert_not_null(r, "%s", trace_strerror(-errno));
	trace_reader__stats(r, &st);
	cr_expect_eq(st.files_indexed, 1, "closed cleanly, with its index");
	trace_reader__close(r);
	tmux_stop(&t);
	dir_remove(&d);
}
