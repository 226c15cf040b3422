// SPDX-License-Identifier: MIT
/* The query tokenizer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "query/lex.h"
#include "query/qerror.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* '!' alone belongs to words (glob classes like [!a]); '!=' is an operator. */
static bool starts_op(const char *p)
{
	return *p == '<' || *p == '>' || *p == '=' || (p[0] == '!' && p[1] == '=');
}

static bool word_char(const char *p)
{
	return *p && !is_blank(*p) && *p != '\'' && *p != '"' && *p != ',' && !starts_op(p);
}

static int push(struct qtokens *out, size_t *cap, const struct qtok *t)
{
	if (out->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct qtok *nt = realloc(out->t, ncap * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		out->t = nt;
		*cap = ncap;
	}
	out->t[out->n++] = *t;
	return 0;
}

int qlex(const char *text, struct qtokens *out, struct query_error *err)
{
	size_t cap = 0, i = 0;
	int ret = 0;

	out->t = NULL;
	out->n = 0;
	for (;;) {
		struct qtok t = { 0 };

		while (is_blank(text[i]))
			i++;
		t.pos = i;
		if (!text[i]) {
			t.type = QT_END;
			ret = push(out, &cap, &t);
			if (ret)
				goto cleanup;
			return 0;
		}
		char c = text[i];
		if (c == '\'' || c == '"') {
			size_t j = i + 1;
			while (text[j] && text[j] != c)
				j++;
			if (!text[j]) {
				ret = qerror_set(err, i, 1,
						 "unterminated quote: add the closing %c", c);
				goto cleanup;
			}
			t.type = QT_STRING;
			t.len = j + 1 - i;
			t.text = strndup(text + i + 1, j - i - 1);
			i = j + 1;
		} else if (c == ',') {
			t.type = QT_COMMA;
			t.len = 1;
			i++;
		} else if (starts_op(text + i)) {
			t.type = QT_OP;
			char n = text[i + 1];
			if (c == '<' && n == '=') {
				t.op = QOP_LE, t.len = 2;
			} else if (c == '<' && n == '>') {
				t.op = QOP_NE, t.len = 2;
			} else if (c == '<') {
				t.op = QOP_LT, t.len = 1;
			} else if (c == '>' && n == '=') {
				t.op = QOP_GE, t.len = 2;
			} else if (c == '>') {
				t.op = QOP_GT, t.len = 1;
			} else if (c == '!') {
				t.op = QOP_NE, t.len = 2;
			} else {
				t.op = QOP_EQ, t.len = n == '=' ? 2 : 1;
			}
			i += t.len;
		} else {
			size_t j = i;
			while (word_char(text + j))
				j++;
			t.type = QT_WORD;
			t.len = j - i;
			t.text = strndup(text + i, j - i);
			i = j;
		}
		if ((t.type == QT_WORD || t.type == QT_STRING) && !t.text) {
			ret = -ENOMEM;
			goto cleanup;
		}
		ret = push(out, &cap, &t);
		if (ret) {
			free(t.text);
			goto cleanup;
		}
	}
cleanup:
	qtokens_free(out);
	return ret;
}

void qtokens_free(struct qtokens *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->t[i].text);
	free(t->t);
	t->t = NULL;
	t->n = 0;
}

const char *qop_str(enum qop op)
{
	switch (op) {
	case QOP_EQ:
		return "=";
	case QOP_NE:
		return "!=";
	case QOP_LT:
		return "<";
	case QOP_LE:
		return "<=";
	case QOP_GT:
		return ">";
	case QOP_GE:
		return ">=";
	}
	return "?";
}
