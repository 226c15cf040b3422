/* SPDX-License-Identifier: MIT */
/* Internal: filling a struct query_error. */
#ifndef EBPFQUERY_QERROR_H
#define EBPFQUERY_QERROR_H

#include <stddef.h>

#include "query/query.h"

/* Sets err (when not NULL) to a query mistake at [pos, pos + len) of the
 * query text; returns -EINVAL. */
int qerror_set(struct query_error *err, size_t pos, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Appends ", did you mean 'X'?" to err's message when one of the n
 * candidates is close to word. Returns whether it did. */
bool qerror_suggest(struct query_error *err, const char *word, size_t len,
		    const char *const *cands, size_t n);

/* The closest candidate (edit distance, case-insensitive) within a
 * tolerance that grows with the word's length, or NULL. */
const char *qsuggest(const char *word, size_t len, const char *const *cands, size_t n);

#endif
