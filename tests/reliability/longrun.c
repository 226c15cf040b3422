// SPDX-License-Identifier: MIT
/*
 * Long run: a recording under steady load (opens, processes, UDP and TCP
 * over loopback: every probe busy) for env.long_seconds, the recorder's
 * resident memory (VmRSS) sampled throughout. Flat means: after the first
 * minute's growth (buffers reaching their working size), the least-squares
 * slope stays under SLOPE_MAX and no sample exceeds the first one after
 * warm-up by more than GROWTH_MAX. The index grows by design, ~100 bytes a
 * chunk (FORMAT.md bounds it at 8 MiB): far below these.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#define SLOPE_MAX_KIB_MIN 64.0
#define GROWTH_MAX_KIB 2048.0

static long vmrss_kib(pid_t pid)
{
	char path[64], *s, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s = slurp(path, NULL);
	p = s ? strstr(s, "VmRSS:") : NULL;
	if (p)
		v = strtol(p + 6, NULL, 10);
	free(s);
	return v;
}

static bool accounting(const char *trace, char *why, size_t len)
{
	static const char *const probes[] = { "opens", "syscalls", "tcp", "udp", "proc", NULL };
	struct trace_reader *r = trace_reader__open(trace, NULL);
	bool ok = r != NULL;

	for (const char *const *p = probes; ok && *p; p++) {
		char k[64];
		const char *v[3];

		snprintf(k, sizeof(k), "probe.%s.seen", *p);
		v[0] = trace_reader__meta(r, 0, k);
		snprintf(k, sizeof(k), "probe.%s.recorded", *p);
		v[1] = trace_reader__meta(r, 0, k);
		snprintf(k, sizeof(k), "probe.%s.lost", *p);
		v[2] = trace_reader__meta(r, 0, k);
		if (!v[0] || !v[1] || !v[2]) {
			snprintf(why, len, "probe %s: no closing counts", *p);
			ok = false;
		} else if (strtoull(v[0], NULL, 10) != strtoull(v[1], NULL, 10) + strtoull(v[2], NULL, 10)) {
			snprintf(why, len, "probe %s: seen %s != recorded %s + lost %s", *p, v[0], v[1], v[2]);
			ok = false;
		}
	}
	trace_reader__close(r);
	return ok;
}

void section_long_run(void)
{
	char *dir = scratch_dir("long"), trace[600], err[600], pid[16], why[200] = "";
	const char *helper[] = { env.self, "--helper", "steady", NULL };
	unsigned period = env.long_seconds >= 300 ? 5 : 2, warm = env.long_seconds >= 300 ? 60 : 15;
	pid_t w = spawn(helper, NULL), rec;
	struct proc_result pr;
	double *t = calloc(env.long_seconds / period + 16, sizeof(double));
	double *v = calloc(env.long_seconds / period + 16, sizeof(double));
	unsigned n = 0;

	snprintf(trace, sizeof(trace), "%s/run.trace", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(pid, sizeof(pid), "%d", (int)w);
	const char *argv[] = { env.record, "-o", trace, "-p", pid, NULL };
	struct spawn_opts o = { .in_fd = -1, .err = err };
	rec = spawn(argv, &o);
	if (!check(wait_for_text(err, "recording to", 60000), "the recorder starts")) {
		kill(rec, SIGKILL);
		kill(w, SIGKILL);
		reap(rec, 0, &pr);
		reap(w, 0, &pr);
		return;
	}
	uint64_t t0 = mono_ns();
	for (;;) {
		double el = (double)(mono_ns() - t0) / 1e9;
		long kib = vmrss_kib(rec);

		if (kib < 0 || el >= env.long_seconds)
			break;
		t[n] = el;
		v[n++] = (double)kib;
		sleep_ms(period * 1000);
	}
	bool alive = kill(rec, 0) == 0;
	kill(rec, SIGINT);
	reap(rec, 120000, &pr);
	struct proc_result wr;
	kill(w, SIGKILL);
	reap(w, 0, &wr);
	check(alive, "the recorder ran the whole %u s", env.long_seconds);

	/* after warm-up: least-squares slope, first, last, max */
	double sx = 0, sy = 0, sxx = 0, sxy = 0, first = 0, last = 0, max = 0;
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		if (v[i] > max)
			max = v[i];
		if (t[i] < warm)
			continue;
		if (!m)
			first = v[i];
		last = v[i];
		sx += t[i], sy += v[i], sxx += t[i] * t[i], sxy += t[i] * v[i];
		m++;
	}
	double slope = m > 2 ? (m * sxy - sx * sy) / (m * sxx - sx * sx) * 60.0 : 0;
	double peak_after = 0;
	for (unsigned i = 0; i < n; i++)
		if (t[i] >= warm && v[i] > peak_after)
			peak_after = v[i];
	fig.long_minutes = n ? t[n - 1] / 60.0 : 0;
	fig.rss_samples = n;
	fig.rss_first_kib = first;
	fig.rss_last_kib = last;
	fig.rss_max_kib = max;
	fig.rss_slope_kib_min = slope;
	note("VmRSS every %u s: %.1f MiB at %u s, %.1f MiB at the end, max %.1f MiB, slope %+.1f KiB/min",
	     period, first / 1024, warm, last / 1024, max / 1024, slope);
	check(m > 2 && slope <= SLOPE_MAX_KIB_MIN && peak_after - first <= GROWTH_MAX_KIB,
	      "memory flat over %.1f min: slope %+.1f KiB/min (<= %.0f), growth after warm-up %.0f KiB "
	      "(<= %.0f)", fig.long_minutes, slope, SLOPE_MAX_KIB_MIN, peak_after - first, GROWTH_MAX_KIB);
	check(pr.exited && pr.code == 0, "the recorder stops cleanly (%s)", proc_status(&pr));
	struct stat st;
	struct readback rb;
	if (stat(trace, &st) == 0 && read_back(trace, &rb) == 0)
		note("%llu events, %.1f MiB on disk", (unsigned long long)rb.events,
		     (double)st.st_size / 1048576);
	check(replay_verify(trace) == 0, "ebpf-replay --verify: intact");
	check(accounting(trace, why, sizeof(why)), "every probe: seen = recorded + lost%s%s",
	      why[0] ? ": " : "", why);
	const char *left = bpf_leftover(5000);
	check(!left, "nothing of ours left in the kernel%s%s", left ? ": " : "", left ? left : "");
	free(t);
	free(v);
	rm_rf(dir);
	free(dir);
}
