/* SPDX-License-Identifier: MIT */
/* Internal: the index's schema (documented in query/QUERY.md). */
#ifndef EBPFQUERY_DBSCHEMA_H
#define EBPFQUERY_DBSCHEMA_H

#define QDB_SCHEMA_VERSION 2
#define QDB_APPLICATION_ID 0x65627471 /* "ebtq" */

extern const char qdb_schema[];
/* The tables holding a session's rows, NULL-terminated. */
extern const char *const qdb_session_tables[];

#endif
