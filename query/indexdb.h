/* SPDX-License-Identifier: MIT */
/* Internal: the index object, shared by the importer and the query side. */
#ifndef EBPFQUERY_INDEXDB_H
#define EBPFQUERY_INDEXDB_H

#include <sqlite3.h>

#include "query/index.h"

struct query_db {
	sqlite3 *db;
	char *path;
};

/* Fills err with SQLite's message for the last failure; returns -EIO. */
int qdb_error(struct query_db *db, struct query_error *err, const char *what);

#endif
