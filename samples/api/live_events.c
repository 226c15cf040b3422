// SPDX-License-Identifier: MIT
/*
 * live_events [-p PROBES] [-c COMM] [-P PID] [-n COUNT] [TYPE...]: the
 * kernel's events as they happen, in this process (root, or CAP_BPF and
 * CAP_PERFMON): the recorder's probes through the public C API, waited for
 * with poll() beside the terminal, so a key press (Enter) stops it as
 * Ctrl-C does. Stops after COUNT events; the events still in the kernel's
 * ring then come out, and what could not be stored is counted.
 *
 *   sudo ./live_events -p tcp tcp_life
 *   cc live_events.c $(pkg-config --cflags --libs ebpftrace)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebpftrace.h"
#include "print.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	char msg[512];
	struct ebpftrace_live_opts opts = { .sz = sizeof(opts), .errbuf = msg,
					    .errbuf_size = sizeof(msg) };
	unsigned long long count = 0, max = 0;
	struct ebpftrace_session *s;
	struct ebpftrace_event ev;
	struct ebpftrace_stats st;
	uint32_t pid;
	int c, err;

	while ((c = getopt(argc, argv, "p:c:P:n:h")) != -1) {
		switch (c) {
		case 'p': opts.probes = optarg; break;
		case 'c': opts.comm = optarg; break;
		case 'P':
			pid = (uint32_t)strtoul(optarg, NULL, 10);
			opts.pids = &pid;
			opts.npids = 1;
			break;
		case 'n': max = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: live_events [-p PROBES] [-c COMM] [-P PID] [-n COUNT] [TYPE...]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc)
		opts.types = (const char *const *)argv + optind;
	s = ebpftrace_session__open_live(&opts);
	if (!s) {
		fprintf(stderr, "live_events: %s\n", msg[0] ? msg : ebpftrace_strerror(-errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "live_events: ready\n");
	struct pollfd fds[2] = { { ebpftrace_session__fd(s), POLLIN, 0 }, { 0, POLLIN, 0 } };
	int nfds = isatty(0) ? 2 : 1;

	for (;;) {
		while ((err = ebpftrace_session__next(s, &ev, 0)) == 0) {
			print_event(stdout, &ev);
			if (max && ++count == max)
				stop = 1;
			if (stop)
				break;
		}
		if (err == -ENOENT)
			break;
		if (err && err != -EAGAIN) {
			fprintf(stderr, "live_events: %s\n", ebpftrace_strerror(err));
			break;
		}
		if (stop) {
			/* what is already in the ring comes next, then -ENOENT */
			ebpftrace_session__stop(s);
			max = 0;
			continue;
		}
		fflush(stdout);
		if (poll(fds, (nfds_t)nfds, -1) > 0 && nfds == 2 && (fds[1].revents & POLLIN))
			stop = 1;
	}
	ebpftrace_session__stats(s, &st);
	ebpftrace_session__close(s);
	fprintf(stderr, "live_events: %llu events, %llu lost\n", (unsigned long long)st.events,
		(unsigned long long)st.lost);
	return err && err != -ENOENT ? 1 : 0;
}
