// SPDX-License-Identifier: MIT
/* ebpf-query: ask questions of traces, directly or through a SQLite index
 * of sessions (query/QUERY.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "query/index.h"
#include "query/query.h"
#include "trace.h"

#define EXIT_QUERY 2 /* a mistake in the command line or the query */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ebpf-query [options] 'QUERY' TRACE...   scan traces\n"
		"       ebpf-query [options] 'QUERY'            your session index\n"
		"       ebpf-query --db FILE [options] 'QUERY'  another index\n"
		"       ebpf-query [--db FILE] --sql 'SELECT ...'\n"
		"       ebpf-query index [--rebuild] TRACE... [--db FILE]\n"
		"       ebpf-query sessions [--db FILE]\n"
		"\n"
		"Queries (query/QUERY.md has the grammar and many more):\n"
		"  'slow opens > 1ms'            'opens of /etc/* by nginx'\n"
		"  'failed opens'                'read syscalls by pid 42 > 100us'\n"
		"  'tcp connections longer than 2s'   'tcp to 10.0.0.1:443'\n"
		"  'udp flows to port 53'        'processes that exited nonzero'\n"
		"  'top 10 paths by opens'       'count opens by comm'\n"
		"  'syscall histogram for read'  ... between 10s and 20s | in first 10s\n"
		"\n"
		"Options:\n"
		"  --json          one JSON object per row (raw numbers: ns, bytes, boottime ns)\n"
		"  --csv           CSV with a header line (raw numbers)\n"
		"  --explain       print the plan (types, time range, chunks skipped, or the SQL)\n"
		"  --db FILE       query (or build, with 'index') this index of sessions instead\n"
		"                  of yours (~/.local/share/ebpf-trace/sessions.db)\n"
		"  --session ID    only that session of the index ('latest': the newest)\n"
		"  --sql 'SELECT'  run read-only SQL on the index (schema: query/QUERY.md)\n"
		"  --rebuild       with index: move the index aside, index its traces again\n"
		"  -h, --help      this text\n"
		"  -V, --version   the version\n");
}

static int print_error(const struct query_error *err, const char *text, int code)
{
	query_error__print(err, text, stderr);
	return err->code == -EINVAL && err->in_query ? EXIT_QUERY : code;
}

/* The index named with --db, else the user's own. */
static struct query_db *open_db(const char *dbpath, bool create, struct query_error *err)
{
	return dbpath ? query_db__open(dbpath, create, err) : query_db__open_default(create, err);
}

static int index_traces(struct query_db *db, char **traces, int n)
{
	struct query_error err;
	int status = 0;

	for (int i = 0; i < n; i++) {
		struct query_index_stats st;
		if (query_db__index(db, traces[i], &st, &err)) {
			print_error(&err, NULL, 1);
			status = 1;
			continue;
		}
		if (st.unchanged)
			printf("%s: session %lld, unchanged\n", traces[i], (long long)st.session);
		else
			printf("%s: session %lld%s, %llu events, %llu rows in %.2f s (%.2f M rows/s;"
			       " %.2f s of CPU, %.2f M rows/s)\n",
			       traces[i], (long long)st.session, st.replaced ? " (replaced)" : "",
			       (unsigned long long)st.events, (unsigned long long)st.rows, st.seconds,
			       st.seconds > 0 ? (double)st.rows / st.seconds / 1e6 : 0.0,
			       st.cpu_seconds,
			       st.cpu_seconds > 0 ? (double)st.rows / st.cpu_seconds / 1e6 : 0.0);
	}
	return status;
}

static int run_index(char **traces, int n, const char *dbpath)
{
	struct query_error err;
	struct query_db *db;

	if (!n) {
		fprintf(stderr, "ebpf-query: index needs one or more traces\n");
		return EXIT_QUERY;
	}
	db = open_db(dbpath, true, &err);
	if (!db)
		return print_error(&err, NULL, 1);
	printf("index %s\n", query_db__path(db));
	int status = index_traces(db, traces, n);
	query_db__close(db);
	return status;
}

/* Moves the index aside and builds a new one from the traces it listed
 * (those still there) and the traces named. */
static int run_rebuild(char **traces, int n, const char *dbpath)
{
	struct query_error err;
	struct query_result *r = NULL;
	char path[PATH_MAX], aside[PATH_MAX + 64], buf[PATH_MAX];
	char **old = NULL;
	size_t nold = 0;
	int status = 0;

	if (dbpath) {
		snprintf(path, sizeof(path), "%s", dbpath);
	} else {
		int64_t uid, gid;
		if (query_db__default_path(path, sizeof(path), &uid, &gid)) {
			fprintf(stderr, "ebpf-query: cannot tell where your session index lives (no "
					"home directory); give --db FILE\n");
			return 1;
		}
	}
	if (access(path, F_OK) == 0) {
		struct query_db *db = query_db__open(path, false, &err);
		if (db && query_db__sql(db, "SELECT path FROM sessions ORDER BY id", &r, &err) == 0) {
			old = calloc(query_result__nrows(r) + 1, sizeof(*old));
			for (size_t i = 0; old && i < query_result__nrows(r); i++) {
				const char *p = query_result__text(r, i, 0, buf, sizeof(buf));
				if (access(p, F_OK) == 0 && (old[nold] = strdup(p)))
					nold++;
				else
					printf("%s: gone, its session stays in the old index only\n", p);
			}
			query_result__free(r);
		} else {
			fprintf(stderr, "ebpf-query: %s is damaged: its sessions cannot be listed, "
					"only the traces named are indexed again\n", path);
		}
		query_db__close(db);
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32] = "old";
		if (localtime_r(&now, &tm))
			strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(aside, sizeof(aside), "%s.broken-%s", path, stamp);
		if (rename(path, aside)) {
			fprintf(stderr, "ebpf-query: cannot move %s aside: %s\n", path, strerror(errno));
			status = 1;
			goto cleanup;
		}
		static const char *const sfx[] = { "-journal", "-wal", "-shm" };
		for (size_t i = 0; i < 3; i++) {
			snprintf(buf, sizeof(buf), "%s%s", path, sfx[i]);
			unlink(buf);
		}
		printf("moved %s to %s\n", path, aside);
	}
	struct query_db *db = open_db(dbpath, true, &err);
	if (!db) {
		status = print_error(&err, NULL, 1);
		goto cleanup;
	}
	printf("index %s\n", query_db__path(db));
	status = index_traces(db, old, (int)nold);
	if (index_traces(db, traces, n))
		status = 1;
	query_db__close(db);
cleanup:
	for (size_t i = 0; i < nold; i++)
		free(old[i]);
	free(old);
	return status;
}

static int run_sessions(const char *dbpath, enum query_output fmt, int nargs)
{
	struct query_error err;
	struct query_result *r = NULL;
	int status = 0;

	if (nargs) {
		fprintf(stderr, "ebpf-query: sessions takes no arguments\n");
		return EXIT_QUERY;
	}
	struct query_db *db = open_db(dbpath, false, &err);
	if (!db)
		return print_error(&err, NULL, 1);
	if (query_db__sessions(db, &r, &err))
		status = print_error(&err, NULL, 1);
	else if (query_result__write(r, stdout, fmt))
		status = 1;
	query_result__free(r);
	query_db__close(db);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },   { "csv", no_argument, NULL, 'c' },
		{ "explain", no_argument, NULL, 'e' }, { "db", required_argument, NULL, 'd' },
		{ "sql", required_argument, NULL, 's' }, { "session", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },   { "version", no_argument, NULL, 'V' },
		{ "rebuild", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	enum query_output fmt = QUERY_OUT_TABLE;
	const char *dbpath = NULL, *sql = NULL;
	bool explain = false, rebuild = false, latest = false;
	int64_t session = 0;
	int c, status = 0;

	/* Options may follow the operands (ebpf-query index a.trace --db x). */
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			fmt = QUERY_OUT_JSON;
			break;
		case 'c':
			fmt = QUERY_OUT_CSV;
			break;
		case 'e':
			explain = true;
			break;
		case 'd':
			dbpath = optarg;
			break;
		case 's':
			sql = optarg;
			break;
		case 'R':
			rebuild = true;
			break;
		case 'S': {
			char *end;
			if (strcmp(optarg, "latest") == 0) {
				latest = true;
				break;
			}
			errno = 0;
			session = strtoll(optarg, &end, 10);
			if (errno || *end || session <= 0) {
				fprintf(stderr, "ebpf-query: --session takes a session id (see "
						"'ebpf-query sessions') or 'latest', not '%s'\n", optarg);
				return EXIT_QUERY;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ebpf-query %s (trace format %d.%d)\n", EBPFQUERY_VERSION,
			       TRACE_FORMAT_MAJOR, TRACE_FORMAT_MINOR);
			return 0;
		default:
			fprintf(stderr, "ebpf-query: see 'ebpf-query --help'\n");
			return EXIT_QUERY;
		}
	}
	char **args = argv + optind;
	int nargs = argc - optind;

	if (nargs > 0 && strcmp(args[0], "index") == 0)
		return rebuild ? run_rebuild(args + 1, nargs - 1, dbpath)
			       : run_index(args + 1, nargs - 1, dbpath);
	if (rebuild) {
		fprintf(stderr, "ebpf-query: --rebuild goes with index: ebpf-query index --rebuild\n");
		return EXIT_QUERY;
	}
	if (nargs > 0 && strcmp(args[0], "sessions") == 0)
		return run_sessions(dbpath, fmt, nargs - 1);
	if (sql) {
		struct query_error err;
		struct query_result *r = NULL;
		if (nargs) {
			fprintf(stderr, "ebpf-query: --sql takes no query or trace (got '%s')\n",
				args[0]);
			return EXIT_QUERY;
		}
		struct query_db *db = open_db(dbpath, false, &err);
		if (!db)
			return print_error(&err, NULL, 1);
		if (query_db__sql(db, sql, &r, &err))
			status = print_error(&err, NULL, err.code == -EINVAL || err.code == -EPERM
							 ? EXIT_QUERY : 1);
		else if (query_result__write(r, stdout, fmt))
			status = 1;
		query_result__free(r);
		query_db__close(db);
		return status;
	}
	if (!nargs) {
		usage(stderr);
		return EXIT_QUERY;
	}
	/* No trace named: the index (--db, else the user's own). */
	bool use_db = dbpath || nargs == 1;
	if (dbpath && nargs > 1) {
		fprintf(stderr, "ebpf-query: with --db, give the query alone (traces go into the "
				"index with 'ebpf-query index TRACE... --db %s')\n", dbpath);
		return EXIT_QUERY;
	}
	if ((session || latest) && !use_db) {
		fprintf(stderr, "ebpf-query: --session selects a session of an index: name no trace\n");
		return EXIT_QUERY;
	}

	const char *text = args[0];
	struct query_error err;
	struct query_result *r = NULL;
	struct query *q = query__parse(text, &err);
	if (!q)
		return print_error(&err, text, 1);
	if (use_db) {
		struct query_db *db = open_db(dbpath, false, &err);
		if (!db) {
			status = print_error(&err, NULL, 1);
		} else if (latest && query_db__latest(db, &session, &err)) {
			status = print_error(&err, NULL, 1);
		} else if (explain) {
			if (query_db__explain(db, q, session, stdout, &err))
				status = print_error(&err, text, 1);
		} else if (query_db__query(db, q, session, &r, &err)) {
			status = print_error(&err, text, 1);
		}
		query_db__close(db);
	} else {
		struct query_scan_opts so = { .sz = sizeof(so), .explain = explain ? stdout : NULL };
		struct query_scan_stats st;
		if (explain)
			query__describe(q, stdout);
		if (query__scan(q, (const char *const *)args + 1, (size_t)nargs - 1, &so, &r, &st,
				&err))
			status = print_error(&err, text, 1);
		else if (explain)
			printf("total:    %llu session(s), %llu events looked at, %llu chunks read, "
			       "%llu skipped, %llu rows\n",
			       (unsigned long long)st.sessions, (unsigned long long)st.events,
			       (unsigned long long)st.chunks, (unsigned long long)st.chunks_skipped,
			       (unsigned long long)query_result__nrows(r));
	}
	if (r && !explain && query_result__write(r, stdout, fmt)) {
		fprintf(stderr, "ebpf-query: cannot write the result: %s\n", strerror(errno));
		status = 1;
	}
	query_result__free(r);
	query__free(q);
	return status;
}
