// SPDX-License-Identifier: MIT
/* Live: the `opens` probe against real open(2) calls. */
#include "test_record_helpers.h"

static const char *const open_types[] = { "open", NULL };

static void make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cr_assert_geq(fd, 0);
	close(fd);
}

/* N opens of a known path: exactly N records, with that path and comm. */
static void check_exact_opens(const char *strategy, const char *expect_meta_prefix)
{
	struct run r;
	char path[160], n_str[16];
	const long n = 1000;
	struct trace_reader *t;
	struct trace_event ev;
	uint64_t hits = 0, pid;
	int err;

	run_init(&r);
	snprintf(path, sizeof(path), "%s/target-file", r.dir);
	make_file(path);
	snprintf(n_str, sizeof(n_str), "%ld", n);
	const char *args[] = { "--probes", "opens", "--strategy", strategy, "--",
			       WL("wl_opens"), path, n_str, NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));

	t = trace_open(r.trace);
	cr_assert_not_null(trace_reader__meta(t, 0, "probe.opens"));
	cr_assert_eq(strncmp(trace_reader__meta(t, 0, "probe.opens"), expect_meta_prefix,
			     strlen(expect_meta_prefix)), 0, "probe.opens = %s",
		     trace_reader__meta(t, 0, "probe.opens"));
	pid = meta_u64(t, "filter.pid");
	while ((err = trace_reader__next(t, &ev)) == 0) {
		if (!ev_is(&ev, "open") || strcmp(ev_str(&ev, "path"), path))
			continue;
		hits++;
		cr_assert_str_eq(ev_str(&ev, "comm"), "wl_opens");
		cr_assert_str_eq(ev_str(&ev, "call"), "openat");
		cr_assert_eq(ev_u64(&ev, "pid"), pid);
		cr_assert_eq(ev_u64(&ev, "tid"), pid);
		cr_assert_eq(ev_u64(&ev, "uid"), getuid());
		cr_assert_geq(ev_i64(&ev, "ret"), 3, "an fd");
		cr_assert_eq(ev_i64(&ev, "dirfd"), -100);
		cr_assert_eq(ev_u64(&ev, "flags"), (uint64_t)(O_RDONLY | O_CLOEXEC));
		cr_assert_gt(ev_u64(&ev, "latency_ns"), 0);
		cr_assert_eq(ev_u64(&ev, "ts"), ev.ts);
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_eq(hits, (uint64_t)n, "%llu open records of %s, expected %ld",
		     (unsigned long long)hits, path, n);
	assert_accounting(r.trace, "opens", open_types);
	assert_nothing_left();
	run_cleanup(&r);
}

Test(record_opens, exact_count_path_comm)
{
	check_exact_opens("opens=tracepoint", "tracepoint:syscalls:sys_enter_openat");
}

Test(record_opens, exact_count_with_tp_btf_fallback)
{
	check_exact_opens("opens=tp_btf", "tp_btf:sys_enter,sys_exit");
}

/* A FIFO whose writer arrives after 300 ms: the reader's open lasts that. */
Test(record_opens, slow_open_latency)
{
	struct run r;
	char fifo[160];
	struct trace_reader *t;
	struct trace_event ev;
	int readers = 0, writers = 0, err;

	run_init(&r);
	snprintf(fifo, sizeof(fifo), "%s/slow.fifo", r.dir);
	const char *args[] = { "--probes", "opens", "--", WL("wl_fifo"), fifo, "300", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));

	t = trace_open(r.trace);
	while ((err = trace_reader__next(t, &ev)) == 0) {
		if (!ev_is(&ev, "open") || strcmp(ev_str(&ev, "path"), fifo))
			continue;
		cr_assert_geq(ev_i64(&ev, "ret"), 0);
		if ((ev_u64(&ev, "flags") & O_ACCMODE) == O_RDONLY) {
			readers++;
			cr_assert_geq(ev_u64(&ev, "latency_ns"), 300000000ULL,
				      "the blocked open took %llu ns",
				      (unsigned long long)ev_u64(&ev, "latency_ns"));
			cr_assert_lt(ev_u64(&ev, "latency_ns"), 5000000000ULL);
		} else {
			/* The writer is a forked child: followed by the pid filter. */
			writers++;
		}
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_eq(readers, 1);
	cr_assert_eq(writers, 1);
	assert_accounting(r.trace, "opens", open_types);
	assert_nothing_left();
	run_cleanup(&r);
}

/* A ring far too small for the rate: events are lost, and every one of
 * them is accounted for. */
Test(record_opens, lost_events_accounted)
{
	struct run r;
	char path[160];
	struct trace_reader *t;

	run_init(&r);
	snprintf(path, sizeof(path), "%s/target-file", r.dir);
	make_file(path);
	const char *args[] = { "--probes", "opens", "--ring-size", "4K", "--",
			       WL("wl_opens"), path, "200000", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	t = trace_open(r.trace);
	cr_assert_gt(meta_u64(t, "probe.opens.lost"), 0, "a 4K ring lost nothing at this rate?");
	cr_assert_geq(meta_u64(t, "probe.opens.seen"), 200000);
	trace_reader__close(t);
	assert_accounting(r.trace, "opens", open_types);
	cr_assert(strstr(slurp(r.err), " lost"), "the summary reports losses: %s", slurp(r.err));
	assert_nothing_left();
	run_cleanup(&r);
}
