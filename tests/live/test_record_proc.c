// SPDX-License-Identifier: MIT
/* Live: the `proc` probe, -- COMMAND and -p. */
#include "test_record_helpers.h"

static const char *const proc_types[] = { "exec", "fork", "exit", NULL };
static const char *const open_types[] = { "open", NULL };

/* A child that execs and exits with a known status: fork, exec and exit
 * records; the command's own exit is recorded too. */
static void check_exec_exit(const char *code, int expect_status)
{
	unsigned child, forks = 0, execs = 0, exits = 0, parent_exits = 0;
	struct trace_reader *t;
	struct trace_event ev;
	uint64_t pid;
	struct run r;
	int err;

	run_init(&r);
	const char *args[] = { "--probes", "proc", "--", WL("wl_exec"), code, NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	cr_assert_eq(sscanf(slurp(r.out), "%u", &child), 1);

	t = trace_open(r.trace);
	pid = meta_u64(t, "filter.pid");
	cr_assert_str_eq(trace_reader__meta(t, 0, "record.exit_status"), "0");
	cr_assert(strstr(trace_reader__meta(t, 0, "record.command"), "wl_exec"));
	while ((err = trace_reader__next(t, &ev)) == 0) {
		if (ev_is(&ev, "fork") && ev_u64(&ev, "child_pid") == child) {
			forks++;
			cr_assert_eq(ev_u64(&ev, "pid"), pid);
			cr_assert_str_eq(ev_str(&ev, "comm"), "wl_exec");
		} else if (ev_is(&ev, "exec") && ev_u64(&ev, "pid") == child) {
			execs++;
			cr_assert_eq(ev_u64(&ev, "ppid"), pid);
			cr_assert_str_eq(ev_str(&ev, "filename"), "/proc/self/exe");
			cr_assert(strstr(ev_str(&ev, "args"), " --child ") &&
				  strstr(ev_str(&ev, "args"), " marker-arg"),
				  "args: '%s'", ev_str(&ev, "args"));
			cr_assert_str_eq(ev_str(&ev, "comm"), "exe");
		} else if (ev_is(&ev, "exit") && ev_u64(&ev, "pid") == child) {
			exits++;
			cr_assert_eq(ev_i64(&ev, "status"), expect_status);
			cr_assert_eq(ev_u64(&ev, "ppid"), pid);
		} else if (ev_is(&ev, "exit") && ev_u64(&ev, "pid") == pid) {
			parent_exits++;
			cr_assert_eq(ev_i64(&ev, "status"), 0);
		}
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_eq(forks, 1);
	cr_assert_eq(execs, 1);
	cr_assert_eq(exits, 1, "exactly one exit per process");
	cr_assert_eq(parent_exits, 1);
	assert_accounting(r.trace, "proc", proc_types);
	assert_nothing_left();
	run_cleanup(&r);
}

Test(record_proc, exec_and_exit_status)
{
	check_exec_exit("7", 7 << 8);
}

Test(record_proc, exec_and_killed)
{
	check_exec_exit("kill", 9);
}

/* The recorder exits with the command's status, 128 + signal if killed. */
Test(record_proc, command_exit_status)
{
	struct run r;

	run_init(&r);
	const char *a1[] = { "-q", "--probes", "proc", "--", "/bin/sh", "-c", "exit 3", NULL };
	cr_assert_eq(run_sync(&r, a1), 3, "stderr: %s", slurp(r.err));
	cr_assert_str_eq(slurp(r.err), "", "-q prints nothing");
	const char *a2[] = { "-q", "--probes", "proc", "--", "/bin/sh", "-c", "kill -9 $$", NULL };
	cr_assert_eq(run_sync(&r, a2), 128 + 9);
	const char *a3[] = { "-q", "--probes", "proc", "--", "/nonexistent/command", NULL };
	cr_assert_eq(run_sync(&r, a3), 127);
	cr_assert(strstr(slurp(r.err), "cannot run /nonexistent/command"), "%s", slurp(r.err));
	assert_nothing_left();
	run_cleanup(&r);
}

static uint64_t count_path(const char *trace, const char *path)
{
	struct trace_reader *t = trace_open(trace);
	struct trace_event ev;
	uint64_t n = 0;

	while (trace_reader__next(t, &ev) == 0)
		n += ev_is(&ev, "open") && !strcmp(ev_str(&ev, "path"), path);
	trace_reader__close(t);
	return n;
}

/* -p records the process and its descendants, and nothing else. */
Test(record_proc, pid_filter_follows_children_only)
{
	char mine[160], other[160], pidarg[16];
	int in_mine[2], in_other[2], status;
	pid_t a, b;
	struct run r;

	run_init(&r);
	snprintf(mine, sizeof(mine), "%s/mine", r.dir);
	snprintf(other, sizeof(other), "%s/other", r.dir);
	close(open(mine, O_CREAT | O_WRONLY, 0600));
	close(open(other, O_CREAT | O_WRONLY, 0600));
	cr_assert_eq(pipe(in_mine), 0);
	cr_assert_eq(pipe(in_other), 0);
	/* Both wait for a byte on stdin; the recorded one opens in a child. */
	a = fork();
	if (a == 0) {
		dup2(in_mine[0], 0);
		execl(WL("wl_opens"), "wl_opens", mine, "500", "--wait", "--fork", (char *)NULL);
		_exit(127);
	}
	b = fork();
	if (b == 0) {
		dup2(in_other[0], 0);
		execl(WL("wl_opens"), "wl_opens", other, "500", "--wait", (char *)NULL);
		_exit(127);
	}
	snprintf(pidarg, sizeof(pidarg), "%d", (int)a);
	const char *args[] = { "-p", pidarg, "--probes", "opens,proc", NULL };
	run_start(&r, args);
	run_wait_ready(&r);
	cr_assert_eq(write(in_mine[1], "g", 1), 1);
	cr_assert_eq(write(in_other[1], "g", 1), 1);
	cr_assert_eq(waitpid(a, &status, 0), a);
	cr_assert_eq(status, 0);
	cr_assert_eq(waitpid(b, &status, 0), b);
	cr_assert_eq(status, 0);
	sleep_ms(100);
	kill(r.pid, SIGINT);
	cr_assert_eq(run_wait(&r), 0, "stderr: %s", slurp(r.err));

	cr_assert_eq(count_path(r.trace, mine), 500, "the followed child's opens");
	cr_assert_eq(count_path(r.trace, other), 0, "another process's opens");
	assert_accounting(r.trace, "opens", open_types);
	assert_nothing_left();
	run_cleanup(&r);
}

/* -- COMMAND records the command only, not a process running beside it. */
Test(record_proc, command_records_only_itself)
{
	char mine[160], other[160];
	pid_t b;
	struct run r;
	int status;

	run_init(&r);
	snprintf(mine, sizeof(mine), "%s/mine", r.dir);
	snprintf(other, sizeof(other), "%s/other", r.dir);
	close(open(mine, O_CREAT | O_WRONLY, 0600));
	close(open(other, O_CREAT | O_WRONLY, 0600));
	b = fork();
	if (b == 0) {
		/* Opens all the while the recorder runs. */
		execl(WL("wl_opens"), "wl_opens", other, "3000000", (char *)NULL);
		_exit(127);
	}
	const char *args[] = { "--probes", "opens", "--", WL("wl_opens"), mine, "300", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	kill(b, SIGKILL);
	waitpid(b, &status, 0);
	cr_assert_eq(count_path(r.trace, mine), 300);
	cr_assert_eq(count_path(r.trace, other), 0);
	assert_nothing_left();
	run_cleanup(&r);
}
