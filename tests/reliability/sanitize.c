// SPDX-License-Identifier: MIT
/*
 * Valgrind (memcheck, definite and indirect leaks count) on ebpf-record,
 * ebpf-replay and ebpf-query from the normal build, and the sanitizer
 * build (build-san/: ASan, UBSan, LSan) on the same runs. A run is clean
 * when it exits as it should and its checker said nothing. Valgrind does
 * not know all of bpf(2): valgrind.supp here lists the two false reports
 * it makes of libbpf's map creation, and nothing else.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

static const char *const san_env[] = {
	"ASAN_OPTIONS=detect_leaks=1:exitcode=86",
	"UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87",
	"LSAN_OPTIONS=exitcode=88",
	NULL,
};

/* How a run is checked. */
enum checker { VALGRIND, SANITIZERS };

static bool clean_run(enum checker how, const char *const *args, const char *dir, int want,
		      const char *what)
{
	char log[600], supp[600], err[600];
	const char *argv[32];
	int n = 0;
	struct proc_result r;
	bool ok;

	snprintf(log, sizeof(log), "%s/checker.log", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(supp, sizeof(supp), "--suppressions=%s/tests/reliability/valgrind.supp", env.src);
	unlink(log);
	if (how == VALGRIND) {
		static char logarg[640];

		snprintf(logarg, sizeof(logarg), "--log-file=%s", log);
		argv[n++] = "/usr/bin/valgrind";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--errors-for-leak-kinds=definite,indirect";
		argv[n++] = "--track-origins=yes";
		argv[n++] = supp;
		argv[n++] = "-q";
		argv[n++] = logarg;
	}
	for (int i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct spawn_opts o = { .in_fd = -1, .err = err, .setenv = how == SANITIZERS ? san_env : NULL };
	run(argv, &o, 600000, &r);
	char *l = slurp(how == VALGRIND ? log : err, NULL);
	/* valgrind's own notes on bpf commands it does not model are not errors */
	bool said = false;
	for (char *p = l; p && *p;) {
		char *end = strchr(p, '\n');

		if (how == VALGRIND ? strncmp(p, "--", 2) != 0 || !strstr(p, "unhandled eBPF command")
				    : strstr(p, "Sanitizer") != NULL || strstr(p, "runtime error") != NULL)
			said |= end ? end > p : *p != 0;
		p = end ? end + 1 : NULL;
	}
	ok = !r.timed_out && !r.sig && r.code == want && !said;
	fig.san_runs++;
	fig.san_clean += ok;
	if (!ok) {
		char first[300] = "";

		if (l)
			snprintf(first, sizeof(first), "%.*s", (int)strcspn(l, "\n"), l);
		check(false, "%s %s: %s, expected exit %d: %s", how == VALGRIND ? "valgrind" : "sanitizers",
		      what, proc_status(&r), want, first);
	}
	free(l);
	return ok;
}

/* The runs, for one checker and one set of binaries. */
static void runs(enum checker how, const char *record, const char *replay, const char *query)
{
	char *dir = scratch_dir(how == VALGRIND ? "valgrind" : "sanitizers");
	char trace[600], target[600], out[600], db[600], wl[600], tcp[600];
	unsigned before = fig.san_runs, clean_before = fig.san_clean;
	static const char *const samples[] = { "opens", "tcp", "udp", "exec", "fifo", NULL };

	snprintf(trace, sizeof(trace), "%s/run.trace", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(out, sizeof(out), "%s/copy.trace", dir);
	snprintf(db, sizeof(db), "%s/index.db", dir);
	snprintf(wl, sizeof(wl), "%s/wl_opens", env.workloads);
	snprintf(tcp, sizeof(tcp), "%s/wl_tcp", env.workloads);
	close(open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));

	/* record: every probe, a command that opens, then one over TCP */
	const char *rec1[] = { record, "-q", "-o", trace, "--min-latency", "0", "--", wl, target,
			       "2000", NULL };
	clean_run(how, rec1, dir, 0, "ebpf-record, every probe, -- wl_opens");
	char trace2[700];
	snprintf(trace2, sizeof(trace2), "%s.tcp", trace);
	const char *rec2[] = { record, "-q", "-o", trace2, "--probes", "tcp,udp,proc", "--segment-size",
			       "64K", "--", tcp, "20", "1000", "5000", NULL };
	clean_run(how, rec2, dir, 0, "ebpf-record, tcp and segments, -- wl_tcp");
	char trace3[700];
	snprintf(trace3, sizeof(trace3), "%s.redacted", trace);
	const char *rec3[] = { record, "-q", "-o", trace3, "--redact", "--probes", "opens,proc", "--",
			       wl, target, "500", NULL };
	clean_run(how, rec3, dir, 0, "ebpf-record --redact, -- wl_opens");

	/* replay and query on that trace and the samples */
	char paths[8][700];
	int np = 0;
	snprintf(paths[np++], sizeof(paths[0]), "%s", trace);
	for (int i = 0; samples[i] && (env.full || i < 2); i++)
		snprintf(paths[np++], sizeof(paths[0]), "%s/samples/replay/%s.trace", env.src, samples[i]);
	for (int i = 0; i < np; i++) {
		const char *t = paths[i], *base = strrchr(t, '/') + 1;
		char what[200];
		const char *a1[] = { replay, t, NULL };
		const char *a2[] = { replay, "--events", "--all", "--json", t, NULL };
		const char *a3[] = { replay, "--html", out, t, NULL };
		const char *a4[] = { replay, "--verify", t, NULL };
		const char *a5[] = { replay, "--recover", "-o", out, t, NULL };
		const char *a6[] = { replay, "--redact", "-o", out, t, NULL };
		const char *a7[] = { replay, "--export", "perfetto", out, "--csv", t, NULL };
		const char *q1[] = { query, "top 10 paths by opens", t, NULL };
		const char *q2[] = { query, "--json", "tcp connections", t, NULL };
		const char *q3[] = { query, "index", t, "--db", db, NULL };
		const char *q4[] = { query, "--db", db, "count syscalls by name", NULL };
		const char *const *all[] = { a1, a2, a3, a4, a5, a6, a7, q1, q2, q3, q4 };
		const char *names[] = { "report", "--events --json", "--html", "--verify", "--recover",
					"--redact", "--export perfetto", "scan", "scan --json",
					"index", "--db query" };

		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
			snprintf(what, sizeof(what), "%s %s %s", all[k][0] == query ? "ebpf-query" :
				 "ebpf-replay", names[k], base);
			unlink(out);
			clean_run(how, all[k], dir, 0, what);
		}
		unlink(db);
	}
	/* the segments of the TCP recording, as one */
	const char *s1[] = { replay, "--tcp", "--udp", trace2, NULL };
	clean_run(how, s1, dir, 0, "ebpf-replay of the segments");
	check(fig.san_clean - clean_before == fig.san_runs - before,
	      "%s: %u of %u runs clean (record, replay, query)",
	      how == VALGRIND ? "valgrind memcheck" : "ASan+UBSan+LSan build", fig.san_clean - clean_before,
	      fig.san_runs - before);
	rm_rf(dir);
	free(dir);
}

void section_sanitizers(void)
{
	if (check(access("/usr/bin/valgrind", X_OK) == 0, "valgrind is installed"))
		runs(VALGRIND, env.record, env.replay, env.query);
	if (check(env.san_record[0] && access(env.san_record, X_OK) == 0 &&
			  access(env.san_replay, X_OK) == 0 && access(env.san_query, X_OK) == 0,
		  "the sanitizer build is there (make SAN=1: build-san/bin)"))
		runs(SANITIZERS, env.san_record, env.san_replay, env.san_query);
}
