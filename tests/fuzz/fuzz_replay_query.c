// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any bytes as a trace, queried by ebpf-query's library:
 * a scan of the file with queries of every kind (opens, syscalls,
 * histograms, TCP, UDP, processes, lost events; filters, groupings, time
 * ranges), each result written in every format; then the file indexed
 * into a SQLite session index and queried there. Nothing may crash, hang
 * or read out of bounds; a damaged trace is an error or damage reported,
 * never more.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "query/index.h"
#include "query/query.h"

static const char *const queries[] = {
	"slow opens > 1ms",
	"opens of /etc/* by sh",
	"count failed opens by errno",
	"top 10 paths by opens",
	"top 3 opens by latency",
	"count syscalls by name",
	"syscall histogram for read",
	"tcp connections longer than 2s",
	"tcp state changes",
	"tcp to 127.0.0.1:80",
	"udp flows to port 53",
	"udp datagrams",
	"processes that exited nonzero",
	"processes still running",
	"count lost events by probe",
	"opens between 1s and 3s",
	"opens after 2024-05-01T12:00:14Z",
	NULL,
};

#define NQUERIES (sizeof(queries) / sizeof(queries[0]) - 1)

static struct query *parsed[NQUERIES];
static FILE *null_out;
static char db_path[64];
static struct query_db *db;

static void remove_db(void)
{
	static const char *const sfx[] = { "", "-journal", "-wal", "-shm" };
	char p[96];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", db_path, sfx[i]);
		unlink(p);
	}
}

static void init(void)
{
	struct query_error err;

	null_out = fopen("/dev/null", "w");
	if (!null_out)
		abort();
	for (size_t i = 0; queries[i]; i++) {
		parsed[i] = query__parse(queries[i], &err);
		if (!parsed[i]) {
			fprintf(stderr, "fuzz_replay_query: '%s' does not parse: %s\n", queries[i], err.msg);
			abort();
		}
	}
	/* One index for the whole run (on tmpfs: no disk syncs): each input
	 * replaces the session of the one before, which had the same path. */
	snprintf(db_path, sizeof(db_path), "/dev/shm/fuzz_replay_query.%d.db", (int)getpid());
	remove_db();
	db = query_db__open(db_path, true, &err);
	if (!db) {
		fprintf(stderr, "fuzz_replay_query: cannot make the index %s: %s\n", db_path, err.msg);
		abort();
	}
	atexit(remove_db);
}

static void write_all_formats(const struct query_result *r)
{
	query_result__write(r, null_out, QUERY_OUT_TABLE);
	query_result__write(r, null_out, QUERY_OUT_JSON);
	query_result__write(r, null_out, QUERY_OUT_CSV);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct query_scan_opts so = { .sz = sizeof(so) };
	struct query_scan_stats st;
	struct query_index_stats ist;
	struct query_error err;
	struct query_result *r;
	char path[64];
	int fd;

	if (!ready) {
		init();
		ready = true;
	}
	so.damage_out = null_out;
	fd = memfd_create("trace", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	const char *const paths[] = { path };
	/* Five of the queries, chosen by the input's bytes (more inputs a
	 * second; each query sees inputs of every kind); one input in four
	 * also goes through the index, which is slower. */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < size && i < 256; i++)
		h = (h ^ data[i]) * 16777619u;
	h ^= (uint32_t)size;
	for (size_t k = 0; k < 5; k++) {
		size_t i = (h + k) % NQUERIES;

		r = NULL;
		if (query__scan(parsed[i], paths, 1, &so, &r, &st, &err) == 0) {
			if (!r)
				abort();
			write_all_formats(r);
		} else if (!err.msg[0]) {
			abort(); /* an error must say what */
		}
		query_result__free(r);
	}
	if (((h >> 8) & 3) == 0) {
		if (query_db__index(db, path, &ist, &err) == 0) {
			for (size_t i = 0; i < NQUERIES; i += 3) {
				r = NULL;
				if (query_db__query(db, parsed[i], 0, &r, &err) == 0)
					write_all_formats(r);
				query_result__free(r);
			}
		} else if (!err.msg[0]) {
			abort();
		}
	}
	close(fd);
	return 0;
}
