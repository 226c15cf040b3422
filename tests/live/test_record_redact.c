// SPDX-License-Identifier: MIT
/*
 * Live: ebpf-record --redact. A workload opens a file whose path is a
 * secret N times; the trace recorded redacted holds the secret nowhere (not
 * in its bytes, not in anything ebpf-replay prints of it) while every event
 * is there: N opens of one redacted path, the accounting exact, and with
 * the same key the very path ebpf-replay --redact makes of a plain
 * recording of the same workload.
 */
#include "test_record_helpers.h"

#define N_OPENS 300

static const char *const open_types[] = { "open", NULL };

struct secret {
	char dir_name[64]; /* a component of the path */
	char dir[160];
	char path[220];
	char key[160];
};

static void secret_init(struct secret *s, const struct run *r)
{
	snprintf(s->dir_name, sizeof(s->dir_name), "confidential-project-%d", (int)getpid());
	snprintf(s->dir, sizeof(s->dir), "%s/%s", r->dir, s->dir_name);
	snprintf(s->path, sizeof(s->path), "%s/secret-plans.txt", s->dir);
	snprintf(s->key, sizeof(s->key), "%s/redact.key", r->dir);
	cr_assert_eq(mkdir(s->dir, 0700), 0, "mkdir %s: %s", s->dir, strerror(errno));
	int fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
}

/* A whole file (the helpers' slurp stops at 64 KiB), malloc'd. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_not_null(buf);
	for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap) {
			buf = realloc(buf, (cap *= 2) + 1);
			cr_assert_not_null(buf);
		}
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The trace's bytes, then what ebpf-replay prints of it: every event,
 * the summary, --info (metadata, chunks, schemas). ebpf-replay runs in the
 * trace's directory: the name it prints of the file is not the file's. */
static char *everything(const struct run *r, const char *trace, size_t *len)
{
	static const char *const views[] = { "--events --all", "", "--info" };
	char cmd[1024], out[160];
	size_t n, total = 0;
	char *all = NULL;

	snprintf(out, sizeof(out), "%s/printed", r->dir);
	for (size_t i = 0; i <= sizeof(views) / sizeof(views[0]); i++) {
		char *part;

		if (i < sizeof(views) / sizeof(views[0])) {
			snprintf(cmd, sizeof(cmd), "cd %s && %s %s %s > %s 2>&1", r->dir, EBPF_REPLAY_BIN,
				 views[i], strrchr(trace, '/') + 1, out);
			cr_assert_eq(system(cmd), 0, "%s failed", cmd);
			part = read_all(out, &n);
		} else {
			part = read_all(trace, &n);
		}
		all = realloc(all, total + n + 1);
		cr_assert_not_null(all);
		memcpy(all + total, part, n);
		total += n;
		all[total] = 0;
		free(part);
	}
	*len = total;
	return all;
}

static bool contains(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle)) != NULL;
}

/* The path opened most often by the workload (filter.pid) and how often. */
static uint64_t top_path(const char *trace, char *path, size_t size)
{
	struct trace_reader *t = trace_open(trace);
	static char paths[64][256];
	static uint64_t counts[64];
	size_t npaths = 0, best = 0;
	struct trace_event ev;
	uint64_t pid = meta_u64(t, "filter.pid");
	int err;

	memset(counts, 0, sizeof(counts));
	while ((err = trace_reader__next(t, &ev)) == 0) {
		size_t i;

		if (!ev_is(&ev, "open") || ev_u64(&ev, "pid") != pid)
			continue;
		for (i = 0; i < npaths && strcmp(paths[i], ev_str(&ev, "path")); i++)
			;
		if (i == npaths) {
			cr_assert_lt(npaths, 64, "the workload opened more than 64 paths");
			snprintf(paths[npaths++], sizeof(paths[0]), "%s", ev_str(&ev, "path"));
		}
		counts[i]++;
		if (counts[i] > counts[best])
			best = i;
	}
	cr_assert_eq(err, -ENOENT, "reading %s: %s", trace, trace_strerror(err));
	trace_reader__close(t);
	cr_assert_gt(npaths, 0, "no open of the workload in %s", trace);
	snprintf(path, size, "%s", paths[best]);
	return counts[best];
}

static void record_workload(struct run *r, const struct secret *s, const char *const *redact)
{
	char n_str[16];
	const char *args[16];
	int n = 0;

	snprintf(n_str, sizeof(n_str), "%d", N_OPENS);
	args[n++] = "--probes";
	args[n++] = "opens,proc";
	for (int i = 0; redact[i]; i++)
		args[n++] = redact[i];
	args[n++] = "--";
	args[n++] = WL("wl_opens");
	args[n++] = s->path;
	args[n++] = n_str;
	args[n] = NULL;
	plain_workload_env();
	cr_assert_eq(run_sync(r, args), 0, "stderr: %s", slurp(r->err));
}

Test(record_redact, no_original_left_and_every_event_kept, .timeout = 120)
{
	struct run plain, red;
	struct secret s;
	char plain_top[256], red_top[256], copy_top[256], copy[300], cmd[1200];
	size_t len;
	char *all;

	run_init(&plain);
	run_init(&red);
	secret_init(&s, &red);

	/* The plain recording holds the secret: the search below can fail. */
	record_workload(&plain, &s, (const char *const[]){ NULL });
	all = everything(&plain, plain.trace, &len);
	cr_assert(contains(all, len, s.path), "the plain trace does not show %s", s.path);
	free(all);
	cr_assert_eq(top_path(plain.trace, plain_top, sizeof(plain_top)), N_OPENS);
	cr_assert_str_eq(plain_top, s.path);

	record_workload(&red, &s, (const char *const[]){ "--redact", "--redact-key", s.key, NULL });
	cr_assert(strstr(slurp(red.err), "made a new redaction key"), "stderr: %s", slurp(red.err));
	struct stat st;
	cr_assert_eq(stat(s.key, &st), 0, "no key file %s", s.key);
	cr_assert_eq(st.st_mode & 0777, 0600, "the key file is %o", st.st_mode & 0777);

	all = everything(&red, red.trace, &len);
	cr_assert(!contains(all, len, s.dir_name), "'%s' is in the redacted trace or its replay",
		  s.dir_name);
	cr_assert(!contains(all, len, "secret-plans"), "'secret-plans' is in the redacted trace or "
		  "its replay");
	cr_assert(!contains(all, len, red.dir), "'%s' is in the redacted trace or its replay", red.dir);
	free(all);

	/* Every event is there: N opens of one path, which is the secret's
	 * hash, and the accounting adds up. */
	cr_assert_eq(top_path(red.trace, red_top, sizeof(red_top)), N_OPENS,
		     "the redacted trace lost or split the opens of the secret file");
	cr_assert_str_neq(red_top, s.path);
	cr_assert_eq(strncmp(red_top, "/tmp/", 5), 0, "'%s': /tmp is a standard directory, kept",
		     red_top);
	assert_accounting(red.trace, "opens", open_types);
	cr_assert_eq(count_type(red.trace, "exec"), count_type(plain.trace, "exec"));
	cr_assert_eq(count_type(red.trace, "exit"), count_type(plain.trace, "exit"));
	struct trace_reader *t = trace_open(red.trace);
	const char *key_id = trace_reader__meta(t, 0, "redact.key_id");
	cr_assert(key_id && strlen(key_id) == 16, "redact.key_id is missing");
	trace_reader__close(t);

	/* The same key makes the same hash as ebpf-replay --redact. */
	snprintf(copy, sizeof(copy), "%s/copy.trace", plain.dir);
	snprintf(cmd, sizeof(cmd), "%s --redact --redact-key %s -o %s %s > /dev/null", EBPF_REPLAY_BIN,
		 s.key, copy, plain.trace);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	cr_assert_eq(top_path(copy, copy_top, sizeof(copy_top)), N_OPENS);
	cr_assert_str_eq(copy_top, red_top, "ebpf-record --redact made %s, ebpf-replay --redact %s",
			 red_top, copy_top);
	assert_nothing_left();
	run_cleanup(&plain);
	run_cleanup(&red);
}

/* Without a key file, a random key used once: two recordings do not
 * share hashes. */
Test(record_redact, random_key_each_time, .timeout = 120)
{
	struct run a, b;
	struct secret s;
	char top_a[256], top_b[256];

	run_init(&a);
	run_init(&b);
	secret_init(&s, &a);
	record_workload(&a, &s, (const char *const[]){ "--redact", NULL });
	record_workload(&b, &s, (const char *const[]){ "--redact", NULL });
	cr_assert_eq(top_path(a.trace, top_a, sizeof(top_a)), N_OPENS);
	cr_assert_eq(top_path(b.trace, top_b, sizeof(top_b)), N_OPENS);
	cr_assert_str_neq(top_a, s.path);
	cr_assert_str_neq(top_a, top_b, "two random keys gave the same hash");
	run_cleanup(&a);
	run_cleanup(&b);
}

Test(record_redact, options_refused_with_a_message)
{
	struct run r;

	run_init(&r);
	cr_assert_eq(run_sync(&r, (const char *const[]){ "--redact-key", "k", "-d", "1s", NULL }), 2);
	cr_assert(strstr(slurp(r.err), "--redact-key goes with --redact"), "stderr: %s", slurp(r.err));
	cr_assert_eq(run_sync(&r, (const char *const[]){ "--redact", "--tui", "-d", "1s", NULL }), 2);
	cr_assert(strstr(slurp(r.err), "--redact and --tui do not combine"), "stderr: %s",
		  slurp(r.err));
	snprintf(r.trace, sizeof(r.trace), "%s/bad.key", r.dir);
	int fd = open(r.trace, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_eq(write(fd, "not a key\n", 10), 10);
	close(fd);
	snprintf(r.trace, sizeof(r.trace), "%s/run.trace", r.dir);
	char key[160];
	snprintf(key, sizeof(key), "%s/bad.key", r.dir);
	cr_assert_eq(run_sync(&r, (const char *const[]){ "--redact", "--redact-key", key, "-d", "1s",
							 NULL }), 1);
	cr_assert(strstr(slurp(r.err), "holds no redaction key"), "stderr: %s", slurp(r.err));
	cr_assert_neq(access(r.trace, F_OK), 0, "a trace was written without a key");
	run_cleanup(&r);
}
