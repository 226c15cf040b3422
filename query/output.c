// SPDX-License-Identifier: MIT
/* Writing results: an aligned table for people, NDJSON and CSV for
 * programs (raw numbers: ns, bytes, boottime ns). */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/result.h"
#include "query/units.h"

static bool is_text_dim(uint8_t dim)
{
	return dim == QD_TEXT || dim == QD_ADDR;
}

const char *query_result__text(const struct query_result *r, size_t row, size_t col,
			       char *buf, size_t size)
{
	if (row >= r->nrows || col >= r->ncols || !size)
		return "";
	const struct qrcol *c = &r->cols[col];
	const struct qrval *v = &r->vals[row * r->ncols + col];

	buf[0] = '\0';
	if (v->null)
		return buf;
	if (is_text_dim(c->dim))
		return v->s ? v->s : "";
	const char *name = qsym__name(c->sym, v->i);
	if (name) {
		snprintf(buf, size, "%s", name);
		return buf;
	}
	if (c->dim == QD_BOOL)
		snprintf(buf, size, "%s", v->i ? "true" : "false");
	else if (c->dim == QD_HEX) /* kernel addresses: u64 stored in an int64 */
		snprintf(buf, size, "%" PRIu64, (uint64_t)v->i);
	else
		snprintf(buf, size, "%" PRId64, v->i);
	return buf;
}

/* Control characters would break the table; show them as '?'. */
static void put_clean(FILE *out, const char *s, size_t width, bool right)
{
	size_t cols = 0;

	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			cols++;
	if (right)
		for (size_t i = cols; i < width; i++)
			fputc(' ', out);
	for (const char *p = s; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, out);
	if (!right)
		for (size_t i = cols; i < width; i++)
			fputc(' ', out);
}

static size_t display_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The table form of one value. */
static const char *cell(const struct query_result *r, size_t row, size_t col, char *buf,
			size_t size)
{
	const struct qrcol *c = &r->cols[col];
	const struct qrval *v = &r->vals[row * r->ncols + col];

	if (v->null) {
		snprintf(buf, size, "-");
		return buf;
	}
	switch (c->dim) {
	case QD_TEXT:
	case QD_ADDR:
		return v->s ? v->s : "";
	case QD_DURATION:
		qunit_format_duration(v->i, buf, size);
		return buf;
	case QD_SIZE:
		qunit_format_size(v->i, buf, size);
		return buf;
	case QD_TIME: {
		int32_t s = r->session[row];
		uint64_t start = s >= 0 ? r->sessions[s].start : 0;
		int64_t d = (int64_t)((uint64_t)v->i - start);
		const char *sign = d < 0 ? "-" : "";
		uint64_t a = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
		snprintf(buf, size, "%s%" PRIu64 ".%06" PRIu64 "s", sign, a / 1000000000,
			 a % 1000000000 / 1000);
		return buf;
	}
	case QD_HEX:
		snprintf(buf, size, "0x%" PRIx64, (uint64_t)v->i);
		return buf;
	case QD_BOOL:
		snprintf(buf, size, "%s", v->i ? "yes" : "no");
		return buf;
	case QD_INT:
		if (c->sym == QS_RET && v->i < 0 && qsym__name(QS_ERRNO, -v->i)) {
			snprintf(buf, size, "-%s", qsym__name(QS_ERRNO, -v->i));
			return buf;
		}
		if (qsym__name(c->sym, v->i)) {
			snprintf(buf, size, "%s", qsym__name(c->sym, v->i));
			return buf;
		}
		snprintf(buf, size, "%" PRId64, v->i);
		return buf;
	}
	return "";
}

static bool right_aligned(const struct qrcol *c)
{
	return !is_text_dim(c->dim) && (c->sym == QS_NONE || c->sym == QS_RET);
}

/* map[i]: the result column shown i-th, SIZE_MAX for the session. */
static int write_table_cols(const struct query_result *r, FILE *out, const size_t *map,
			    size_t nc)
{
	size_t *w = calloc(nc ? nc : 1, sizeof(*w));
	char buf[128];

	if (!w)
		return -ENOMEM;
	for (size_t c = 0; c < nc; c++) {
		w[c] = map[c] == SIZE_MAX ? strlen("SESSION") : strlen(r->cols[map[c]].label);
		for (size_t i = 0; i < r->nrows; i++) {
			const char *s = map[c] == SIZE_MAX ? query_result__session(r, i)
							   : cell(r, i, map[c], buf, sizeof(buf));
			size_t l = display_width(s ? s : "-");
			if (l > w[c])
				w[c] = l;
		}
	}
	for (size_t i = 0; i <= r->nrows; i++) {
		for (size_t c = 0; c < nc; c++) {
			bool last = c + 1 == nc;
			bool right = map[c] != SIZE_MAX && right_aligned(&r->cols[map[c]]);
			const char *s;
			if (c)
				fputc(' ', out);
			if (i == 0)
				s = map[c] == SIZE_MAX ? "SESSION" : r->cols[map[c]].label;
			else if (map[c] == SIZE_MAX)
				s = query_result__session(r, i - 1);
			else
				s = cell(r, i - 1, map[c], buf, sizeof(buf));
			put_clean(out, s ? s : "-", last && !right ? 0 : w[c], right);
		}
		fputc('\n', out);
	}
	fprintf(out, "(%zu row%s)\n", r->nrows, r->nrows == 1 ? "" : "s");
	free(w);
	return ferror(out) ? -EIO : 0;
}

static int write_table(const struct query_result *r, FILE *out)
{
	size_t nc = 0, *map = calloc(r->ncols + 1, sizeof(*map));

	if (!map)
		return -ENOMEM;
	if (r->show_session)
		map[nc++] = SIZE_MAX;
	for (size_t c = 0; c < r->ncols; c++)
		if (!r->cols[c].hidden)
			map[nc++] = c;
	int ret = write_table_cols(r, out, map, nc);
	free(map);
	return ret;
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static int write_json(const struct query_result *r, FILE *out)
{
	char buf[128];

	for (size_t i = 0; i < r->nrows; i++) {
		fputc('{', out);
		bool first = true;
		const char *sess = query_result__session(r, i);
		if (r->show_session && sess) {
			fputs("\"session\":", out);
			json_string(out, sess);
			first = false;
		}
		for (size_t c = 0; c < r->ncols; c++) {
			const struct qrcol *col = &r->cols[c];
			const struct qrval *v = &r->vals[i * r->ncols + c];
			if (!first)
				fputc(',', out);
			first = false;
			json_string(out, col->name);
			fputc(':', out);
			if (v->null)
				fputs("null", out);
			else if (is_text_dim(col->dim))
				json_string(out, v->s ? v->s : "");
			else if (col->dim == QD_BOOL)
				fputs(v->i ? "true" : "false", out);
			else if (qsym__name(col->sym, v->i))
				json_string(out, query_result__text(r, i, c, buf, sizeof(buf)));
			else if (col->dim == QD_HEX)
				fputs(query_result__text(r, i, c, buf, sizeof(buf)), out);
			else
				fprintf(out, "%" PRId64, v->i);
		}
		fputs("}\n", out);
	}
	return ferror(out) ? -EIO : 0;
}

static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static int write_csv(const struct query_result *r, FILE *out)
{
	char buf[128];

	if (r->show_session)
		fputs("session,", out);
	for (size_t c = 0; c < r->ncols; c++)
		fprintf(out, "%s%s", c ? "," : "", r->cols[c].name);
	fputs("\r\n", out);
	for (size_t i = 0; i < r->nrows; i++) {
		if (r->show_session) {
			const char *s = query_result__session(r, i);
			csv_field(out, s ? s : "");
			fputc(',', out);
		}
		for (size_t c = 0; c < r->ncols; c++) {
			if (c)
				fputc(',', out);
			csv_field(out, query_result__text(r, i, c, buf, sizeof(buf)));
		}
		fputs("\r\n", out);
	}
	return ferror(out) ? -EIO : 0;
}

int query_result__write(const struct query_result *r, FILE *out, enum query_output fmt)
{
	switch (fmt) {
	case QUERY_OUT_TABLE:
		return write_table(r, out);
	case QUERY_OUT_JSON:
		return write_json(r, out);
	case QUERY_OUT_CSV:
		return write_csv(r, out);
	}
	return -EINVAL;
}
