// SPDX-License-Identifier: MIT
/* Saying back what a query means (--explain), placing its time range in a
 * session, and printing its mistakes with a caret under them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "query/ast.h"
#include "query/units.h"

/* A trace's calibrations set real_offset, so any value comes in: sums
 * saturate rather than overflow. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (!__builtin_add_overflow(a, b, &r))
		return r;
	return b > 0 ? INT64_MAX : INT64_MIN;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (!__builtin_sub_overflow(a, b, &r))
		return r;
	return b < 0 ? INT64_MAX : INT64_MIN;
}

static int64_t tod_midnight(int64_t real_ns)
{
	time_t secs = (time_t)(real_ns / 1000000000);
	int64_t ns;
	struct tm tm;

	if (!localtime_r(&secs, &tm))
		return real_ns;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if (__builtin_mul_overflow((int64_t)mktime(&tm), 1000000000, &ns))
		return real_ns;
	return ns;
}

int qtime_resolve(const struct qtime *t, uint64_t start, uint64_t end, bool has_real,
		  int64_t real_offset, uint64_t *boot)
{
	int64_t v;

	switch (t->ref) {
	case QTR_START:
		*boot = (uint64_t)t->v > UINT64_MAX - start ? UINT64_MAX : start + (uint64_t)t->v;
		return 0;
	case QTR_END:
		*boot = (uint64_t)t->v > end ? 0 : end - (uint64_t)t->v;
		return 0;
	case QTR_WALL:
		if (!has_real)
			return -ENODATA;
		v = sat_sub(t->v, real_offset);
		*boot = v < 0 ? 0 : (uint64_t)v;
		return 0;
	case QTR_TOD: {
		if (!has_real)
			return -ENODATA;
		int64_t start_real = sat_add((int64_t)start, real_offset);
		int64_t end_real = sat_add((int64_t)end, real_offset);
		int64_t at = sat_add(tod_midnight(start_real), t->v);
		/* A time of day before the start means the next day, when the
		 * recording reaches it. */
		if (at < start_real && sat_add(at, 86400LL * 1000000000) <= end_real)
			at = sat_add(at, 86400LL * 1000000000);
		v = sat_sub(at, real_offset);
		*boot = v < 0 ? 0 : (uint64_t)v;
		return 0;
	}
	case QTR_NONE:
		break;
	}
	*boot = 0;
	return 0;
}

int query__range(const struct query *q, uint64_t start, uint64_t end, bool has_real,
		 int64_t real_offset, uint64_t *lo, uint64_t *hi)
{
	int ret;

	*lo = 0;
	*hi = UINT64_MAX;
	if (q->from.ref != QTR_NONE) {
		ret = qtime_resolve(&q->from, start, end, has_real, real_offset, lo);
		if (ret)
			return ret;
	}
	if (q->to.ref != QTR_NONE) {
		ret = qtime_resolve(&q->to, start, end, has_real, real_offset, hi);
		if (ret)
			return ret;
	}
	return 0;
}

static void describe_time(const struct qtime *t, FILE *out)
{
	char buf[64];
	time_t secs;
	struct tm tm;

	switch (t->ref) {
	case QTR_START:
		qunit_format_duration(t->v, buf, sizeof(buf));
		fprintf(out, "first event + %s", buf);
		break;
	case QTR_END:
		qunit_format_duration(t->v, buf, sizeof(buf));
		fprintf(out, "last event - %s", buf);
		break;
	case QTR_WALL:
		secs = (time_t)(t->v / 1000000000);
		gmtime_r(&secs, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, "%s.%09lldZ", buf, (long long)(t->v % 1000000000));
		break;
	case QTR_TOD:
		fprintf(out, "%02lld:%02lld:%02lld.%09lld local time",
			(long long)(t->v / 3600000000000LL), (long long)(t->v / 60000000000LL % 60),
			(long long)(t->v / 1000000000 % 60), (long long)(t->v % 1000000000));
		break;
	case QTR_NONE:
		fprintf(out, "open");
		break;
	}
}

static void describe_value(const struct qcol *c, const struct qcval *v, FILE *out)
{
	char buf[64];

	if (c->dim == QD_TEXT || c->dim == QD_ADDR) {
		fprintf(out, "'%s'%s", v->s, v->glob ? " (pattern)" : "");
		return;
	}
	fprintf(out, "%lld", (long long)v->i);
	if (c->dim == QD_DURATION) {
		qunit_format_duration(v->i, buf, sizeof(buf));
		fprintf(out, " (%s)", buf);
	} else if (c->dim == QD_SIZE) {
		qunit_format_size(v->i, buf, sizeof(buf));
		fprintf(out, " (%s)", buf);
	} else if (qsym__name(c->sym, v->i)) {
		fprintf(out, " (%s)", qsym__name(c->sym, v->i));
	}
}

void query__describe(const struct query *q, FILE *out)
{
	const struct qkind_desc *k = &qkinds[q->kind];

	fprintf(out, "query:    %s\n", q->text);
	fprintf(out, "rows:     %s: %s\n", k->name, k->what);
	for (size_t i = 0; i < q->nconds; i++) {
		const struct qcond *c = &q->conds[i];
		const struct qcol *col = &k->cols[c->col];
		fprintf(out, "%s %s %s ", i ? "          and" : "where:   ", col->name,
			c->op == QOP_EQ && c->nv > 1 ? "in" : c->op == QOP_NE && c->nv > 1 ? "not in"
									      : qop_str(c->op));
		for (size_t j = 0; j < c->nv; j++) {
			if (j)
				fprintf(out, ", ");
			describe_value(col, &c->v[j], out);
		}
		fprintf(out, "\n");
	}
	if (q->from.ref != QTR_NONE || q->to.ref != QTR_NONE) {
		fprintf(out, "time:     %s from ", k->time_col >= 0 ? k->cols[k->time_col].name
								  : "snapshots");
		describe_time(&q->from, out);
		fprintf(out, " to ");
		describe_time(&q->to, out);
		fprintf(out, " (inclusive)\n");
	}
	fprintf(out, "output:   ");
	switch (q->mode) {
	case QM_ROWS:
		if (q->sort_col >= 0)
			fprintf(out, "rows by %s, %s first", k->cols[q->sort_col].name,
				q->sort_desc ? "largest" : "smallest");
		else
			fprintf(out, "rows in time order");
		break;
	case QM_COUNT:
		fprintf(out, "%s", k->weight >= 0 ? "sum of count" : "count");
		for (size_t i = 0; i < q->ngroup; i++)
			fprintf(out, "%s%s", i ? ", " : " by ", k->cols[q->group[i]].name);
		if (q->ngroup)
			fprintf(out, ", largest first");
		break;
	case QM_HIST:
		fprintf(out, q->hist_slots ? "log2 latency histogram of each named syscall"
					   : "per-syscall summary of the latency histograms");
		break;
	}
	if (q->limit)
		fprintf(out, ", at most %llu", (unsigned long long)q->limit);
	fprintf(out, "\n");
}

/* Display columns of the bytes [0, pos) of a UTF-8 line. */
static size_t columns(const char *s, size_t pos)
{
	size_t n = 0;

	for (size_t i = 0; i < pos && s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

void query_error__print(const struct query_error *err, const char *text, FILE *out)
{
	fprintf(out, "ebpf-query: %s\n", err->msg);
	if (!err->in_query || !text || strchr(text, '\n'))
		return;
	size_t tlen = strlen(text);
	if (!tlen)
		return;
	size_t pos = err->pos > tlen ? tlen : err->pos;
	size_t len = err->len > tlen - pos ? tlen - pos : err->len;
	size_t col = columns(text, pos);
	size_t width = columns(text + pos, len);
	fprintf(out, "  %s\n  %*s^", text, (int)col, "");
	for (size_t i = 1; i < width; i++)
		fputc('~', out);
	fputc('\n', out);
}
