// SPDX-License-Identifier: MIT
/* Running queries on the index: the language compiled to SQL (query/sql.c)
 * with bound parameters, and raw read-only SQL. */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "query/groups.h"
#include "query/indexdb.h"
#include "query/qerror.h"
#include "query/result.h"
#include "query/sql.h"

static int fail(struct query_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct query_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		memset(err, 0, sizeof(*err));
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* temp.qrange for the selected sessions; the sessions into r (may be NULL). */
static int fill_ranges(struct query_db *db, const struct query *q, int64_t session_id,
		       struct query_result *r, struct query_error *err)
{
	sqlite3_stmt *sel = NULL, *ins = NULL;
	int ret = 0, rc;
	size_t n = 0;

	if (sqlite3_exec(db->db, qsql_range_table, NULL, NULL, NULL) != SQLITE_OK)
		return qdb_error(db, err, "cannot prepare the query");
	if (sqlite3_prepare_v2(db->db, "SELECT id, start_ts, end_ts, real_offset_ns, path FROM"
				       " sessions WHERE ?1 <= 0 OR id = ?1 ORDER BY id",
			       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db, "INSERT INTO temp.qrange VALUES (?1, ?2, ?3, ?4)", -1, &ins,
			       NULL) != SQLITE_OK) {
		ret = qdb_error(db, err, "cannot prepare the query");
		goto cleanup;
	}
	sqlite3_bind_int64(sel, 1, session_id);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(sel, 0);
		uint64_t start = (uint64_t)sqlite3_column_int64(sel, 1);
		uint64_t end = (uint64_t)sqlite3_column_int64(sel, 2);
		bool has_real = sqlite3_column_type(sel, 3) != SQLITE_NULL;
		int64_t off = sqlite3_column_int64(sel, 3);
		uint64_t lo, hi;
		if (query__range(q, start, end, has_real, off, &lo, &hi) == -ENODATA) {
			ret = fail(err, -EINVAL, "session %lld (%s) has no clock calibration, so a "
						 "wall-clock time cannot be placed in it; give "
						 "offsets from its start such as 10s",
				   (long long)id, (const char *)sqlite3_column_text(sel, 4));
			goto cleanup;
		}
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_bind_int64(ins, 2, lo > INT64_MAX ? INT64_MAX : (int64_t)lo);
		sqlite3_bind_int64(ins, 3, hi > INT64_MAX ? INT64_MAX : (int64_t)hi);
		sqlite3_bind_int64(ins, 4, (int64_t)start);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			ret = qdb_error(db, err, "cannot prepare the query");
			goto cleanup;
		}
		sqlite3_reset(ins);
		if (r) {
			char label[32];
			snprintf(label, sizeof(label), "%lld", (long long)id);
			int sid = qres_add_session(r, label, start);
			if (sid < 0) {
				ret = sid;
				goto cleanup;
			}
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		ret = qdb_error(db, err, "cannot read the sessions");
	else if (!n && session_id > 0)
		ret = fail(err, -ENOENT, "%s has no session %lld; 'ebpf-query sessions --db %s' "
					 "lists them", db->path, (long long)session_id, db->path);
cleanup:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return ret;
}

/* Syscall names the query gives must exist in some session. */
static int check_names(struct query_db *db, const struct query *q, struct query_error *err)
{
	const struct qkind_desc *k = &qkinds[q->kind];
	sqlite3_stmt *st = NULL;
	char **cands = NULL;
	size_t nc = 0;
	int ret = 0;

	if (q->kind != QK_SYSCALLS && q->kind != QK_SYSCALL_HIST)
		return 0;
	if (sqlite3_prepare_v2(db->db, "SELECT DISTINCT name FROM syscall_names ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return qdb_error(db, err, "cannot read syscall names");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **nc2 = realloc(cands, (nc + 1) * sizeof(*cands));
		if (!nc2) {
			ret = -ENOMEM;
			goto cleanup;
		}
		cands = nc2;
		cands[nc] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!cands[nc]) {
			ret = -ENOMEM;
			goto cleanup;
		}
		nc++;
	}
	for (size_t i = 0; nc && i < q->nconds; i++) {
		const struct qcond *c = &q->conds[i];
		if (c->col != k->name_col)
			continue;
		for (size_t j = 0; j < c->nv; j++) {
			bool found = c->v[j].glob;
			for (size_t n = 0; n < nc && !found; n++)
				found = strcmp(cands[n], c->v[j].s) == 0;
			if (found)
				continue;
			ret = qerror_set(err, c->pos, c->len, "unknown syscall '%s' in %s", c->v[j].s,
					 db->path);
			qerror_suggest(err, c->v[j].s, strlen(c->v[j].s), (const char *const *)cands,
				       nc);
			goto cleanup;
		}
	}
cleanup:
	for (size_t i = 0; i < nc; i++)
		free(cands[i]);
	free(cands);
	sqlite3_finalize(st);
	return ret;
}

static int prepare(struct query_db *db, const struct qsql *sql, sqlite3_stmt **st,
		   struct query_error *err)
{
	if (sqlite3_prepare_v2(db->db, sql->text, -1, st, NULL) != SQLITE_OK)
		return qdb_error(db, err, "cannot compile the query's SQL");
	for (size_t i = 0; i < sql->np; i++) {
		if (sql->p[i].text)
			sqlite3_bind_text(*st, (int)i + 1, sql->p[i].s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(*st, (int)i + 1, sql->p[i].i);
	}
	return 0;
}

static int session_index(const struct query_result *r, int64_t id)
{
	char label[32];

	snprintf(label, sizeof(label), "%lld", (long long)id);
	for (size_t i = 0; i < r->nsessions; i++)
		if (strcmp(r->sessions[i].id, label) == 0)
			return (int)i;
	return -1;
}

/* Snapshot counters as replay's hist_analysis folds them: the latest, less
 * the first in the range in interval mode, restarts banked. */
struct hsnap {
	uint64_t count, total_ns, max_ns;
	uint64_t slots[QHIST_SLOTS];
};

static void hsnap_add(struct hsnap *to, const struct hsnap *s, int sign)
{
	to->count += (uint64_t)sign * s->count;
	to->total_ns += (uint64_t)sign * s->total_ns;
	if (sign > 0 && s->max_ns > to->max_ns)
		to->max_ns = s->max_ns;
	for (size_t i = 0; i < QHIST_SLOTS; i++)
		to->slots[i] += (uint64_t)sign * s->slots[i];
}

static void parse_slots(const char *json, uint64_t *slots)
{
	const char *p = json ? json : "";
	size_t i = 0;

	memset(slots, 0, QHIST_SLOTS * sizeof(*slots));
	while (*p && *p != '[')
		p++;
	if (*p)
		p++;
	while (*p && i < QHIST_SLOTS) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		slots[i++] = v;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
}

struct hkey {
	int64_t session, nr;
	char *name;
	bool has_first;
	struct hsnap first, latest, banked;
};

static int flush_hist(struct qhists *h, struct hkey *k)
{
	struct hsnap s = k->banked;

	hsnap_add(&s, &k->latest, 1);
	if (k->has_first)
		hsnap_add(&s, &k->first, -1);
	int ret = qhists__add(h, k->name, (uint32_t)k->nr, s.count, s.total_ns, s.max_ns, s.slots,
			      QHIST_SLOTS);
	free(k->name);
	k->name = NULL;
	return ret;
}

static int run_hist(struct query_db *db, sqlite3_stmt *st, const struct query *q,
		    struct query_result **r, struct query_error *err)
{
	struct qhists *h = qhists__new();
	struct hkey k = { .session = -1 };
	struct query_result *sr = NULL;
	int rc, ret = 0;

	if (!h)
		return -ENOMEM;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t session = sqlite3_column_int64(st, 0), nr = sqlite3_column_int64(st, 1);
		struct hsnap s = { (uint64_t)sqlite3_column_int64(st, 3),
				   (uint64_t)sqlite3_column_int64(st, 4),
				   (uint64_t)sqlite3_column_int64(st, 5), { 0 } };
		parse_slots((const char *)sqlite3_column_text(st, 6), s.slots);
		if (session != k.session || nr != k.nr) {
			if (k.session >= 0 && (ret = flush_hist(h, &k)))
				goto cleanup;
			memset(&k, 0, sizeof(k));
			k.session = session;
			k.nr = nr;
			if (sqlite3_column_type(st, 2) == SQLITE_TEXT) {
				k.name = strdup((const char *)sqlite3_column_text(st, 2));
				if (!k.name) {
					ret = -ENOMEM;
					goto cleanup;
				}
			}
			if (sqlite3_column_int(st, 7)) {
				k.first = s;
				k.has_first = true;
			}
		}
		if (s.count < k.latest.count) {
			hsnap_add(&k.banked, &k.latest, 1);
			if (k.has_first) {
				hsnap_add(&k.banked, &k.first, -1);
				memset(&k.first, 0, sizeof(k.first));
			}
		}
		k.latest = s;
	}
	if (rc != SQLITE_DONE) {
		ret = qdb_error(db, err, "cannot run the query");
		goto cleanup;
	}
	if (k.session >= 0 && (ret = flush_hist(h, &k)))
		goto cleanup;
	struct query summary = *q;
	summary.hist_slots = false;
	sr = qres_new();
	if (!sr) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ret = qres_cols_for(sr, &summary);
	if (!ret)
		ret = qhists__rows(h, sr, false);
	if (ret)
		goto cleanup;
	qhists__filter(h, sr, q);
	if (q->hist_slots) {
		ret = qhists__rows(h, *r, true);
	} else {
		for (size_t i = 0; i < (*r)->nsessions; i++)
			if (qres_add_session(sr, (*r)->sessions[i].id, (*r)->sessions[i].start) < 0)
				ret = -ENOMEM;
		query_result__free(*r);
		*r = sr;
		sr = NULL;
	}
	if (!ret)
		ret = qres_finish(*r, q);
cleanup:
	free(k.name);
	query_result__free(sr);
	qhists__free(h);
	return ret;
}

int query_db__query(struct query_db *db, const struct query *q, int64_t session_id,
		    struct query_result **out, struct query_error *err)
{
	struct query_result *r = qres_new();
	struct qsql sql = { 0 };
	sqlite3_stmt *st = NULL;
	int ret, rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!r)
		return -ENOMEM;
	ret = qres_cols_for(r, q);
	if (!ret)
		ret = fill_ranges(db, q, session_id, r, err);
	if (!ret)
		ret = check_names(db, q, err);
	if (!ret)
		ret = qsql_build(q, &sql);
	if (!ret)
		ret = prepare(db, &sql, &st, err);
	if (ret)
		goto cleanup;
	if (q->mode == QM_HIST) {
		ret = run_hist(db, st, q, &r, err);
		goto cleanup;
	}
	size_t off = sql.with_session ? 1 : 0;
	uint64_t seq = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int sid = off ? session_index(r, sqlite3_column_int64(st, 0)) : -1;
		struct qrval *row = qres_row(r, sid, seq++);
		if (!row) {
			ret = -ENOMEM;
			goto cleanup;
		}
		for (size_t c = 0; c < r->ncols; c++) {
			int col = (int)(c + off);
			switch (sqlite3_column_type(st, col)) {
			case SQLITE_NULL:
				row[c].null = true;
				break;
			case SQLITE_TEXT:
				row[c].s = qres_str(r, (const char *)sqlite3_column_text(st, col),
						    (size_t)sqlite3_column_bytes(st, col));
				if (!row[c].s) {
					ret = -ENOMEM;
					goto cleanup;
				}
				break;
			default:
				row[c].i = sqlite3_column_int64(st, col);
				break;
			}
		}
	}
	if (rc != SQLITE_DONE) {
		ret = qdb_error(db, err, "cannot run the query");
		goto cleanup;
	}
	r->show_session = q->mode == QM_ROWS;
cleanup:
	if (ret == -ENOMEM && err && !err->msg[0])
		fail(err, -ENOMEM, "out of memory");
	sqlite3_finalize(st);
	qsql_free(&sql);
	if (ret) {
		query_result__free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int query_db__explain(struct query_db *db, const struct query *q, int64_t session_id,
		      FILE *out, struct query_error *err)
{
	struct qsql sql = { 0 };
	sqlite3_stmt *st = NULL, *ranges = NULL;
	int ret;

	query__describe(q, out);
	ret = fill_ranges(db, q, session_id, NULL, err);
	if (!ret)
		ret = qsql_build(q, &sql);
	if (ret)
		goto cleanup;
	if (sqlite3_prepare_v2(db->db, "SELECT session, lo, hi, start FROM temp.qrange", -1,
			       &ranges, NULL) == SQLITE_OK) {
		while (sqlite3_step(ranges) == SQLITE_ROW)
			fprintf(out, "session:  %lld, boottime %lld to %lld (+%.6f s to +%.6f s)\n",
				sqlite3_column_int64(ranges, 0), sqlite3_column_int64(ranges, 1),
				sqlite3_column_int64(ranges, 2),
				((double)sqlite3_column_int64(ranges, 1) -
				 (double)sqlite3_column_int64(ranges, 3)) / 1e9,
				((double)sqlite3_column_int64(ranges, 2) -
				 (double)sqlite3_column_int64(ranges, 3)) / 1e9);
	}
	fprintf(out, "sql:      %s\n", sql.text);
	for (size_t i = 0; i < sql.np; i++) {
		if (sql.p[i].text)
			fprintf(out, "          ?%zu = '%s'\n", i + 1, sql.p[i].s);
		else
			fprintf(out, "          ?%zu = %" PRId64 "\n", i + 1, sql.p[i].i);
	}
	if (q->mode == QM_HIST)
		fprintf(out, "then:     snapshots folded per session and syscall (latest, less the "
			     "first in the range when it starts after the first event)\n");
	char *eqp = malloc(strlen(sql.text) + 32);
	if (!eqp) {
		ret = -ENOMEM;
		goto cleanup;
	}
	sprintf(eqp, "EXPLAIN QUERY PLAN %s", sql.text);
	struct qsql plan = sql;
	plan.text = eqp;
	ret = prepare(db, &plan, &st, err);
	free(eqp);
	if (ret)
		goto cleanup;
	fprintf(out, "plan:\n");
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(out, "          %s\n", (const char *)sqlite3_column_text(st, 3));
cleanup:
	sqlite3_finalize(st);
	sqlite3_finalize(ranges);
	qsql_free(&sql);
	return ret;
}

int query_db__sql(struct query_db *db, const char *text, struct query_result **out,
		  struct query_error *err)
{
	struct query_result *r = NULL;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int ret = 0, rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (sqlite3_prepare_v2(db->db, text, -1, &st, &tail) != SQLITE_OK)
		return fail(err, -EINVAL, "SQL: %s", sqlite3_errmsg(db->db));
	if (!st)
		return fail(err, -EINVAL, "SQL: the statement is empty");
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		ret = fail(err, -EINVAL, "SQL: give one statement at a time (more follows at '%.20s')",
			   tail);
		goto cleanup;
	}
	if (!sqlite3_stmt_readonly(st)) {
		ret = fail(err, -EPERM, "SQL: --sql only reads (SELECT ...); the index is changed "
					"only by 'ebpf-query index'");
		goto cleanup;
	}
	r = qres_new();
	if (!r) {
		ret = -ENOMEM;
		goto cleanup;
	}
	int nc = sqlite3_column_count(st);
	for (int c = 0; c < nc && !ret; c++) {
		const char *name = sqlite3_column_name(st, c);
		ret = qres_add_col(r, qres_str(r, name, strlen(name)), NULL, QD_INT, QS_NONE);
		if (!ret)
			r->cols[c].label = r->cols[c].name;
	}
	/* A column is an integer one while every value is an integer or NULL. */
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct qrval *row = qres_row(r, -1, r->nrows);
		if (!row) {
			ret = -ENOMEM;
			break;
		}
		for (int c = 0; c < nc; c++) {
			int t = sqlite3_column_type(st, c);
			if (t == SQLITE_NULL) {
				row[c].null = true;
			} else if (t == SQLITE_INTEGER) {
				row[c].i = sqlite3_column_int64(st, c);
				char buf[32];
				snprintf(buf, sizeof(buf), "%" PRId64, row[c].i);
				row[c].s = qres_str(r, buf, strlen(buf));
			} else {
				const char *s = (const char *)sqlite3_column_text(st, c);
				row[c].s = qres_str(r, s ? s : "", s ? strlen(s) : 0);
				r->cols[c].dim = QD_TEXT;
			}
			if (!row[c].null && !row[c].s) {
				ret = -ENOMEM;
				break;
			}
		}
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(err, -EINVAL, "SQL: %s", sqlite3_errmsg(db->db));
cleanup:
	if (ret == -ENOMEM && err && !err->msg[0])
		fail(err, -ENOMEM, "out of memory");
	sqlite3_finalize(st);
	if (ret) {
		query_result__free(r);
		return ret;
	}
	*out = r;
	return 0;
}

/* Is the trace still there (the file, or segments of it)? */
static bool trace_present(const char *path)
{
	char pat[PATH_MAX + 32];
	glob_t g;

	if (access(path, F_OK) == 0)
		return true;
	snprintf(pat, sizeof(pat), "%s.[0-9][0-9][0-9][0-9]*", path);
	if (glob(pat, 0, NULL, &g) != 0)
		return false;
	bool any = g.gl_pathc > 0;
	globfree(&g);
	return any;
}

int query_db__sessions(struct query_db *db, struct query_result **out, struct query_error *err)
{
	struct query_result *r = qres_new();
	sqlite3_stmt *st = NULL;
	int ret = 0, rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!r)
		return -ENOMEM;
	ret = qres_add_col(r, "id", "ID", QD_INT, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "host", "HOST", QD_TEXT, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "start", "START", QD_TEXT, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "duration_ns", "DURATION", QD_DURATION, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "events", "EVENTS", QD_INT, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "lost", "LOST", QD_INT, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "present", "PRESENT", QD_BOOL, QS_NONE);
	ret = ret ? ret : qres_add_col(r, "path", "PATH", QD_TEXT, QS_NONE);
	if (ret)
		goto cleanup;
	if (sqlite3_prepare_v2(db->db, "SELECT id, host, start_ts, end_ts, real_offset_ns, events,"
				       " lost, path FROM sessions ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK) {
		ret = qdb_error(db, err, "cannot read the sessions");
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct qrval *row = qres_row(r, -1, r->nrows);
		if (!row) {
			ret = -ENOMEM;
			goto cleanup;
		}
		const char *host = (const char *)sqlite3_column_text(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 7);
		int64_t start = sqlite3_column_int64(st, 2), end = sqlite3_column_int64(st, 3);
		char when[64] = "";
		row[0].i = sqlite3_column_int64(st, 0);
		row[1].s = qres_str(r, host ? host : "", host ? strlen(host) : 0);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			time_t secs = (time_t)((start + sqlite3_column_int64(st, 4)) / 1000000000);
			struct tm tm;
			if (localtime_r(&secs, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		}
		row[2].s = qres_str(r, when, strlen(when));
		row[2].null = !when[0];
		row[3].i = end - start;
		row[4].i = sqlite3_column_int64(st, 5);
		row[5].i = sqlite3_column_int64(st, 6);
		row[6].i = path && trace_present(path);
		row[7].s = qres_str(r, path ? path : "", path ? strlen(path) : 0);
		if (!row[1].s || !row[2].s || !row[7].s) {
			ret = -ENOMEM;
			goto cleanup;
		}
	}
	if (rc != SQLITE_DONE)
		ret = qdb_error(db, err, "cannot read the sessions");
cleanup:
	sqlite3_finalize(st);
	if (ret) {
		if (ret == -ENOMEM && err && !err->msg[0])
			fail(err, -ENOMEM, "out of memory");
		query_result__free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int query_db__latest(struct query_db *db, int64_t *id, struct query_error *err)
{
	sqlite3_stmt *st = NULL;
	int ret = -ENOENT;

	/* Wall clock where known: boottimes of different boots do not compare. */
	if (sqlite3_prepare_v2(db->db, "SELECT id FROM sessions ORDER BY real_offset_ns IS NOT NULL"
				       " DESC, start_ts + coalesce(real_offset_ns, 0) DESC, id DESC"
				       " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return qdb_error(db, err, "cannot read the sessions");
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		ret = 0;
	} else {
		fail(err, -ENOENT, "%s holds no sessions yet", db->path);
	}
	sqlite3_finalize(st);
	return ret;
}
