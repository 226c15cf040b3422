/* SPDX-License-Identifier: MIT */
/*
 * Shared by the ebpf-record live tests: run the recorder (and workloads),
 * read the trace back through the format reader with fields bound by name,
 * and check that nothing of ours stays in the kernel.
 */
#ifndef TEST_RECORD_HELPERS_H
#define TEST_RECORD_HELPERS_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format/trace.h"

#define WL(name) WORKLOAD_DIR "/" name

struct run {
	char dir[64];      /* a fresh temporary directory */
	char trace[256];   /* dir/run.trace */
	char err[128];     /* the recorder's stderr */
	char out[128];     /* the recorder's (and its command's) stdout */
	pid_t pid;
};

static inline void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/ebt-live-XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir), "mkdtemp: %s", strerror(errno));
	snprintf(r->trace, sizeof(r->trace), "%s/run.trace", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
}

static inline int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static inline void run_cleanup(struct run *r)
{
	if (r->dir[0])
		nftw(r->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* In a child just forked by the test (parent: the test's pid): a test that
 * fails ends its process on the spot, and what it started (a recorder
 * system-wide, a consumer) must not outlive it holding probes. SIGTERM: a
 * recorder still closes its trace. Set after any change of uid (that
 * clears it). */
static inline void child_dies_with_test(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
}

/* Starts ebpf-record -o TRACE ARGS...; fsize_limit > 0 sets RLIMIT_FSIZE
 * and uid > 0 drops to that user first. */
static inline pid_t run_start_as(struct run *r, const char *const *args, long fsize_limit,
				 uid_t uid)
{
	const char *argv[64] = { EBPF_RECORD_BIN, "-o", r->trace };
	int n = 3;

	for (int i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t parent = getpid();

	r->pid = fork();
	cr_assert(r->pid >= 0);
	if (r->pid == 0) {
		int e = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int o = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		/* Opened before dropping privileges: the build tree may sit in
		 * a directory another uid cannot search (a 0700 mktemp -d). */
		int bin = open(argv[0], O_RDONLY | O_CLOEXEC);

		dup2(e, 2);
		dup2(o, 1);
		if (fsize_limit > 0) {
			struct rlimit rl = { (rlim_t)fsize_limit, (rlim_t)fsize_limit };

			setrlimit(RLIMIT_FSIZE, &rl);
		}
		/* The session index every recording goes into is the test's
		 * own, never the index of whoever runs the tests (sudo's
		 * invoking user included, unless a test plays sudo itself). */
		setenv("XDG_DATA_HOME", r->dir, 1);
		setenv("HOME", r->dir, 1);
		if (!getenv("EBT_TEST_SUDO")) {
			unsetenv("SUDO_UID");
			unsetenv("SUDO_GID");
			unsetenv("SUDO_USER");
		}
		if (uid > 0 && (setgid(uid) || setuid(uid)))
			_exit(126);
		child_dies_with_test(parent);
		fexecve(bin, (char *const *)argv, environ);
		_exit(127);
	}
	return r->pid;
}

static inline pid_t run_start(struct run *r, const char *const *args)
{
	return run_start_as(r, args, 0, 0);
}

/* Waits for the recorder; returns its exit code (128 + signal if killed). */
static inline int run_wait(struct run *r)
{
	int status;

	cr_assert_eq(waitpid(r->pid, &status, 0), r->pid);
	r->pid = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static inline int run_sync(struct run *r, const char *const *args)
{
	run_start(r, args);
	return run_wait(r);
}

static inline char *slurp(const char *path)
{
	static char buf[65536];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY);

	buf[0] = 0;
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Waits until the recorder says it is recording (probes attached). */
static inline void run_wait_ready(struct run *r)
{
	for (int i = 0; i < 3000; i++) {
		if (strstr(slurp(r->err), "recording to"))
			return;
		sleep_ms(10);
	}
	cr_assert_fail("the recorder did not start within 30 s; stderr: %s", slurp(r->err));
}

/* A workload runs as built: with `make SAN=1` it is instrumented too, and
 * LeakSanitizer's check at exit forks a tracer (one more fork, exec and
 * exit than the workload does). */
static inline void plain_workload_env(void)
{
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
}

/* ---- reading traces -------------------------------------------------- */

static inline struct trace_reader *trace_open(const char *path)
{
	struct trace_reader *t = trace_reader__open(path, NULL);

	cr_assert_not_null(t, "cannot read %s: %s", path, trace_strerror(-errno));
	return t;
}

static inline const struct trace_field_desc *field(const struct trace_event *ev, const char *name)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	cr_assert_not_null(f, "type %s has no field %s", trace_schema__name(ev->schema), name);
	return f;
}

static inline uint64_t ev_u64(const struct trace_event *ev, const char *name)
{
	return trace_field__u64(field(ev, name), ev->data, 0);
}

static inline int64_t ev_i64(const struct trace_event *ev, const char *name)
{
	return trace_field__i64(field(ev, name), ev->data, 0);
}

static inline const char *ev_str(const struct trace_event *ev, const char *name)
{
	return trace_field__str(field(ev, name), ev->data);
}

static inline const uint8_t *ev_bytes(const struct trace_event *ev, const char *name)
{
	return trace_field__bytes(field(ev, name), ev->data);
}

static inline bool ev_is(const struct trace_event *ev, const char *type)
{
	return !strcmp(trace_schema__name(ev->schema), type);
}

static inline uint64_t meta_u64(struct trace_reader *t, const char *key)
{
	const char *v = trace_reader__meta(t, 0, key);

	cr_assert_not_null(v, "metadata %s is missing", key);
	return strtoull(v, NULL, 10);
}

/* Events of one type in the trace. */
static inline uint64_t count_type(const char *path, const char *type)
{
	struct trace_reader *t = trace_open(path);
	struct trace_event ev;
	uint64_t n = 0;
	int err;

	while ((err = trace_reader__next(t, &ev)) == 0)
		n += ev_is(&ev, type);
	cr_assert_eq(err, -ENOENT, "reading %s: %s", path, trace_strerror(err));
	trace_reader__close(t);
	return n;
}

/* For every probe of the trace: seen = recorded + lost (closing metadata),
 * recorded = that probe's records in the file, lost = its `lost` records. */
static inline void assert_accounting(const char *path, const char *probe, const char *const *types)
{
	struct trace_reader *t = trace_open(path);
	struct trace_event ev;
	struct trace_lost l;
	uint64_t seen, rec, lost, in_file = 0, lost_records = 0;
	char key[64];
	int err;

	snprintf(key, sizeof(key), "probe.%s.seen", probe);
	seen = meta_u64(t, key);
	snprintf(key, sizeof(key), "probe.%s.recorded", probe);
	rec = meta_u64(t, key);
	snprintf(key, sizeof(key), "probe.%s.lost", probe);
	lost = meta_u64(t, key);
	while ((err = trace_reader__next(t, &ev)) == 0) {
		for (int i = 0; types[i]; i++)
			in_file += ev_is(&ev, types[i]);
		if (ev_is(&ev, "lost")) {
			cr_assert_eq(trace_event__lost(&ev, &l), 0);
			if (!strcmp(l.probe, probe)) {
				lost_records += l.count;
				cr_assert_leq(l.since_ns, l.ts);
			}
		}
	}
	cr_assert_eq(err, -ENOENT);
	trace_reader__close(t);
	cr_assert_eq(seen, rec + lost, "probe %s: seen %llu != recorded %llu + lost %llu", probe,
		     (unsigned long long)seen, (unsigned long long)rec, (unsigned long long)lost);
	cr_assert_eq(rec, in_file, "probe %s: %llu recorded but %llu in the file", probe,
		     (unsigned long long)rec, (unsigned long long)in_file);
	cr_assert_eq(lost, lost_records, "probe %s: %llu lost but lost records say %llu", probe,
		     (unsigned long long)lost, (unsigned long long)lost_records);
}

/* ---- the kernel after a run ------------------------------------------- */

static inline char *command_output(const char *cmd)
{
	static char buf[1 << 20];
	size_t n;
	FILE *f = popen(cmd, "r");

	cr_assert_not_null(f, "%s", cmd);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	cr_assert_eq(pclose(f), 0, "%s failed", cmd);
	return buf;
}

/* Ids of the BPF programs and maps some live process holds an fd of (a
 * program fd, a link's or a map's), from /proc/PID/fdinfo. */
#define MAX_HELD 65536
struct held {
	uint8_t prog[MAX_HELD], map[MAX_HELD];
};

static inline void held_scan(struct held *h)
{
	char path[600], line[256];
	struct dirent *p, *f;
	DIR *proc, *fds;
	unsigned id;

	memset(h, 0, sizeof(*h));
	proc = opendir("/proc");
	cr_assert_not_null(proc);
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			FILE *in;

			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name, f->d_name);
			in = fopen(path, "r");
			if (!in)
				continue;
			while (fgets(line, sizeof(line), in)) {
				if (sscanf(line, "prog_id: %u", &id) == 1 && id < MAX_HELD)
					h->prog[id] = 1;
				if (sscanf(line, "map_id: %u", &id) == 1 && id < MAX_HELD)
					h->map[id] = 1;
			}
			fclose(in);
		}
		closedir(fds);
	}
	closedir(proc);
}

/* The first ebt_ program or map that no live process holds (directly, or
 * for a map through a held program): one of ours left behind. Objects held
 * by a live process belong to another recorder running now. */
static inline const char *orphan_ebt(void)
{
	static struct held h;
	static char what[128];
	char *out, *line, *save = NULL;
	unsigned id = 0, m;
	bool ours = false;

	held_scan(&h);
	/* Programs: "ID: type  name NAME ..." then "... map_ids a,b,c". */
	out = command_output("bpftool prog show");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ids = strstr(line, "map_ids "), *end;

		if (line[0] >= '0' && line[0] <= '9') {
			if (ours && id < MAX_HELD && !h.prog[id])
				break;
			ours = sscanf(line, "%u:", &id) == 1 && strstr(line, " name ebt_");
			continue;
		}
		if (!ids || id >= MAX_HELD || !h.prog[id])
			continue;
		for (ids += 8;; ids = end + 1) {
			m = (unsigned)strtoul(ids, &end, 10);
			if (end == ids)
				break;
			if (m < MAX_HELD)
				h.map[m] = 1;
			if (*end != ',')
				break;
		}
	}
	if (ours && id < MAX_HELD && !h.prog[id]) {
		snprintf(what, sizeof(what), "ebt_ program %u is still loaded", id);
		return what;
	}
	save = NULL;
	out = command_output("bpftool map show");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] < '0' || line[0] > '9' || sscanf(line, "%u:", &id) != 1)
			continue;
		if (strstr(line, " name ebt_") && id < MAX_HELD && !h.map[id]) {
			snprintf(what, sizeof(what), "ebt_ map %u is still there", id);
			return what;
		}
	}
	return NULL;
}

/* No program, link or map of ours remains after the recorder exited (a
 * link holds its program, so a leaked link shows as an orphan program).
 * The kernel frees them in deferred work: allow it 5 s. */
static inline void assert_nothing_left(void)
{
	const char *what = NULL;

	for (int i = 0; i < 50; i++) {
		what = orphan_ebt();
		if (!what)
			return;
		sleep_ms(100);
	}
	cr_assert_fail("%s 5 s after the recorder exited", what);
}

#endif /* TEST_RECORD_HELPERS_H */
