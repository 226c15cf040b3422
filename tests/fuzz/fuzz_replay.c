// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any bytes as a trace, through ebpf-replay itself (its
 * main, built in with -Dmain=replay_main): every analysis and every
 * output (the text report, NDJSON, CSV, the event listings, HTML,
 * Perfetto), a time range and filters, --info, --verify, and the two
 * writers, --recover and --redact. ebpf-replay must never crash, hang or
 * read out of bounds, and a copy it writes must verify clean: --recover
 * and --redact of any input are intact traces.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "replay/dash/dash.h"

/* The event printer caches its field lookups per schema pointer, which
 * holds for the one reader an ebpf-replay process opens. Here each run
 * opens its own, so the cache is emptied between runs: built in, its
 * statics are reachable. */
#include "replay/events.c"

int replay_main(int argc, char **argv);

/* The dashboard needs a terminal: not fuzzed here (its model has unit
 * tests); ebpf-replay --tui is never among the arguments below. */
int dash__replay(const char *const *paths, size_t n, struct dash_replay_opts *opts)
{
	(void)paths;
	(void)n;
	(void)opts;
	return -ENOTTY;
}

static char copy_path[64], key_path[64];

static int run(const char *const *args)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)"ebpf-replay";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	optind = 0; /* glibc: start getopt afresh */
	nplans = next_plan = 0;
	last_plan = NULL;
	return replay_main(argc, argv);
}

static void init(void)
{
	int null = open("/dev/null", O_WRONLY);
	FILE *k;

	/* the outputs go nowhere; stderr stays for the damage lines */
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();
	close(null);
	snprintf(copy_path, sizeof(copy_path), "/tmp/fuzz_replay.%d.copy", (int)getpid());
	snprintf(key_path, sizeof(key_path), "/tmp/fuzz_replay.%d.key", (int)getpid());
	k = fopen(key_path, "w");
	if (!k)
		abort();
	fputs("000102030405060708090a0b0c0d0e0f\n", k);
	fclose(k);
}

/* A copy written by --recover or --redact must be intact. */
static void check_copy(int rc, const char *what)
{
	if (rc != 0)
		return;
	const char *const verify[] = { "--verify", copy_path, NULL };
	if (run(verify) != 0) {
		fprintf(stderr, "fuzz_replay: the copy written by %s does not verify\n", what);
		abort();
	}
	unlink(copy_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char path[64];
	int fd, rc;

	if (!ready) {
		init();
		ready = true;
	}
	fd = memfd_create("trace", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	const char *const all[] = { path, NULL };
	const char *const json[] = { "--json", path, NULL };
	const char *const csv[] = { "--csv", "--per-process", path, NULL };
	const char *const events[] = { "--events", "--all", path, NULL };
	const char *const events_json[] = { "--events", "--json", "--all", "--utc", path, NULL };
	const char *const events_csv[] = { "--events", "--csv", path, NULL };
	const char *const html[] = { "--html", "/dev/null", path, NULL };
	const char *const perfetto[] = { "--export", "perfetto", "/dev/null", path, NULL };
	const char *const range[] = { "--since", "1ms", "--until", "2s", "--hist", "--opens",
				      "--lost", path, NULL };
	const char *const filters[] = { "-p", "1", "-c", "sh", "--tcp", "--udp", "--procs",
					"--rates", path, NULL };
	const char *const tcp[] = { "--tcp", path, NULL };
	const char *const info[] = { "--info", path, NULL };
	const char *const verify[] = { "--verify", path, NULL };
	const char *const *const runs[] = { json, csv, events, events_json, events_csv, html,
					    perfetto, range, filters, tcp, info, NULL };
	const size_t nruns = sizeof(runs) / sizeof(runs[0]) - 1;
	const char *const recover[] = { "--recover", "-o", copy_path, path, NULL };
	const char *const redact[] = { "--redact", "--redact-key", key_path, "-o", copy_path, path,
				       NULL };
	uint32_t h = 2166136261u;

	/* Every input gets the whole report and --verify, and three of the
	 * other runs, chosen by its bytes: many more inputs a second, and
	 * every run sees inputs of every kind. */
	for (size_t i = 0; i < size && i < 256; i++)
		h = (h ^ data[i]) * 16777619u;
	h ^= (uint32_t)size;
	run(all);
	run(verify);
	run(runs[h % nruns]);
	run(runs[(h / nruns) % nruns]);
	if ((h >> 20) & 1) {
		rc = run(recover);
		check_copy(rc, "--recover");
	} else {
		rc = run(redact);
		check_copy(rc, "--redact");
	}
	unlink(copy_path);
	close(fd);
	return 0;
}
