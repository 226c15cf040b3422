// SPDX-License-Identifier: MIT
/*
 * Faults: the recorder killed with SIGKILL at random moments (during its
 * start too), stopped and continued, out of disk, over its file size
 * limit, its directory removed under it, rotating under load. After each:
 * the file reads up to its last flush, `ebpf-replay --verify` says what a
 * block-by-block walk of the file (FORMAT.md alone) says, --recover makes
 * a damaged one whole, and nothing of ours stays in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#define FLUSH_MS 200
/* How late the last event of a killed recording may be, past the flush
 * interval: the drain's period, scheduling on a shared machine. */
#define FLUSH_SLACK_MS 1500

static pid_t start_seq(const char *dir)
{
	const char *argv[] = { env.self, "--helper", "seq", dir, NULL };

	return spawn(argv, NULL);
}

static void stop(pid_t pid)
{
	struct proc_result r;

	if (pid > 0) {
		kill(pid, SIGKILL);
		reap(pid, 0, &r);
	}
}

/* The sequence numbers of the seq helper's opens in a trace: contiguous
 * when nothing was lost, and the latest event's time. */
struct seqs {
	uint64_t events, n, min, max, dups, last_ts, lost;
	int err;
};

static void read_seqs(const char *path, struct seqs *s)
{
	struct trace_reader *r = trace_reader__open(path, NULL);
	struct trace_event ev;
	uint8_t *seen = calloc(1 << 24, 1);
	int err;

	memset(s, 0, sizeof(*s));
	s->min = UINT64_MAX;
	if (!r || !seen) {
		s->err = r ? -ENOMEM : -errno;
		trace_reader__close(r);
		free(seen);
		return;
	}
	while ((err = trace_reader__next(r, &ev)) == 0) {
		s->events++;
		if (ev.ts > s->last_ts)
			s->last_ts = ev.ts;
		if (ev.type == TRACE_TYPE_LOST) {
			struct trace_lost l;

			if (trace_event__lost(&ev, &l) == 0)
				s->lost += l.count;
			continue;
		}
		const struct trace_field_desc *f = trace_schema__find_field(ev.schema, "path");
		const char *p = f && !strcmp(trace_schema__name(ev.schema), "open")
					? strstr(trace_field__str(f, ev.data), "/seq-") : NULL;
		if (!p)
			continue;
		uint64_t v = strtoull(p + 5, NULL, 10);

		s->n++;
		if (v < s->min)
			s->min = v;
		if (v > s->max)
			s->max = v;
		if (v < (1u << 27)) {
			if (seen[v >> 3] & (1u << (v & 7)))
				s->dups++;
			seen[v >> 3] |= (uint8_t)(1u << (v & 7));
		}
	}
	s->err = err == -ENOENT ? 0 : err;
	trace_reader__close(r);
	free(seen);
}

/* --recover of a damaged file: a whole copy with every event the reader
 * read. */
static bool recovers(const char *path, uint64_t events)
{
	char out[700];
	struct proc_result pr;
	struct readback rb;

	snprintf(out, sizeof(out), "%s.recovered", path);
	const char *argv[] = { env.replay, "--recover", "-o", out, path, NULL };
	run(argv, NULL, 120000, &pr);
	bool ok = pr.exited && pr.code == 0 && replay_verify(out) == 0 && read_back(out, &rb) == 0 &&
		  rb.events == events;
	unlink(out);
	return ok;
}

/* What every fault leaves must hold: returns true when it does, and
 * explains the first thing that does not in why. */
static bool file_truth(const char *path, char *why, size_t len, bool *damaged)
{
	struct walk w;
	struct readback rb;
	int v, err;

	*damaged = false;
	walk_file(path, &w);
	if (!w.exists)
		return true; /* killed before it created the file */
	fig.files_checked++;
	v = replay_verify(path);
	if (w.size < 64) {
		/* killed between creating the file and writing its header:
		 * not a trace yet, and said so */
		if (v != 1)
			snprintf(why, len, "a %llu-byte file: --verify said %d, not 1 (refused)",
				 (unsigned long long)w.size, v);
		return v == 1;
	}
	if (!w.intact) {
		*damaged = true;
		fig.files_damaged++;
		if (v == 2)
			fig.files_damaged_detected++;
	}
	if (v != (w.intact ? 0 : 2)) {
		snprintf(why, len, "--verify said %d of a file that is %s (%llu damaged, torn %d)", v,
			 w.intact ? "intact" : "damaged", (unsigned long long)w.damaged, w.torn);
		return false;
	}
	err = read_back(path, &rb);
	if (err) {
		snprintf(why, len, "reading stopped: %s", trace_strerror(err));
		return false;
	}
	if (rb.events != w.chunk_events) {
		snprintf(why, len, "%llu events read, but the intact chunks hold %llu",
			 (unsigned long long)rb.events, (unsigned long long)w.chunk_events);
		return false;
	}
	if (*damaged) {
		if (!recovers(path, rb.events)) {
			snprintf(why, len, "--recover did not make a whole copy of %llu events",
				 (unsigned long long)rb.events);
			return false;
		}
		fig.files_recovered++;
	}
	return true;
}

static void kill9_runs(void)
{
	unsigned ok_runs = 0, damaged = 0, empty = 0;

	for (unsigned i = 0; i < env.kill_runs; i++) {
		char *dir = scratch_dir("kill9"), trace[600], err[600], why[300] = "";
		unsigned delay = (unsigned)(rand() % 2600);
		pid_t seq = start_seq(dir), rec;
		struct proc_result pr;
		struct seqs s;
		bool ok = true, started, dmg = false;
		char pid[16];

		snprintf(trace, sizeof(trace), "%s/run.trace", dir);
		snprintf(err, sizeof(err), "%s/stderr", dir);
		snprintf(pid, sizeof(pid), "%d", (int)seq);
		const char *argv[] = { env.record, "-o", trace, "--probes", "opens", "-p", pid,
				       "--flush-interval", "200ms", NULL };
		struct spawn_opts o = { .in_fd = -1, .err = err };
		uint64_t t0 = mono_ns(), ready_ns = 0;

		rec = spawn(argv, &o);
		while (mono_ns() - t0 < (uint64_t)delay * 1000000ULL) {
			if (!ready_ns && file_has(err, "recording to"))
				ready_ns = mono_ns();
			sleep_ms(5);
		}
		if (!ready_ns && file_has(err, "recording to"))
			ready_ns = mono_ns();
		uint64_t kill_boot = boot_ns(), kill_mono = mono_ns();
		kill(rec, SIGKILL);
		reap(rec, 30000, &pr);
		stop(seq);
		started = ready_ns != 0;
		fig.kills++;
		fig.kills_during_start += !started;
		ok &= pr.sig == SIGKILL;
		if (!ok)
			snprintf(why, sizeof(why), "the recorder ended with %s before the kill",
				 proc_status(&pr));
		if (ok)
			ok = file_truth(trace, why, sizeof(why), &dmg);
		damaged += dmg;
		if (ok && access(trace, F_OK) == 0) {
			read_seqs(trace, &s);
			empty += s.n == 0;
			if (s.n && !s.lost && (s.dups || s.max - s.min + 1 != s.n)) {
				ok = false;
				snprintf(why, sizeof(why), "opens %llu..%llu read, %llu of them (%llu twice): "
					 "a hole before the last flush", (unsigned long long)s.min,
					 (unsigned long long)s.max, (unsigned long long)s.n,
					 (unsigned long long)s.dups);
			}
			/* Recording for a while: the last flush is recent. */
			if (ok && started && kill_mono - ready_ns > 2000000000ULL &&
			    (!s.last_ts || s.last_ts + (FLUSH_MS + FLUSH_SLACK_MS) * 1000000ULL < kill_boot)) {
				ok = false;
				snprintf(why, sizeof(why), "recording %.1f s, but the last event read is %.2f s "
					 "before the kill (flush interval 200 ms)",
					 (double)(kill_mono - ready_ns) / 1e9,
					 s.last_ts ? (double)(kill_boot - s.last_ts) / 1e9 : 99.0);
			}
		}
		const char *left = bpf_leftover(5000);
		if (ok && left) {
			ok = false;
			snprintf(why, sizeof(why), "%s", left);
		}
		if (!ok)
			check(false, "kill -9 after %u ms (%s): %s", delay,
			      started ? "recording" : "starting", why);
		ok_runs += ok;
		fig.fault_runs++;
		fig.fault_ok += ok;
		rm_rf(dir);
		free(dir);
	}
	check(ok_runs == env.kill_runs,
	      "kill -9 at random moments: %u of %u runs read up to their last flush, --verify told "
	      "the truth, nothing left in the kernel (%u files damaged, %u without events yet)",
	      ok_runs, env.kill_runs, damaged, empty);
}

/* The recorder stops by itself on a write error: exit 0, one line that
 * says why, a file that verifies and reads. */
static void write_error_run(const char *tag, const char *dir, const char *trace, long fsize,
			    const char *segment, const char *needle)
{
	char err[600], pid[16], why[300] = "";
	pid_t seq = start_seq(dir), rec;
	struct proc_result pr;
	bool ok = true, dmg;

	snprintf(err, sizeof(err), "%s.stderr", trace);
	snprintf(pid, sizeof(pid), "%d", (int)seq);
	const char *argv[16] = { env.record, "-o", trace, "--probes", "opens", "-p", pid,
				 "--flush-interval", "50ms", "-d", "120s" };
	int a = 11;
	if (segment) {
		argv[a++] = "--segment-size";
		argv[a++] = segment;
	}
	argv[a] = NULL;
	struct spawn_opts o = { .in_fd = -1, .err = err, .fsize = fsize };
	rec = spawn(argv, &o);
	reap(rec, 90000, &pr);
	stop(seq);
	char *e = slurp(err, NULL), line[400];
	bool said = line_with(e, needle, line, sizeof(line));
	ok &= check(pr.exited && pr.code == 0, "%s: the recorder stops by itself, exit 0 (%s)", tag,
		    proc_status(&pr));
	ok &= check(said && !strncmp(line, "ebpf-record: stopped: ", 22), "%s: one line says so: %s",
		    tag, said ? line : "(nothing)");
	free(e);
	if (segment) {
		char base[600];
		struct readback rb;
		snprintf(base, sizeof(base), "%s", trace);
		/* read first: the count printed is an argument of the check */
		int rerr = read_back(base, &rb);
		ok &= check(rerr == 0 && rb.events > 0 && replay_verify(base) == 0,
			    "%s: the segments read (%llu events) and verify", tag,
			    (unsigned long long)rb.events);
	} else {
		bool truth = file_truth(trace, why, sizeof(why), &dmg);
		struct readback rb;

		ok &= check(truth && !dmg, "%s: the file is cut at its last whole block: intact, "
			    "--verify says so%s%s", tag, why[0] ? ": " : "", why);
		int rerr = read_back(trace, &rb);
		ok &= check(rerr == 0 && rb.events > 1000, "%s: %llu events read", tag,
			    (unsigned long long)rb.events);
	}
	const char *left = bpf_leftover(5000);
	ok &= check(!left, "%s: nothing of ours left in the kernel%s%s", tag, left ? ": " : "",
		    left ? left : "");
	fig.fault_runs++;
	fig.fault_ok += ok;
}

static void disk_full(bool segmented)
{
	char *dir = scratch_dir("diskfull"), mnt[600], trace[700];

	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	mkdir(mnt, 0700);
	if (!check(mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=512k") == 0,
		   "a 512 KiB tmpfs to fill (%s)", strerror(errno))) {
		rm_rf(dir);
		free(dir);
		return;
	}
	snprintf(trace, sizeof(trace), "%s/run.trace", mnt);
	write_error_run(segmented ? "disk full, segments of 64K" : "disk full", dir, trace, 0,
			segmented ? "64K" : NULL, "the disk is full");
	umount2(mnt, MNT_DETACH);
	rm_rf(dir);
	free(dir);
}

static void fsize_limit(void)
{
	char *dir = scratch_dir("fsize"), trace[700];

	snprintf(trace, sizeof(trace), "%s/run.trace", dir);
	write_error_run("RLIMIT_FSIZE 256K", dir, trace, 256 * 1024, NULL, "file size limit");
	rm_rf(dir);
	free(dir);
}

/* The directory of the trace removed while recording: the recorder must
 * not crash or hang, must say the trace is gone, and must leave nothing
 * behind; rotating into it, it stops with a one-line error. */
static void dir_removed(bool segmented)
{
	char *dir = scratch_dir("rmdir"), out[600], trace[700], err[700], pid[16];
	const char *tag = segmented ? "directory removed, segments" : "directory removed";
	pid_t seq, rec;
	struct proc_result pr;
	bool ok = true;

	snprintf(out, sizeof(out), "%s/out", dir);
	mkdir(out, 0700);
	snprintf(trace, sizeof(trace), "%s/run.trace", out);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	seq = start_seq(dir);
	snprintf(pid, sizeof(pid), "%d", (int)seq);
	const char *argv[16] = { env.record, "-o", trace, "--probes", "opens", "-p", pid,
				 "--flush-interval", "100ms" };
	int a = 9;
	if (segmented) {
		argv[a++] = "--segment-size";
		argv[a++] = "64K";
	}
	argv[a] = NULL;
	struct spawn_opts o = { .in_fd = -1, .err = err };
	rec = spawn(argv, &o);
	ok &= check(wait_for_text(err, "recording to", 60000), "%s: recording", tag);
	sleep_ms(500);
	rm_rf(out);
	sleep_ms(1500);
	kill(rec, SIGINT);
	reap(rec, 60000, &pr);
	stop(seq);
	char *e = slurp(err, NULL), line[400];
	ok &= check(!pr.timed_out && !pr.sig, "%s: the recorder ends, neither hung nor crashed (%s)",
		    tag, proc_status(&pr));
	if (segmented) {
		bool said = line_with(e, "ebpf-record: cannot write ", line, sizeof(line));
		ok &= check(pr.code == 1 && said && strstr(line, "No such file or directory"),
			    "%s: exit 1 with one line: %s", tag, said ? line : "(nothing)");
	} else {
		/* Every write still succeeds (to a file no longer in any
		 * directory): only the recorder can tell the user. */
		bool said = line_with(e, "deleted", line, sizeof(line)) ||
			    line_with(e, "removed", line, sizeof(line));
		ok &= check(said, "%s: the recorder says the trace it wrote is no longer on disk "
			    "(%s): %s", tag, proc_status(&pr), said ? line : "it did not");
	}
	free(e);
	const char *left = bpf_leftover(5000);
	ok &= check(!left, "%s: nothing of ours left in the kernel%s%s", tag, left ? ": " : "",
		    left ? left : "");
	fig.fault_runs++;
	fig.fault_ok += ok;
	rm_rf(dir);
	free(dir);
}

static void load_fault(const struct load_opts *o)
{
	bool ok = overload_run(o);

	fig.fault_runs++;
	fig.fault_ok += ok;
}

void section_faults(void)
{
	unsigned n = env.opens_per_worker;
	struct load_opts stopped = { "SIGSTOP 2 s under load", 2, n / 2, "1M", 2000, NULL, NULL };
	struct load_opts rotate = { "rotation under load, 256K segments", 2, n / 2, "256K", 0,
				    "256K", NULL };
	struct load_opts keep = { "rotation under load, --keep 3", 2, n / 2, "256K", 0, "128K", "3" };

	kill9_runs();
	load_fault(&stopped);
	disk_full(false);
	disk_full(true);
	fsize_limit();
	dir_removed(false);
	dir_removed(true);
	load_fault(&rotate);
	load_fault(&keep);
}
