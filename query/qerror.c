// SPDX-License-Identifier: MIT
/* Query mistakes: where they are, what to write instead. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "query/qerror.h"

int qerror_set(struct query_error *err, size_t pos, size_t len, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = -EINVAL;
		err->pos = pos;
		err->len = len;
		err->in_query = true;
	}
	return -EINVAL;
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), case-insensitive; words are short. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	enum { MAXW = 48 };
	size_t d[MAXW + 1][MAXW + 1];

	if (la > MAXW || lb > MAXW)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *qsuggest(const char *word, size_t len, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	/* One edit for short words, about a third of the letters for long ones. */
	size_t tol = len <= 4 ? 1 : len <= 8 ? 2 : 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, len, cands[i], strlen(cands[i]));
		if (d == 0)
			continue;
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= tol ? best : NULL;
}

bool qerror_suggest(struct query_error *err, const char *word, size_t len,
		    const char *const *cands, size_t n)
{
	const char *s = qsuggest(word, len, cands, n);

	if (!s || !err)
		return false;
	size_t used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ", did you mean '%s'?", s);
	return true;
}
