// SPDX-License-Identifier: MIT
/*
 * reliability: the suite `make reliability` runs (README.md here). Each
 * section prints its checks as it goes; the end is one table of figures.
 * Exit 0 when every check held, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

struct rel_env env;
struct rel_figures fig;

static const struct section {
	const char *name;
	const char *title;
	void (*run)(void);
} sections[] = {
	{ "overload", "Overload: more events than the ring takes", section_overload },
	{ "faults", "Faults: kill -9, SIGSTOP, full disk, file size limit, directory removed, rotation",
	  section_faults },
	{ "long", "Long run: memory under steady load", section_long_run },
	{ "bad", "Bad input: hand-made malicious traces and fuzzing", section_bad_input },
	{ "san", "Valgrind and sanitizers on record, replay and query", section_sanitizers },
	{ "privacy", "Privacy: redaction", section_privacy },
	{ "privilege", "Least privilege: owner, mode, symbolic links and files planted in /tmp",
	  section_privilege },
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: reliability [--short|--full] [--only SECTION,...] [OPTIONS]\n"
		"The reliability and security suite (tests/reliability/README.md). Run as root.\n"
		"  --short             the CI form (default): bounded fuzzing, a short long run\n"
		"  --full              the full form: a long run of 11 minutes, long fuzzing,\n"
		"                      100 kills\n"
		"  --only LIST         sections: overload, faults, long, bad, san, privacy, privilege\n"
		"  --build DIR         the build to test (default: build)\n"
		"  --long-seconds N, --fuzz-seconds N, --kills N   override the form's figures\n"
		"  --seed N            the random moments of the kills\n"
		"  --craft DIR         write the hand-made malicious traces to DIR and exit\n");
}

static void set_bin(char *dst, size_t size, const char *build, const char *name)
{
	char p[PATH_MAX], real[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", build, name);
	snprintf(dst, size, "%.*s", (int)size - 1, realpath(p, real) ? real : p);
}

static void make_tmp(void)
{
	snprintf(env.tmp, sizeof(env.tmp), "/tmp/ebt-rel-XXXXXX");
	if (!mkdtemp(env.tmp)) {
		perror("mkdtemp");
		exit(1);
	}
	chmod(env.tmp, 0755); /* other users (nobody) must reach inside */
}

static void cleanup(void)
{
	if (env.tmp[0])
		rm_rf(env.tmp);
}

static void on_signal(int sig)
{
	kill_children();
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void human(char *buf, size_t size, double v)
{
	if (v >= 1e6)
		snprintf(buf, size, "%.2f M", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, size, "%.1f k", v / 1e3);
	else
		snprintf(buf, size, "%.0f", v);
}

static void row(const char *figure, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void row(const char *figure, const char *status, const char *fmt, ...)
{
	va_list ap;

	printf("| %-17s | %-4s | ", figure, status);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void table(bool ran[NSECTIONS], double seconds)
{
	char a[32], b[32], c[32], d[32];

	printf("\nReliability, %s form: %u checks, %u failed, %.1f min\n\n",
	       env.full ? "full" : "short", rel_checks, rel_failures, seconds / 60);
	printf("| %-17s | %-4s | %s\n", "figure", "", "measured");
	printf("|-------------------|------|---------\n");
	if (ran[0]) {
		human(a, sizeof(a), (double)fig.generated);
		human(b, sizeof(b), (double)fig.recorded);
		human(c, sizeof(c), (double)fig.lost);
		human(d, sizeof(d), fig.offered_rate);
		row("load held", fig.unaccounted ? "FAIL" : "ok",
		    "%u overload runs: %s events generated (up to %s/s) = %s recorded + %s lost; "
		    "%llu unaccounted", fig.overload_runs, a, d, b, c,
		    (unsigned long long)fig.unaccounted);
	}
	if (ran[1])
		row("faults survived", fig.fault_ok == fig.fault_runs ? "ok" : "FAIL",
		    "%u of %u fault runs (%u SIGKILLs, %u of them before recording began)",
		    fig.fault_ok, fig.fault_runs, fig.kills, fig.kills_during_start);
	if (ran[3]) {
		human(a, sizeof(a), (double)fig.fuzz_execs);
		row("bad inputs tried", fig.crafted_ok == fig.crafted_runs && !fig.fuzz_crashes ? "ok" : "FAIL",
		    "%u hand-made files, %u of %u tool runs right (max RSS %.0f MiB); "
		    "%s fuzzed inputs over %u targets x %u s, %u crashes",
		    fig.crafted_files, fig.crafted_ok, fig.crafted_runs,
		    (double)fig.max_tool_rss_kib / 1024, a, fig.fuzz_targets, fig.fuzz_seconds,
		    fig.fuzz_crashes);
	}
	if (ran[0] || ran[1]) {
		human(a, sizeof(a), (double)fig.lost);
		row("events lost", fig.unaccounted ? "FAIL" : "ok",
		    "%s, every one counted in lost records and closing metadata; %llu unaccounted", a,
		    (unsigned long long)fig.unaccounted);
	}
	if (ran[1])
		row("files damaged", fig.files_damaged == fig.files_damaged_detected &&
					     fig.files_recovered == fig.files_damaged ? "ok" : "FAIL",
		    "%u of %u files the faults left were damaged (torn tail); --verify said so of %u, "
		    "--recover made %u whole", fig.files_damaged, fig.files_checked,
		    fig.files_damaged_detected, fig.files_recovered);
	if (ran[2])
		row("memory, long run", "", "%.1f min, %u samples: RSS %.1f -> %.1f MiB, max %.1f MiB, "
		    "slope %+.1f KiB/min", fig.long_minutes, fig.rss_samples, fig.rss_first_kib / 1024,
		    fig.rss_last_kib / 1024, fig.rss_max_kib / 1024, fig.rss_slope_kib_min);
	if (ran[4])
		row("sanitizers", fig.san_clean == fig.san_runs ? "ok" : "FAIL",
		    "%u of %u runs clean (valgrind memcheck; ASan, UBSan, LSan)", fig.san_clean,
		    fig.san_runs);
	if (ran[5])
		row("privacy", fig.privacy_ok == fig.privacy_checks ? "ok" : "FAIL",
		    "%u of %u checks: no original in redacted files, structure kept", fig.privacy_ok,
		    fig.privacy_checks);
	if (ran[6])
		row("least privilege", fig.priv_ok == fig.priv_checks ? "ok" : "FAIL", "%u of %u checks",
		    fig.priv_ok, fig.priv_checks);
	printf("\n");
}

int main(int argc, char **argv)
{
	enum { OPT_SHORT = 256, OPT_FULL, OPT_ONLY, OPT_BUILD, OPT_LONG, OPT_FUZZ, OPT_KILLS,
	       OPT_SEED, OPT_CRAFT };
	static const struct option opts[] = {
		{ "short", no_argument, NULL, OPT_SHORT },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "build", required_argument, NULL, OPT_BUILD },
		{ "long-seconds", required_argument, NULL, OPT_LONG },
		{ "fuzz-seconds", required_argument, NULL, OPT_FUZZ },
		{ "kills", required_argument, NULL, OPT_KILLS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "craft", required_argument, NULL, OPT_CRAFT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *build = "build", *craft = NULL;
	long long_s = -1, fuzz_s = -1, kills = -1;
	bool ran[NSECTIONS] = { 0 };
	int c;

	if (argc > 1 && !strcmp(argv[1], "--helper"))
		return helper_main(argc - 2, argv + 2);
	env.seed = (unsigned)time(NULL);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SHORT: env.full = false; break;
		case OPT_FULL: env.full = true; break;
		case OPT_ONLY: only = optarg; break;
		case OPT_BUILD: build = optarg; break;
		case OPT_LONG: long_s = atol(optarg); break;
		case OPT_FUZZ: fuzz_s = atol(optarg); break;
		case OPT_KILLS: kills = atol(optarg); break;
		case OPT_SEED: env.seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case OPT_CRAFT: craft = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (craft) {
		struct craft_case *cases;
		int n;

		mkdir(craft, 0755);
		n = craft_all(craft, &cases);
		for (int i = 0; i < n; i++)
			printf("%-28s %s\n", cases[i].name, cases[i].what);
		return n < 0;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "reliability: run it as root: it records with BPF, mounts a tmpfs and "
			"plays another user\n");
		return 2;
	}
	snprintf(env.src, sizeof(env.src), "%s", SRCDIR);
	set_bin(env.record, sizeof(env.record), build, "bin/ebpf-record");
	set_bin(env.replay, sizeof(env.replay), build, "bin/ebpf-replay");
	set_bin(env.query, sizeof(env.query), build, "bin/ebpf-query");
	set_bin(env.workloads, sizeof(env.workloads), build, "samples/workloads");
	set_bin(env.fuzz_dir, sizeof(env.fuzz_dir), SRCDIR, "build-fuzz");
	if (access(SRCDIR "/build-san/bin/ebpf-record", X_OK) == 0 &&
	    access(SRCDIR "/build-san/bin/ebpf-replay", X_OK) == 0 &&
	    access(SRCDIR "/build-san/bin/ebpf-query", X_OK) == 0) {
		set_bin(env.san_record, sizeof(env.san_record), SRCDIR, "build-san/bin/ebpf-record");
		set_bin(env.san_replay, sizeof(env.san_replay), SRCDIR, "build-san/bin/ebpf-replay");
		set_bin(env.san_query, sizeof(env.san_query), SRCDIR, "build-san/bin/ebpf-query");
	}
	if (readlink("/proc/self/exe", env.self, sizeof(env.self) - 1) < 0) {
		perror("readlink /proc/self/exe");
		return 1;
	}
	if (access(env.record, X_OK) || access(env.replay, X_OK) || access(env.query, X_OK)) {
		fprintf(stderr, "reliability: %s, %s and %s must be built first (make)\n", env.record,
			env.replay, env.query);
		return 2;
	}
	env.kill_runs = kills >= 0 ? (unsigned)kills : env.full ? 100 : 12;
	env.long_seconds = long_s >= 0 ? (unsigned)long_s : env.full ? 660 : 60;
	env.fuzz_seconds = fuzz_s >= 0 ? (unsigned)fuzz_s : env.full ? 900 : 30;
	env.opens_per_worker = env.full ? 1000000 : 250000;
	srand(env.seed);
	make_tmp();
	atexit(cleanup);
	/* the recorder adds each recording to the user's session index:
	 * ours go to one of our own, removed with the rest */
	char xdg[200];
	snprintf(xdg, sizeof(xdg), "%s/xdg", env.tmp);
	mkdir(xdg, 0700);
	setenv("XDG_DATA_HOME", xdg, 1);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	uint64_t start = mono_ns();
	printf("reliability: %s form (seed %u): record %s, replay %s, query %s%s%s\n",
	       env.full ? "full" : "short", env.seed, env.record, env.replay, env.query,
	       env.san_replay[0] ? "; sanitizer build " : "", env.san_replay[0] ? SRCDIR "/build-san" : "");
	for (size_t i = 0; i < NSECTIONS; i++) {
		if (only) {
			size_t n = strlen(sections[i].name);
			const char *p = strstr(only, sections[i].name);

			if (!p || (p != only && p[-1] != ',') || (p[n] && p[n] != ','))
				continue;
		}
		printf("\n== %s\n", sections[i].title);
		uint64_t t0 = mono_ns();
		sections[i].run();
		ran[i] = true;
		note("(%.0f s)", (double)(mono_ns() - t0) / 1e9);
	}
	table(ran, (double)(mono_ns() - start) / 1e9);
	return rel_failures ? 1 : 0;
}
