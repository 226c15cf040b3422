// SPDX-License-Identifier: MIT
/* Helper of bench_query.sh: `gen PATH N SECONDS` writes a synthetic trace;
 * `read PATH` times the bare reader over every event (the speed a scan
 * is measured against). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/query_testlib.h"
#include "trace.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gen") == 0) {
		qt_big_trace(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "read") == 0) {
		struct trace_reader *r = trace_reader__open(argv[2], NULL);
		struct trace_event ev;
		uint64_t n = 0, sum = 0;
		if (!r) {
			fprintf(stderr, "bench_query_gen: %s: cannot read\n", argv[2]);
			return 1;
		}
		double t0 = now();
		while (trace_reader__next(r, &ev) == 0) {
			n++;
			sum += ev.ts;
		}
		double t = now() - t0;
		printf("%llu %.3f %llu\n", (unsigned long long)n, t, (unsigned long long)(sum & 1));
		trace_reader__close(r);
		return 0;
	}
	fprintf(stderr, "usage: bench_query_gen gen PATH EVENTS SECONDS | read PATH\n");
	return 2;
}
