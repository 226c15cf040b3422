// SPDX-License-Identifier: MIT
/* The query language's pieces (units, patterns, errors, the catalog) and
 * the index's promises (re-indexing changes nothing, many sessions). */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "query/catalog.h"
#include "query/index.h"
#include "query/query.h"
#include "query/units.h"
#include "query/values.h"
#include "query_testlib.h"

Test(query_units, durations_as_people_write_them)
{
	static const struct {
		const char *s;
		int64_t ns;
	} ok[] = {
		{ "1ns", 1 }, { "1us", 1000 }, { "1\xc2\xb5s", 1000 }, { "1\xce\xbcs", 1000 },
		{ "1.5ms", 1500000 }, { "2s", 2000000000 }, { "1m", 60000000000 },
		{ "1min", 60000000000 }, { "1h", 3600000000000 }, { "1m30s", 90000000000 },
		{ "0.25s", 250000000 }, { "3seconds", 3000000000 }, { "+10s", 10000000000 },
		{ "1MS", 1000000 }, { "100usec", 100000 },
	};
	char msg[256];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = -1;
		cr_expect_eq(qunit_parse(ok[i].s, QU_DURATION, &v, msg, sizeof(msg)), 0, "%s: %s",
			     ok[i].s, msg);
		cr_expect_eq(v, ok[i].ns, "%s = %lld", ok[i].s, (long long)v);
	}
	static const char *const bad[] = { "5", "5MB", "5mz", "-1s", "ms", "1.5", "99999999999h" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v;
		cr_expect_neq(qunit_parse(bad[i], QU_DURATION, &v, msg, sizeof(msg)), 0, "%s", bad[i]);
	}
}

Test(query_units, sizes)
{
	static const struct {
		const char *s;
		int64_t b;
	} ok[] = { { "1", 1 }, { "1B", 1 }, { "1KB", 1000 }, { "1kb", 1000 }, { "1KiB", 1024 },
		   { "1.5MB", 1500000 }, { "1MiB", 1048576 }, { "2GB", 2000000000 },
		   { "1GiB", 1073741824 }, { "1k", 1000 }, { "3 bytes", 3 } };
	char msg[256];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = -1;
		char s[32];
		snprintf(s, sizeof(s), "%s", ok[i].s);
		char *sp = strchr(s, ' ');
		if (sp)
			memmove(sp, sp + 1, strlen(sp));
		cr_expect_eq(qunit_parse(s, QU_SIZE, &v, msg, sizeof(msg)), 0, "%s: %s", s, msg);
		cr_expect_eq(v, ok[i].b, "%s", s);
	}
	int64_t v;
	cr_expect_neq(qunit_parse("1ms", QU_SIZE, &v, msg, sizeof(msg)), 0);
	cr_expect_neq(qunit_parse("1.5B", QU_SIZE, &v, msg, sizeof(msg)), 0);
}

/* Our GLOB must be SQLite's, or scan and index would disagree. */
Test(query_values, glob_is_sqlite_glob)
{
	static const char *const pats[] = {
		"*", "/etc/*", "*.conf", "/etc/?asswd", "[a-c]*", "[^a-c]*", "[]]*", "*[0-9]",
		"a*b*c", "*/nginx/*", "?", "", "[a-", "[!a]*", "*\xc2\xb5*", "?\xc2\xb5", "[-a]x",
		"**a", "a[*]b",
	};
	static const char *const strs[] = {
		"", "a", "abc", "/etc/passwd", "/etc/nginx/nginx.conf", "b", "]x", "x9", "aXbYc",
		"-x", "!a", "\xc2\xb5", "a\xc2\xb5", "a*b", "ab", "/var/log/nginx/a",
	};
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT ?2 GLOB ?1", -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		for (size_t j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			sqlite3_bind_text(st, 1, pats[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, strs[j], -1, SQLITE_STATIC);
			cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
			bool want = sqlite3_column_int(st, 0);
			sqlite3_reset(st);
			cr_expect_eq(qglob_match(pats[i], strs[j]), want, "'%s' GLOB '%s': want %d",
				     strs[j], pats[i], want);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(query_catalog, default_columns_are_the_right_ones)
{
	cr_expect_str_eq(qkinds[QK_OPENS].cols[qkinds[QK_OPENS].metric].name, "latency_ns");
	cr_expect_str_eq(qkinds[QK_OPENS].cols[qkinds[QK_OPENS].path_col].name, "path");
	cr_expect_str_eq(qkinds[QK_SYSCALLS].cols[qkinds[QK_SYSCALLS].name_col].name, "name");
	cr_expect_str_eq(qkinds[QK_TCP].cols[qkinds[QK_TCP].metric].name, "duration_ns");
	cr_expect_str_eq(qkinds[QK_TCP].cols[qkinds[QK_TCP].time_col].name, "end_ts");
	cr_expect_str_eq(qkinds[QK_TCP].cols[qkinds[QK_TCP].daddr_col].name, "daddr");
	cr_expect_str_eq(qkinds[QK_UDP_FLOWS].cols[qkinds[QK_UDP_FLOWS].metric].name, "bytes");
	cr_expect_str_eq(qkinds[QK_UDP].cols[qkinds[QK_UDP].dport_col].name, "dport");
	cr_expect_str_eq(qkinds[QK_PROCESSES].cols[qkinds[QK_PROCESSES].metric].name,
			 "lifetime_ns");
	cr_expect_str_eq(qkinds[QK_PROCESSES].cols[qkinds[QK_PROCESSES].path_col].name,
			 "filename");
	cr_expect_str_eq(qkinds[QK_LOST].cols[qkinds[QK_LOST].weight].name, "count");
	for (int k = 0; k < QK__COUNT; k++) {
		const struct qkind_desc *d = &qkinds[k];
		int cols[] = { d->comm_col, d->pid_col, d->tid_col, d->uid_col, d->saddr_col,
			       d->sport_col, d->daddr_col, d->dport_col, d->ret_col };
		const char *names[] = { "comm", "pid", "tid", "uid", "saddr", "sport", "daddr",
					"dport", "ret" };
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			if (cols[i] >= 0)
				cr_expect_str_eq(d->cols[cols[i]].name, names[i], "%s", d->name);
	}
}

/* Bad queries: the message, and where it points. */
Test(query_errors, clear_messages_never_a_crash)
{
	static const struct {
		const char *q;
		const char *msg; /* a part of the message */
		size_t pos;
	} bad[] = {
		{ "slow opns > 1ms", "unknown kind 'opns', did you mean 'opens'?", 5 },
		{ "opens > 5", "'5' needs a unit", 8 },
		{ "opens > 5MB", "did you mean '5ms'?", 8 },
		{ "opens > 5mz", "unknown unit 'mz' in '5mz', did you mean '5ms'?", 8 },
		{ "tcp with rx > 1ms", "did you mean '1MB'?", 14 },
		{ "opens with laytency > 1ms", "opens have no field 'laytency'", 11 },
		{ "opens with errno = ENOENTT", "did you mean 'ENOENT'?", 19 },
		{ "opens with errno = 'ENOENTT'", "did you mean 'ENOENT'?", 19 },
		{ "'opns'", "expected what to look for", 0 },
		{ "opens between 20s and 10s", "empty time range", 14 },
		{ "opens between 10s", "expected 'and'", 17 },
		{ "tcp to example.com", "not an IP address", 7 },
		{ "tcp to 10.0.0.1:99999", "not a port number", 7 },
		{ "top 0 opens", "count of 1 or more", 4 },
		{ "", "empty query", 0 },
		{ "opens of", "expected a value for path", 8 },
		{ "udp flows of /etc", "'of' filters paths, which udp flows do not have", 10 },
		{ "lost events > 1ms", "'1ms' is not a number (for count)", 14 },
		{ "slow lost events", "'slow' applies to", 5 },
		{ "syscall histogram by comm", "'by' filters by process, which syscall histogram", 18 },
		{ "count syscall histogram", "cannot be counted", 6 },
		{ "opens 'unterminated", "unterminated quote", 6 },
		{ "opens limit x", "after 'limit'", 12 },
		{ "opens with ts > 5s", "compare times with between", 16 },
		{ "opens in first 12:00", "takes a duration", 15 },
		{ "opens with pid > 1,2", "a list of values needs = or !=", 11 },
		{ "opens with path > /etc/*", "can only be compared with = or !=", 11 },
		{ "foo opens", "unexpected 'foo' before opens", 0 },
		{ "count", "expected what to look for", 5 },
		{ "top 10 paths by tcp", "cannot rank paths by tcp connections", 7 },
		{ "processes that flew", "expected 'exited'", 15 },
		{ "opens after 2024-13-01", "not a valid date", 12 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct query_error err;
		struct query *q = query__parse(bad[i].q, &err);
		cr_expect_null(q, "'%s' parsed", bad[i].q);
		query__free(q);
		cr_expect_eq(err.code, -EINVAL, "'%s'", bad[i].q);
		cr_expect_not_null(strstr(err.msg, bad[i].msg), "'%s': got \"%s\", want \"%s\"",
				   bad[i].q, err.msg, bad[i].msg);
		cr_expect_eq(err.pos, bad[i].pos, "'%s': at %zu, want %zu", bad[i].q, err.pos,
			     bad[i].pos);
	}
}

static char dir[] = "/tmp/query-index-XXXXXX";

static void setup(void)
{
	setenv("TZ", "UTC", 1);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	qt_example_trace("a.trace");
	/* Another host's recording. */
	struct qt_trace *t = qt_open("b.trace", "b0000000000000000000000000000000", "db2",
				     5000000000000ULL, 1714600000LL * 1000000000 - 5000000000000LL);
	qt_sysname(t, 5000000000000ULL, 0, "read");
	qt_open_ev(t, 5000000000000ULL + 1000000, 3000000, 7, 0, 3, "postgres", "/etc/hosts");
	qt_syscall(t, 5000000000000ULL + 2000000, 1000, 7, 0, 1, "postgres");
	qt_close(t);
}

static void teardown(void)
{
	cr_assert_eq(system("rm -rf -- \"$PWD\""), 0);
	cr_assert_eq(chdir("/"), 0);
}

static char *dump(const char *path)
{
	struct query_error err;
	struct query_db *db = query_db__open(path, false, &err);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	static const char *const tables[] = { "sessions", "session_meta", "opens", "syscalls",
					      "syscall_names", "syscall_hist", "tcp_connections",
					      "tcp_states", "udp", "udp_flows", "processes", "lost" };
	cr_assert_not_null(db, "%s", err.msg);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[128];
		struct query_result *r;
		bool rowid = strcmp(tables[i], "session_meta") && strcmp(tables[i], "syscall_names");
		snprintf(sql, sizeof(sql), "SELECT %s* FROM %s", rowid ? "rowid, " : "", tables[i]);
		cr_assert_eq(query_db__sql(db, sql, &r, &err), 0, "%s", err.msg);
		query_result__write(r, f, QUERY_OUT_CSV);
		query_result__free(r);
	}
	fclose(f);
	query_db__close(db);
	return out;
}

Test(query_index, reindexing_changes_nothing, .init = setup, .fini = teardown)
{
	struct query_error err;
	struct query_index_stats st;
	struct query_db *db = query_db__open("x.db", true, &err);

	cr_assert_not_null(db, "%s", err.msg);
	cr_assert_eq(query_db__index(db, "a.trace", &st, &err), 0, "%s", err.msg);
	cr_expect_eq(st.session, 1);
	cr_expect(!st.unchanged && !st.replaced);
	cr_expect_gt(st.rows, 40);
	query_db__close(db);
	char *before = dump("x.db");

	db = query_db__open("x.db", false, &err);
	cr_assert_eq(query_db__index(db, "a.trace", &st, &err), 0, "%s", err.msg);
	cr_expect(st.unchanged);
	cr_expect_eq(st.session, 1);
	query_db__close(db);
	char *again = dump("x.db");
	cr_expect_str_eq(again, before);

	/* A touched file is imported again, to the same rows and id. */
	cr_assert_eq(system("touch -d '2030-01-01' a.trace"), 0);
	db = query_db__open("x.db", false, &err);
	cr_assert_eq(query_db__index(db, "a.trace", &st, &err), 0, "%s", err.msg);
	cr_expect(st.replaced && !st.unchanged);
	cr_expect_eq(st.session, 1);
	query_db__close(db);
	char *after = dump("x.db");
	/* Only the file's modification time in sessions differs. */
	char *a = strstr(before, "\r\n1,"), *b = strstr(after, "\r\n1,");
	cr_assert(a && b);
	cr_expect_str_eq(strstr(after, "session,key,value"), strstr(before, "session,key,value"));
	free(before);
	free(again);
	free(after);
}

Test(query_index, many_sessions_from_many_hosts, .init = setup, .fini = teardown)
{
	struct query_error err;
	struct query_index_stats st;
	struct query_db *db = query_db__open("x.db", true, &err);
	struct query_result *r;
	char buf[64];

	cr_assert_eq(query_db__index(db, "a.trace", &st, &err), 0, "%s", err.msg);
	cr_assert_eq(query_db__index(db, "b.trace", &st, &err), 0, "%s", err.msg);
	cr_expect_eq(st.session, 2);
	struct query *q = query__parse("opens of /etc/hosts", &err);
	cr_assert_eq(query_db__query(db, q, 0, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(query_result__nrows(r), 3);
	cr_expect_str_eq(query_result__session(r, 0), "1");
	cr_expect_str_eq(query_result__session(r, 2), "2");
	cr_expect_str_eq(query_result__text(r, 2, 4, buf, sizeof(buf)), "postgres");
	query_result__free(r);
	/* --session narrows; the scan of both traces agrees. */
	cr_assert_eq(query_db__query(db, q, 2, &r, &err), 0, "%s", err.msg);
	cr_expect_eq(query_result__nrows(r), 1);
	query_result__free(r);
	const char *paths[] = { "a.trace", "b.trace" };
	cr_assert_eq(query__scan(q, paths, 2, NULL, &r, NULL, &err), 0, "%s", err.msg);
	cr_expect_eq(query_result__nrows(r), 3);
	cr_expect_str_eq(query_result__session(r, 2), "b.trace");
	query_result__free(r);
	query__free(q);
	/* A syscall only one host's table names is no mistake; one none
	 * names is. */
	q = query__parse("syscalls named epoll_wait", &err);
	cr_assert_eq(query__scan(q, paths, 2, NULL, &r, NULL, &err), 0, "%s", err.msg);
	cr_expect_eq(query_result__nrows(r), 2);
	query_result__free(r);
	query__free(q);
	q = query__parse("syscalls named epoll_wiat", &err);
	cr_expect_eq(query__scan(q, paths, 2, NULL, &r, NULL, &err), -EINVAL);
	cr_expect_not_null(strstr(err.msg, "did you mean 'epoll_wait'"), "%s", err.msg);
	cr_expect_eq(query_db__query(db, q, 0, &r, &err), -EINVAL);
	query__free(q);
	/* Counts sum over sessions; syscall names resolve per session. */
	q = query__parse("count read syscalls by comm", &err);
	cr_assert_eq(query_db__query(db, q, 0, &r, &err), 0, "%s", err.msg);
	cr_expect_eq(query_result__nrows(r), 2);
	query_result__free(r);
	query__free(q);
	cr_expect_eq(query_db__sql(db, "DELETE FROM opens", &r, &err), -EPERM);
	cr_expect_neq(query_db__sql(db, "SELECT 1; SELECT 2", &r, &err), 0);
	query_db__close(db);
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(query_cli, exit_status_and_index_command, .init = setup, .fini = teardown)
{
	cr_expect_eq(run(QUERY_BIN " 'slow opens > 1ms' a.trace >out 2>err"), 0);
	cr_expect_eq(run("grep -q '(3 rows)' out"), 0);
	cr_expect_eq(run(QUERY_BIN " 'slow opns > 1ms' a.trace >out 2>err"), 2);
	cr_expect_eq(run("grep -q \"did you mean 'opens'\" err"), 0);
	cr_expect_eq(run(QUERY_BIN " 'opens' missing.trace >out 2>err"), 1);
	cr_expect_eq(run(QUERY_BIN " index a.trace b.trace --db s.db >out 2>err"), 0);
	cr_expect_eq(run(QUERY_BIN " index a.trace --db s.db >out 2>err"), 0);
	cr_expect_eq(run("grep -q 'session 1, unchanged' out"), 0);
	cr_expect_eq(run(QUERY_BIN " --db s.db --json 'count opens' >out 2>err"), 0);
	cr_expect_eq(run("grep -qx '{\"count\":9}' out"), 0);
	cr_expect_eq(run(QUERY_BIN " --db s.db --explain 'slow opens > 1ms' >out 2>err"), 0);
	cr_expect_eq(run("grep -q 'latency_ns > ?' out && grep -q '?1 = 1000000' out"), 0);
	cr_expect_eq(run(QUERY_BIN " --explain 'opens in first 1s' a.trace >out 2>err"), 0);
	cr_expect_eq(run("grep -q 'chunks:' out && grep -q 'types:    open' out"), 0);
	cr_expect_eq(run(QUERY_BIN " --db s.db --csv --sql 'SELECT host FROM sessions ORDER BY id'"
				   " >out 2>err"), 0);
	cr_expect_eq(run("printf 'host\\r\\nweb1\\r\\ndb2\\r\\n' | cmp -s - out"), 0);
	cr_expect_eq(run(QUERY_BIN " --db s.db --sql 'DROP TABLE opens' >out 2>err"), 2);
	cr_expect_eq(run("echo not a db > bad.db; " QUERY_BIN " --db bad.db 'opens' >out 2>err"), 1);
	cr_expect_eq(run("grep -q 'bad.db' err"), 0);
}

/* A time range reads only its chunks, and finds what the index finds. */
Test(query_scan, range_skips_chunks, .init = setup, .fini = teardown)
{
	struct query_error err;
	struct query_scan_stats st;
	struct query_result *a, *b;
	struct query_index_stats is;

	qt_big_trace("big.trace", 200000, 60);
	struct query *q = query__parse("slow opens > 5ms between 30s and 36s", &err);
	const char *paths[] = { "big.trace" };
	cr_assert_eq(query__scan(q, paths, 1, NULL, &a, &st, &err), 0, "%s", err.msg);
	cr_expect_gt(st.chunks_skipped, 6 * st.chunks, "%llu read, %llu skipped",
		     (unsigned long long)st.chunks, (unsigned long long)st.chunks_skipped);
	cr_expect_lt(st.events, 200000 / 8);
	struct query_db *db = query_db__open("big.db", true, &err);
	cr_assert_eq(query_db__index(db, "big.trace", &is, &err), 0, "%s", err.msg);
	/* The events, the 8 syscall names, the metadata and a row block per
	 * 4096 opens or syscalls. */
	cr_expect_geq(is.rows, 200000 + 8 + 50, "%llu rows", (unsigned long long)is.rows);
	cr_expect_lt(is.rows, 200000 + 8 + 50 + 32, "%llu rows", (unsigned long long)is.rows);
	cr_assert_eq(query_db__query(db, q, 0, &b, &err), 0, "%s", err.msg);
	cr_expect_gt(query_result__nrows(a), 0);
	cr_expect_eq(query_result__nrows(a), query_result__nrows(b));
	query_result__free(a);
	query_result__free(b);
	query__free(q);
	query_db__close(db);
}

/* Records a few ms out of order (several CPUs' ring buffers): the index's
 * row blocks still find exactly the rows of a range. */
Test(query_index, row_blocks_are_exact_with_disorder, .init = setup, .fini = teardown)
{
	struct query_error err;
	struct query_index_stats is;
	struct query_result *a, *b;
	const uint64_t T = 9000000000000ULL;
	struct qt_trace *t = qt_open("d.trace", "d0000000000000000000000000000000", "disorder", T,
				     0);

	for (uint64_t i = 0; i < 20000; i++)
		qt_open_ev(t, T + i * 1000000 + (i * 7919 % 17) * 700000, 1000 + i % 3000, 1, 0, 3,
			   "app", i % 2 ? "/a" : "/b");
	qt_close(t);
	struct query_db *db = query_db__open("d.db", true, &err);
	cr_assert_eq(query_db__index(db, "d.trace", &is, &err), 0, "%s", err.msg);
	static const char *const qs[] = {
		"opens between 4.0955s and 4.1s", "opens between 8.19s and 8.2s",
		"count opens between 1s and 13.5s by path", "opens in last 10ms",
		"opens of /a with latency > 1.29us between 12.28s and 12.3s",
	};
	const char *paths[] = { "d.trace" };
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct query *q = query__parse(qs[i], &err);
		cr_assert_not_null(q, "%s", err.msg);
		cr_assert_eq(query__scan(q, paths, 1, NULL, &a, NULL, &err), 0, "%s", err.msg);
		cr_assert_eq(query_db__query(db, q, 0, &b, &err), 0, "%s", err.msg);
		cr_expect_gt(query_result__nrows(a), 0, "%s", qs[i]);
		cr_expect_eq(query_result__nrows(a), query_result__nrows(b), "%s: %zu vs %zu", qs[i],
			     query_result__nrows(a), query_result__nrows(b));
		char x[64], y[64];
		for (size_t r = 0; r < query_result__nrows(a) && r < query_result__nrows(b); r++)
			cr_expect_str_eq(query_result__text(a, r, 0, x, sizeof(x)),
					 query_result__text(b, r, 0, y, sizeof(y)), "%s row %zu", qs[i], r);
		query_result__free(a);
		query_result__free(b);
		query__free(q);
	}
	query_db__close(db);
}
