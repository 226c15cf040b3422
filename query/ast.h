/* SPDX-License-Identifier: MIT */
/*
 * Internal: a parsed and checked query, shared by the parser, the scanner
 * and the SQL compiler. Everything is resolved against the catalog except
 * what depends on a trace (syscall numbers, session start and end, the
 * wall-clock offset), which each executor binds per session.
 */
#ifndef EBPFQUERY_AST_H
#define EBPFQUERY_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/catalog.h"
#include "query/lex.h"

/* One value a condition compares with. */
struct qcval {
	int64_t i;	/* integer columns */
	char *s;	/* text and address columns; owned */
	bool glob;	/* s holds *, ? or [ and matches as a GLOB */
};

/* column OP value: with EQ, any of the values; with NE, none of them. */
struct qcond {
	int col;
	enum qop op;
	struct qcval *v;
	size_t nv;
	size_t pos, len; /* where it was written */
};

enum qtime_ref {
	QTR_NONE,
	QTR_START, /* v ns after the session's first event */
	QTR_END,   /* v ns before the session's last event */
	QTR_WALL,  /* v ns since the epoch (UTC) */
	QTR_TOD,   /* v ns after local midnight, on the session's first day */
};

struct qtime {
	enum qtime_ref ref;
	int64_t v;
	size_t pos, len;
};

enum qmode {
	QM_ROWS,  /* one row per record / connection / flow / process */
	QM_COUNT, /* counts, optionally per group */
	QM_HIST,  /* syscall histogram: per-syscall summary, or slots when names are given */
};

#define QMAX_GROUP 4

struct query {
	char *text;
	enum qkind kind;
	enum qmode mode;
	struct qcond *conds;
	size_t nconds;
	struct qtime from, to; /* inclusive; QTR_NONE: open */
	int group[QMAX_GROUP];
	size_t ngroup;
	int sort_col;	/* -1: the kind's natural order */
	bool sort_desc;
	uint64_t limit; /* 0: all */
	bool hist_slots; /* QM_HIST with syscall names: one row per slot */
	size_t kind_pos, kind_len;
};

/* Resolves a time reference of one session to boottime ns. start/end:
 * the session's first and last event; real_offset: wall clock minus
 * boottime (has_real false when the trace has no calibration). Returns 0,
 * or -ENODATA when a wall-clock time cannot be placed. */
int qtime_resolve(const struct qtime *t, uint64_t start, uint64_t end, bool has_real,
		  int64_t real_offset, uint64_t *boot);

/* The inclusive boottime range of q in one session: [*lo, *hi]. */
int query__range(const struct query *q, uint64_t start, uint64_t end, bool has_real,
		 int64_t real_offset, uint64_t *lo, uint64_t *hi);

#endif
