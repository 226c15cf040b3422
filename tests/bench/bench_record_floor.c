// SPDX-License-Identifier: MIT
/*
 * bench_record_floor opens|tcp: attaches BPF programs that only count on
 * the tracepoints the recorder's `opens` (or `tcp`) probe uses, says
 * "ready" on stderr, and on SIGINT/SIGTERM prints the count and exits:
 * the slowdown any BPF program causes, the floor the recorder is set
 * against.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skel;
	bool tcp;
	int ncpus, err;
	uint32_t zero = 0;
	uint64_t *vals, total = 0;

	if (argc != 2 || (strcmp(argv[1], "opens") && strcmp(argv[1], "tcp"))) {
		fprintf(stderr, "usage: bench_record_floor opens|tcp\n");
		return 2;
	}
	tcp = !strcmp(argv[1], "tcp");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = floor_bpf__open();
	if (!skel)
		return 1;
	bpf_program__set_autoload(skel->progs.ebt_floor_open_enter, !tcp);
	bpf_program__set_autoload(skel->progs.ebt_floor_open_exit, !tcp);
	bpf_program__set_autoload(skel->progs.ebt_floor_tcp, tcp);
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "bench_record_floor: cannot load: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	fprintf(stderr, "ready\n");
	while (!stop)
		pause();
	ncpus = libbpf_num_possible_cpus();
	vals = calloc((size_t)ncpus, sizeof(*vals));
	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.ebt_floor_count), &zero, vals))
		for (int i = 0; i < ncpus; i++)
			total += vals[i];
	printf("%llu\n", (unsigned long long)total);
	free(vals);
	floor_bpf__destroy(skel);
	return 0;
}
