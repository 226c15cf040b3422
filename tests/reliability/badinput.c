// SPDX-License-Identifier: MIT
/*
 * Bad input. Every hand-made malicious trace (craft.c) goes through
 * ebpf-replay (the report, the event listing, HTML, Perfetto, --info,
 * --verify, --recover, --redact) and ebpf-query (a scan, a grouping, an
 * index), from the normal build and from the sanitizer build: no crash, no
 * hang, bounded memory, --verify says what the case is, a readable file
 * reads whole, a refused one gets one line (a segment set first names each
 * segment passed over), every line on stderr is the tool's own, every copy
 * written verifies. Then the fuzz targets, seeded with the sample traces
 * and these files (but the heavy ones).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#define RSS_MAX_KIB (1024L * 1024)     /* normal build */
#define SAN_RSS_MAX_KIB (3072L * 1024) /* ASan's shadow and quarantine */

enum tool_kind { PLAIN, VERIFY, COPY };

struct tool {
	const char *name;
	bool query;    /* ebpf-query, else ebpf-replay */
	enum tool_kind kind;
	bool heavy;    /* also on the heavy cases */
	bool san;      /* also from the sanitizer build */
	const char *args[6]; /* "@T": the trace, "@O": a file to write, "@D": an index */
};

static const struct tool tools[] = {
	{ "report", false, PLAIN, true, true, { "@T" } },
	{ "events", false, PLAIN, false, false, { "--events", "--json", "--all", "@T" } },
	{ "verify", false, VERIFY, true, true, { "--verify", "@T" } },
	{ "info", false, PLAIN, true, false, { "--info", "@T" } },
	{ "recover", false, COPY, true, true, { "--recover", "-o", "@O", "@T" } },
	{ "redact", false, COPY, false, true, { "--redact", "-o", "@O", "@T" } },
	{ "html", false, PLAIN, false, false, { "--html", "/dev/null", "@T" } },
	{ "perfetto", false, PLAIN, false, false, { "--export", "perfetto", "/dev/null", "@T" } },
	{ "query", true, PLAIN, true, true, { "count opens", "@T" } },
	{ "query-top", true, PLAIN, false, false, { "--json", "top 10 paths by opens", "@T" } },
	{ "query-index", true, PLAIN, false, true, { "index", "@T", "--db", "@D" } },
};
#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static const char *const san_env[] = {
	"ASAN_OPTIONS=detect_leaks=1:exitcode=86:abort_on_error=0",
	"UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87",
	"LSAN_OPTIONS=exitcode=88",
	NULL,
};

/* One tool on one case; true when everything held, else why. */
static bool tool_run(const struct craft_case *c, const struct tool *t, bool san, const char *dir,
		     char *why, size_t len, long *rss)
{
	char out[600], db[600], err[600];
	const char *argv[10];
	int n = 0;
	struct proc_result r;
	const char *bin = t->query ? (san ? env.san_query : env.query)
				   : (san ? env.san_replay : env.replay);
	const char *prefix = t->query ? "ebpf-query: " : "ebpf-replay: ";
	bool ok = true;

	snprintf(out, sizeof(out), "%s/copy.trace", dir);
	snprintf(db, sizeof(db), "%s/index.db", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	unlink(out);
	unlink(db);
	argv[n++] = bin;
	for (int i = 0; i < 6 && t->args[i]; i++)
		argv[n++] = !strcmp(t->args[i], "@T") ? c->path
			    : !strcmp(t->args[i], "@O") ? out
			    : !strcmp(t->args[i], "@D") ? db
							: t->args[i];
	argv[n] = NULL;
	struct spawn_opts o = { .in_fd = -1, .err = err, .setenv = san ? san_env : NULL };
	run(argv, &o, c->heavy ? 600000 : 60000, &r);
	*rss = r.maxrss_kib;
	char *e = slurp(err, NULL);
	const char *lw;
	unsigned lines = 0;
	/* A segment set (no file of the case's own name): the reader names
	 * each segment it could not take before the one line refusing it. */
	bool set = access(c->path, F_OK) != 0;

	for (const char *p = e; p && *p; p++)
		lines += *p == '\n';
	if (r.timed_out || r.sig || r.code > 2) {
		snprintf(why, len, "%s", proc_status(&r));
		ok = false;
	} else if (!lines_ok(e, prefix, false, &lw)) {
		snprintf(why, len, "stderr: %s: %.150s", lw, e);
		ok = false;
	} else if (r.maxrss_kib > (san ? SAN_RSS_MAX_KIB : RSS_MAX_KIB)) {
		snprintf(why, len, "max RSS %ld MiB", r.maxrss_kib / 1024);
		ok = false;
	} else if (t->kind == VERIFY && !((c->expect >> r.code) & 1)) {
		snprintf(why, len, "--verify said %d (%.120s)", r.code, e ? e : "");
		ok = false;
	} else if (c->expect == EXPECT_REFUSED && (r.code == 0 || !lines || (lines > 1 && !set))) {
		snprintf(why, len, "not refused with one line: %s, %u lines: %.150s", proc_status(&r),
			 lines, e ? e : "");
		ok = false;
	} else if (c->expect == EXPECT_INTACT && (r.code != 0 || lines)) {
		snprintf(why, len, "a valid file: %s, said: %.150s", proc_status(&r), e ? e : "");
		ok = false;
	} else if (c->expect == EXPECT_DAMAGED && t->kind == VERIFY && !lines) {
		snprintf(why, len, "the damage was not reported on stderr");
		ok = false;
	} else if (t->kind == COPY && r.code == 0 && replay_verify(out) != 0) {
		snprintf(why, len, "the copy it wrote does not verify");
		ok = false;
	}
	free(e);
	return ok;
}

static void crafted(void)
{
	char *dir = scratch_dir("crafted"), *work = scratch_dir("crafted-runs");
	struct craft_case *cases;
	int n = craft_all(dir, &cases);
	bool san = env.san_replay[0] && env.san_query[0];

	if (!check(n > 0, "%d hand-made traces written", n))
		return;
	note("%d hand-made traces; tools: ebpf-replay (report, --events --json, --verify, --info, "
	     "--recover, --redact, --html, --export perfetto), ebpf-query (scan, top, index)%s", n,
	     san ? "; again from build-san/ (ASan, UBSan, LSan)" : "");
	fig.crafted_files = (unsigned)n;
	for (int i = 0; i < n; i++) {
		const struct craft_case *c = &cases[i];
		char why[400] = "", first[500] = "";
		unsigned runs = 0, good = 0;
		long rss, max_rss = 0;

		bool hung = false;
		for (int s = 0; s < 1 + san; s++) {
			for (size_t k = 0; k < NTOOLS; k++) {
				const struct tool *t = &tools[k];

				if ((c->heavy && !t->heavy) || (s && !t->san))
					continue;
				runs++;
				/* one hang says it: the other tools would wait as long */
				if (hung)
					continue;
				why[0] = 0;
				if (tool_run(c, t, s, work, why, sizeof(why), &rss))
					good++;
				else if (!first[0])
					snprintf(first, sizeof(first), "%s%s: %s", t->name,
						 s ? " (build-san)" : "", why);
				hung |= strstr(why, "timed out") != NULL;
				if (rss > max_rss)
					max_rss = rss;
			}
		}
		/* a valid file: the library reads every event the encoder wrote */
		if (c->events) {
			struct readback rb;
			int err = read_back(c->path, &rb);

			runs++;
			if (!err && rb.events == c->events && !rb.damage_reports)
				good++;
			else if (!first[0])
				snprintf(first, sizeof(first), "the reader read %llu events of %llu (%s, %llu "
					 "damage reports)", (unsigned long long)rb.events,
					 (unsigned long long)c->events, err ? trace_strerror(err) : "ok",
					 (unsigned long long)rb.damage_reports);
		}
		fig.crafted_runs += runs;
		fig.crafted_ok += good;
		if ((uint64_t)max_rss > fig.max_tool_rss_kib)
			fig.max_tool_rss_kib = (uint64_t)max_rss;
		check(good == runs, "%-26s %2u/%2u runs, max RSS %4ld MiB: %s%s%s", c->name, good, runs,
		      max_rss / 1024, c->what, first[0] ? "; " : "", first);
	}
	rm_rf(work);
	free(work);
	/* The files stay for the fuzzers' seeds, but for the heavy ones: a
	 * fuzz input must run within -timeout, and these take minutes under
	 * the fuzzers' sanitizers (they had their own generous timeout here). */
	for (int i = 0; i < n; i++)
		if (cases[i].heavy)
			unlink(cases[i].path);
	free(dir);
}

/* ---- fuzzing ------------------------------------------------------------------ */

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *b = slurp(from, &len);
	int fd;

	if (!b)
		return;
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, b, len) != (ssize_t)len)
			perror(to);
		close(fd);
	}
	free(b);
}

/* Copies the regular files of from (up to max bytes each) into to. */
static unsigned copy_seeds(const char *from, const char *to, off_t max)
{
	DIR *d = opendir(from);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d))) {
		char a[1200], b[1200];
		struct stat st;

		snprintf(a, sizeof(a), "%s/%s", from, e->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, e->d_name);
		if (lstat(a, &st) || !S_ISREG(st.st_mode) || st.st_size > max)
			continue;
		copy_file(a, b);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void fuzz(const char *name, const char *seeds, unsigned seconds, const char *crafted_dir)
{
	char bin[700], corpus[700], log[700], art[700], stat_line[64];
	char *work;
	struct proc_result r;
	unsigned nseeds;

	snprintf(bin, sizeof(bin), "%s/%s", env.fuzz_dir, name);
	if (!check(access(bin, X_OK) == 0, "%s is built (make fuzz)", name))
		return;
	work = scratch_dir(name);
	snprintf(corpus, sizeof(corpus), "%s/corpus", work);
	snprintf(log, sizeof(log), "%s/log", work);
	snprintf(art, sizeof(art), "-artifact_prefix=%s/", work);
	mkdir(corpus, 0755);
	char seeddir[700];
	snprintf(seeddir, sizeof(seeddir), "%s/tests/fuzz/corpus/%s", env.src, seeds);
	nseeds = copy_seeds(seeddir, corpus, 1 << 20);
	if (crafted_dir)
		nseeds += copy_seeds(crafted_dir, corpus, 256 << 10);
	char total[32];
	snprintf(total, sizeof(total), "-max_total_time=%u", seconds);
	const char *argv[] = { bin, total, "-rss_limit_mb=2048", "-timeout=60", "-print_final_stats=1",
			       art, corpus, NULL };
	struct spawn_opts o = { .in_fd = -1, .err = log };
	run(argv, &o, (seconds * 2 + 120) * 1000, &r);
	char *l = slurp(log, NULL), *p = l ? strstr(l, "stat::number_of_executed_units:") : NULL;
	unsigned long long execs = p ? strtoull(p + 31, NULL, 10) : 0;
	bool ok = r.exited && r.code == 0 && p;

	fig.fuzz_targets++;
	fig.fuzz_execs += execs;
	if (!ok) {
		/* keep the reproducer where the cleanup does not reach */
		char keep[256];

		fig.fuzz_crashes++;
		snprintf(keep, sizeof(keep), "/tmp/ebt-rel-fuzz-%s-%d", name, (int)getpid());
		rename(work, keep);
		snprintf(stat_line, sizeof(stat_line), "%s", proc_status(&r));
		check(false, "%s for %u s from %u seeds: %s; the log and reproducer are in %s", name,
		      seconds, nseeds, stat_line, keep);
	} else {
		check(true, "%s for %u s from %u seeds: %llu inputs, no crash", name, seconds, nseeds,
		      execs);
		rm_rf(work);
	}
	free(l);
	free(work);
}

void section_bad_input(void)
{
	char crafted_dir[600];
	unsigned s = env.fuzz_seconds;

	crafted();
	/* crafted() leaves its files in the newest crafted-* directory */
	DIR *d = opendir(env.tmp);
	struct dirent *e;
	crafted_dir[0] = 0;
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "crafted-", 8) && strncmp(e->d_name, "crafted-runs", 12))
			snprintf(crafted_dir, sizeof(crafted_dir), "%s/%s", env.tmp, e->d_name);
	if (d)
		closedir(d);
	fig.fuzz_seconds = s;
	fuzz("fuzz_replay", "replay", s, crafted_dir[0] ? crafted_dir : NULL);
	fuzz("fuzz_replay_query", "replay_query", s, crafted_dir[0] ? crafted_dir : NULL);
	fuzz("fuzz_format", "format", s, crafted_dir[0] ? crafted_dir : NULL);
	fuzz("fuzz_format_nocrc", "format_nocrc", s, crafted_dir[0] ? crafted_dir : NULL);
	fuzz("fuzz_query", "query", env.full ? s : s / 3, NULL);
	if (crafted_dir[0])
		rm_rf(crafted_dir);
}
