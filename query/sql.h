/* SPDX-License-Identifier: MIT */
/*
 * Internal: a parsed query as one SQL statement over the index. User
 * values never enter the text: they are bound parameters. The statement
 * reads the per-session time range from temp.qrange(session, lo, hi),
 * which the executor fills (query__range for each selected session), so
 * that the scanner and the index place times identically.
 */
#ifndef EBPFQUERY_SQL_H
#define EBPFQUERY_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/ast.h"

struct qsql_param {
	bool text;
	int64_t i;
	const char *s; /* borrowed from the query */
};

struct qsql {
	char *text;
	struct qsql_param *p;
	size_t np;
	/* Result columns: the session id first, then those of the result
	 * (qres_cols_for), in order; for QM_HIST, the snapshot rows
	 * (session, nr, name, count, total_ns, max_ns, slots, interval). */
	bool with_session;
};

int qsql_build(const struct query *q, struct qsql *out);
void qsql_free(struct qsql *s);

/* The statement that creates and empties temp.qrange. */
extern const char qsql_range_table[];

#endif
