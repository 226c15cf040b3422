// SPDX-License-Identifier: MIT
/* Memory stays flat: a 10-million-event trace is written and read with
 * resident memory that does not grow with the trace. */
#include "test_format_util.h"

/* Under ASan every allocation is quarantined and the run is ~10x slower:
 * a shorter trace still shows flatness there. */
#if defined(__SANITIZE_ADDRESS__)
#define NEVENTS 2000000ull
#else
#define NEVENTS 10000000ull
#endif

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

Test(format_memory, ten_million_events_with_flat_memory, .timeout = 600)
{
	char *dir = t_mkdtemp(), *path = t_path(dir, "big.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	struct trace_event ev;
	long w_early = 0, w_late, r_early = 0, r_late;
	uint64_t n = 0, sum = 0, want_sum = 0;
	int t;

	cr_assert_not_null(w);
	t = trace_writer__add_type(w, &t_open_desc);
	for (uint64_t i = 0; i < NEVENTS; i++) {
		struct t_open o;

		t_open_make(&o, i);
		want_sum += o.latency_ns;
		cr_assert_eq(trace_writer__append(w, t, &o, sizeof(o)), 0);
		if (i == NEVENTS / 10)
			w_early = rss_kb();
	}
	w_late = rss_kb();
	cr_assert_eq(trace_writer__close(w), 0);
	cr_assert_lt(w_late - w_early, 4096, "writer grew from %ld kB to %ld kB", w_early, w_late);

	struct trace_reader *r = trace_reader__open(path, NULL);

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct t_open *o = ev.data;

		sum += o->latency_ns;
		if (++n == NEVENTS / 10)
			r_early = rss_kb();
	}
	r_late = rss_kb();
	cr_assert_eq(n, NEVENTS);
	cr_assert_eq(sum, want_sum);
	cr_assert_lt(r_late - r_early, 1024, "reader grew from %ld kB to %ld kB", r_early, r_late);
	trace_reader__close(r);
	free(path);
	t_rmdir(dir);
}
