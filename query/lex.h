/* SPDX-License-Identifier: MIT */
/*
 * Internal: splits a query into tokens that remember where they came from.
 * Words are maximal runs of anything but blanks, quotes, commas and the
 * comparison operators, so paths (/etc/passwd, globs), addresses (10.0.0.1:443),
 * numbers with units (1.5ms) and dates stay one token; the parser decides
 * what a word is from where it stands.
 */
#ifndef EBPFQUERY_LEX_H
#define EBPFQUERY_LEX_H

#include <stddef.h>

#include "query/query.h"

enum qtok_type {
	QT_END,
	QT_WORD,
	QT_STRING, /* quoted; text is the content without quotes */
	QT_OP,
	QT_COMMA,
};

enum qop {
	QOP_EQ,
	QOP_NE,
	QOP_LT,
	QOP_LE,
	QOP_GT,
	QOP_GE,
};

struct qtok {
	enum qtok_type type;
	enum qop op;  /* QT_OP */
	size_t pos;   /* byte offset in the query */
	size_t len;   /* bytes in the query, quotes included */
	char *text;   /* NUL-terminated copy (QT_WORD, QT_STRING) */
};

struct qtokens {
	struct qtok *t;
	size_t n; /* the last is QT_END */
};

/* 0, -ENOMEM, or -EINVAL with err filled (an unterminated quote). */
int qlex(const char *text, struct qtokens *out, struct query_error *err);
void qtokens_free(struct qtokens *t);

const char *qop_str(enum qop op);

#endif
