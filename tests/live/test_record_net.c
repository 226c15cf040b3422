// SPDX-License-Identifier: MIT
/* Live: the `tcp` and `udp` probes against loopback traffic. */
#include <arpa/inet.h>

#include "test_record_helpers.h"

static const char *const tcp_types[] = { "tcp_state", "tcp_life", NULL };
static const char *const udp_types[] = { "udp", NULL };

static bool is_loopback4(const struct trace_event *ev, const char *name)
{
	const uint8_t *a = ev_bytes(ev, name);

	return a[0] == 127 && a[1] == 0 && a[2] == 0 && a[3] == 1;
}

static bool is_loopback(const struct trace_event *ev, const char *name, int family)
{
	static const uint8_t v6[16] = { [15] = 1 };
	const uint8_t *a = ev_bytes(ev, name);

	if (family == AF_INET6)
		return !memcmp(a, v6, 16);
	return is_loopback4(ev, name);
}

/* M connections with known byte counts: M lifetimes per side whose bytes
 * match exactly both ways. */
static void check_tcp_lifetimes(int family)
{
	const unsigned m = 5, tx = 10000, rx = 250000;
	unsigned clients = 0, servers = 0, port, states = 0;
	struct trace_reader *t;
	struct trace_event ev;
	uint64_t pid;
	struct run r;
	int err;

	run_init(&r);
	const char *a4[] = { "--probes", "tcp", "--", WL("wl_tcp"), "5", "10000", "250000", NULL };
	const char *a6[] = { "--probes", "tcp", "--", WL("wl_tcp"), "-6", "5", "10000", "250000", NULL };
	cr_assert_eq(run_sync(&r, family == AF_INET6 ? a6 : a4), 0, "stderr: %s", slurp(r.err));
	cr_assert_eq(sscanf(slurp(r.out), "%u", &port), 1);

	t = trace_open(r.trace);
	pid = meta_u64(t, "filter.pid");
	while ((err = trace_reader__next(t, &ev)) == 0) {
		if (ev_is(&ev, "tcp_state") &&
		    (ev_u64(&ev, "dport") == port || ev_u64(&ev, "sport") == port)) {
			states++;
			cr_assert_eq(ev_u64(&ev, "family"), (uint64_t)family);
			cr_assert(is_loopback(&ev, "saddr", family));
			/* A listener has no remote end. */
			if (ev_u64(&ev, "dport"))
				cr_assert(is_loopback(&ev, "daddr", family));
		}
		if (!ev_is(&ev, "tcp_life"))
			continue;
		cr_assert_eq(ev_u64(&ev, "family"), (uint64_t)family);
		cr_assert(is_loopback(&ev, "saddr", family) && is_loopback(&ev, "daddr", family));
		cr_assert_eq(ev_u64(&ev, "duration_ns"), ev_u64(&ev, "ts") - ev_u64(&ev, "start_ns"));
		cr_assert_gt(ev_u64(&ev, "start_ns"), 0);
		cr_assert_gt(ev_u64(&ev, "segs_in"), 0);
		cr_assert_gt(ev_u64(&ev, "segs_out"), 0);
		if (ev_u64(&ev, "dport") == port) {
			clients++;
			cr_assert_eq(ev_u64(&ev, "tx_bytes"), tx);
			cr_assert_eq(ev_u64(&ev, "rx_bytes"), rx);
			cr_assert_eq(ev_u64(&ev, "flags"), 0x7, "established, active, start seen");
			cr_assert_eq(ev_u64(&ev, "pid"), pid);
			cr_assert_str_eq(ev_str(&ev, "comm"), "wl_tcp");
		} else if (ev_u64(&ev, "sport") == port) {
			servers++;
			cr_assert_eq(ev_u64(&ev, "tx_bytes"), rx);
			cr_assert_eq(ev_u64(&ev, "rx_bytes"), tx);
			cr_assert_eq(ev_u64(&ev, "flags"), 0x5, "established, passive, start seen");
			cr_assert_neq(ev_u64(&ev, "pid"), 0, "the server (a child) owns it");
			cr_assert_neq(ev_u64(&ev, "pid"), pid);
		}
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_eq(clients, m, "%u client lifetimes", clients);
	cr_assert_eq(servers, m, "%u server lifetimes", servers);
	cr_assert_geq(states, 4 * m, "%u state changes", states);
	assert_accounting(r.trace, "tcp", tcp_types);
	assert_nothing_left();
	run_cleanup(&r);
}

Test(record_net, tcp_lifetimes_exact_bytes)
{
	check_tcp_lifetimes(AF_INET);
}

Test(record_net, tcp_lifetimes_exact_bytes_ipv6)
{
	check_tcp_lifetimes(AF_INET6);
}

/* Datagrams of known sizes: one send and one receive record each. */
Test(record_net, udp_datagram_sizes)
{
	static const unsigned sizes[] = { 1, 100, 1000, 1472, 9000 };
	unsigned sport, rport, sent = 0, received = 0;
	struct trace_reader *t;
	struct trace_event ev;
	struct run r;
	int err;

	run_init(&r);
	const char *args[] = { "--probes", "udp", "--", WL("wl_udp"), "1", "100", "1000", "1472",
			       "9000", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	cr_assert_eq(sscanf(slurp(r.out), "%u %u", &sport, &rport), 2);

	t = trace_open(r.trace);
	while ((err = trace_reader__next(t, &ev)) == 0) {
		if (!ev_is(&ev, "udp"))
			continue;
		cr_assert_str_eq(ev_str(&ev, "comm"), "wl_udp");
		cr_assert_eq(ev_u64(&ev, "family"), AF_INET);
		if (ev_u64(&ev, "dir") == 0 && ev_u64(&ev, "sport") == sport) {
			cr_assert_lt(sent, 5);
			cr_assert_eq(ev_u64(&ev, "bytes"), sizes[sent], "send %u", sent);
			cr_assert_eq(ev_u64(&ev, "dport"), rport);
			cr_assert(is_loopback4(&ev, "daddr"));
			sent++;
		} else if (ev_u64(&ev, "dir") == 1 && ev_u64(&ev, "sport") == rport) {
			cr_assert_lt(received, 5);
			cr_assert_eq(ev_u64(&ev, "bytes"), sizes[received], "receive %u", received);
			cr_assert_eq(ev_u64(&ev, "dport"), 0, "an unconnected socket");
			received++;
		}
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_eq(sent, 5);
	cr_assert_eq(received, 5);
	assert_accounting(r.trace, "udp", udp_types);
	assert_nothing_left();
	run_cleanup(&r);
}

/* --port: only connections on that port, system-wide. */
Test(record_net, port_filter)
{
	unsigned on_port = 0, port = 29123;
	struct trace_reader *t;
	struct trace_event ev;
	struct run r;
	int status;
	pid_t a, b;

	run_init(&r);
	const char *args[] = { "--probes", "tcp", "--port", "29123", NULL };
	run_start(&r, args);
	run_wait_ready(&r);
	a = fork();
	if (a == 0) {
		freopen("/dev/null", "w", stdout);
		execl(WL("wl_tcp"), "wl_tcp", "3", "100", "200", "29123", (char *)NULL);
		_exit(127);
	}
	b = fork();
	if (b == 0) {
		/* The same traffic on an ephemeral port: filtered out. */
		freopen("/dev/null", "w", stdout);
		execl(WL("wl_tcp"), "wl_tcp", "3", "100", "200", (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(a, &status, 0), a);
	cr_assert_eq(status, 0);
	cr_assert_eq(waitpid(b, &status, 0), b);
	cr_assert_eq(status, 0);
	sleep_ms(100);
	kill(r.pid, SIGINT);
	cr_assert_eq(run_wait(&r), 0, "stderr: %s", slurp(r.err));
	t = trace_open(r.trace);
	cr_assert_eq(meta_u64(t, "filter.port"), port);
	while (trace_reader__next(t, &ev) == 0) {
		if (!ev_is(&ev, "tcp_life") && !ev_is(&ev, "tcp_state"))
			continue;
		cr_assert(ev_u64(&ev, "sport") == port || ev_u64(&ev, "dport") == port,
			  "%s %u -> %u", trace_schema__name(ev.schema), (unsigned)ev_u64(&ev, "sport"),
			  (unsigned)ev_u64(&ev, "dport"));
		on_port += ev_is(&ev, "tcp_life") && ev_u64(&ev, "tx_bytes") + ev_u64(&ev, "rx_bytes") == 300;
	}
	trace_reader__close(t);
	cr_assert_eq(on_port, 6, "3 connections, both ends");
	assert_accounting(r.trace, "tcp", tcp_types);
	assert_nothing_left();
	run_cleanup(&r);
}
