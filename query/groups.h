/* SPDX-License-Identifier: MIT */
/*
 * Internal: counting rows per group (count opens by comm) into a result
 * whose first columns are the group values and whose last is the count,
 * and folding syscall histograms over sessions. Shared by the scanner and
 * the index's histogram path so both produce identical rows.
 */
#ifndef EBPFQUERY_GROUPS_H
#define EBPFQUERY_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "query/result.h"

struct qgroups;

/* r: the result (its first ngroup columns are the group, then the count). */
struct qgroups *qgroups__new(struct query_result *r, size_t ngroup);
void qgroups__free(struct qgroups *g);
/* Adds weight to the group of vals (ngroup values; text is copied). */
int qgroups__add(struct qgroups *g, const struct qrval *vals, int64_t weight);

/* Syscall histograms summed per (name, nr) over sessions. */
struct qhists;

#define QHIST_SLOTS 64

struct qhists *qhists__new(void);
void qhists__free(struct qhists *h);
int qhists__add(struct qhists *h, const char *name, uint32_t nr, uint64_t count,
		uint64_t total_ns, uint64_t max_ns, const uint64_t *slots, size_t nslots);
/* Rows into r: the summary (name, nr, calls, total_ns, avg_ns, max_ns), or
 * with slots, (name, from_ns, to_ns, count) from each histogram's first to
 * its last non-empty slot. */
int qhists__rows(struct qhists *h, struct query_result *r, bool slots);
/* Leaves histogram i (the seq of its summary row) out of later rows. */
void qhists__drop(struct qhists *h, size_t i);
/* Keeps the summary rows of r that satisfy q's conditions, drops the
 * histograms of the others from h (h may be NULL). */
void qhists__filter(struct qhists *h, struct query_result *r, const struct query *q);

#endif
