// SPDX-License-Identifier: MIT
/*
 * Overload: workloads that each make an exact number of opens, started
 * together into a ring buffer far too small for them. Every event the
 * workloads made must be in the trace, or counted lost: recorded + lost =
 * generated, exactly, against the workloads' own counts (the recorder
 * follows only them, with -p); and the closing metadata must say the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#define MAX_WORKERS 8

/* What a trace holds of the workers. */
struct tally {
	uint64_t opens;        /* open records of the workers, of their file */
	uint64_t other_opens;  /* open records of anything else */
	uint64_t exits;        /* exit records of the workers */
	uint64_t lost[2];      /* lost records' counts: opens, proc */
	uint64_t seen[2], recorded[2], meta_lost[2]; /* closing metadata */
	bool have_meta;
	int err;
};

static bool is_worker(uint32_t pid, const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if ((uint32_t)pids[i] == pid)
			return true;
	return false;
}

/* Closing metadata: in the last file of a segment set. */
static uint64_t meta_num(struct trace_reader *r, const char *key, bool *ok)
{
	const char *v = trace_reader__meta(r, (uint16_t)(trace_reader__nfiles(r) - 1), key);

	if (!v)
		*ok = false;
	return v ? strtoull(v, NULL, 10) : 0;
}

static void tally(const char *path, const pid_t *pids, int n, const char *file, struct tally *t)
{
	struct trace_reader *r = trace_reader__open(path, NULL);
	struct trace_event ev;
	int err;

	memset(t, 0, sizeof(*t));
	if (!r) {
		t->err = -errno;
		return;
	}
	while ((err = trace_reader__next(r, &ev)) == 0) {
		const char *type = trace_schema__name(ev.schema);

		if (!strcmp(type, "open")) {
			const struct trace_field_desc *pf = trace_schema__find_field(ev.schema, "pid");
			const struct trace_field_desc *ff = trace_schema__find_field(ev.schema, "path");
			uint32_t pid = pf ? (uint32_t)trace_field__u64(pf, ev.data, 0) : 0;

			if (is_worker(pid, pids, n) && ff && !strcmp(trace_field__str(ff, ev.data), file))
				t->opens++;
			else
				t->other_opens++;
		} else if (!strcmp(type, "exit")) {
			const struct trace_field_desc *pf = trace_schema__find_field(ev.schema, "pid");

			t->exits += pf && is_worker((uint32_t)trace_field__u64(pf, ev.data, 0), pids, n);
		} else if (ev.type == TRACE_TYPE_LOST) {
			struct trace_lost l;

			if (trace_event__lost(&ev, &l) == 0) {
				if (!strcmp(l.probe, "opens"))
					t->lost[0] += l.count;
				else if (!strcmp(l.probe, "proc"))
					t->lost[1] += l.count;
			}
		}
	}
	t->err = err == -ENOENT ? 0 : err;
	t->have_meta = true;
	t->seen[0] = meta_num(r, "probe.opens.seen", &t->have_meta);
	t->recorded[0] = meta_num(r, "probe.opens.recorded", &t->have_meta);
	t->meta_lost[0] = meta_num(r, "probe.opens.lost", &t->have_meta);
	t->seen[1] = meta_num(r, "probe.proc.seen", &t->have_meta);
	t->recorded[1] = meta_num(r, "probe.proc.recorded", &t->have_meta);
	t->meta_lost[1] = meta_num(r, "probe.proc.lost", &t->have_meta);
	trace_reader__close(r);
}

/* Every segment of a set stands alone: intact, indexed, its own metadata
 * of the same session and its own process snapshot; with keep, only the
 * newest keep remain, numbered without gaps. */
static bool check_segments(const char *tag, const char *base, unsigned keep)
{
	char pattern[700], session[40] = "";
	glob_t g;
	bool ok = true, alone = true;
	unsigned first = 0, last = 0;

	snprintf(pattern, sizeof(pattern), "%s.[0-9][0-9][0-9][0-9]*", base);
	if (glob(pattern, 0, NULL, &g) != 0) {
		return check(false, "%s: no segments", tag);
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct walk w;
		struct trace_reader *r;
		const char *p = g.gl_pathv[i];
		unsigned num = (unsigned)strtoul(p + strlen(base) + 1, NULL, 10);
		uint64_t procs = 0;

		if (i == 0)
			first = num;
		last = num;
		walk_file(p, &w);
		r = trace_reader__open(p, NULL);
		if (r) {
			const char *sid = trace_reader__meta(r, 0, "session.id");
			struct trace_event ev;

			if (!session[0] && sid)
				snprintf(session, sizeof(session), "%s", sid);
			alone &= sid && !strcmp(sid, session) && trace_reader__meta(r, 0, "probes") &&
				 trace_reader__schema(r, 0, "open");
			while (trace_reader__next(r, &ev) == 0)
				procs += ev.type == TRACE_TYPE_PROCESS;
			trace_reader__close(r);
		}
		alone &= r && w.intact && w.indexed && procs > 0 && replay_verify(p) == 0;
	}
	ok &= check(g.gl_pathc >= 2, "%s: %zu segments (%u..%u)", tag, g.gl_pathc, first, last);
	ok &= check(alone, "%s: each segment verifies, is indexed, and has the session's metadata, "
		    "the schemas and a process snapshot", tag);
	if (keep) {
		ok &= check(g.gl_pathc == keep && last - first + 1 == keep && first > 0,
			    "%s: --keep %u: the newest %u remain (%u..%u)", tag, keep, keep, first, last);
		struct readback rb;
		/* read first: the count printed is an argument of the check */
		int rerr = read_back(base, &rb);
		ok &= check(rerr == 0 && rb.events > 0 && rb.st.chunks_bad == 0,
			    "%s: the remaining set reads as one recording (%llu events)", tag,
			    (unsigned long long)rb.events);
	}
	globfree(&g);
	return ok;
}

/* o->workers wl_opens of o->n opens each, released together once the
 * recorder runs; optionally the recorder is stopped (SIGSTOP) for a while
 * meanwhile, or rotates into segments. Returns true when every check
 * held. */
bool overload_run(const struct load_opts *o)
{
	const char *tag = o->tag, *ring = o->ring;
	int nworkers = o->workers;
	unsigned n = o->n, stop_ms = o->stop_ms;
	char *dir = scratch_dir(tag), file[600], trace[600], err[600], pidlist[200] = "";
	char wl[700], count[32], ringarg[32];
	int pipes[MAX_WORKERS][2];
	pid_t pids[MAX_WORKERS], rec;
	struct proc_result pr;
	struct tally t;
	bool ok = true, workers_ok = true;
	size_t len = 0;

	snprintf(file, sizeof(file), "%s/target", dir);
	snprintf(trace, sizeof(trace), "%s/run.trace", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(wl, sizeof(wl), "%s/wl_opens", env.workloads);
	snprintf(count, sizeof(count), "%u", n);
	snprintf(ringarg, sizeof(ringarg), "%s", ring);
	close(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	for (int i = 0; i < nworkers; i++) {
		const char *argv[] = { wl, file, count, "--wait", NULL };
		struct spawn_opts wo = { .in_fd = -1 };

		if (pipe2(pipes[i], O_CLOEXEC))
			abort();
		wo.in_fd = pipes[i][0];
		pids[i] = spawn(argv, &wo);
		close(pipes[i][0]);
		len += (size_t)snprintf(pidlist + len, sizeof(pidlist) - len, "%s%d", i ? "," : "",
					(int)pids[i]);
	}
	const char *rargv[16] = { env.record, "-o", trace, "--probes", "opens,proc", "-p", pidlist,
				  "--ring-size", ringarg, "--flush-interval", "200ms" };
	int ra = 11;
	if (o->segment_size) {
		rargv[ra++] = "--segment-size";
		rargv[ra++] = o->segment_size;
	}
	if (o->keep) {
		rargv[ra++] = "--keep";
		rargv[ra++] = o->keep;
	}
	rargv[ra] = NULL;
	struct spawn_opts ro = { .in_fd = -1, .err = err };
	rec = spawn(rargv, &ro);
	if (!check(wait_for_text(err, "recording to", 60000), "%s: the recorder starts", tag)) {
		char *e = slurp(err, NULL);

		note("stderr: %s", e ? e : "");
		free(e);
		kill(rec, SIGKILL);
		reap(rec, 0, &pr);
		for (int i = 0; i < nworkers; i++) {
			kill(pids[i], SIGKILL);
			reap(pids[i], 0, &pr);
		}
		rm_rf(dir);
		free(dir);
		return false;
	}
	uint64_t t0 = mono_ns();
	for (int i = 0; i < nworkers; i++) {
		if (write(pipes[i][1], "x", 1) != 1)
			abort();
		close(pipes[i][1]);
	}
	if (stop_ms) {
		sleep_ms(50);
		kill(rec, SIGSTOP);
		sleep_ms(stop_ms);
		kill(rec, SIGCONT);
	}
	for (int i = 0; i < nworkers; i++) {
		reap(pids[i], 600000, &pr);
		workers_ok &= pr.exited && pr.code == 0;
	}
	double secs = (double)(mono_ns() - t0) / 1e9;
	ok &= check(workers_ok, "%s: %d workers made their %u opens each", tag, nworkers, n);
	sleep_ms(300);
	kill(rec, SIGINT);
	reap(rec, 120000, &pr);
	ok &= check(pr.exited && pr.code == 0, "%s: the recorder stops cleanly on SIGINT (%s)", tag,
		    proc_status(&pr));
	tally(trace, pids, nworkers, file, &t);
	uint64_t gen = (uint64_t)nworkers * n, gen_proc = (uint64_t)nworkers;
	if (o->segment_size)
		ok &= check_segments(tag, trace, o->keep ? (unsigned)atoi(o->keep) : 0);
	if (o->keep) {
		/* The oldest segments are gone: no totals to add up. */
		const char *left = bpf_leftover(5000);

		ok &= check(!left, "%s: nothing of ours left in the kernel%s%s", tag, left ? ": " : "",
			    left ? left : "");
		rm_rf(dir);
		free(dir);
		return ok;
	}
	ok &= check(t.err == 0, "%s: the trace reads to its end (%s)", tag,
		    t.err ? trace_strerror(t.err) : "ok");
	ok &= check(t.opens + t.lost[0] == gen,
		    "%s: opens: %llu recorded + %llu lost = %llu generated by the workers", tag,
		    (unsigned long long)t.opens, (unsigned long long)t.lost[0], (unsigned long long)gen);
	ok &= check(t.exits + t.lost[1] == gen_proc,
		    "%s: proc: %llu exits recorded + %llu lost = %llu workers", tag,
		    (unsigned long long)t.exits, (unsigned long long)t.lost[1],
		    (unsigned long long)gen_proc);
	ok &= check(t.other_opens == 0, "%s: nothing but the workers recorded (%llu other opens)", tag,
		    (unsigned long long)t.other_opens);
	ok &= check(t.have_meta && t.seen[0] == gen && t.recorded[0] == t.opens &&
			    t.meta_lost[0] == t.lost[0] && t.seen[1] == t.recorded[1] + t.meta_lost[1],
		    "%s: closing metadata agrees: opens seen %llu, recorded %llu, lost %llu", tag,
		    (unsigned long long)t.seen[0], (unsigned long long)t.recorded[0],
		    (unsigned long long)t.meta_lost[0]);
	/* Rotation runs test rotation under load: whether their ring also
	 * overflows depends on the machine, and either way it adds up. */
	if (o->segment_size)
		note("%s: %.1f%% lost", tag, gen ? 100.0 * (double)t.lost[0] / (double)gen : 0.0);
	else
		ok &= check(t.lost[0] > 0, "%s: the ring overflowed (%.1f%% lost): the test tested "
			    "overload", tag, gen ? 100.0 * (double)t.lost[0] / (double)gen : 0.0);
	ok &= check(replay_verify(trace) == 0, "%s: ebpf-replay --verify: intact", tag);
	if (!o->segment_size) {
		struct walk w;

		walk_file(trace, &w);
		ok &= check(w.intact && w.indexed, "%s: the file is intact and indexed, block by block",
			    tag);
	}
	const char *left = bpf_leftover(5000);
	ok &= check(!left, "%s: nothing of ours left in the kernel%s%s", tag, left ? ": " : "",
		    left ? left : "");
	note("%s: %llu events offered in %.2f s (%.0f/s) to a %s ring", tag,
	     (unsigned long long)(gen + gen_proc), secs, (double)gen / secs, ring);
	fig.overload_runs++;
	fig.generated += gen + gen_proc;
	fig.recorded += t.opens + t.exits;
	fig.lost += t.lost[0] + t.lost[1];
	if (t.opens + t.lost[0] != gen)
		fig.unaccounted += t.opens + t.lost[0] > gen ? t.opens + t.lost[0] - gen
							      : gen - t.opens - t.lost[0];
	if (t.exits + t.lost[1] != gen_proc)
		fig.unaccounted += t.exits + t.lost[1] > gen_proc ? t.exits + t.lost[1] - gen_proc
								  : gen_proc - t.exits - t.lost[1];
	if (secs > 0 && (double)gen / secs > fig.offered_rate)
		fig.offered_rate = (double)gen / secs;
	rm_rf(dir);
	free(dir);
	return ok;
}

void section_overload(void)
{
	unsigned n = env.opens_per_worker;
	struct load_opts a = { .tag = "4 workers, 64K ring", .workers = 4, .n = n, .ring = "64K" };
	struct load_opts b = { .tag = "2 workers, 4K ring", .workers = 2, .n = n / 2, .ring = "4K" };
	struct load_opts c = { .tag = "8 workers, 1M ring", .workers = 8, .n = n, .ring = "1M" };

	overload_run(&a);
	overload_run(&b);
	if (env.full)
		overload_run(&c);
}
