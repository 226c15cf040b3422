// SPDX-License-Identifier: MIT
/*
 * bench_record_count TRACE TYPE [FIELD VALUE]: prints three numbers: the
 * trace's events (all types), the events of TYPE (whose string or integer
 * FIELD equals VALUE, when given), and the events lost (sum of `lost`
 * records). Fields are found by name, as every reader does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/trace.h"

int main(int argc, char **argv)
{
	uint64_t all = 0, match = 0, lost = 0;
	struct trace_reader *r;
	struct trace_event ev;
	struct trace_lost l;
	int err;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: bench_record_count TRACE TYPE [FIELD VALUE]\n");
		return 2;
	}
	r = trace_reader__open(argv[1], NULL);
	if (!r) {
		fprintf(stderr, "bench_record_count: %s: %s\n", argv[1], trace_strerror(-errno));
		return 1;
	}
	while ((err = trace_reader__next(r, &ev)) == 0) {
		all++;
		if (!strcmp(trace_schema__name(ev.schema), "lost") && !trace_event__lost(&ev, &l))
			lost += l.count;
		if (strcmp(trace_schema__name(ev.schema), argv[2]))
			continue;
		if (argc == 5) {
			const struct trace_field_desc *f = trace_schema__find_field(ev.schema, argv[3]);

			if (!f)
				continue;
			if (f->type == TRACE_FIELD_STR ? strcmp(trace_field__str(f, ev.data), argv[4])
						       : trace_field__i64(f, ev.data, 0) != strtoll(argv[4], NULL, 10))
				continue;
		}
		match++;
	}
	trace_reader__close(r);
	if (err != -ENOENT) {
		fprintf(stderr, "bench_record_count: %s: %s\n", argv[1], trace_strerror(err));
		return 1;
	}
	printf("%llu %llu %llu\n", (unsigned long long)all, (unsigned long long)match,
	       (unsigned long long)lost);
	return 0;
}
