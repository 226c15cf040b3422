// SPDX-License-Identifier: MIT
/* Live: stopping, crashing, full disks, and the one-line errors. */
#include <sys/mount.h>

#include "test_record_helpers.h"

/* Reads a whole trace; returns the events, asserting it ends cleanly. */
static uint64_t read_all(const char *path, struct trace_reader_stats *st)
{
	struct trace_reader *t = trace_open(path);
	struct trace_event ev;
	uint64_t n = 0;
	int err;

	while ((err = trace_reader__next(t, &ev)) == 0)
		n++;
	cr_assert_eq(err, -ENOENT, "reading %s: %s", path, trace_strerror(err));
	trace_reader__stats(t, st);
	trace_reader__close(t);
	return n;
}

/* A background load of opens while the recorder runs system-wide. */
static pid_t start_load(const char *path)
{
	pid_t p = fork();

	if (p == 0) {
		execl(WL("wl_opens"), "wl_opens", path, "100000000", (char *)NULL);
		_exit(127);
	}
	return p;
}

static void stop_load(pid_t p)
{
	int status;

	kill(p, SIGKILL);
	waitpid(p, &status, 0);
}

/* SIGINT, SIGTERM, SIGHUP: a clean stop, exit 0, a trace with its index. */
Test(record_robust, signals_stop_cleanly)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct trace_reader_stats st;
	struct run r;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		run_init(&r);
		const char *args[] = { "--probes", "opens,proc,syscalls", NULL };
		run_start(&r, args);
		run_wait_ready(&r);
		sleep_ms(300);
		kill(r.pid, sigs[i]);
		cr_assert_eq(run_wait(&r), 0, "signal %d; stderr: %s", sigs[i], slurp(r.err));
		cr_assert_gt(read_all(r.trace, &st), 0);
		cr_assert_eq(st.files_indexed, 1, "closed with an index");
		cr_assert_eq(st.files_truncated, 0);
		cr_assert(strstr(slurp(r.err), "events in"), "a summary: %s", slurp(r.err));
		assert_nothing_left();
		run_cleanup(&r);
	}
}

/* kill -9: the file reads up to its last flush; the kernel drops our
 * programs with the process. */
Test(record_robust, kill9_leaves_readable_file)
{
	struct trace_reader_stats st;
	char path[160];
	pid_t load;
	struct run r;

	run_init(&r);
	snprintf(path, sizeof(path), "%s/f", r.dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	const char *args[] = { "--probes", "opens", "--flush-interval", "100ms", NULL };
	run_start(&r, args);
	run_wait_ready(&r);
	load = start_load(path);
	sleep_ms(1500);
	kill(r.pid, SIGKILL);
	cr_assert_eq(run_wait(&r), 128 + SIGKILL);
	stop_load(load);
	cr_assert_gt(read_all(r.trace, &st), 1000, "flushed events are readable");
	cr_assert_eq(st.files_indexed, 0);
	assert_nothing_left();
	run_cleanup(&r);
}

/* RLIMIT_FSIZE: a clean stop with a clear message and a readable file. */
Test(record_robust, file_size_limit)
{
	struct trace_reader_stats st;
	char path[160];
	pid_t load;
	struct run r;

	run_init(&r);
	snprintf(path, sizeof(path), "%s/f", r.dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	load = start_load(path);
	const char *args[] = { "--probes", "opens", "--flush-interval", "50ms", "-d", "60s", NULL };
	run_start_as(&r, args, 256 * 1024, 0);
	int rc = run_wait(&r);
	cr_assert_eq(rc, 0, "exit %d; stderr: %s", rc, slurp(r.err));
	stop_load(load);
	cr_assert(strstr(slurp(r.err), "file size limit"), "stderr: %s", slurp(r.err));
	cr_assert_gt(read_all(r.trace, &st), 1000);
	assert_nothing_left();
	run_cleanup(&r);
}

/* A full disk (a small tmpfs): same. */
Test(record_robust, disk_full)
{
	struct trace_reader_stats st;
	char mnt[160], path[160];
	pid_t load;
	struct run r;

	run_init(&r);
	snprintf(mnt, sizeof(mnt), "%s/mnt", r.dir);
	cr_assert_eq(mkdir(mnt, 0700), 0);
	cr_assert_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=256k"), 0, "mount: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/f", r.dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(r.trace, sizeof(r.trace), "%s/run.trace", mnt);
	load = start_load(path);
	const char *args[] = { "--probes", "opens", "--flush-interval", "50ms", "-d", "60s", NULL };
	run_start(&r, args);
	cr_assert_eq(run_wait(&r), 0, "stderr: %s", slurp(r.err));
	stop_load(load);
	cr_assert(strstr(slurp(r.err), "disk is full"), "stderr: %s", slurp(r.err));
	cr_assert_gt(read_all(r.trace, &st), 1000);
	umount2(mnt, MNT_DETACH);
	assert_nothing_left();
	run_cleanup(&r);
}

/* A probe no strategy can serve is named with its reason; the others go on. */
Test(record_robust, unavailable_strategy_degrades)
{
	struct trace_reader *t;
	struct run r;

	run_init(&r);
	const char *args[] = { "--probes", "opens,tcp", "--strategy", "tcp=kprobe", "--",
			       "/bin/true", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	cr_assert(strstr(slurp(r.err), "probe tcp unavailable: kprobe: "), "stderr: %s", slurp(r.err));
	cr_assert(strstr(slurp(r.err), "probe opens: tracepoint:"), "stderr: %s", slurp(r.err));
	t = trace_open(r.trace);
	cr_assert_eq(strncmp(trace_reader__meta(t, 0, "probe.tcp"), "unavailable: kprobe: ", 21), 0,
		     "probe.tcp = %s", trace_reader__meta(t, 0, "probe.tcp"));
	cr_assert_str_eq(trace_reader__meta(t, 0, "probes"), "opens,tcp");
	trace_reader__close(t);
	assert_nothing_left();
	run_cleanup(&r);
}

static void expect_error(const char *const *args, int code, const char *needle, uid_t uid)
{
	struct run r;
	char *err;

	run_init(&r);
	run_start_as(&r, args, 0, uid);
	cr_assert_eq(run_wait(&r), code, "stderr: %s", slurp(r.err));
	err = slurp(r.err);
	cr_assert(strstr(err, needle), "expected '%s' in: %s", needle, err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
	run_cleanup(&r);
}

Test(record_robust, clear_errors)
{
	const char *a1[] = { "--probes", "opens,bogus", NULL };
	expect_error(a1, 2, "unknown probe 'bogus' in --probes: valid probes are opens, syscalls, tcp, udp, proc", 0);
	const char *a2[] = { "-d", "soon", NULL };
	expect_error(a2, 2, "-d takes a duration", 0);
	const char *a3[] = { "--ring-size", "lots", NULL };
	expect_error(a3, 2, "--ring-size takes a size", 0);
	/* No privileges: as nobody. */
	const char *a4[] = { "-d", "1s", NULL };
	expect_error(a4, 1, "need root, or CAP_BPF and CAP_PERFMON", 65534);

	struct run r;
	run_init(&r);
	const char *a5[] = { "-q", "-o", "/nonexistent-dir/x.trace", "-d", "1s", NULL };
	run_start(&r, a5);
	cr_assert_eq(run_wait(&r), 1);
	cr_assert(strstr(slurp(r.err), "cannot write /nonexistent-dir/x.trace"), "%s", slurp(r.err));
	run_cleanup(&r);
	assert_nothing_left();
}

/* Under sudo the trace belongs to the invoking user, mode 0600. */
Test(record_robust, sudo_owner_and_mode)
{
	struct stat st;
	struct run r;

	run_init(&r);
	setenv("EBT_TEST_SUDO", "1", 1);
	setenv("SUDO_UID", "4242", 1);
	setenv("SUDO_GID", "4343", 1);
	const char *args[] = { "-q", "--probes", "proc", "--", "/bin/true", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	unsetenv("EBT_TEST_SUDO");
	cr_assert_eq(stat(r.trace, &st), 0);
	cr_assert_eq(st.st_uid, 4242);
	cr_assert_eq(st.st_gid, 4343);
	cr_assert_eq(st.st_mode & 0777, 0600);
	run_cleanup(&r);
}
