// SPDX-License-Identifier: MIT
/*
 * The public C API live, as root on the real kernel: a session in this
 * process sees a loopback TCP workload's connections with their exact
 * bytes and wall-clock times; its comm and pid filters change while it
 * runs (pids added, removed, cleared, children followed); its fd wakes a
 * poll() within the drain interval; a ring too small loses events that are
 * counted, never silently; after close nothing of ours stays in the kernel.
 */
#include <poll.h>

#include "api/ebpftrace.h"
#include "tests/live/test_record_helpers.h"

static int64_t now_epoch_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct ebpftrace_session *open_live(const char *probes, const char *const *types)
{
	char msg[512] = "";
	struct ebpftrace_live_opts o = { .sz = sizeof(o), .probes = probes, .types = types,
					 .quiet = true, .errbuf = msg, .errbuf_size = sizeof(msg) };
	struct ebpftrace_session *s = ebpftrace_session__open_live(&o);

	cr_assert_not_null(s, "open_live: %s (%s)", msg, strerror(errno));
	cr_assert(ebpftrace_session__live(s));
	return s;
}

/* Runs ARGV to its end with stdout into out (size bytes); its status. */
static int run_capture(const char *const *argv, char *out, size_t size)
{
	int p[2], st;
	ssize_t n, got = 0;
	pid_t parent = getpid(), pid;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		child_dies_with_test(parent);
		dup2(p[1], 1);
		close(p[0]);
		plain_workload_env();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + got, size - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(p[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return st;
}

/* A child that waits on a pipe, then runs ARGV (stdout to /dev/null). */
static pid_t spawn_waiting(const char *const *argv, int *go)
{
	int p[2];
	pid_t parent = getpid(), pid;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char c;
		int null = open("/dev/null", O_RDWR);

		child_dies_with_test(parent);

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(126);
		dup2(null, 1);
		plain_workload_env();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void release(pid_t pid, int go)
{
	int st;

	cr_assert_eq(write(go, "x", 1), 1);
	close(go);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "workload status %d", st);
}

/* Events until -EAGAIN after at least ms of quiet, calling fn on each. */
static void drain_for(struct ebpftrace_session *s, int ms,
		      void (*fn)(const struct ebpftrace_event *, void *), void *ctx)
{
	struct ebpftrace_event ev;
	int err;

	while ((err = ebpftrace_session__next(s, &ev, ms)) == 0)
		fn(&ev, ctx);
	cr_assert_eq(err, -EAGAIN, "next: %s", ebpftrace_strerror(err));
}

struct tcp_seen {
	uint16_t port;
	int lives;
	uint64_t tx, rx;
	int64_t min_epoch, max_epoch;
	bool bad_addr;
};

static void on_tcp(const struct ebpftrace_event *ev, void *ctx)
{
	struct tcp_seen *t = ctx;
	uint64_t sport, dport, tx, rx, segs;
	char a[64], b[64];

	cr_assert_str_eq(ev->type, "tcp_life");
	cr_assert_eq(ebpftrace_event__u64(ev, "sport", &sport), 0);
	cr_assert_eq(ebpftrace_event__u64(ev, "dport", &dport), 0);
	if (sport != t->port && dport != t->port)
		return; /* someone else's connection */
	t->lives++;
	ebpftrace_event__u64(ev, "tx_bytes", &tx);
	ebpftrace_event__u64(ev, "rx_bytes", &rx);
	t->tx += tx;
	t->rx += rx;
	cr_assert_eq(ebpftrace_event__u64(ev, "segs_out", &segs), 0);
	cr_assert_gt(segs, 0);
	cr_assert_str_eq(ebpftrace_event__str(ev, "comm"), "wl_tcp");
	if (strcmp(ebpftrace_event__addr(ev, "saddr", a, sizeof(a)), "127.0.0.1") ||
	    strcmp(ebpftrace_event__addr(ev, "daddr", b, sizeof(b)), "127.0.0.1"))
		t->bad_addr = true;
	if (!t->min_epoch || ev->epoch_ns < t->min_epoch)
		t->min_epoch = ev->epoch_ns;
	if (ev->epoch_ns > t->max_epoch)
		t->max_epoch = ev->epoch_ns;
}

/* 4 connections, 3000 bytes out and 70000 back on each: both ends of each. */
Test(api_live, tcp_connections_with_exact_bytes)
{
	const char *types[] = { "tcp_life", NULL };
	const char *wl[] = { WL("wl_tcp"), "4", "3000", "70000", NULL };
	struct ebpftrace_session *s = open_live("tcp", types);
	struct tcp_seen t = { 0 };
	struct ebpftrace_stats st;
	char out[256];
	int64_t t0 = now_epoch_ns(), t1;

	cr_assert_eq(run_capture(wl, out, sizeof(out)), 0);
	t1 = now_epoch_ns();
	t.port = (uint16_t)atoi(out);
	cr_assert_gt(t.port, 0, "wl_tcp said: %s", out);
	drain_for(s, 500, on_tcp, &t);
	cr_assert_eq(t.lives, 8, "both ends of 4 connections");
	cr_assert_eq(t.tx, 4 * (3000 + 70000));
	cr_assert_eq(t.rx, 4 * (3000 + 70000));
	cr_assert(!t.bad_addr);
	/* wall-clock times of the closes: within the run */
	cr_assert_geq(t.min_epoch, t0, "%lld < %lld", (long long)t.min_epoch, (long long)t0);
	cr_assert_leq(t.max_epoch, t1, "%lld > %lld", (long long)t.max_epoch, (long long)t1);
	ebpftrace_session__stats(s, &st);
	cr_assert_eq(st.lost, 0);
	/* stop: the end comes after what was captured */
	cr_assert_eq(ebpftrace_session__stop(s), 0);
	struct ebpftrace_event ev;
	int err;
	while ((err = ebpftrace_session__next(s, &ev, 1000)) == 0)
		;
	cr_assert_eq(err, -ENOENT);
	ebpftrace_session__close(s);
	assert_nothing_left();
}

struct exec_seen {
	pid_t pid[3];
	int of[3], children_of[3]; /* exec and exit records of each, and of its children */
	char comm[16];
	int named;
};

static void on_proc(const struct ebpftrace_event *ev, void *ctx)
{
	struct exec_seen *e = ctx;
	uint64_t pid, ppid;

	cr_assert(!strcmp(ev->type, "exec") || !strcmp(ev->type, "exit"), "%s", ev->type);
	ebpftrace_event__u64(ev, "pid", &pid);
	ebpftrace_event__u64(ev, "ppid", &ppid);
	for (int i = 0; i < 3; i++) {
		e->of[i] += pid == (uint64_t)e->pid[i];
		e->children_of[i] += ppid == (uint64_t)e->pid[i];
	}
	if (e->comm[0] && !strcmp(ebpftrace_event__str(ev, "comm"), e->comm))
		e->named++;
}

/* The pid filter, live: a pid added is recorded with what it forks; a pid
 * added then removed is not; after a clear, nothing of the old set. */
Test(api_live, pids_join_and_leave_the_filter)
{
	const char *types[] = { "exec", "exit", NULL };
	const char *wl[] = { WL("wl_exec"), "3", NULL };
	struct ebpftrace_session *s = open_live("proc", types);
	struct exec_seen e = { 0 };
	int go[3];

	for (int i = 0; i < 3; i++)
		e.pid[i] = spawn_waiting(wl, &go[i]);
	cr_assert_eq(ebpftrace_session__pid_add(s, (uint32_t)e.pid[0]), 0);
	cr_assert_eq(ebpftrace_session__pid_add(s, (uint32_t)e.pid[1]), 0);
	cr_assert_eq(ebpftrace_session__pid_remove(s, (uint32_t)e.pid[1]), 0);
	cr_assert_eq(ebpftrace_session__pid_remove(s, (uint32_t)e.pid[1]), -ENOENT);
	cr_assert_eq(ebpftrace_session__pid_filter(s, true), 0);
	release(e.pid[0], go[0]);
	release(e.pid[1], go[1]);
	drain_for(s, 300, on_proc, &e);
	cr_assert_eq(e.of[0], 2, "p's exec and exit");
	cr_assert_eq(e.children_of[0], 2, "its child's exec and exit (followed)");
	cr_assert_eq(e.of[1] + e.children_of[1], 0, "a pid removed is not recorded");
	/* cleared: the third, added after, alone */
	cr_assert_eq(ebpftrace_session__pid_add(s, (uint32_t)e.pid[0]), 0);
	cr_assert_eq(ebpftrace_session__pid_clear(s), 0);
	cr_assert_eq(ebpftrace_session__pid_remove(s, (uint32_t)e.pid[0]), -ENOENT);
	cr_assert_eq(ebpftrace_session__pid_add(s, (uint32_t)e.pid[2]), 0);
	release(e.pid[2], go[2]);
	drain_for(s, 300, on_proc, &e);
	cr_assert_eq(e.of[2], 2);
	cr_assert_eq(e.children_of[2], 2);
	cr_assert_eq(e.of[0], 2, "nothing more of the first");
	ebpftrace_session__close(s);
	assert_nothing_left();
}

/* The comm filter, live: only the task named, then anyone again. */
Test(api_live, the_comm_filter_changes_live)
{
	const char *types[] = { "exec", "exit", NULL };
	struct ebpftrace_session *s = open_live("proc", types);
	struct exec_seen e = { 0 };
	char dir[] = "/tmp/ebt-api-XXXXXX", link[128], other[128];
	char status[8];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(e.comm, sizeof(e.comm), "ebtapi%d", (int)getpid() % 100000);
	snprintf(link, sizeof(link), "%s/%s", dir, e.comm);
	snprintf(other, sizeof(other), "%s/ebtoth%d", dir, (int)getpid() % 100000);
	cr_assert_eq(symlink("/bin/true", link), 0);
	cr_assert_eq(symlink("/bin/true", other), 0);
	const char *named[] = { link, NULL }, *not_named[] = { other, NULL };

	cr_assert_eq(ebpftrace_session__set_comm(s, e.comm), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(run_capture(named, status, sizeof(status)), 0);
		cr_assert_eq(run_capture(not_named, status, sizeof(status)), 0);
	}
	struct exec_seen all = e;
	drain_for(s, 300, on_proc, &all);
	cr_assert_eq(all.named, 6, "3 execs and 3 exits of %s", e.comm);
	/* every event was of that name */
	cr_assert_eq(ebpftrace_session__set_comm(s, NULL), 0);
	cr_assert_eq(run_capture(not_named, status, sizeof(status)), 0);
	struct exec_seen after = { 0 };
	snprintf(after.comm, sizeof(after.comm), "ebtoth%d", (int)getpid() % 100000);
	drain_for(s, 300, on_proc, &after);
	cr_assert_eq(after.named, 2, "the other name's exec and exit once the filter is gone");
	ebpftrace_session__close(s);
	unlink(link);
	unlink(other);
	rmdir(dir);
}

/* poll() on the session's fd wakes within the drain interval, and next
 * with timeout 0 does not wait. */
Test(api_live, the_fd_wakes_a_poll)
{
	const char *types[] = { "exit", NULL };
	struct ebpftrace_session *s = open_live("proc", types);
	struct pollfd p = { ebpftrace_session__fd(s), POLLIN, 0 };
	struct ebpftrace_event ev;
	struct timespec a, b;
	int err;

	cr_assert_geq(p.fd, 0);
	while ((err = ebpftrace_session__next(s, &ev, 0)) == 0)
		;
	cr_assert_eq(err, -EAGAIN);
	for (int i = 0; i < 5; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		cr_assert_eq(poll(&p, 1, 1000), 1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		cr_assert_lt((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000, 200);
		while ((err = ebpftrace_session__next(s, &ev, 0)) == 0)
			;
		cr_assert_eq(err, -EAGAIN);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	err = ebpftrace_session__next(s, &ev, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert(err == 0 || err == -EAGAIN);
	cr_assert_lt((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000, 50);
	ebpftrace_session__close(s);
}

struct lost_seen {
	char path[128];
	uint64_t opens, lost_records;
};

static void on_open(const struct ebpftrace_event *ev, void *ctx)
{
	struct lost_seen *l = ctx;
	uint64_t count;

	if (!strcmp(ev->type, "lost")) {
		cr_assert_eq(ebpftrace_event__u64(ev, "count", &count), 0);
		cr_assert_str_eq(ebpftrace_event__str(ev, "probe"), "opens");
		l->lost_records += count;
	} else if (!strcmp(ebpftrace_event__str(ev, "path"), l->path)) {
		l->opens++;
	}
}

/* A 4 KiB ring cannot hold a burst of 50000 opens drained every 10 ms: the
 * ones lost are counted in the stats and in `lost` records alike, and with
 * those recorded they make up every open. */
Test(api_live, a_full_ring_loses_events_that_are_counted)
{
	const char *types[] = { "open", "lost", NULL };
	char msg[512] = "", comm[16], dir[] = "/tmp/ebt-api-XXXXXX", link[128];
	struct lost_seen l = { 0 };
	cr_assert_not_null(mkdtemp(dir));
	snprintf(comm, sizeof(comm), "ebtlost%d", (int)getpid() % 100000);
	snprintf(link, sizeof(link), "%s/%s", dir, comm);
	snprintf(l.path, sizeof(l.path), "%s/target", dir);
	cr_assert_eq(symlink(WL("wl_opens"), link), 0);
	close(open(l.path, O_WRONLY | O_CREAT, 0600));
	struct ebpftrace_live_opts o = { .sz = sizeof(o), .probes = "opens", .types = types,
					 .comm = comm, .ring_size = 4096, .quiet = true,
					 .errbuf = msg, .errbuf_size = sizeof(msg) };
	struct ebpftrace_session *s = ebpftrace_session__open_live(&o);
	const char *wl[] = { link, l.path, "50000", NULL };
	struct ebpftrace_stats st;
	struct ebpftrace_event ev;
	char out[64];
	int err;

	cr_assert_not_null(s, "%s", msg);
	cr_assert_eq(run_capture(wl, out, sizeof(out)), 0);
	cr_assert_eq(ebpftrace_session__stop(s), 0);
	while ((err = ebpftrace_session__next(s, &ev, 1000)) == 0)
		on_open(&ev, &l);
	cr_assert_eq(err, -ENOENT);
	ebpftrace_session__stats(s, &st);
	cr_assert_gt(st.lost, 0, "50000 opens fit in a 4 KiB ring?");
	cr_assert_eq(st.lost, l.lost_records);
	/* the loader's opens of libraries are the name's too: at least */
	cr_assert_geq(l.opens + st.lost, 50000, "%llu recorded + %llu lost",
		      (unsigned long long)l.opens, (unsigned long long)st.lost);
	cr_assert_leq(l.opens + st.lost, 50000 + 64, "%llu recorded + %llu lost",
		      (unsigned long long)l.opens, (unsigned long long)st.lost);
	ebpftrace_session__close(s);
	unlink(link);
	unlink(l.path);
	rmdir(dir);
}
