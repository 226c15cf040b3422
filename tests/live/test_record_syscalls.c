// SPDX-License-Identifier: MIT
/* Live: the `syscalls` probe (histograms and events), -c, and segments. */
#include <dirent.h>

#include "test_record_helpers.h"

static const char *const syscall_types[] = { "syscall", NULL };
static const char *const open_types[] = { "open", NULL };

#define MAX_NR 1024

/* Every call of the command as an event, and the histograms: per syscall,
 * the events and the last snapshot's count agree exactly. */
Test(record_syscalls, events_match_histograms)
{
	static uint64_t events[MAX_NR], hist[MAX_NR], hist_ts[MAX_NR];
	int openat_nr = -1, names = 0, err;
	struct trace_reader *t;
	struct trace_event ev;
	char path[160];
	uint64_t pid;
	struct run r;

	run_init(&r);
	snprintf(path, sizeof(path), "%s/f", r.dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	const char *args[] = { "--probes", "syscalls", "--min-latency", "0", "--",
			       WL("wl_opens"), path, "2000", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));

	t = trace_open(r.trace);
	pid = meta_u64(t, "filter.pid");
	cr_assert_eq(meta_u64(t, "filter.min_latency_ns"), 0);
	while ((err = trace_reader__next(t, &ev)) == 0) {
		if (ev_is(&ev, "syscall_name")) {
			names++;
			if (!strcmp(ev_str(&ev, "name"), "openat"))
				openat_nr = (int)ev_u64(&ev, "nr");
		} else if (ev_is(&ev, "syscall")) {
			cr_assert_lt(ev_u64(&ev, "nr"), MAX_NR);
			cr_assert_eq(ev_u64(&ev, "pid"), pid);
			events[ev_u64(&ev, "nr")]++;
		} else if (ev_is(&ev, "syscall_hist")) {
			const struct trace_field_desc *slots = field(&ev, "slots");
			uint64_t nr = ev_u64(&ev, "nr"), sum = 0;

			cr_assert_eq(slots->count, 40);
			for (size_t i = 0; i < slots->count; i++)
				sum += trace_field__u64(slots, ev.data, i);
			cr_assert_eq(sum, ev_u64(&ev, "count"), "slots add up to count");
			cr_assert_geq(ev_u64(&ev, "total_ns"), ev_u64(&ev, "max_ns"));
			cr_assert_lt(nr, MAX_NR);
			cr_assert_geq(ev.ts, hist_ts[nr]);
			cr_assert_geq(ev_u64(&ev, "count"), hist[nr], "cumulative");
			hist[nr] = ev_u64(&ev, "count");
			hist_ts[nr] = ev.ts;
		}
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_gt(names, 300, "the syscall table");
	cr_assert_geq(openat_nr, 0);
	cr_assert_geq(events[openat_nr], 2000);
	for (int nr = 0; nr < MAX_NR; nr++)
		cr_assert_eq(events[nr], hist[nr], "syscall %d: %llu events, histogram %llu", nr,
			     (unsigned long long)events[nr], (unsigned long long)hist[nr]);
	assert_accounting(r.trace, "syscalls", syscall_types);
	assert_nothing_left();
	run_cleanup(&r);
}

/* --min-latency: only the slow calls, the FIFO open among them. */
Test(record_syscalls, min_latency_keeps_slow_calls)
{
	unsigned slow_opens = 0, n = 0;
	struct trace_reader *t;
	struct trace_event ev;
	char fifo[160];
	struct run r;

	run_init(&r);
	snprintf(fifo, sizeof(fifo), "%s/slow.fifo", r.dir);
	const char *args[] = { "--probes", "syscalls", "--min-latency", "100ms", "--",
			       WL("wl_fifo"), fifo, "250", NULL };
	cr_assert_eq(run_sync(&r, args), 0, "stderr: %s", slurp(r.err));
	t = trace_open(r.trace);
	while (trace_reader__next(t, &ev) == 0) {
		if (!ev_is(&ev, "syscall"))
			continue;
		n++;
		cr_assert_geq(ev_u64(&ev, "latency_ns"), 100000000ULL);
		if (!strcmp(ev_str(&ev, "comm"), "wl_fifo") && ev_u64(&ev, "latency_ns") >= 250000000ULL &&
		    ev_i64(&ev, "ret") >= 0)
			slow_opens++;
	}
	trace_reader__close(t);
	/* The blocked open, the writer's sleep and the parent's wait. */
	cr_assert_geq(slow_opens, 2, "%u slow calls of %u", slow_opens, n);
	cr_assert_leq(n, 10);
	assert_accounting(r.trace, "syscalls", syscall_types);
	assert_nothing_left();
	run_cleanup(&r);
}

/* -c: only tasks of that name, system-wide. */
Test(record_syscalls, comm_filter)
{
	char mine[160], other[160];
	struct trace_reader *t;
	struct trace_event ev;
	unsigned hits = 0;
	struct run r;
	int status;
	pid_t p;

	run_init(&r);
	snprintf(mine, sizeof(mine), "%s/mine", r.dir);
	snprintf(other, sizeof(other), "%s/other", r.dir);
	const char *args[] = { "-c", "wl_opens", "--probes", "opens", NULL };
	run_start(&r, args);
	run_wait_ready(&r);
	close(open(mine, O_CREAT | O_WRONLY, 0600));
	close(open(other, O_CREAT | O_WRONLY, 0600));
	p = fork();
	if (p == 0) {
		execl(WL("wl_opens"), "wl_opens", mine, "700", (char *)NULL);
		_exit(127);
	}
	waitpid(p, &status, 0);
	for (int i = 0; i < 50; i++)
		close(open(other, O_RDONLY)); /* this test's own name is not wl_opens */
	sleep_ms(100);
	kill(r.pid, SIGINT);
	cr_assert_eq(run_wait(&r), 0, "stderr: %s", slurp(r.err));
	t = trace_open(r.trace);
	cr_assert_str_eq(trace_reader__meta(t, 0, "filter.comm"), "wl_opens");
	while (trace_reader__next(t, &ev) == 0) {
		if (!ev_is(&ev, "open"))
			continue;
		cr_assert_str_eq(ev_str(&ev, "comm"), "wl_opens");
		hits += !strcmp(ev_str(&ev, "path"), mine);
	}
	trace_reader__close(t);
	cr_assert_eq(hits, 700);
	assert_accounting(r.trace, "opens", open_types);
	assert_nothing_left();
	run_cleanup(&r);
}

/* --segment-size and --keep: rotation keeps the newest N segments, each
 * readable on its own and beginning with a process snapshot and the
 * syscall table. */
Test(record_syscalls, segments_keep_newest)
{
	char path[160], seg[400];
	unsigned nseg = 0, last = 0;
	struct dirent *de;
	struct run r;
	DIR *d;
	pid_t load;

	run_init(&r);
	snprintf(path, sizeof(path), "%s/f", r.dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	const char *args[] = { "--probes", "opens", "--segment-size", "256K", "--keep", "2",
			       "--flush-interval", "100ms", NULL };
	run_start(&r, args);
	run_wait_ready(&r);
	load = fork();
	if (load == 0) {
		execl(WL("wl_opens"), "wl_opens", path, "100000000", (char *)NULL);
		_exit(127);
	}
	sleep_ms(4000);
	kill(r.pid, SIGINT);
	cr_assert_eq(run_wait(&r), 0, "stderr: %s", slurp(r.err));
	kill(load, SIGKILL);
	waitpid(load, NULL, 0);

	d = opendir(r.dir);
	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		unsigned n;

		if (sscanf(de->d_name, "run.trace.%u", &n) != 1)
			continue;
		nseg++;
		if (n > last)
			last = n;
		snprintf(seg, sizeof(seg), "%s/%s", r.dir, de->d_name);
		cr_assert_gt(count_type(seg, "process"), 10, "%s starts with a snapshot", seg);
		cr_assert_gt(count_type(seg, "syscall_name"), 300, "%s has the syscall table", seg);
		cr_assert_gt(count_type(seg, "open"), 0);
	}
	closedir(d);
	cr_assert_eq(nseg, 2, "--keep 2 (of %u segments written)", last + 1);
	cr_assert_geq(last, 2, "it rotated");
	cr_assert_gt(count_type(r.trace, "open"), 1000, "the base name reads all segments");
	assert_nothing_left();
	run_cleanup(&r);
}
