// SPDX-License-Identifier: MIT
/* GLOB, NULL and address semantics shared with the SQL side. */
#include <arpa/inet.h>
#include <string.h>

#include "query/values.h"

/* One UTF-8 character's code point; advances *s. Invalid bytes stand for
 * themselves, as SQLite reads them. */
static uint32_t utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t c = *p++;

	if (c >= 0xc0) {
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		c &= (uint32_t)(0x3f >> more);
		while (more-- && (*p & 0xc0) == 0x80)
			c = (c << 6) | (*p++ & 0x3f);
	}
	*s = p;
	return c;
}

/* Matches one character c against the set at *pp (just after '['); on
 * return *pp is after the closing ']'. -1: the set is not closed (then
 * nothing matches, as in SQLite). */
static int match_set(const unsigned char **pp, uint32_t c)
{
	const unsigned char *p = *pp;
	bool invert = false, seen = false;
	uint32_t prior = 0;

	if (*p == '^') {
		invert = true;
		p++;
	}
	if (*p == ']') {
		seen = c == ']';
		prior = ']';
		p++;
	}
	for (;;) {
		if (!*p)
			return -1;
		if (*p == ']')
			break;
		if (*p == '-' && prior && p[1] != ']' && p[1]) {
			p++;
			uint32_t hi = utf8_next(&p);
			if (c >= prior && c <= hi)
				seen = true;
			prior = 0;
			continue;
		}
		uint32_t x = utf8_next(&p);
		if (x == c)
			seen = true;
		prior = x;
	}
	*pp = p + 1;
	return seen != invert;
}

bool qglob_match(const char *pattern, const char *str)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *star_p = NULL, *star_s = NULL;

	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (!*s) {
			if (!*p)
				return true;
			goto backtrack;
		}
		if (!*p)
			goto backtrack;
		{
			const unsigned char *s0 = s;
			uint32_t c = utf8_next(&s);
			if (*p == '?') {
				p++;
				continue;
			}
			if (*p == '[') {
				const unsigned char *q = p + 1;
				int m = match_set(&q, c);
				if (m < 0)
					return false;
				if (m) {
					p = q;
					continue;
				}
				s = s0;
				goto backtrack;
			}
			const unsigned char *p0 = p;
			uint32_t pc = utf8_next(&p);
			if (pc == c)
				continue;
			p = p0;
			s = s0;
		}
backtrack:
		if (!star_p || !*star_s)
			return false;
		utf8_next(&star_s);
		p = star_p;
		s = star_s;
	}
}

const char *qaddr_format(uint16_t family, const uint8_t *addr, char *buf, size_t size)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (family == 2)
		return inet_ntop(AF_INET, addr, buf, (socklen_t)size);
	if (family == 10) {
		if (memcmp(addr, mapped, 12) == 0)
			return inet_ntop(AF_INET, addr + 12, buf, (socklen_t)size);
		return inet_ntop(AF_INET6, addr, buf, (socklen_t)size);
	}
	return NULL;
}

static bool is_text(const struct qcol *col)
{
	return col->dim == QD_TEXT || col->dim == QD_ADDR;
}

static bool value_eq(const struct qcval *cv, bool text, const struct qrval *v)
{
	if (!text)
		return v->i == cv->i;
	if (cv->glob)
		return qglob_match(cv->s, v->s ? v->s : "");
	return strcmp(cv->s, v->s ? v->s : "") == 0;
}

bool qcond_match(const struct qcond *c, const struct qcol *col, const struct qrval *v)
{
	bool text = is_text(col);

	if (v->null)
		return false;
	if (c->op == QOP_EQ || c->op == QOP_NE) {
		bool any = false;
		for (size_t i = 0; i < c->nv && !any; i++)
			any = value_eq(&c->v[i], text, v);
		return c->op == QOP_EQ ? any : !any;
	}
	int cmp;
	if (text) {
		int r = strcmp(v->s ? v->s : "", c->v[0].s);
		cmp = r < 0 ? -1 : r > 0;
	} else {
		cmp = v->i < c->v[0].i ? -1 : v->i > c->v[0].i;
	}
	switch (c->op) {
	case QOP_LT:
		return cmp < 0;
	case QOP_LE:
		return cmp <= 0;
	case QOP_GT:
		return cmp > 0;
	case QOP_GE:
		return cmp >= 0;
	default:
		return false;
	}
}
