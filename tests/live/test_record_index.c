// SPDX-License-Identifier: MIT
/*
 * Every finished recording goes into the user's default session index, as
 * `sudo ebpf-record -o run.trace` then `ebpf-query 'opens ...'` (no trace
 * named) expects: under sudo the index is the invoking user's and belongs
 * to them; a query finds the rows of every recording; re-recording to a
 * path replaces that session; --no-index leaves the index as it was; a
 * damaged index costs a warning (the way out, `ebpf-query index
 * --rebuild`), never the trace.
 *
 * A real user is made for each test (useradd, removed at the end) with a
 * home of its own under /tmp: nobody's real index is touched.
 */
#include <pwd.h>

#include "tests/live/test_record_helpers.h"

struct user {
	char name[32];
	char dir[64];	/* the test's directory, with home/ in it */
	char home[128];
	char index[256];
	uid_t uid;
	gid_t gid;
};

/* For fini when an assertion ends a test early. */
static struct user current;

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void user_make(struct user *u)
{
	struct passwd *pw;

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "ebtidx%d", (int)getpid() % 100000);
	snprintf(u->dir, sizeof(u->dir), "/tmp/ebt-idx-XXXXXX");
	cr_assert_not_null(mkdtemp(u->dir));
	cr_assert_eq(chmod(u->dir, 0755), 0);
	snprintf(u->home, sizeof(u->home), "%s/home", u->dir);
	snprintf(u->index, sizeof(u->index), "%s/.local/share/ebpf-trace/sessions.db", u->home);
	sh("useradd -M -U -s /usr/sbin/nologin -d %s %s", u->home, u->name);
	current = *u;
	pw = getpwnam(u->name);
	cr_assert_not_null(pw);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	cr_assert_eq(mkdir(u->home, 0700), 0);
	cr_assert_eq(chown(u->home, u->uid, u->gid), 0);
	/* what sudo sets for the recorder; the helper passes it on */
	setenv("EBT_TEST_SUDO", "1", 1);
	setenv("SUDO_USER", u->name, 1);
	char id[16];
	snprintf(id, sizeof(id), "%u", (unsigned)u->uid);
	setenv("SUDO_UID", id, 1);
	snprintf(id, sizeof(id), "%u", (unsigned)u->gid);
	setenv("SUDO_GID", id, 1);
}

static void user_remove(struct user *u)
{
	char cmd[256];

	if (!u->name[0])
		return;
	snprintf(cmd, sizeof(cmd), "userdel %s 2>/dev/null", u->name);
	if (system(cmd) != 0)
		fprintf(stderr, "test_record_index: userdel %s failed\n", u->name);
	if (u->dir[0])
		nftw(u->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (!strcmp(current.name, u->name))
		current.name[0] = 0;
	u->name[0] = 0;
}

static void fini(void)
{
	user_remove(&current);
	unsetenv("EBT_TEST_SUDO");
	unsetenv("SUDO_USER");
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
}

TestSuite(record_index, .fini = fini);

/* The run's directory reachable by the user (its traces are theirs). */
static void run_init_for(struct run *r)
{
	run_init(r);
	cr_assert_eq(chmod(r->dir, 0711), 0);
}

/* ebpf-record [--no-index] --probes opens -o DIR/TRACE -- wl_opens PATH N,
 * as under sudo. */
static int record_opens(struct run *r, const char *trace, const char *path, const char *n,
			bool index)
{
	const char *with[] = { "--probes", "opens", "--", WL("wl_opens"), path, n, NULL };
	const char *without[] = { "--no-index", "--probes", "opens", "--", WL("wl_opens"), path, n,
				  NULL };

	snprintf(r->trace, sizeof(r->trace), "%s/%s", r->dir, trace);
	return run_sync(r, index ? with : without);
}

/* ebpf-query ARGS as the user, in their home, without sudo's variables;
 * its stdout (and stderr, after it) in out. */
static int query_as(const struct user *u, const char *const *args, char *out, size_t size)
{
	const char *argv[16] = { "ebpf-query" };
	int p[2], st, n = 1;
	ssize_t r, got = 0;
	int bin = open(EBPF_QUERY_BIN, O_RDONLY | O_CLOEXEC);
	pid_t pid;

	cr_assert_geq(bin, 0);
	for (int i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		unsetenv("SUDO_USER");
		unsetenv("SUDO_UID");
		unsetenv("SUDO_GID");
		unsetenv("XDG_DATA_HOME");
		setenv("HOME", u->home, 1);
		if (setgid(u->gid) || setuid(u->uid) || chdir(u->home))
			_exit(126);
		fexecve(bin, (char *const *)argv, environ);
		_exit(127);
	}
	close(p[1]);
	close(bin);
	while ((r = read(p[0], out + got, size - 1 - (size_t)got)) > 0)
		got += r;
	out[got] = 0;
	close(p[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Rows of the query "opens of DIR/..." per file name ("a", "b", ...), and
 * the sessions they came from. */
struct rows {
	int of[26];
	int sessions[8];
	int nsessions;
};

static void count_rows(const char *csv, const char *dir, struct rows *r)
{
	char line[1024];
	const char *p = csv;

	memset(r, 0, sizeof(*r));
	while (*p) {
		size_t n = strcspn(p, "\n");
		int session;
		const char *path;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		line[strcspn(line, "\r")] = 0; /* RFC 4180 lines end in CRLF */
		path = strrchr(line, ',');
		if (!path || sscanf(line, "%d,", &session) != 1)
			continue; /* the header */
		path++;
		if (strncmp(path, dir, strlen(dir)) || path[strlen(dir)] != '/')
			continue;
		char c = path[strlen(dir) + 1];
		if (c >= 'a' && c <= 'z' && !path[strlen(dir) + 2])
			r->of[c - 'a']++;
		bool known = false;
		for (int i = 0; i < r->nsessions; i++)
			known |= r->sessions[i] == session;
		if (!known && r->nsessions < 8)
			r->sessions[r->nsessions++] = session;
	}
}

static void query_rows(const struct user *u, const char *dir, struct rows *r)
{
	static char out[1 << 20];
	char q[256];

	snprintf(q, sizeof(q), "opens of %s/*", dir);
	const char *args[] = { "--csv", q, NULL };
	cr_assert_eq(query_as(u, args, out, sizeof(out)), 0, "ebpf-query: %s", out);
	count_rows(out, dir, r);
	if (getenv("EBT_TEST_DEBUG"))
		fprintf(stderr, "%s: %s\n", q, out);
}

static void assert_owned(const struct user *u, const char *path, mode_t mode)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(st.st_uid, u->uid, "%s belongs to %u, not the user %u", path,
		     (unsigned)st.st_uid, (unsigned)u->uid);
	cr_assert_eq(st.st_gid, u->gid, "%s: group %u", path, (unsigned)st.st_gid);
	cr_assert_eq(st.st_mode & 0777, mode, "%s: mode %o", path, st.st_mode & 0777);
}

Test(record_index, recordings_land_in_the_sudo_users_index)
{
	struct user u;
	struct run r;
	struct rows rows;
	char path[256];

	user_make(&u);
	run_init_for(&r);
	/* two recordings */
	snprintf(path, sizeof(path), "%s/a", r.dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(record_opens(&r, "one.trace", path, "5", true), 0, "%s", slurp(r.err));
	cr_assert(strstr(slurp(r.err), "indexed as session"), "%s", slurp(r.err));
	snprintf(path, sizeof(path), "%s/b", r.dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(record_opens(&r, "two.trace", path, "7", true), 0, "%s", slurp(r.err));
	cr_assert(strstr(slurp(r.err), u.index), "%s", slurp(r.err));
	/* the user's index, theirs, and the directories made for it */
	assert_owned(&u, u.index, 0600);
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/.local/share/ebpf-trace", u.home);
	assert_owned(&u, dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.local", u.home);
	assert_owned(&u, dir, 0700);
	/* the user asks, naming no trace: rows of both */
	query_rows(&u, r.dir, &rows);
	cr_assert_eq(rows.of['a' - 'a'], 5);
	cr_assert_eq(rows.of['b' - 'a'], 7);
	cr_assert_eq(rows.nsessions, 2);

	/* recording to the first path again replaces that session */
	snprintf(path, sizeof(path), "%s/c", r.dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(record_opens(&r, "one.trace", path, "3", true), 0, "%s", slurp(r.err));
	cr_assert(strstr(slurp(r.err), "replacing the earlier recording"), "%s", slurp(r.err));
	query_rows(&u, r.dir, &rows);
	cr_assert_eq(rows.of['a' - 'a'], 0, "the replaced recording's rows are gone");
	cr_assert_eq(rows.of['b' - 'a'], 7);
	cr_assert_eq(rows.of['c' - 'a'], 3);
	cr_assert_eq(rows.nsessions, 2);
	static char out[65536];
	const char *sessions[] = { "sessions", NULL };
	cr_assert_eq(query_as(&u, sessions, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "(2 rows)"), "%s", out);
	assert_owned(&u, u.index, 0600);
	run_cleanup(&r);
	user_remove(&u);
}

/* The index's bytes, to compare. */
static size_t read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, got = 0;

	cr_assert_geq(fd, 0, "%s", path);
	while ((n = read(fd, buf + got, size - (size_t)got)) > 0)
		got += n;
	close(fd);
	return (size_t)got;
}

Test(record_index, no_index_leaves_it_alone)
{
	static char before[4 << 20], after[4 << 20];
	struct user u;
	struct run r;
	struct stat s0, s1;
	char path[256];
	size_t n0, n1;

	user_make(&u);
	run_init_for(&r);
	snprintf(path, sizeof(path), "%s/a", r.dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(record_opens(&r, "one.trace", path, "2", true), 0, "%s", slurp(r.err));
	cr_assert_eq(stat(u.index, &s0), 0);
	n0 = read_all(u.index, before, sizeof(before));
	sleep_ms(20); /* an mtime that would differ */
	cr_assert_eq(record_opens(&r, "two.trace", path, "4", false), 0, "%s", slurp(r.err));
	cr_assert_null(strstr(slurp(r.err), "index"), "%s", slurp(r.err));
	cr_assert_eq(count_type(r.trace, "open") >= 4, true);
	cr_assert_eq(stat(u.index, &s1), 0);
	n1 = read_all(u.index, after, sizeof(after));
	cr_assert_eq(n0, n1);
	cr_assert_eq(memcmp(before, after, n0), 0, "the index changed");
	cr_assert_eq(s0.st_mtim.tv_sec, s1.st_mtim.tv_sec);
	cr_assert_eq(s0.st_mtim.tv_nsec, s1.st_mtim.tv_nsec);
	run_cleanup(&r);
	user_remove(&u);
}

Test(record_index, a_damaged_index_costs_a_warning_not_the_trace)
{
	static char out[65536];
	struct user u;
	struct run r;
	struct rows rows;
	char path[256];
	int fd;

	user_make(&u);
	run_init_for(&r);
	snprintf(path, sizeof(path), "%s/a", r.dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(record_opens(&r, "one.trace", path, "2", true), 0, "%s", slurp(r.err));
	/* garbage over the index (a disk error, a bad copy) */
	fd = open(u.index, O_WRONLY | O_TRUNC);
	cr_assert_geq(fd, 0);
	for (int i = 0; i < 256; i++)
		cr_assert_eq(write(fd, "this is not an SQLite database at all\n", 38), 38);
	close(fd);
	snprintf(path, sizeof(path), "%s/b", r.dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(record_opens(&r, "two.trace", path, "6", true), 0,
		     "a failure to index fails the recording: %s", slurp(r.err));
	char *err = slurp(r.err);
	cr_assert(strstr(err, "warning"), "%s", err);
	cr_assert(strstr(err, "damaged"), "%s", err);
	cr_assert(strstr(err, "ebpf-query index --rebuild"), "%s", err);
	/* the trace is whole */
	struct trace_reader *t = trace_open(r.trace);
	cr_assert_not_null(trace_reader__meta(t, 0, "probe.opens.recorded"));
	trace_reader__close(t);
	cr_assert_geq(count_type(r.trace, "open"), 6);
	/* the user's query says what is wrong and what to do */
	const char *q[] = { "opens", NULL };
	cr_assert_neq(query_as(&u, q, out, sizeof(out)), 0);
	cr_assert(strstr(out, "--rebuild"), "%s", out);
	/* the way out: rebuilt from the trace named */
	const char *rebuild[] = { "index", "--rebuild", r.trace, NULL };
	cr_assert_eq(query_as(&u, rebuild, out, sizeof(out)), 0, "%s", out);
	query_rows(&u, r.dir, &rows);
	cr_assert_eq(rows.of['b' - 'a'], 6);
	assert_owned(&u, u.index, 0600);
	run_cleanup(&r);
	user_remove(&u);
}
