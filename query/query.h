/* SPDX-License-Identifier: MIT */
/*
 * libebpfquery: the ebpf-query language (query/QUERY.md), run straight from
 * trace files or through a SQLite index of sessions (query/index.h).
 *
 * Conventions, as in libbpf and format/trace.h: objects are opaque; int
 * functions return 0 or a negative errno; pointer functions return NULL
 * and set errno; destructors accept NULL. A mistake in a query is -EINVAL
 * with a struct query_error that says where and what to write instead.
 */
#ifndef EBPFQUERY_QUERY_H
#define EBPFQUERY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct query_error {
	int code;	/* the negative errno returned with it */
	size_t pos;	/* byte offset in the query of the offending text */
	size_t len;	/* its length in bytes; 0 at the end of the query */
	bool in_query;	/* pos/len point into the query text */
	char msg[512];	/* one line, no trailing newline */
};

/* Prints "ebpf-query: MSG" and, for a mistake in the query, the query
 * with a caret line under the offending text. */
void query_error__print(const struct query_error *err, const char *text, FILE *out);

/* ---- a parsed query ------------------------------------------------------ */

struct query;

/* Parses and checks text (names, units, clauses). NULL on error: errno is
 * EINVAL with *err filled for a mistake, ENOMEM otherwise. */
struct query *query__parse(const char *text, struct query_error *err);
void query__free(struct query *q);
/* The query as understood, in words, for --explain. */
void query__describe(const struct query *q, FILE *out);

/* ---- results ---------------------------------------------------------------- */

struct query_result;

enum query_output {
	QUERY_OUT_TABLE, /* aligned columns, human units */
	QUERY_OUT_JSON,	 /* one JSON object per line, raw numbers */
	QUERY_OUT_CSV,	 /* RFC 4180, a header line, raw numbers */
};

size_t query_result__ncols(const struct query_result *r);
size_t query_result__nrows(const struct query_result *r);
/* Machine name of a column (the JSON/CSV key). */
const char *query_result__col_name(const struct query_result *r, size_t col);
/* A value as the JSON/CSV output writes it ("" for NULL); into buf. */
const char *query_result__text(const struct query_result *r, size_t row, size_t col,
			       char *buf, size_t size);
/* The session a row belongs to: its index db id, or its trace path when
 * scanned; NULL for rows that sum over sessions. */
const char *query_result__session(const struct query_result *r, size_t row);
int query_result__write(const struct query_result *r, FILE *out, enum query_output fmt);
void query_result__free(struct query_result *r);

/* ---- running a query over trace files ------------------------------------------ */

struct query_scan_stats {
	uint64_t sessions;
	uint64_t events;	 /* events decoded and looked at */
	uint64_t chunks;	 /* chunks read */
	uint64_t chunks_skipped; /* chunks passed over by the time range or types */
	uint64_t chunks_bad;	 /* damaged chunks reported and skipped */
};

struct query_scan_opts {
	size_t sz; /* sizeof(struct query_scan_opts) */
	/* When set, a line per damaged chunk goes here (else to stderr). */
	FILE *damage_out;
	/* When set, the plan of each session is written here as it runs. */
	FILE *explain;
};

/* Runs q over the traces (each a file, or the base name of segments). The
 * traces of one recording (same session) are read as one session. */
int query__scan(const struct query *q, const char *const *paths, size_t n,
		const struct query_scan_opts *opts, struct query_result **out,
		struct query_scan_stats *stats, struct query_error *err);

#ifdef __cplusplus
}
#endif

#endif /* EBPFQUERY_QUERY_H */
