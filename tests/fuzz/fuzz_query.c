// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as a query. The parser must answer with a
 * query or a positioned error, never crash; a query must describe itself
 * and compile to SQL that SQLite accepts on the index's schema. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/ast.h"
#include "query/dbschema.h"
#include "query/query.h"
#include "query/sql.h"

static sqlite3 *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[2048];
	struct query_error err;
	char *out = NULL;
	size_t len = 0;

	if (!db) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
		    sqlite3_exec(db, qdb_schema, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(db, qsql_range_table, NULL, NULL, NULL) != SQLITE_OK)
			abort();
	}
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return 0;
	struct query *q = query__parse(text, &err);
	if (!q) {
		if (!err.msg[0] || err.pos > size)
			abort();
		query_error__print(&err, text, f);
	} else {
		query__describe(q, f);
		struct qsql sql;
		if (qsql_build(q, &sql) == 0) {
			sqlite3_stmt *st = NULL;
			if (sqlite3_prepare_v2(db, sql.text, -1, &st, NULL) != SQLITE_OK) {
				fprintf(stderr, "bad SQL for '%s': %s\n%s\n", text, sqlite3_errmsg(db),
					sql.text);
				abort();
			}
			if ((size_t)sqlite3_bind_parameter_count(st) != sql.np)
				abort();
			sqlite3_finalize(st);
			qsql_free(&sql);
		}
		query__free(q);
	}
	fclose(f);
	free(out);
	return 0;
}
