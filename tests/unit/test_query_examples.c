// SPDX-License-Identifier: MIT
/* Every example of query/QUERY.md, run as written on the example trace:
 * the scan must print exactly the documented output, and the same query
 * through an index must give the same rows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "query/index.h"
#include "query/query.h"
#include "query_testlib.h"

static char dir[] = "/tmp/query-examples-XXXXXX";

static void setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	qt_example_trace("example.trace");
	struct query_error err;
	struct query_db *db = query_db__open("example.db", true, &err);
	cr_assert_not_null(db, "%s", err.msg);
	struct query_index_stats st;
	cr_assert_eq(query_db__index(db, "example.trace", &st, &err), 0, "%s", err.msg);
	query_db__close(db);
}

static void teardown(void)
{
	unlink("example.trace");
	unlink("example.db");
	unlink("example.db-wal");
	unlink("example.db-shm");
	cr_assert_eq(chdir("/"), 0);
	rmdir(dir);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The result as text in fmt; session names stripped from JSON. */
static char *render(const struct query_result *r, enum query_output fmt, bool strip_session)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_eq(query_result__write(r, f, fmt), 0);
	fclose(f);
	if (strip_session) {
		char *p;
		while ((p = strstr(buf, "\"session\":\""))) {
			char *e = strstr(p, "\",");
			cr_assert_not_null(e);
			memmove(p, e + 2, strlen(e + 2) + 1);
		}
	}
	return buf;
}

static int run_example(const char *q, const char *expected)
{
	struct query_error err;
	struct query *pq = query__parse(q, &err);
	const char *paths[] = { "example.trace" };
	struct query_result *scan = NULL, *idx = NULL;
	char *out = NULL;
	size_t len = 0;

	if (strncmp(expected, "ebpf-query: ", 12) == 0) {
		/* A documented mistake: the same message, never a result. */
		if (pq) {
			int ret = query__scan(pq, paths, 1, NULL, &scan, NULL, &err);
			cr_assert_neq(ret, 0, "'%s' should fail", q);
			query__free(pq);
		}
		FILE *f = open_memstream(&out, &len);
		query_error__print(&err, q, f);
		fclose(f);
		cr_expect_str_eq(out, expected, "error of '%s'", q);
		free(out);
		return 1;
	}
	cr_assert_not_null(pq, "'%s': %s", q, err.msg);
	cr_assert_eq(query__scan(pq, paths, 1, NULL, &scan, NULL, &err), 0, "'%s': %s", q, err.msg);
	out = render(scan, QUERY_OUT_TABLE, false);
	cr_expect_str_eq(out, expected, "table of '%s'", q);
	free(out);

	struct query_db *db = query_db__open("example.db", false, &err);
	cr_assert_not_null(db, "%s", err.msg);
	cr_assert_eq(query_db__query(db, pq, 0, &idx, &err), 0, "'%s' on the index: %s", q,
		     err.msg);
	char *a = render(scan, QUERY_OUT_JSON, true), *b = render(idx, QUERY_OUT_JSON, true);
	cr_expect_str_eq(b, a, "'%s': the index and the scan disagree", q);
	char *ca = render(scan, QUERY_OUT_CSV, false), *cb = render(idx, QUERY_OUT_CSV, false);
	/* CSV of the index has a session column first for rows. */
	const char *cbody = strncmp(cb, "session,", 8) == 0 ? NULL : cb;
	if (cbody)
		cr_expect_str_eq(cb, ca, "'%s': CSV differs", q);
	free(a);
	free(b);
	free(ca);
	free(cb);
	query_db__close(db);
	query_result__free(scan);
	query_result__free(idx);
	query__free(pq);
	return 1;
}

Test(query_examples, every_example_in_query_md, .init = setup, .fini = teardown)
{
	char *doc = slurp(SRCDIR "/query/QUERY.md");
	const char *p = doc;
	int n = 0, errors = 0;

	while ((p = strstr(p, "```console\n$ ebpf-query '"))) {
		p += strlen("```console\n$ ebpf-query '");
		const char *qe = strstr(p, "' example.trace\n");
		if (!qe)
			continue; /* an example on another file (--db, --sql) */
		const char *nl = strchr(p, '\n');
		if (nl < qe)
			continue;
		char *q = strndup(p, (size_t)(qe - p));
		const char *body = qe + strlen("' example.trace\n");
		const char *end = strstr(body, "```");
		cr_assert_not_null(end);
		char *expected = strndup(body, (size_t)(end - body));
		if (strncmp(expected, "ebpf-query: ", 12) == 0)
			errors++;
		n += run_example(q, expected);
		free(q);
		free(expected);
		p = end;
	}
	cr_expect_geq(n, 40, "QUERY.md has %d examples on example.trace", n);
	cr_expect_geq(errors, 8, "QUERY.md has %d mistakes on example.trace", errors);
	free(doc);
}

/* The schema QUERY.md documents is the one the index creates. */
Test(query_examples, schema_in_query_md, .init = setup, .fini = teardown)
{
	char *doc = slurp(SRCDIR "/query/QUERY.md");
	struct query_error err;
	struct query_db *db = query_db__open("example.db", false, &err);
	struct query_result *r = NULL;
	char buf[4096];

	cr_assert_not_null(db);
	cr_assert_eq(query_db__sql(db, "SELECT name FROM sqlite_schema WHERE type IN ('table','index')"
				       " AND name NOT LIKE 'sqlite_%'", &r, &err), 0, "%s", err.msg);
	cr_assert_geq(query_result__nrows(r), 20);
	for (size_t i = 0; i < query_result__nrows(r); i++) {
		const char *name = query_result__text(r, i, 0, buf, sizeof(buf));
		char needle[256];
		snprintf(needle, sizeof(needle), "EXISTS %s ", name);
		cr_expect_not_null(strstr(doc, needle), "QUERY.md does not document %s", name);
	}
	query_result__free(r);
	query_db__close(db);
	free(doc);
}
