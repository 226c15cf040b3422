// SPDX-License-Identifier: MIT
/* Compiling a query to SQL over the index (schema: query/dbschema.c). The
 * SQL mirrors the scanner: the same columns (the catalog's expressions),
 * the same NULLs, GLOB for patterns, the same order. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/sql.h"

const char qsql_range_table[] =
	"CREATE TEMP TABLE IF NOT EXISTS qrange (session INTEGER PRIMARY KEY, lo INTEGER, "
	"hi INTEGER, start INTEGER); DELETE FROM temp.qrange;";

struct sb {
	char *s;
	size_t len, cap;
	int err;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = b->cap ? b->cap * 2 : 1024;
		while (ncap <= b->len + (size_t)n)
			ncap *= 2;
		char *ns = realloc(b->s, ncap);
		if (!ns) {
			b->err = -ENOMEM;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
}

static int add_param(struct qsql *out, bool text, int64_t i, const char *s)
{
	struct qsql_param *np = realloc(out->p, (out->np + 1) * sizeof(*np));

	if (!np)
		return -ENOMEM;
	out->p = np;
	out->p[out->np++] = (struct qsql_param){ text, i, s };
	return 0;
}

static bool is_text(const struct qcol *c)
{
	return c->dim == QD_TEXT || c->dim == QD_ADDR;
}

static int add_conds(const struct query *q, struct sb *b, struct qsql *out)
{
	const struct qkind_desc *k = &qkinds[q->kind];

	for (size_t i = 0; i < q->nconds; i++) {
		const struct qcond *c = &q->conds[i];
		const struct qcol *col = &k->cols[c->col];
		bool text = is_text(col);
		sb_add(b, " AND ");
		if (!c->nv) {
			/* Not made by the parser; as the scan reads an empty list. */
			sb_add(b, c->op == QOP_NE ? "1" : "0");
		} else if (c->op == QOP_EQ || c->op == QOP_NE) {
			sb_add(b, "%s(", c->op == QOP_NE ? "NOT " : "");
			for (size_t j = 0; j < c->nv; j++) {
				sb_add(b, "%s%s %s ?", j ? " OR " : "", col->sql,
				       text && c->v[j].glob ? "GLOB" : "=");
				int ret = add_param(out, text, c->v[j].i, c->v[j].s);
				if (ret)
					return ret;
			}
			sb_add(b, ")");
		} else {
			sb_add(b, "%s %s ?", col->sql, qop_str(c->op));
			int ret = add_param(out, text, c->v[0].i, c->v[0].s);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* The FROM and WHERE of the kind's rows, time range applied. */
static void add_from(const struct query *q, struct sb *b, bool ranged)
{
	const struct qkind_desc *k = &qkinds[q->kind];

	if (q->kind == QK_UDP_FLOWS && ranged) {
		/* Flows of the datagrams in the range, folded as replay folds
		 * them: per socket, pid, addresses and segment, in order of
		 * first appearance. */
		sb_add(b,
		       " FROM (SELECT g.session AS session, f.ts AS first_ts, l.ts AS last_ts,"
		       " g.skaddr AS skaddr, g.pid AS pid, f.comm AS comm, g.family AS family,"
		       " g.saddr AS saddr, g.sport AS sport, g.daddr AS daddr, g.dport AS dport,"
		       " g.tx_bytes AS tx_bytes, g.rx_bytes AS rx_bytes, g.tx_packets AS tx_packets,"
		       " g.rx_packets AS rx_packets, g.seq AS seq"
		       " FROM (SELECT u.session AS session, u.skaddr AS skaddr, u.pid AS pid,"
		       " u.family AS family, u.saddr AS saddr, u.sport AS sport, u.daddr AS daddr,"
		       " u.dport AS dport,"
		       " sum(CASE WHEN u.dir = 1 THEN 0 ELSE u.bytes END) AS tx_bytes,"
		       " sum(CASE WHEN u.dir = 1 THEN u.bytes ELSE 0 END) AS rx_bytes,"
		       " sum(u.dir != 1) AS tx_packets, sum(u.dir = 1) AS rx_packets,"
		       " min(u.rowid) AS seq, max(u.rowid) AS lastrow"
		       " FROM temp.qrange r CROSS JOIN row_blocks b ON b.session = r.session"
		       " AND b.tbl = 'udp' AND b.max_ts >= r.lo AND b.min_ts <= r.hi"
		       " CROSS JOIN udp u ON u.rowid BETWEEN b.first_row AND b.last_row"
		       " WHERE u.ts BETWEEN r.lo AND r.hi"
		       " GROUP BY u.session, u.segment, u.skaddr, u.pid, u.family, u.sport, u.dport,"
		       " u.saddr, u.daddr) g"
		       " JOIN udp f ON f.rowid = g.seq JOIN udp l ON l.rowid = g.lastrow) e"
		       " JOIN temp.qrange r ON r.session = e.session WHERE 1");
		return;
	}
	/* The few sessions first (CROSS JOIN keeps that order), then their
	 * rows: the big tables through the row blocks that overlap the time
	 * range (rowid ranges, as a reader skips chunks), the others through
	 * their (session, time) index. */
	if (q->kind == QK_OPENS || q->kind == QK_SYSCALLS || q->kind == QK_UDP)
		sb_add(b,
		       " FROM temp.qrange r CROSS JOIN row_blocks b ON b.session = r.session"
		       " AND b.tbl = '%s' AND b.max_ts >= r.lo AND b.min_ts <= r.hi"
		       " CROSS JOIN %s e ON e.rowid BETWEEN b.first_row AND b.last_row",
		       k->table, k->table);
	else
		sb_add(b, " FROM temp.qrange r CROSS JOIN %s e ON e.session = r.session", k->table);
	if (q->kind == QK_SYSCALLS)
		sb_add(b, " LEFT JOIN syscall_names n ON n.session = e.session AND n.nr = e.nr");
	switch (q->kind) {
	case QK_TCP:
		sb_add(b, " WHERE e.end_ts BETWEEN r.lo AND r.hi");
		break;
	case QK_PROCESSES:
		sb_add(b, " WHERE (e.start_ts IS NULL OR e.start_ts <= r.hi)"
			  " AND (e.exit_ts IS NULL OR e.exit_ts >= r.lo)");
		break;
	case QK_UDP_FLOWS:
		sb_add(b, " WHERE 1");
		break;
	default:
		sb_add(b, " WHERE e.ts BETWEEN r.lo AND r.hi");
		break;
	}
}

static const struct qcol *col_named(const struct qkind_desc *k, const char *name, size_t len)
{
	for (size_t i = 0; i < k->ncols; i++)
		if (strlen(k->cols[i].name) == len && strncmp(k->cols[i].name, name, len) == 0)
			return &k->cols[i];
	return NULL;
}

/* ORDER BY of a row query: the sort column, the session, the kind's
 * order, the order of production. */
static void add_row_order(const struct query *q, struct sb *b, bool ranged)
{
	const struct qkind_desc *k = &qkinds[q->kind];
	const char *seq = q->kind == QK_UDP_FLOWS && ranged ? "e.seq" : "e.rowid";

	sb_add(b, " ORDER BY ");
	if (q->sort_col >= 0)
		sb_add(b, "%s %s, ", k->cols[q->sort_col].sql, q->sort_desc ? "DESC" : "ASC");
	sb_add(b, "e.session");
	for (const char *p = k->order; p && *p;) {
		while (*p == ' ')
			p++;
		bool desc = *p == '-';
		if (desc)
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		const struct qcol *c = col_named(k, p, (size_t)(e - p));
		if (c)
			sb_add(b, ", %s%s", c->sql, desc ? " DESC" : "");
		p = e;
	}
	sb_add(b, ", %s", seq);
}

static bool has_range(const struct query *q)
{
	return q->from.ref != QTR_NONE || q->to.ref != QTR_NONE;
}

int qsql_build(const struct query *q, struct qsql *out)
{
	const struct qkind_desc *k = &qkinds[q->kind];
	struct sb b = { 0 };
	bool ranged = has_range(q);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (q->mode == QM_HIST) {
		sb_add(&b, "SELECT h.session, h.nr, n.name, h.count, h.total_ns, h.max_ns, h.slots,"
			   " r.lo > r.start"
			   " FROM temp.qrange r CROSS JOIN syscall_hist h ON h.session = r.session"
			   " LEFT JOIN syscall_names n ON n.session = h.session AND n.nr = h.nr"
			   " WHERE h.ts BETWEEN r.lo AND r.hi"
			   " ORDER BY h.session, h.nr, h.rowid");
	} else if (q->mode == QM_COUNT) {
		sb_add(&b, "SELECT ");
		for (size_t i = 0; i < q->ngroup; i++)
			sb_add(&b, "%s AS %s, ", k->cols[q->group[i]].sql, k->cols[q->group[i]].name);
		if (k->weight >= 0)
			sb_add(&b, "coalesce(sum(%s), 0) AS count", k->cols[k->weight].sql);
		else
			sb_add(&b, "count(*) AS count");
		add_from(q, &b, ranged);
		ret = add_conds(q, &b, out);
		if (q->ngroup) {
			sb_add(&b, " GROUP BY ");
			for (size_t i = 0; i < q->ngroup; i++)
				sb_add(&b, "%s%s", i ? ", " : "", k->cols[q->group[i]].sql);
			sb_add(&b, " ORDER BY count DESC");
			for (size_t i = 0; i < q->ngroup; i++)
				sb_add(&b, ", %s", k->cols[q->group[i]].sql);
		}
	} else {
		out->with_session = true;
		sb_add(&b, "SELECT e.session");
		for (size_t i = 0; i < k->ncols; i++)
			sb_add(&b, ", %s AS %s", k->cols[i].sql, k->cols[i].name);
		add_from(q, &b, ranged);
		ret = add_conds(q, &b, out);
		add_row_order(q, &b, ranged);
	}
	if (!ret && q->limit && q->mode != QM_HIST) {
		sb_add(&b, " LIMIT ?");
		ret = add_param(out, false, (int64_t)q->limit, NULL);
	}
	if (!ret)
		ret = b.err;
	if (ret) {
		free(b.s);
		qsql_free(out);
		return ret;
	}
	out->text = b.s;
	return 0;
}

void qsql_free(struct qsql *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->p);
	s->text = NULL;
	s->p = NULL;
	s->np = 0;
}
