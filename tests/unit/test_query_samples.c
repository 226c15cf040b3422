// SPDX-License-Identifier: MIT
/* ebpf-query on the real traces in samples/replay/ (recorded from the
 * bundled workloads by samples/make-samples): the exact counts, bytes and
 * paths the workloads produce, scanned and through an index alike. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/index.h"
#include "query/query.h"

#define SAMPLES SRCDIR "/samples/replay/"

static char dir[] = "/tmp/query-samples-XXXXXX";
static char dbpath[256];

static void setup(void)
{
	static const char *const traces[] = { "opens", "fifo", "tcp", "udp", "exec" };
	struct query_error err;
	struct query_index_stats st;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/samples.db", dir);
	struct query_db *db = query_db__open(dbpath, true, &err);
	cr_assert_not_null(db, "%s", err.msg);
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), SAMPLES "%s.trace", traces[i]);
		cr_assert_eq(query_db__index(db, path, &st, &err), 0, "%s", err.msg);
		cr_assert_eq(st.session, (int64_t)i + 1);
	}
	query_db__close(db);
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *json(const struct query_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_eq(query_result__write(r, f, QUERY_OUT_JSON), 0);
	fclose(f);
	/* Sessions are named differently by the two (path vs id). */
	char *p;
	while ((p = strstr(buf, "\"session\":\""))) {
		char *e = strstr(p, "\",");
		memmove(p, e + 2, strlen(e + 2) + 1);
	}
	return buf;
}

/* Runs q on one sample both ways; checks they agree; returns the scan's
 * result as JSON lines. */
static char *both(const char *q, const char *trace, int64_t session)
{
	struct query_error err;
	struct query *pq = query__parse(q, &err);
	struct query_result *a, *b;
	char path[512];

	cr_assert_not_null(pq, "%s: %s", q, err.msg);
	snprintf(path, sizeof(path), SAMPLES "%s.trace", trace);
	const char *paths[] = { path };
	cr_assert_eq(query__scan(pq, paths, 1, NULL, &a, NULL, &err), 0, "%s: %s", q, err.msg);
	struct query_db *db = query_db__open(dbpath, false, &err);
	cr_assert_not_null(db, "%s", err.msg);
	cr_assert_eq(query_db__query(db, pq, session, &b, &err), 0, "%s: %s", q, err.msg);
	char *ja = json(a), *jb = json(b);
	cr_expect_str_eq(jb, ja, "'%s' on %s: the index and the scan disagree", q, trace);
	free(jb);
	query_result__free(a);
	query_result__free(b);
	query_db__close(db);
	query__free(pq);
	return ja;
}

/* q on trace gives `rows` rows, and every string of want appears. */
static void expect_rows(const char *q, const char *trace, int64_t session,
			const char *const *want, size_t nwant, size_t n)
{
	char *got = both(q, trace, session);
	size_t lines = 0;
	for (const char *p = got; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_eq(lines, n, "'%s' on %s: %zu rows, want %zu:\n%s", q, trace, lines, n, got);
	for (size_t i = 0; i < nwant; i++)
		cr_expect_not_null(strstr(got, want[i]), "'%s' on %s: no %s in\n%s", q, trace, want[i],
				   got);
	free(got);
}

Test(query_samples, opens_trace, .init = setup, .fini = teardown)
{
	const char *a[] = { "{\"path\":\"/tmp/ebpf-replay-samples/hostname\",\"count\":100}",
			    "{\"path\":\"/tmp/ebpf-replay-samples/missing\",\"count\":1}" };
	expect_rows("count opens of /tmp/ebpf-replay-samples/* by path", "opens", 1, a, sizeof(a) / sizeof(a[0]), 2);
	const char *b[] = { "\"path\":\"/tmp/ebpf-replay-samples/missing\"}",
			    "\"errno\":\"ENOENT\"" };
	expect_rows("failed opens", "opens", 1, b, sizeof(b) / sizeof(b[0]), 1);
	/* Every syscall was recorded as an event: opens and openat agree. */
	const char *c[] = { "\"count\":107" };
	expect_rows("count openat syscalls", "opens", 1, c, sizeof(c) / sizeof(c[0]), 1);
	const char *d[] = { "\"name\":\"openat\",\"nr\":257,\"calls\":107",
			    "\"name\":\"close\",\"nr\":3,\"calls\":107" };
	expect_rows("syscall histogram with calls = 107", "opens", 1, d, sizeof(d) / sizeof(d[0]), 2);
	free(both("syscall histogram for openat,close", "opens", 1));
	free(both("syscall histogram for openat", "opens", 1));
	free(both("top 5 comms by syscalls", "opens", 1));
	free(both("read syscalls in first 5ms", "opens", 1));
}

Test(query_samples, fifo_trace, .init = setup, .fini = teardown)
{
	const char *a[] = { "\"comm\":\"wl_fifo\"", "\"path\":\"/tmp/ebpf-replay-samples/fifo\"" };
	expect_rows("slow opens > 40ms", "fifo", 2, a, sizeof(a) / sizeof(a[0]), 1);
	free(both("top 3 opens by latency", "fifo", 2));
}

Test(query_samples, tcp_trace, .init = setup, .fini = teardown)
{
	const char *a[] = { "\"tx_bytes\":1000,\"rx_bytes\":2000" };
	expect_rows("tcp with tx = 1000 and rx = 2000", "tcp", 3, a, sizeof(a) / sizeof(a[0]), 3);
	const char *b[] = { "\"daddr\":\"127.0.0.1\"" };
	expect_rows("tcp to 127.0.0.1 with tx_bytes = 2000", "tcp", 3, b, sizeof(b) / sizeof(b[0]), 3);
	free(both("tcp state changes", "tcp", 3));
	free(both("count tcp state changes by newstate", "tcp", 3));
	free(both("tcp connections in first 6ms", "tcp", 3));
}

Test(query_samples, udp_trace, .init = setup, .fini = teardown)
{
	const char *a[] = { "\"tx_bytes\":600,\"rx_bytes\":0", "\"tx_bytes\":0,\"rx_bytes\":600" };
	expect_rows("udp flows", "udp", 4, a, sizeof(a) / sizeof(a[0]), 2);
	const char *b[] = { "\"bytes\":100", "\"bytes\":200", "\"bytes\":300" };
	expect_rows("udp datagrams with dir = send", "udp", 4, b, sizeof(b) / sizeof(b[0]), 3);
	free(both("udp flows in first 4ms", "udp", 4));
	free(both("udp flows between 4.32ms and 1s", "udp", 4));
}

Test(query_samples, exec_trace, .init = setup, .fini = teardown)
{
	const char *a[] = { "\"code\":3", "\"cmdline\":\"build/samples/workloads/wl_exec --child 3" };
	expect_rows("processes that exited with 3", "exec", 5, a, sizeof(a) / sizeof(a[0]), 1);
	free(both("processes", "exec", 5));
	free(both("processes in last 1ms", "exec", 5));
}
