// SPDX-License-Identifier: MIT
/* The query language's parser: tokens to a checked struct query
 * (query/QUERY.md has the grammar). A hand-written recursive descent, so
 * that every mistake can say where it is and what would have been right. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "query/ast.h"
#include "query/qerror.h"
#include "query/units.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct parser {
	const char *text;
	struct qtokens tk;
	size_t i;
	struct query *q;
	struct query_error *err;
	/* Clauses that need the kind, seen before it. */
	size_t group_tok; /* `top N paths by opens`: the token of "paths", or 0 */
	bool top;
	bool slow, slow_explicit;
	int adj_fail; /* 1 failed, 2 successful */
	size_t adj_fail_pos, adj_fail_len;
};

/* Words that start a clause; a value never is one of them unquoted. */
static const char *const clause_words[] = {
	"of", "by", "to", "from", "with", "where", "between", "in", "within", "during",
	"after", "before", "since", "until", "limit", "named", "for", "on", "that", "which",
	"who", "sorted", "sort", "order", "ordered", "and", "per", "longer", "shorter",
	"slower", "faster", "over", "above", "under", "below", "more", "less", "greater",
	"bigger", "larger", "smaller", "at", "still", "were", "exited", "running", "first",
	"last",
};

static const char *const kind_words[] = {
	"opens", "syscalls", "tcp", "udp", "processes", "lost", "histogram", "connections",
	"flows", "datagrams", "open", "syscall", "process", "tcp connections", "udp flows",
	"syscall histogram", "tcp state changes", "udp datagrams", "lost events",
};

static const char *const adjectives[] = { "slow", "failed", "successful", "all", "count",
					  "top" };

static struct qtok *tok(struct parser *p)
{
	return &p->tk.t[p->i];
}

static struct qtok *tok_at(struct parser *p, size_t k)
{
	size_t j = p->i + k;
	return &p->tk.t[j < p->tk.n ? j : p->tk.n - 1];
}

static bool word_is(const struct qtok *t, const char *w)
{
	return t->type == QT_WORD && strcasecmp(t->text, w) == 0;
}

static bool is(struct parser *p, const char *w)
{
	return word_is(tok(p), w);
}

static bool take(struct parser *p, const char *w)
{
	if (!is(p, w))
		return false;
	p->i++;
	return true;
}

static bool is_clause_word(const struct qtok *t)
{
	if (t->type != QT_WORD)
		return false;
	for (size_t i = 0; i < N(clause_words); i++)
		if (strcasecmp(t->text, clause_words[i]) == 0)
			return true;
	return false;
}

/* Can t be a value (not the end, not an operator, not a clause word)? */
static bool is_value(const struct qtok *t)
{
	return t->type == QT_STRING || (t->type == QT_WORD && !is_clause_word(t));
}

static int err_at(struct parser *p, const struct qtok *t, const char *fmt, const char *a,
		  const char *b)
{
	return qerror_set(p->err, t->pos, t->type == QT_END ? 0 : t->len, fmt, a, b);
}

static const char *tok_desc(const struct qtok *t, char *buf, size_t size)
{
	switch (t->type) {
	case QT_END:
		return "the end of the query";
	case QT_COMMA:
		return "','";
	case QT_OP:
		snprintf(buf, size, "'%s'", qop_str(t->op));
		return buf;
	default:
		snprintf(buf, size, "'%s'", t->text);
		return buf;
	}
}

static const struct qkind_desc *K(struct parser *p)
{
	return &qkinds[p->q->kind];
}

/* ---- conditions ---------------------------------------------------------- */

static struct qcond *add_cond(struct parser *p, int col, enum qop op, size_t pos, size_t len)
{
	struct query *q = p->q;
	struct qcond *nc = realloc(q->conds, (q->nconds + 1) * sizeof(*nc));

	if (!nc)
		return NULL;
	q->conds = nc;
	struct qcond *c = &q->conds[q->nconds++];
	memset(c, 0, sizeof(*c));
	c->col = col;
	c->op = op;
	c->pos = pos;
	c->len = len;
	return c;
}

static int add_val(struct qcond *c, int64_t i, const char *s)
{
	struct qcval *nv = realloc(c->v, (c->nv + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	c->v = nv;
	struct qcval *v = &c->v[c->nv];
	memset(v, 0, sizeof(*v));
	v->i = i;
	if (s) {
		v->s = strdup(s);
		if (!v->s)
			return -ENOMEM;
		v->glob = strpbrk(s, "*?[") != NULL;
	}
	c->nv++;
	return 0;
}

static int int_cond(struct parser *p, int col, enum qop op, int64_t v, size_t pos, size_t len)
{
	struct qcond *c = add_cond(p, col, op, pos, len);

	return c ? add_val(c, v, NULL) : -ENOMEM;
}

/* Is s an IP address? Canonical text into out (v4-mapped v6 as v4). */
static bool parse_addr(const char *s, char *out, size_t size)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return inet_ntop(AF_INET, buf, out, (socklen_t)size) != NULL;
	if (inet_pton(AF_INET6, s, buf) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(buf, mapped, 12) == 0)
			return inet_ntop(AF_INET, buf + 12, out, (socklen_t)size) != NULL;
		return inet_ntop(AF_INET6, buf, out, (socklen_t)size) != NULL;
	}
	return false;
}

/* One value for column col from the current token (and a unit word after
 * it), appended to c. */
static int parse_value(struct parser *p, struct qcond *c, int col)
{
	const struct qcol *cd = &K(p)->cols[col];
	struct qtok *t = tok(p);
	char msg[256], buf[64];

	if (t->type != QT_WORD && t->type != QT_STRING)
		return err_at(p, t, "expected a value for %s, found %s", cd->name,
			      tok_desc(t, buf, sizeof(buf)));
	if (t->type == QT_WORD && is_clause_word(t) && cd->dim != QD_TEXT)
		return err_at(p, t, "expected a value for %s before '%s'", cd->name, t->text);
	p->i++;
	switch (cd->dim) {
	case QD_TEXT: {
		return add_val(c, 0, t->text);
	}
	case QD_ADDR: {
		char a[64];
		if (strpbrk(t->text, "*?["))
			return add_val(c, 0, t->text);
		if (!parse_addr(t->text, a, sizeof(a)))
			return err_at(p, t, "'%s' is not an IP address (such as 10.0.0.1 or ::1)%s",
				      t->text, "");
		return add_val(c, 0, a);
	}
	case QD_DURATION:
	case QD_SIZE: {
		enum qunit_kind k = cd->dim == QD_DURATION ? QU_DURATION : QU_SIZE;
		char joined[128];
		const char *s = t->text;
		size_t len = t->len;
		/* "5 ms": a bare number followed by a unit word. */
		struct qtok *u = tok(p);
		if (u->type == QT_WORD && s[0] && isdigit((unsigned char)s[strlen(s) - 1]) &&
		    qunit_is_unit(u->text, k)) {
			snprintf(joined, sizeof(joined), "%s%s", s, u->text);
			s = joined;
			len = u->pos + u->len - t->pos;
			p->i++;
		}
		int64_t v;
		if (qunit_parse(s, k, &v, msg, sizeof(msg)))
			return qerror_set(p->err, t->pos, len, "%s", msg);
		return add_val(c, v, NULL);
	}
	case QD_BOOL: {
		if (qword_in("true yes 1 y on", t->text, strlen(t->text)))
			return add_val(c, 1, NULL);
		if (qword_in("false no 0 n off", t->text, strlen(t->text)))
			return add_val(c, 0, NULL);
		return err_at(p, t, "%s is yes or no, not '%s'", cd->name, t->text);
	}
	case QD_TIME:
		return err_at(p, t, "compare times with between, after, before or in first; '%s'%s",
			      cd->name, " cannot take a value here");
	case QD_INT:
	case QD_HEX: {
		int64_t v;
		if (cd->sym != QS_NONE) {
			int64_t sv = qsym__value(cd->sym, t->text, strlen(t->text));
			if (sv >= 0)
				return add_val(c, cd->sym == QS_RET ? -sv : sv, NULL);
		}
		if (t->text[0] == '0' && (t->text[1] == 'x' || t->text[1] == 'X') && t->text[2]) {
			char *end;
			errno = 0;
			unsigned long long h = strtoull(t->text + 2, &end, 16);
			if (*end || errno || h > INT64_MAX)
				return err_at(p, t, "'%s' is not a hexadecimal number%s", t->text, "");
			return add_val(c, (int64_t)h, NULL);
		}
		if (qunit_parse(t->text, QU_COUNT, &v, msg, sizeof(msg))) {
			if (cd->sym != QS_NONE) {
				const char *names[200];
				size_t nn = qsym__names(cd->sym, names, N(names));
				qerror_set(p->err, t->pos, t->len, "'%s' is not a value of %s",
					   t->text, cd->name);
				if (!qerror_suggest(p->err, t->text, strlen(t->text), names, nn) && nn && p->err) {
					size_t used = strlen(p->err->msg);
					snprintf(p->err->msg + used, sizeof(p->err->msg) - used,
						 " (a number, or a name such as %s)", names[0]);
				}
				return -EINVAL;
			}
			return qerror_set(p->err, t->pos, t->len, "%s (for %s)", msg, cd->name);
		}
		return add_val(c, v, NULL);
	}
	}
	return -EINVAL;
}

/* VALUE {, VALUE} into a new condition col OP. */
static int parse_values(struct parser *p, int col, enum qop op, size_t pos)
{
	struct qcond *c = add_cond(p, col, op, pos, 0);
	int ret;

	if (!c)
		return -ENOMEM;
	size_t ci = p->q->nconds - 1;
	do {
		ret = parse_value(p, &p->q->conds[ci], col);
		if (ret)
			return ret;
	} while (tok(p)->type == QT_COMMA && (p->i++, true));
	struct qtok *last = tok_at(p, -1);
	p->q->conds[ci].len = last->pos + last->len - pos;
	if ((op != QOP_EQ && op != QOP_NE) && p->q->conds[ci].nv > 1)
		return qerror_set(p->err, pos, p->q->conds[ci].len,
				  "a list of values needs = or !=, not %s", qop_str(op));
	for (size_t i = 0; i < p->q->conds[ci].nv; i++)
		if (p->q->conds[ci].v[i].glob && op != QOP_EQ && op != QOP_NE)
			return qerror_set(p->err, pos, p->q->conds[ci].len,
					  "a pattern (%s) can only be compared with = or !=",
					  p->q->conds[ci].v[i].s);
	return 0;
}

/* Comparison words: "longer than", "over", "at least", ... as an operator.
 * Returns whether one was there. */
static bool parse_comparator(struct parser *p, enum qop *op)
{
	static const struct {
		const char *w1, *w2;
		enum qop op;
	} words[] = {
		{ "longer", "than", QOP_GT },	{ "slower", "than", QOP_GT },
		{ "more", "than", QOP_GT },	{ "greater", "than", QOP_GT },
		{ "bigger", "than", QOP_GT },	{ "larger", "than", QOP_GT },
		{ "shorter", "than", QOP_LT },	{ "faster", "than", QOP_LT },
		{ "less", "than", QOP_LT },	{ "smaller", "than", QOP_LT },
		{ "fewer", "than", QOP_LT },	{ "at", "least", QOP_GE },
		{ "at", "most", QOP_LE },	{ "over", NULL, QOP_GT },
		{ "above", NULL, QOP_GT },	{ "under", NULL, QOP_LT },
		{ "below", NULL, QOP_LT },	{ "exceeding", NULL, QOP_GT },
	};
	struct qtok *t = tok(p);

	if (t->type == QT_OP) {
		*op = t->op;
		p->i++;
		return true;
	}
	for (size_t i = 0; i < N(words); i++) {
		if (!word_is(t, words[i].w1))
			continue;
		if (words[i].w2 && !word_is(tok_at(p, 1), words[i].w2))
			continue;
		p->i += words[i].w2 ? 2 : 1;
		*op = words[i].op;
		return true;
	}
	return false;
}

static int need_col(struct parser *p, int col, const struct qtok *t, const char *clause,
		    const char *what)
{
	if (col >= 0)
		return 0;
	return qerror_set(p->err, t->pos, t->len, "'%s' %s, which %s do not have", clause, what,
			  K(p)->name);
}

/* A column named by the current word, or an error with a suggestion. */
static int parse_col(struct parser *p, int *col)
{
	struct qtok *t = tok(p);
	char buf[64];

	if (t->type != QT_WORD)
		return err_at(p, t, "expected a field of %s, found %s", K(p)->name,
			      tok_desc(t, buf, sizeof(buf)));
	int c = qkind__find_col(p->q->kind, t->text, strlen(t->text));
	if (c < 0) {
		const char *names[64];
		size_t n = 0;
		for (size_t i = 0; i < K(p)->ncols && n < N(names); i++)
			names[n++] = K(p)->cols[i].name;
		qerror_set(p->err, t->pos, t->len, "%s have no field '%s'", K(p)->name, t->text);
		if (!qerror_suggest(p->err, t->text, strlen(t->text), names, n) && p->err) {
			size_t used = strlen(p->err->msg);
			snprintf(p->err->msg + used, sizeof(p->err->msg) - used, "; they have:");
			for (size_t i = 0; i < n; i++) {
				used = strlen(p->err->msg);
				snprintf(p->err->msg + used, sizeof(p->err->msg) - used, " %s",
					 names[i]);
			}
		}
		return -EINVAL;
	}
	p->i++;
	*col = c;
	return 0;
}

/* with FIELD [OP] VALUE {(and|,) FIELD [OP] VALUE} */
static int parse_with(struct parser *p)
{
	for (;;) {
		size_t pos = tok(p)->pos;
		int col, ret;
		enum qop op = QOP_EQ;

		ret = parse_col(p, &col);
		if (ret)
			return ret;
		if (!parse_comparator(p, &op)) {
			if (take(p, "is")) {
				if (take(p, "not"))
					op = QOP_NE;
			} else if (take(p, "not")) {
				op = QOP_NE;
			}
		}
		ret = parse_values(p, col, op, pos);
		if (ret)
			return ret;
		/* "and FIELD" goes on; "and" before a clause ends the list. */
		size_t save = p->i;
		if (tok(p)->type == QT_COMMA || take(p, "and")) {
			if (tok(p)->type == QT_COMMA)
				p->i++;
			if (tok(p)->type == QT_WORD &&
			    qkind__find_col(p->q->kind, tok(p)->text, tok(p)->len) >= 0 &&
			    !is_clause_word(tok(p)))
				continue;
		}
		p->i = save;
		return 0;
	}
}

/* ---- addresses ----------------------------------------------------------- */

/* to|from ADDR[:PORT] | [V6]:PORT | :PORT | port N */
static int parse_endpoint(struct parser *p, bool dst)
{
	const struct qkind_desc *k = K(p);
	struct qtok *kw = tok_at(p, -1);
	int acol = dst ? k->daddr_col : k->saddr_col;
	int pcol = dst ? k->dport_col : k->sport_col;
	int ret;

	ret = need_col(p, acol, kw, kw->text, "filters addresses");
	if (ret)
		return ret;
	if (take(p, "port") || take(p, "ports"))
		return parse_values(p, pcol, QOP_EQ, kw->pos);
	struct qtok *t = tok(p);
	if (!is_value(t)) {
		char buf[64];
		return err_at(p, t, "expected an address or 'port N' after '%s', found %s", kw->text,
			      tok_desc(t, buf, sizeof(buf)));
	}
	p->i++;
	char host[128], a[64];
	const char *port = NULL;
	const char *s = t->text;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || (e[1] && e[1] != ':'))
			return err_at(p, t, "'%s' is not [ADDRESS]:PORT%s", s, "");
		snprintf(host, sizeof(host), "%.*s", (int)(e - s - 1), s + 1);
		port = e[1] ? e + 2 : NULL;
	} else {
		const char *c = strchr(s, ':');
		if (c && !strchr(c + 1, ':')) {
			snprintf(host, sizeof(host), "%.*s", (int)(c - s), s);
			port = c + 1;
		} else {
			snprintf(host, sizeof(host), "%s", s);
		}
	}
	if (host[0] && strcmp(host, "*") != 0) {
		struct qcond *c = add_cond(p, acol, QOP_EQ, t->pos, t->len);
		if (!c)
			return -ENOMEM;
		if (strpbrk(host, "*?[")) {
			ret = add_val(c, 0, host);
		} else if (parse_addr(host, a, sizeof(a))) {
			ret = add_val(c, 0, a);
		} else {
			return err_at(p, t,
				      "'%s' is not an IP address (such as 10.0.0.1, ::1 or "
				      "[::1]:443)%s; host names are not resolved",
				      host, "");
		}
		if (ret)
			return ret;
	}
	if (port) {
		int64_t v;
		char msg[128];
		if (qunit_parse(port, QU_COUNT, &v, msg, sizeof(msg)) || v < 0 || v > 65535)
			return err_at(p, t, "'%s' is not a port number (0-65535) in '%s'", port, s);
		ret = int_cond(p, pcol, QOP_EQ, v, t->pos, t->len);
		if (ret)
			return ret;
	}
	if (!host[0] && !port)
		return err_at(p, t, "'%s' names no address or port%s", s, "");
	return 0;
}

/* ---- times --------------------------------------------------------------- */

static int parse_time(struct parser *p, struct qtime *out)
{
	struct qtok *t = tok(p);
	char msg[256], buf[64];

	if (t->type != QT_WORD && t->type != QT_STRING)
		return err_at(p, t, "expected a time (10s, 12:00:05 or 2024-05-01T12:00:05), "
				    "found %s%s", tok_desc(t, buf, sizeof(buf)), "");
	p->i++;
	out->pos = t->pos;
	out->len = t->len;
	const char *s = t->text;
	struct tm tm = { 0 };
	int y, mo, d, h, mi, n = 0;
	double sec = 0;

	/* A date, with the time in the same word (T) or the next one. */
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
		const char *rest = s + 10;
		char joined[128];
		if (!*rest && tok(p)->type == QT_WORD && strchr(tok(p)->text, ':')) {
			snprintf(joined, sizeof(joined), "T%s", tok(p)->text);
			out->len = tok(p)->pos + tok(p)->len - t->pos;
			p->i++;
			rest = joined;
		}
		h = mi = 0;
		sec = 0;
		int m2 = 0;
		bool utc = false;
		int64_t tz_ofs = 0;
		if (*rest) {
			if ((*rest != 'T' && *rest != 't' && *rest != ' ') ||
			    sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &m2) != 2)
				return qerror_set(p->err, out->pos, out->len,
						  "'%s' is not a date and time such as "
						  "2024-05-01T12:00:05", s);
			rest += 1 + m2;
			if (*rest == ':') {
				char *end;
				sec = strtod(rest + 1, &end);
				rest = end;
			}
			if (*rest == 'Z' || *rest == 'z') {
				utc = true;
				rest++;
			} else if (*rest == '+' || *rest == '-') {
				int th = 0, tmi = 0, m3 = 0;
				if (sscanf(rest + 1, "%2d:%2d%n", &th, &tmi, &m3) != 2)
					return qerror_set(p->err, out->pos, out->len,
							  "bad time zone in '%s' (use Z or +02:00)", s);
				tz_ofs = ((int64_t)th * 3600 + tmi * 60) * (*rest == '-' ? -1 : 1);
				utc = true;
				rest += 1 + m3;
			}
			if (*rest)
				return qerror_set(p->err, out->pos, out->len,
						  "'%s' is not a date and time such as "
						  "2024-05-01T12:00:05", s);
		}
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 ||
		    sec >= 61)
			return qerror_set(p->err, out->pos, out->len, "'%s' is not a valid date", s);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = -1;
		time_t secs = utc ? timegm(&tm) - tz_ofs : mktime(&tm);
		/* Boottime and epoch nanoseconds fit 63 bits until 2262. */
		if (secs < 0 || secs > 9000000000)
			return qerror_set(p->err, out->pos, out->len,
					  "'%s' is outside the years 1970 to 2255", s);
		out->ref = QTR_WALL;
		out->v = (int64_t)secs * 1000000000 + (int64_t)(sec * 1e9 + 0.5);
		return 0;
	}
	/* A time of day: HH:MM or HH:MM:SS[.frac]. */
	n = 0;
	if (sscanf(s, "%2d:%2d%n", &h, &mi, &n) == 2 && n >= 4 && isdigit((unsigned char)s[0])) {
		const char *rest = s + n;
		sec = 0;
		if (*rest == ':') {
			char *end;
			sec = strtod(rest + 1, &end);
			rest = end;
		}
		if (*rest || h > 23 || mi > 59 || sec < 0 || sec >= 60)
			return qerror_set(p->err, out->pos, out->len,
					  "'%s' is not a time of day such as 12:00:05", s);
		out->ref = QTR_TOD;
		out->v = ((int64_t)h * 3600 + mi * 60) * 1000000000 + (int64_t)(sec * 1e9 + 0.5);
		return 0;
	}
	/* An offset from the start of the recording. */
	int64_t v;
	char joined[128];
	struct qtok *u = tok(p);
	if (u->type == QT_WORD && s[0] && isdigit((unsigned char)s[strlen(s) - 1]) &&
	    qunit_is_unit(u->text, QU_DURATION)) {
		snprintf(joined, sizeof(joined), "%s%s", s, u->text);
		s = joined;
		out->len = u->pos + u->len - t->pos;
		p->i++;
	}
	if (qunit_parse(s, QU_DURATION, &v, msg, sizeof(msg)))
		return qerror_set(p->err, out->pos, out->len,
				  "%s; a time is an offset such as 10s, a time of day such as "
				  "12:00:05, or a date such as 2024-05-01T12:00:05", msg);
	out->ref = QTR_START;
	out->v = v;
	return 0;
}

static int set_time(struct parser *p, struct qtime *slot, const struct qtime *t,
		    const char *which)
{
	if (slot->ref != QTR_NONE)
		return qerror_set(p->err, t->pos, t->len, "the %s of the time range is given twice",
				  which);
	*slot = *t;
	return 0;
}

/* in [the] first|last D */
static int parse_window(struct parser *p, struct qtok *kw)
{
	take(p, "the");
	bool first = take(p, "first");
	bool last = !first && take(p, "last");
	char buf[64];

	if (!first && !last)
		return err_at(p, tok(p), "expected 'first' or 'last' after '%s', found %s",
			      kw->text, tok_desc(tok(p), buf, sizeof(buf)));
	struct qtime t;
	int ret = parse_time(p, &t);
	if (ret)
		return ret;
	if (t.ref != QTR_START)
		return qerror_set(p->err, t.pos, t.len,
				  "'in %s' takes a duration such as 10s", first ? "first" : "last");
	struct qtime a = { .ref = first ? QTR_START : QTR_END, .v = first ? 0 : t.v,
			   .pos = kw->pos, .len = t.pos + t.len - kw->pos };
	struct qtime b = { .ref = first ? QTR_START : QTR_END, .v = first ? t.v : 0,
			   .pos = a.pos, .len = a.len };
	ret = set_time(p, &p->q->from, &a, "start");
	return ret ? ret : set_time(p, &p->q->to, &b, "end");
}

/* ---- the subject: [adjectives] [names] KIND ---------------------------------- */

/* Longest kind phrase at token i: kind, and words used (0: none). */
static size_t match_kind(struct parser *p, size_t i, enum qkind *kind)
{
	size_t best = 0;

	for (int k = 0; k < QK__COUNT; k++) {
		const char *ph = qkinds[k].phrases;
		while (*ph) {
			const char *end = strchr(ph, '|');
			if (!end)
				end = ph + strlen(ph);
			/* Match the phrase's words against tokens i, i+1, ... */
			size_t words = 0, j = i;
			const char *w = ph;
			bool ok = true;
			while (w < end) {
				const char *we = w;
				while (we < end && *we != ' ')
					we++;
				const struct qtok *t = j < p->tk.n ? &p->tk.t[j] : NULL;
				if (!t || t->type != QT_WORD || strlen(t->text) != (size_t)(we - w) ||
				    strncasecmp(t->text, w, (size_t)(we - w)) != 0) {
					ok = false;
					break;
				}
				words++;
				j++;
				w = we < end ? we + 1 : we;
			}
			if (ok && words > best) {
				best = words;
				*kind = (enum qkind)k;
			}
			ph = *end ? end + 1 : end;
		}
	}
	return best;
}

static int parse_subject(struct parser *p)
{
	size_t names[16], nnames = 0;
	enum qkind kind;
	size_t used;

	for (;;) {
		struct qtok *t = tok(p);
		if (t->type == QT_COMMA && nnames) {
			p->i++;
			continue;
		}
		if (t->type != QT_WORD) {
			char buf[64];
			if (nnames) {
				struct qtok *bad = &p->tk.t[names[0]];
				/* The unknown word closest to a kind is the likely typo. */
				for (size_t i = 0; i < nnames; i++)
					if (qsuggest(p->tk.t[names[i]].text, strlen(p->tk.t[names[i]].text),
						     kind_words, N(kind_words))) {
						bad = &p->tk.t[names[i]];
						break;
					}
				qerror_set(p->err, bad->pos, bad->len, "unknown kind '%s'", bad->text);
				if (!qerror_suggest(p->err, bad->text, strlen(bad->text), kind_words,
						    N(kind_words)) && p->err) {
					size_t u = strlen(p->err->msg);
					snprintf(p->err->msg + u, sizeof(p->err->msg) - u,
						 "; ask about opens, syscalls, tcp connections, tcp "
						 "state changes, udp flows, udp datagrams, processes, "
						 "lost events or a syscall histogram");
				}
				return -EINVAL;
			}
			return err_at(p, t,
				      "expected what to look for (opens, syscalls, tcp, udp, "
				      "processes, lost events, syscall histogram), found %s%s",
				      tok_desc(t, buf, sizeof(buf)), "");
		}
		used = match_kind(p, p->i, &kind);
		if (used)
			break;
		if (take(p, "slow")) {
			p->slow = true;
			continue;
		}
		if (is(p, "failed") || is(p, "successful") || is(p, "succeeded") ||
		    is(p, "ok") || is(p, "erroneous")) {
			p->adj_fail = is(p, "failed") || is(p, "erroneous") ? 1 : 2;
			p->adj_fail_pos = t->pos;
			p->adj_fail_len = t->len;
			p->i++;
			continue;
		}
		if (take(p, "all") || take(p, "the") || take(p, "show") || take(p, "list") ||
		    take(p, "find"))
			continue;
		/* "read and write syscalls": and/or join names. */
		if ((word_is(t, "and") || word_is(t, "or")) && nnames) {
			p->i++;
			continue;
		}
		if (nnames == N(names))
			return err_at(p, t, "too many words before the kind, at '%s'%s", t->text, "");
		names[nnames++] = p->i++;
	}
	struct qtok *kt = tok(p);
	struct qtok *kend = tok_at(p, (long)used - 1);
	p->q->kind = kind;
	p->q->kind_pos = kt->pos;
	p->q->kind_len = kend->pos + kend->len - kt->pos;
	p->i += used;
	if (kind == QK_SYSCALL_HIST) {
		if (p->q->mode == QM_COUNT)
			return qerror_set(p->err, p->q->kind_pos, p->q->kind_len,
					  "a syscall histogram cannot be counted; ask 'count syscalls"
					  " by name' for the calls recorded as events%s", "");
		p->q->mode = QM_HIST;
	}
	if (nnames) {
		/* Words before "syscalls" are syscall names; elsewhere a mistake. */
		if (kind != QK_SYSCALLS && kind != QK_SYSCALL_HIST) {
			struct qtok *bad = &p->tk.t[names[0]];
			qerror_set(p->err, bad->pos, bad->len, "unexpected '%s' before %s", bad->text,
				   qkinds[kind].name);
			qerror_suggest(p->err, bad->text, strlen(bad->text), adjectives, N(adjectives));
			return -EINVAL;
		}
		struct qcond *c = add_cond(p, K(p)->name_col, QOP_EQ, p->tk.t[names[0]].pos, 0);
		if (!c)
			return -ENOMEM;
		for (size_t i = 0; i < nnames; i++) {
			struct qtok *t = &p->tk.t[names[i]];
			int ret = add_val(c, 0, t->text);
			if (ret)
				return ret;
			c->len = t->pos + t->len - c->pos;
		}
	}
	return 0;
}

/* ---- processes: that exited ... ---------------------------------------------- */

static int col_of(struct parser *p, const char *name)
{
	return qkind__find_col(p->q->kind, name, strlen(name));
}

static int parse_exited(struct parser *p, struct qtok *kw)
{
	int exited = col_of(p, "exited"), status = col_of(p, "status");
	int code = col_of(p, "code"), sig = col_of(p, "signal");
	size_t pos = kw->pos;
	int ret;

	ret = int_cond(p, exited, QOP_EQ, 1, pos, kw->len);
	if (ret)
		return ret;
	if (take(p, "nonzero") || take(p, "non-zero") || take(p, "unsuccessfully") ||
	    take(p, "abnormally") || take(p, "badly"))
		return int_cond(p, status, QOP_NE, 0, pos, tok_at(p, -1)->pos + tok_at(p, -1)->len - pos);
	if (take(p, "zero") || take(p, "successfully") || take(p, "cleanly") ||
	    take(p, "normally") || take(p, "ok"))
		return int_cond(p, status, QOP_EQ, 0, pos, tok_at(p, -1)->pos + tok_at(p, -1)->len - pos);
	if ((is(p, "with") || is(p, "by")) &&
	    (word_is(tok_at(p, 1), "signal") || word_is(tok_at(p, 1), "sig"))) {
		p->i += 2;
		if (is_value(tok(p)))
			return parse_values(p, sig, QOP_EQ, pos);
		return int_cond(p, sig, QOP_NE, 0, pos, tok_at(p, -1)->pos + tok_at(p, -1)->len - pos);
	}
	if (is(p, "with") && (word_is(tok_at(p, 1), "code") || word_is(tok_at(p, 1), "status"))) {
		p->i += 2;
		return parse_values(p, code, QOP_EQ, pos);
	}
	if (is(p, "with") && tok_at(p, 1)->type == QT_WORD &&
	    isdigit((unsigned char)tok_at(p, 1)->text[0])) {
		p->i++;
		return parse_values(p, code, QOP_EQ, pos);
	}
	if (take(p, "by") || (is(p, "with") && (p->i++, true))) {
		if (is_value(tok(p)))
			return parse_values(p, sig, QOP_EQ, pos);
		return err_at(p, tok(p), "expected a signal after '%s'%s", tok_at(p, -1)->text, "");
	}
	if (tok(p)->type == QT_WORD && isdigit((unsigned char)tok(p)->text[0]))
		return parse_values(p, code, QOP_EQ, pos);
	return 0;
}

static int parse_that(struct parser *p)
{
	struct qtok *kw = tok(p);
	int ret;

	if (p->q->kind != QK_PROCESSES)
		return need_col(p, -1, kw, kw->text, "asks how processes ended");
	if (take(p, "exited") || take(p, "exit") || take(p, "ended"))
		return parse_exited(p, kw);
	if (take(p, "failed") || take(p, "crashed")) {
		ret = int_cond(p, col_of(p, "exited"), QOP_EQ, 1, kw->pos, kw->len);
		return ret ? ret : int_cond(p, col_of(p, "status"), QOP_NE, 0, kw->pos, kw->len);
	}
	if ((take(p, "were") || take(p, "was") || true) && take(p, "killed")) {
		ret = int_cond(p, col_of(p, "exited"), QOP_EQ, 1, kw->pos, kw->len);
		if (ret)
			return ret;
		if (take(p, "by") || take(p, "with")) {
			take(p, "signal");
			return parse_values(p, col_of(p, "signal"), QOP_EQ, kw->pos);
		}
		return int_cond(p, col_of(p, "signal"), QOP_NE, 0, kw->pos, kw->len);
	}
	if ((take(p, "are") || take(p, "is") || true) && (take(p, "running") ||
							   (take(p, "still") && take(p, "running"))))
		return int_cond(p, col_of(p, "exited"), QOP_EQ, 0, kw->pos, kw->len);
	if (take(p, "did") && take(p, "not") && (take(p, "exit") || take(p, "end")))
		return int_cond(p, col_of(p, "exited"), QOP_EQ, 0, kw->pos, kw->len);
	char buf[64];
	return err_at(p, tok(p),
		      "expected 'exited', 'exited nonzero', 'exited with N', 'were killed' or "
		      "'are running', found %s%s", tok_desc(tok(p), buf, sizeof(buf)), "");
}

/* ---- by ------------------------------------------------------------------------- */

/* The columns a grouping word stands for: "comm", "paths", "processes". */
static size_t group_cols(struct parser *p, const char *w, size_t len, int *cols)
{
	const struct qkind_desc *k = K(p);
	int c;

	if (qword_in("processes process procs", w, len) && k->pid_col >= 0) {
		cols[0] = k->pid_col;
		cols[1] = k->comm_col;
		return k->comm_col >= 0 ? 2 : 1;
	}
	if (qword_in("programs commands comms", w, len) && k->comm_col >= 0) {
		cols[0] = k->comm_col;
		return 1;
	}
	if (qword_in("files paths", w, len) && k->path_col >= 0) {
		cols[0] = k->path_col;
		return 1;
	}
	if (qword_in("users", w, len) && k->uid_col >= 0) {
		cols[0] = k->uid_col;
		return 1;
	}
	if (qword_in("errors errnos", w, len) && (c = col_of(p, "errno")) >= 0) {
		cols[0] = c;
		return 1;
	}
	if (qword_in("destinations peers", w, len) && k->daddr_col >= 0) {
		cols[0] = k->daddr_col;
		cols[1] = k->dport_col;
		return 2;
	}
	if (qword_in("hosts addresses", w, len) && k->daddr_col >= 0) {
		cols[0] = k->daddr_col;
		return 1;
	}
	if (qword_in("ports", w, len) && k->dport_col >= 0) {
		cols[0] = k->dport_col;
		return 1;
	}
	if (qword_in("syscalls names", w, len) && p->q->kind == QK_SYSCALLS) {
		cols[0] = k->name_col;
		return 1;
	}
	c = qkind__find_col(p->q->kind, w, len);
	if (c < 0 && len > 1 && (w[len - 1] == 's' || w[len - 1] == 'S'))
		c = qkind__find_col(p->q->kind, w, len - 1);
	if (c < 0 || !(k->cols[c].flags & QC_GROUP))
		return 0;
	cols[0] = c;
	return 1;
}

static int add_groups(struct parser *p, const struct qtok *t, const int *cols, size_t n)
{
	struct query *q = p->q;

	for (size_t i = 0; i < n; i++) {
		if (q->ngroup == QMAX_GROUP)
			return qerror_set(p->err, t->pos, t->len, "at most %d groups", QMAX_GROUP);
		q->group[q->ngroup++] = cols[i];
	}
	return 0;
}

static int parse_by(struct parser *p, struct qtok *kw)
{
	const struct qkind_desc *k = K(p);
	struct qtok *t = tok(p);
	char buf[64];
	int cols[4];
	size_t n;

	if (t->type != QT_WORD && t->type != QT_STRING)
		return err_at(p, t, "expected a process, 'pid N' or a field after 'by', found %s%s",
			      tok_desc(t, buf, sizeof(buf)), "");
	/* by pid 42 | by tid 42 | by uid 0 | by comm nginx | by user 0 */
	static const struct {
		const char *w;
		int which;
	} sel[] = { { "pid", 0 }, { "tid", 1 }, { "uid", 2 }, { "user", 2 }, { "comm", 3 },
		    { "command", 3 }, { "program", 3 }, { "process", 4 } };
	for (size_t i = 0; i < N(sel); i++) {
		if (!word_is(t, sel[i].w) || !is_value(tok_at(p, 1)))
			continue;
		int col = sel[i].which == 0 ? k->pid_col : sel[i].which == 1 ? k->tid_col
			: sel[i].which == 2 ? k->uid_col : k->comm_col;
		p->i++;
		if (sel[i].which == 4)
			col = isdigit((unsigned char)tok(p)->text[0]) ? k->pid_col : k->comm_col;
		int ret = need_col(p, col, t, t->text, "filters by process");
		return ret ? ret : parse_values(p, col, QOP_EQ, kw->pos);
	}
	/* by FIELD at the end of a clause: a grouping, or the order of top N. */
	if (t->type == QT_WORD && !is_value(tok_at(p, 1)) && (n = group_cols(p, t->text, strlen(t->text), cols))) {
		p->i++;
		if (p->top && p->q->ngroup == 0 && k->cols[cols[0]].dim != QD_TEXT && n == 1 &&
		    p->q->sort_col < 0) {
			p->q->sort_col = cols[0];
			p->q->sort_desc = true;
			return 0;
		}
		if (p->q->mode == QM_ROWS)
			p->q->mode = QM_COUNT;
		int ret = add_groups(p, t, cols, n);
		while (!ret && tok(p)->type == QT_COMMA && tok_at(p, 1)->type == QT_WORD) {
			p->i++;
			struct qtok *g = tok(p);
			n = group_cols(p, g->text, strlen(g->text), cols);
			if (!n) {
				int col;
				ret = parse_col(p, &col);
				if (ret)
					return ret;
				return qerror_set(p->err, g->pos, g->len, "cannot group by %s",
						  k->cols[col].name);
			}
			p->i++;
			ret = add_groups(p, g, cols, n);
		}
		return ret;
	}
	if (t->type == QT_WORD && !is_value(tok_at(p, 1)) && p->top && p->q->sort_col < 0 &&
	    p->q->ngroup == 0) {
		int col = qkind__find_col(p->q->kind, t->text, strlen(t->text));
		if (col >= 0 && k->cols[col].dim != QD_TEXT) {
			p->i++;
			p->q->sort_col = col;
			p->q->sort_desc = true;
			return 0;
		}
	}
	/* by 42: a pid; by nginx: a comm. */
	if (t->type == QT_WORD && isdigit((unsigned char)t->text[0])) {
		int ret = need_col(p, k->pid_col, kw, "by", "filters by process");
		return ret ? ret : parse_values(p, k->pid_col, QOP_EQ, kw->pos);
	}
	if (is_clause_word(t))
		return err_at(p, t, "expected a process name, 'pid N' or a field after 'by', "
				    "found '%s'%s", t->text, "");
	int ret = need_col(p, k->comm_col, kw, "by", "filters by process");
	return ret ? ret : parse_values(p, k->comm_col, QOP_EQ, kw->pos);
}

/* ---- clauses ---------------------------------------------------------------------- */

static int parse_metric(struct parser *p, size_t pos, enum qop op)
{
	const struct qkind_desc *k = K(p);
	struct qtok *t = tok_at(p, -1);

	if (k->metric < 0)
		return qerror_set(p->err, pos, t->pos + t->len - pos,
				  "%s have no default measure to compare; use 'with FIELD %s VALUE'",
				  k->name, qop_str(op));
	p->slow_explicit = true;
	return parse_values(p, k->metric, op, pos);
}

static int parse_clause(struct parser *p)
{
	struct query *q = p->q;
	const struct qkind_desc *k = K(p);
	struct qtok *t = tok(p);
	enum qop op;
	char buf[64];
	int ret;

	if (take(p, "and"))
		return 0;
	size_t pos = t->pos;
	if (parse_comparator(p, &op))
		return parse_metric(p, pos, op);
	if (take(p, "of")) {
		ret = need_col(p, k->path_col, t, "of", "filters paths");
		return ret ? ret : parse_values(p, k->path_col, QOP_EQ, pos);
	}
	if (take(p, "by"))
		return parse_by(p, t);
	if (take(p, "per")) {
		int cols[4];
		size_t n = tok(p)->type == QT_WORD ? group_cols(p, tok(p)->text, tok(p)->len, cols)
						   : 0;
		if (!n) {
			int col;
			ret = parse_col(p, &col);
			return ret ? ret : qerror_set(p->err, t->pos, t->len, "cannot group by %s",
						      k->cols[col].name);
		}
		p->i++;
		if (q->mode == QM_ROWS)
			q->mode = QM_COUNT;
		return add_groups(p, t, cols, n);
	}
	if (take(p, "named") || take(p, "called")) {
		ret = need_col(p, k->name_col, t, t->text, "filters names");
		return ret ? ret : parse_values(p, k->name_col, QOP_EQ, pos);
	}
	if (take(p, "for")) {
		if (q->kind != QK_SYSCALLS && q->kind != QK_SYSCALL_HIST)
			return qerror_set(p->err, t->pos, t->len,
					  "'for' names syscalls: it applies to syscalls and the "
					  "syscall histogram, not to %s", k->name);
		return parse_values(p, k->name_col, QOP_EQ, pos);
	}
	if (take(p, "to"))
		return parse_endpoint(p, true);
	if (take(p, "from"))
		return parse_endpoint(p, false);
	if (take(p, "on")) {
		if (!take(p, "port") && !take(p, "ports"))
			return err_at(p, tok(p), "expected 'port' after 'on', found %s%s",
				      tok_desc(tok(p), buf, sizeof(buf)), "");
		ret = need_col(p, k->sport_col, t, "on port", "filters local ports");
		return ret ? ret : parse_values(p, k->sport_col, QOP_EQ, pos);
	}
	if (take(p, "with") || take(p, "where") || take(p, "having"))
		return parse_with(p);
	if (is(p, "that") || is(p, "which") || is(p, "who")) {
		p->i++;
		return parse_that(p);
	}
	if (is(p, "exited") || is(p, "still") || is(p, "running") || is(p, "killed") ||
	    (is(p, "were") && word_is(tok_at(p, 1), "killed")))
		return parse_that(p);
	if (take(p, "between")) {
		struct qtime a, b;
		ret = parse_time(p, &a);
		if (ret)
			return ret;
		if (!take(p, "and") && !take(p, "to"))
			return err_at(p, tok(p), "expected 'and' after 'between %s', found %s",
				      tok_at(p, -1)->text, tok_desc(tok(p), buf, sizeof(buf)));
		ret = parse_time(p, &b);
		if (ret)
			return ret;
		if (a.ref == b.ref && a.v > b.v)
			return qerror_set(p->err, a.pos, b.pos + b.len - a.pos,
					  "empty time range: the start is after the end%s", "");
		ret = set_time(p, &q->from, &a, "start");
		return ret ? ret : set_time(p, &q->to, &b, "end");
	}
	if (take(p, "in") || take(p, "within") || take(p, "during"))
		return parse_window(p, t);
	if (take(p, "after") || take(p, "since")) {
		struct qtime a;
		ret = parse_time(p, &a);
		return ret ? ret : set_time(p, &q->from, &a, "start");
	}
	if (take(p, "before") || take(p, "until")) {
		struct qtime b;
		ret = parse_time(p, &b);
		return ret ? ret : set_time(p, &q->to, &b, "end");
	}
	if (take(p, "limit")) {
		int64_t v;
		char msg[128];
		struct qtok *n = tok(p);
		if (n->type != QT_WORD || qunit_parse(n->text, QU_COUNT, &v, msg, sizeof(msg)) ||
		    v < 1)
			return err_at(p, n, "expected a number of rows (1 or more) after 'limit', "
					    "found %s%s", tok_desc(n, buf, sizeof(buf)), "");
		p->i++;
		q->limit = (uint64_t)v;
		return 0;
	}
	if ((is(p, "sorted") || is(p, "sort") || is(p, "order") || is(p, "ordered")) &&
	    word_is(tok_at(p, 1), "by")) {
		p->i += 2;
		int col;
		ret = parse_col(p, &col);
		if (ret)
			return ret;
		if (q->mode != QM_ROWS)
			return qerror_set(p->err, t->pos, tok_at(p, -1)->pos + tok_at(p, -1)->len - t->pos,
					  "counts are sorted by count; 'sorted by' applies to rows%s",
					  "");
		q->sort_col = col;
		q->sort_desc = false;
		if (take(p, "desc") || take(p, "descending"))
			q->sort_desc = true;
		else
			(void)(take(p, "asc") || take(p, "ascending"));
		return 0;
	}
	if (t->type == QT_END)
		return 0;
	/* The clauses this kind takes, for the suggestion and the hint. */
	const char *expected[20];
	size_t ne = 0;
	if (k->path_col >= 0)
		expected[ne++] = "of";
	expected[ne++] = "by";
	if (k->daddr_col >= 0) {
		expected[ne++] = "to";
		expected[ne++] = "from";
		expected[ne++] = "on";
	}
	expected[ne++] = "with";
	expected[ne++] = "where";
	expected[ne++] = "between";
	expected[ne++] = "in";
	expected[ne++] = "after";
	expected[ne++] = "before";
	expected[ne++] = "limit";
	expected[ne++] = "named";
	if (q->kind == QK_SYSCALLS || q->kind == QK_SYSCALL_HIST)
		expected[ne++] = "for";
	if (q->kind == QK_PROCESSES)
		expected[ne++] = "that";
	if (k->metric >= 0)
		expected[ne++] = "longer";
	expected[ne++] = "sorted";
	if (t->type == QT_WORD) {
		qerror_set(p->err, t->pos, t->len, "unexpected '%s'", t->text);
		if (!qerror_suggest(p->err, t->text, strlen(t->text), expected, ne) && p->err) {
			size_t u = strlen(p->err->msg);
			snprintf(p->err->msg + u, sizeof(p->err->msg) - u, "; %s take", k->name);
			for (size_t i = 0; i < ne; i++) {
				u = strlen(p->err->msg);
				snprintf(p->err->msg + u, sizeof(p->err->msg) - u, "%s%s",
					 i ? ", " : " ", expected[i]);
			}
			u = strlen(p->err->msg);
			if (k->metric >= 0)
				snprintf(p->err->msg + u, sizeof(p->err->msg) - u,
					 " or a comparison such as > 1ms");
		}
		return -EINVAL;
	}
	return err_at(p, t, "unexpected %s; a clause starts with of, by, to, from, with, "
			    "between, in, after, before, limit, or a comparison such as > 1ms%s",
		      tok_desc(t, buf, sizeof(buf)), "");
}

/* ---- the query ---------------------------------------------------------------------- */

static int finish(struct parser *p)
{
	struct query *q = p->q;
	const struct qkind_desc *k = K(p);
	int ret;

	if (p->slow && !p->slow_explicit) {
		if (k->metric < 0 || k->cols[k->metric].dim != QD_DURATION)
			return qerror_set(p->err, q->kind_pos, q->kind_len,
					  "'slow' applies to opens, syscalls, tcp connections and "
					  "processes, not to %s", k->name);
		/* "slow" alone: at least a millisecond (QUERY.md). */
		ret = int_cond(p, k->metric, QOP_GE, 1000000, q->kind_pos, q->kind_len);
		if (ret)
			return ret;
	}
	if (p->adj_fail) {
		bool failed = p->adj_fail == 1;
		if (k->ret_col >= 0) {
			ret = int_cond(p, k->ret_col, failed ? QOP_LT : QOP_GE, 0, p->adj_fail_pos,
				       p->adj_fail_len);
		} else if (q->kind == QK_TCP) {
			ret = int_cond(p, col_of(p, "established"), QOP_EQ, failed ? 0 : 1,
				       p->adj_fail_pos, p->adj_fail_len);
		} else if (q->kind == QK_PROCESSES) {
			ret = int_cond(p, col_of(p, "exited"), QOP_EQ, 1, p->adj_fail_pos,
				       p->adj_fail_len);
			if (!ret)
				ret = int_cond(p, col_of(p, "status"), failed ? QOP_NE : QOP_EQ, 0,
					       p->adj_fail_pos, p->adj_fail_len);
		} else {
			return qerror_set(p->err, p->adj_fail_pos, p->adj_fail_len,
					  "'%s' applies to opens, syscalls, tcp connections and "
					  "processes, not to %s",
					  p->adj_fail == 1 ? "failed" : "successful", k->name);
		}
		if (ret)
			return ret;
	}
	if (p->group_tok) {
		struct qtok *g = &p->tk.t[p->group_tok];
		int cols[4];
		size_t n = group_cols(p, g->text, strlen(g->text), cols);
		if (!n) {
			const char *names[64];
			size_t nn = 0;
			for (size_t i = 0; i < k->ncols && nn < N(names); i++)
				if (k->cols[i].flags & QC_GROUP)
					names[nn++] = k->cols[i].name;
			qerror_set(p->err, g->pos, g->len, "cannot rank %s by %s", g->text, k->name);
			if (!qerror_suggest(p->err, g->text, strlen(g->text), names, nn) && p->err) {
				size_t u = strlen(p->err->msg);
				snprintf(p->err->msg + u, sizeof(p->err->msg) - u,
					 "; %s can be grouped by:", k->name);
				for (size_t i = 0; i < nn; i++) {
					u = strlen(p->err->msg);
					snprintf(p->err->msg + u, sizeof(p->err->msg) - u, " %s",
						 names[i]);
				}
			}
			return -EINVAL;
		}
		q->mode = QM_COUNT;
		ret = add_groups(p, g, cols, n);
		if (ret)
			return ret;
	}
	if (q->kind == QK_SYSCALL_HIST) {
		if (q->ngroup || q->sort_col >= 0 || p->top)
			return qerror_set(p->err, q->kind_pos, q->kind_len,
					  "a syscall histogram cannot be counted, grouped, sorted or "
					  "ranked; ask 'count syscalls by name' for that%s", "");
		q->mode = QM_HIST;
		for (size_t i = 0; i < q->nconds; i++)
			if (q->conds[i].col == k->name_col && q->conds[i].op == QOP_EQ)
				q->hist_slots = true;
	}
	if (p->top) {
		if (q->mode == QM_ROWS && q->sort_col < 0) {
			if (k->metric < 0)
				return qerror_set(p->err, q->kind_pos, q->kind_len,
						  "top %s needs 'by FIELD' (%s have no default measure)",
						  k->name, k->name);
			q->sort_col = k->metric;
			q->sort_desc = true;
		}
	}
	return 0;
}

static int parse_query(struct parser *p)
{
	struct query *q = p->q;
	int ret;

	q->sort_col = -1;
	if (tok(p)->type == QT_END)
		return qerror_set(p->err, 0, 0,
				  "empty query; try 'slow opens > 1ms' (query/QUERY.md lists more)%s",
				  "");
	while (take(p, "show") || take(p, "list") || take(p, "find"))
		;
	if (take(p, "count") || (is(p, "how") && word_is(tok_at(p, 1), "many") && (p->i += 2))) {
		q->mode = QM_COUNT;
		take(p, "of");
		take(p, "the");
	} else if (take(p, "top")) {
		struct qtok *t = tok(p);
		int64_t n = 10;
		char msg[128];
		p->top = true;
		if (t->type == QT_WORD && isdigit((unsigned char)t->text[0])) {
			if (qunit_parse(t->text, QU_COUNT, &n, msg, sizeof(msg)) || n < 1)
				return err_at(p, t, "'top %s': give a count of 1 or more%s", t->text, "");
			p->i++;
		}
		q->limit = (uint64_t)n;
		/* top N paths by opens: a grouping word, then "by" and a kind. */
		enum qkind kk;
		if (tok(p)->type == QT_WORD && word_is(tok_at(p, 1), "by")) {
			size_t save = p->i;
			p->i += 2;
			while (is(p, "slow") || is(p, "failed") || is(p, "successful") || is(p, "all"))
				p->i++;
			bool kind_follows = match_kind(p, p->i, &kk) > 0;
			/* Syscall names before "syscalls": top 10 pids by read syscalls. */
			if (!kind_follows && tok(p)->type == QT_WORD &&
			    match_kind(p, p->i + 1, &kk) > 0 &&
			    (kk == QK_SYSCALLS || kk == QK_SYSCALL_HIST))
				kind_follows = true;
			p->i = save;
			if (kind_follows) {
				p->group_tok = p->i;
				p->i += 2;
			}
		}
	}
	ret = parse_subject(p);
	if (ret)
		return ret;
	while (tok(p)->type != QT_END) {
		ret = parse_clause(p);
		if (ret)
			return ret;
	}
	return finish(p);
}

struct query *query__parse(const char *text, struct query_error *err)
{
	struct parser p = { .text = text, .err = err };
	struct query *q = NULL;
	int ret;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!text) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		ret = -ENOMEM;
		goto cleanup;
	}
	q->text = strdup(text);
	if (!q->text) {
		ret = -ENOMEM;
		goto cleanup;
	}
	p.q = q;
	ret = qlex(text, &p.tk, err);
	if (ret)
		goto cleanup;
	ret = parse_query(&p);
cleanup:
	qtokens_free(&p.tk);
	if (ret) {
		if (ret == -ENOMEM && err) {
			err->code = -ENOMEM;
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		}
		query__free(q);
		errno = -ret;
		return NULL;
	}
	return q;
}

void query__free(struct query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nconds; i++) {
		for (size_t j = 0; j < q->conds[i].nv; j++)
			free(q->conds[i].v[j].s);
		free(q->conds[i].v);
	}
	free(q->conds);
	free(q->text);
	free(q);
}
