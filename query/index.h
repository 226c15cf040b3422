/* SPDX-License-Identifier: MIT */
/*
 * libebpfquery: the SQLite index of recording sessions (schema in
 * query/QUERY.md). ebpf-query builds and queries it; ebpf-record adds each
 * finished recording to the user's default index.
 *
 * Conventions as in query.h: opaque objects, 0 or a negative errno,
 * messages in struct query_error.
 */
#ifndef EBPFQUERY_INDEX_H
#define EBPFQUERY_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "query/query.h"

#ifdef __cplusplus
extern "C" {
#endif

struct query_db;

/* The user's default index: $XDG_DATA_HOME/ebpf-trace/sessions.db, else
 * ~/.local/share/ebpf-trace/sessions.db; under sudo (root with SUDO_UID),
 * the invoking user's, and *uid / *gid say who must own what is created
 * (-1: the caller). -ENOENT without a home directory. */
int query_db__default_path(char *buf, size_t size, int64_t *uid, int64_t *gid);
/* Opens the default index; with create, makes it (and its directories)
 * owned by that user. Without create, a missing index is ENOENT with a
 * message that says what to do. */
struct query_db *query_db__open_default(bool create, struct query_error *err);

/* Opens (creating with create) an index and brings its schema up to date.
 * NULL with errno and *err on failure (not an index, newer schema, ...). */
struct query_db *query_db__open(const char *path, bool create, struct query_error *err);
void query_db__close(struct query_db *db);
const char *query_db__path(const struct query_db *db);

struct query_index_stats {
	int64_t session;   /* the session's id in the index */
	bool unchanged;	   /* already indexed from the same file: nothing was written */
	bool replaced;	   /* an older import of the session (or of the path) was replaced */
	uint64_t events;   /* events read */
	uint64_t rows;	   /* rows inserted */
	double seconds;	   /* reading and inserting, wall clock */
	double cpu_seconds; /* the same, CPU time of the process */
};

/* Imports one recording (a file or the base name of segments) as one
 * session, in one transaction: all of it or nothing. A session already in
 * the index (same session id) is replaced, or left alone when its file
 * has not changed since (same size and modification time); a session
 * recorded before to the same path is replaced. */
int query_db__index(struct query_db *db, const char *trace_path, struct query_index_stats *st,
		    struct query_error *err);

/* Runs a parsed query as SQL over every session (session_id > 0: only that
 * one). */
int query_db__query(struct query_db *db, const struct query *q, int64_t session_id,
		    struct query_result **out, struct query_error *err);
/* The SQL a query compiles to, with its parameters, and SQLite's plan. */
int query_db__explain(struct query_db *db, const struct query *q, int64_t session_id,
		      FILE *out, struct query_error *err);
/* The sessions: id, host, start (local time), duration, events, lost,
 * path, and whether the trace is still there. */
int query_db__sessions(struct query_db *db, struct query_result **out, struct query_error *err);
/* The id of the most recently started session; -ENOENT when none. */
int query_db__latest(struct query_db *db, int64_t *id, struct query_error *err);
/* Runs one SQL statement as given (read-only: the index is not changed). */
int query_db__sql(struct query_db *db, const char *sql, struct query_result **out,
		  struct query_error *err);

#ifdef __cplusplus
}
#endif

#endif /* EBPFQUERY_INDEX_H */
