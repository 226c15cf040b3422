/* SPDX-License-Identifier: MIT */
/*
 * Internal: building a query result (a table of typed values with the
 * session each row came from) and ordering it the same way whichever
 * executor filled it.
 */
#ifndef EBPFQUERY_RESULT_H
#define EBPFQUERY_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/ast.h"
#include "query/query.h"

struct qrval {
	int64_t i;
	const char *s; /* text columns; in the result's arena */
	bool null;
	uint32_t len;  /* of s when known, else 0 */
};

struct qrcol {
	const char *name;
	const char *label;
	uint8_t dim, sym; /* enum qdim, enum qsym */
	bool hidden;	  /* left out of the table (JSON and CSV have every column) */
};

struct qrsession {
	char *id;	/* shown in the SESSION column */
	uint64_t start; /* boottime of its first event: times are shown from it */
};

struct qarena;

struct query_result {
	struct qrcol *cols;
	size_t ncols;
	struct qrval *vals; /* nrows * ncols */
	int32_t *session;   /* per row, an index into sessions or -1 */
	uint64_t *seq;	    /* per row, the order it was produced in its session */
	size_t nrows, cap;
	struct qrsession *sessions;
	size_t nsessions;
	bool show_session; /* a SESSION column in the output */
	struct qarena *arena;
};

struct query_result *qres_new(void);
/* Columns: borrowed names (static catalog strings). */
int qres_add_col(struct query_result *r, const char *name, const char *label, uint8_t dim,
		 uint8_t sym);
/* The columns of a row query of kind k, or of a count over groups. */
int qres_cols_for(struct query_result *r, const struct query *q);
int qres_add_session(struct query_result *r, const char *id, uint64_t start);
/* A new zeroed row; NULL on ENOMEM. Valid until the next qres_row. */
struct qrval *qres_row(struct query_result *r, int32_t session, uint64_t seq);
/* Copies text into the result; NULL on ENOMEM. */
const char *qres_str(struct query_result *r, const char *s, size_t len);

/* Compares two values of one column as SQLite orders them: NULL first,
 * integers numerically, text bytewise. */
int qrval_cmp(const struct qrval *a, const struct qrval *b, bool text);

/* Orders the rows of a result for q (the row order QUERY.md documents,
 * the same as the SQL's ORDER BY) and applies its limit. */
int qres_finish(struct query_result *r, const struct query *q);

#endif
