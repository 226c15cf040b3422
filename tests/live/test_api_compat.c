// SPDX-License-Identifier: MIT
/*
 * The reference tracers' consumers (samples/api/tcp_consumer.c, written as
 * the TCP API's reference shows it, and its UDP sibling), unchanged, live
 * against a loopback workload while ebpf-record records the same, then
 * against that trace (EBPF_TRACE_REPLAY): both runs see the same
 * connections with the same bytes and segment counts (the same datagrams
 * with the same sizes), the workload's exact figures.
 */
#include "tests/live/test_record_helpers.h"

/* One event as the consumers print it. */
struct conn {
	long long time;
	char task[32];
	unsigned pid, uid, family, sport, dport;
	char saddr[64], daddr[64];
	unsigned long tx, rx;
	unsigned tx_pkts, rx_pkts;
};

/* The events of the consumer's output (tcp: "[T] task (PID p) a:x -> b:y",
 * udp: "[T] task (PID p UID u) family f a:x -> b:y", then the TX and RX
 * lines) that involve port. */
static int parse(const char *out, bool udp, unsigned port, struct conn *c, int max)
{
	const char *p = out;
	int n = 0;

	while ((p = strchr(p, '[')) && n < max) {
		struct conn x = { 0 };
		const char *task, *pid;
		int used = 0, k;

		/* The task name goes as printed, empty too: the live consumer
		 * sees every connection of the machine, kernel ones included. */
		k = sscanf(p, "[%lld] %n", &x.time, &used);
		pid = strstr(p, " (PID ");
		cr_assert(k == 1 && used && pid, "cannot parse: %.200s", p);
		task = p + used;
		snprintf(x.task, sizeof(x.task), "%.*s", pid > task ? (int)(pid - task) : 0, task);
		used = 0;
		if (udp)
			k = sscanf(pid, " (PID %u UID %u) family %u %63[^:]:%u -> %63[^:]:%u\n"
				   "  TX: %lu bytes (%u packets)\n  RX: %lu bytes (%u packets)\n%n",
				   &x.pid, &x.uid, &x.family, x.saddr, &x.sport, x.daddr, &x.dport, &x.tx,
				   &x.tx_pkts, &x.rx, &x.rx_pkts, &used);
		else
			k = sscanf(pid, " (PID %u) %63[^:]:%u -> %63[^:]:%u\n"
				   "  TX: %lu bytes (%u packets)\n  RX: %lu bytes (%u packets)\n%n",
				   &x.pid, x.saddr, &x.sport, x.daddr, &x.dport, &x.tx, &x.tx_pkts, &x.rx,
				   &x.rx_pkts, &used);
		cr_assert_eq(k, udp ? 11 : 9, "cannot parse: %.200s", p);
		p = pid + used;
		if (x.sport == port || x.dport == port)
			c[n++] = x;
	}
	return n;
}

static int by_ports(const void *a, const void *b)
{
	const struct conn *x = a, *y = b;

	if (x->sport != y->sport)
		return x->sport < y->sport ? -1 : 1;
	if (x->dport != y->dport)
		return x->dport < y->dport ? -1 : 1;
	if (x->tx != y->tx)
		return x->tx < y->tx ? -1 : 1;
	return x->rx < y->rx ? -1 : x->rx > y->rx;
}

/* The consumer, live, its stdout line-buffered into path. */
static pid_t start_consumer(const char *consumer, const char *path, const char *ready)
{
	pid_t parent = getpid(), pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		child_dies_with_test(parent);
		int o = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char err[256];

		snprintf(err, sizeof(err), "%s.err", path);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(e, 2);
		unsetenv("EBPF_TRACE_REPLAY");
		/* stdbuf preloads its library: under SAN=1, ASan must allow it */
		setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
		execlp("stdbuf", "stdbuf", "-oL", consumer, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 3000; i++) {
		if (strstr(slurp(path), ready))
			return pid;
		sleep_ms(10);
	}
	cr_assert_fail("the consumer did not start: %s", slurp(path));
	return pid;
}

/* SIGINT: the consumer's handler cleans up and exits 0. */
static void stop_consumer(pid_t pid, const char *path)
{
	int st;

	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "consumer status %d", st);
	cr_assert(strstr(slurp(path), "Cleaning up!"), "%s", slurp(path));
	cr_assert(strstr(slurp(path), "--> probes detached"), "%s", slurp(path));
}

/* The consumer on a trace; its output in out. */
static void replay(const char *consumer, const char *trace, const char *path)
{
	pid_t parent = getpid(), pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		child_dies_with_test(parent);
		int o = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		setenv("EBPF_TRACE_REPLAY", trace, 1);
		execl(consumer, consumer, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "replay status %d: %s", st, slurp(path));
}

/* Runs ARGV; the first number it prints. */
static unsigned run_workload(const char *const *argv, unsigned *second)
{
	char path[] = "/tmp/ebt-api-wl-XXXXXX";
	int fd = mkstemp(path), st;
	pid_t parent = getpid(), pid = fork();
	unsigned a = 0, b = 0;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		child_dies_with_test(parent);
		dup2(fd, 1);
		plain_workload_env();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "workload status %d", st);
	cr_assert_geq(sscanf(slurp(path), "%u %u", &a, &b), 1);
	close(fd);
	unlink(path);
	if (second)
		*second = b;
	return a;
}

/* Waits until the consumer's output holds n events of port. */
static void wait_events(const char *path, bool udp, unsigned port, int n, struct conn *c, int max)
{
	int got = 0;

	for (int i = 0; i < 1000; i++) {
		got = parse(slurp(path), udp, port, c, max);
		if (got >= n)
			return;
		sleep_ms(10);
	}
	cr_assert_fail("%d of %d events of port %u after 10 s:\n%s", got, n, port, slurp(path));
}

static void assert_same(const struct conn *live, const struct conn *rec, int n)
{
	for (int i = 0; i < n; i++) {
		const struct conn *a = &live[i], *b = &rec[i];

		cr_assert_eq(a->sport, b->sport, "event %d", i);
		cr_assert_eq(a->dport, b->dport);
		cr_assert_str_eq(a->task, b->task);
		cr_assert_eq(a->pid, b->pid);
		cr_assert_eq(a->uid, b->uid);
		cr_assert_str_eq(a->saddr, b->saddr);
		cr_assert_str_eq(a->daddr, b->daddr);
		cr_assert_eq(a->tx, b->tx, "port %u: tx %lu live, %lu in the trace", a->sport, a->tx, b->tx);
		cr_assert_eq(a->rx, b->rx);
		cr_assert_eq(a->tx_pkts, b->tx_pkts, "port %u: %u segments out live, %u in the trace",
			     a->sport, a->tx_pkts, b->tx_pkts);
		cr_assert_eq(a->rx_pkts, b->rx_pkts);
		/* the same instant, through two calibrations of the same clocks */
		cr_assert_lt(llabs(a->time - b->time), 1000000, "port %u: %lld live, %lld in the trace",
			     a->sport, a->time, b->time);
	}
}

#define MAXC 64

Test(api_compat, tcp_consumer_live_and_from_its_trace)
{
	struct run r;
	char live[256], rec[256];
	static struct conn a[MAXC], b[MAXC];
	const char *args[] = { "--probes", "tcp", NULL };
	const char *wl[] = { WL("wl_tcp"), "5", "2000", "30000", NULL };
	unsigned port;

	run_init(&r);
	snprintf(live, sizeof(live), "%s/live.out", r.dir);
	snprintf(rec, sizeof(rec), "%s/replay.out", r.dir);
	run_start(&r, args);
	run_wait_ready(&r);
	pid_t c = start_consumer(SAMPLE_DIR "/tcp_consumer", live, "TCP monitoring active");
	port = run_workload(wl, NULL);
	wait_events(live, false, port, 10, a, MAXC);
	stop_consumer(c, live);
	kill(r.pid, SIGINT);
	cr_assert_eq(run_wait(&r), 0, "%s", slurp(r.err));

	replay(SAMPLE_DIR "/tcp_consumer", r.trace, rec);
	int nl = parse(slurp(live), false, port, a, MAXC), nr = parse(slurp(rec), false, port, b, MAXC);
	cr_assert_eq(nl, 10, "both ends of 5 connections, live");
	cr_assert_eq(nr, 10, "both ends of 5 connections, from the trace:\n%s", slurp(rec));
	qsort(a, (size_t)nl, sizeof(a[0]), by_ports);
	qsort(b, (size_t)nr, sizeof(b[0]), by_ports);
	assert_same(a, b, nl);
	for (int i = 0; i < nl; i++) {
		bool client = a[i].dport == port;

		cr_assert_str_eq(a[i].task, "wl_tcp");
		cr_assert_str_eq(a[i].saddr, "127.0.0.1");
		cr_assert_eq(a[i].tx, client ? 2000 : 30000);
		cr_assert_eq(a[i].rx, client ? 30000 : 2000);
		cr_assert_gt(a[i].tx_pkts, 0);
		cr_assert_gt(a[i].rx_pkts, 0);
	}
	run_cleanup(&r);
	assert_nothing_left();
}

Test(api_compat, udp_consumer_live_and_from_its_trace)
{
	struct run r;
	char live[256], rec[256];
	static struct conn a[MAXC], b[MAXC];
	const char *args[] = { "--probes", "udp", NULL };
	const char *wl[] = { WL("wl_udp"), "1", "100", "1472", "9000", NULL };
	const unsigned long sizes[] = { 1, 100, 1472, 9000 };
	unsigned sport, rport;

	run_init(&r);
	snprintf(live, sizeof(live), "%s/live.out", r.dir);
	snprintf(rec, sizeof(rec), "%s/replay.out", r.dir);
	run_start(&r, args);
	run_wait_ready(&r);
	pid_t c = start_consumer(SAMPLE_DIR "/udp_consumer", live, "UDP monitoring active");
	sport = run_workload(wl, &rport);
	wait_events(live, true, rport, 8, a, MAXC);
	stop_consumer(c, live);
	kill(r.pid, SIGINT);
	cr_assert_eq(run_wait(&r), 0, "%s", slurp(r.err));

	replay(SAMPLE_DIR "/udp_consumer", r.trace, rec);
	int nl = parse(slurp(live), true, rport, a, MAXC), nr = parse(slurp(rec), true, rport, b, MAXC);
	cr_assert_eq(nl, 8, "4 datagrams sent and received, live");
	cr_assert_eq(nr, 8, "4 datagrams sent and received, from the trace:\n%s", slurp(rec));
	qsort(a, (size_t)nl, sizeof(a[0]), by_ports);
	qsort(b, (size_t)nr, sizeof(b[0]), by_ports);
	assert_same(a, b, nl);
	unsigned long sent = 0, received = 0;
	for (int i = 0; i < nl; i++) {
		cr_assert_str_eq(a[i].task, "wl_udp");
		cr_assert_eq(a[i].family, 2);
		cr_assert_eq(a[i].tx_pkts + a[i].rx_pkts, 1);
		if (a[i].tx_pkts) {
			cr_assert_eq(a[i].sport, sport, "sent from the sender's socket");
			cr_assert_eq(a[i].dport, rport);
			sent += a[i].tx;
		} else {
			cr_assert_eq(a[i].sport, rport, "received on the receiver's socket");
			received += a[i].rx;
		}
	}
	cr_assert_eq(sent, sizes[0] + sizes[1] + sizes[2] + sizes[3]);
	cr_assert_eq(received, sent);
	run_cleanup(&r);
	assert_nothing_left();
}
