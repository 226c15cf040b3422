// SPDX-License-Identifier: MIT
/*
 * trace_events TRACE [TYPE...]: prints the events of a recorded trace (all,
 * or of the types named: open, tcp_life, udp, ...), one per line with its
 * wall-clock time and fields; then how many, and what the recording lost.
 * No root, no BPF: the public C API reading a file.
 *
 *   cc trace_events.c $(pkg-config --cflags --libs ebpftrace)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ebpftrace.h"
#include "print.h"

int main(int argc, char **argv)
{
	struct ebpftrace_trace_opts opts = { .sz = sizeof(opts) };
	struct ebpftrace_session *s;
	struct ebpftrace_event ev;
	struct ebpftrace_stats st;
	int err;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: trace_events TRACE [TYPE...]\n");
		return argc < 2 ? 2 : 0;
	}
	if (argc > 2)
		opts.types = (const char *const *)argv + 2; /* argv ends with NULL */
	s = ebpftrace_session__open_trace(argv[1], &opts);
	if (!s) {
		fprintf(stderr, "trace_events: cannot read %s: %s\n", argv[1],
			ebpftrace_strerror(-errno));
		return 1;
	}
	while ((err = ebpftrace_session__next(s, &ev, -1)) == 0)
		print_event(stdout, &ev);
	ebpftrace_session__stats(s, &st);
	ebpftrace_session__close(s);
	if (err != -ENOENT) {
		fprintf(stderr, "trace_events: reading %s: %s\n", argv[1], ebpftrace_strerror(err));
		return 1;
	}
	fprintf(stderr, "trace_events: %llu events; the recording lost %llu; %llu damaged parts skipped\n",
		(unsigned long long)st.events, (unsigned long long)st.lost,
		(unsigned long long)st.damaged_chunks);
	return 0;
}
