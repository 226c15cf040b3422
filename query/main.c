// SPDX-License-Identifier: MIT
/* ebpf-query: ask questions of traces, directly or through a SQLite index
 * of sessions (query/QUERY.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/index.h"
#include "query/query.h"
#include "trace.h"

#define EXIT_QUERY 2 /* a mistake in the command line or the query */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ebpf-query [options] 'QUERY' TRACE...\n"
		"       ebpf-query --db FILE [options] 'QUERY'\n"
		"       ebpf-query --db FILE --sql 'SELECT ...'\n"
		"       ebpf-query index TRACE... --db FILE\n"
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
		"  --db FILE       query (or build, with 'index') a SQLite index of sessions\n"
		"  --session ID    with --db: only that session\n"
		"  --sql 'SELECT'  with --db: run read-only SQL on the index\n"
		"  -h, --help      this text\n"
		"  -V, --version   the version\n");
}

static int print_error(const struct query_error *err, const char *text, int code)
{
	query_error__print(err, text, stderr);
	return err->code == -EINVAL && err->in_query ? EXIT_QUERY : code;
}

static int run_index(char **traces, int n, const char *dbpath)
{
	struct query_error err;
	struct query_db *db;
	int status = 0;

	if (!dbpath) {
		fprintf(stderr, "ebpf-query: index needs --db FILE (the index to add the traces to)\n");
		return EXIT_QUERY;
	}
	if (!n) {
		fprintf(stderr, "ebpf-query: index needs one or more traces\n");
		return EXIT_QUERY;
	}
	db = query_db__open(dbpath, true, &err);
	if (!db)
		return print_error(&err, NULL, 1);
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
		{ NULL, 0, NULL, 0 },
	};
	enum query_output fmt = QUERY_OUT_TABLE;
	const char *dbpath = NULL, *sql = NULL;
	bool explain = false;
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
		case 'S': {
			char *end;
			errno = 0;
			session = strtoll(optarg, &end, 10);
			if (errno || *end || session <= 0) {
				fprintf(stderr, "ebpf-query: --session takes a session id (a number "
						"from the sessions table), not '%s'\n", optarg);
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
		return run_index(args + 1, nargs - 1, dbpath);
	if (sql) {
		struct query_error err;
		struct query_result *r = NULL;
		if (!dbpath) {
			fprintf(stderr, "ebpf-query: --sql runs on an index: give --db FILE\n");
			return EXIT_QUERY;
		}
		if (nargs) {
			fprintf(stderr, "ebpf-query: --sql takes no query or trace (got '%s')\n",
				args[0]);
			return EXIT_QUERY;
		}
		struct query_db *db = query_db__open(dbpath, false, &err);
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
	if (!dbpath && nargs < 2) {
		fprintf(stderr, "ebpf-query: name one or more traces after the query, or an index "
				"with --db FILE\n");
		return EXIT_QUERY;
	}
	if (dbpath && nargs > 1) {
		fprintf(stderr, "ebpf-query: with --db, give the query alone (traces go into the "
				"index with 'ebpf-query index TRACE... --db %s')\n", dbpath);
		return EXIT_QUERY;
	}
	if (session && !dbpath) {
		fprintf(stderr, "ebpf-query: --session selects a session of an index: give --db FILE\n");
		return EXIT_QUERY;
	}

	const char *text = args[0];
	struct query_error err;
	struct query_result *r = NULL;
	struct query *q = query__parse(text, &err);
	if (!q)
		return print_error(&err, text, 1);
	if (dbpath) {
		struct query_db *db = query_db__open(dbpath, false, &err);
		if (!db) {
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
