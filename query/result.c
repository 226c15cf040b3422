// SPDX-License-Identifier: MIT
/* Query results: typed rows, their sessions, and their order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "query/result.h"

/* Text values live in big blocks freed with the result. */
struct qarena_block {
	struct qarena_block *next;
	size_t used, size;
	char data[];
};

struct qarena {
	struct qarena_block *head;
};

static void *arena_alloc(struct qarena *a, size_t n)
{
	struct qarena_block *b = a->head;

	if (!b || b->size - b->used < n) {
		size_t size = n > 65536 ? n : 65536;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

struct query_result *qres_new(void)
{
	struct query_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->arena = calloc(1, sizeof(*r->arena));
	if (!r->arena) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void query_result__free(struct query_result *r)
{
	if (!r)
		return;
	if (r->arena) {
		struct qarena_block *b = r->arena->head;
		while (b) {
			struct qarena_block *n = b->next;
			free(b);
			b = n;
		}
		free(r->arena);
	}
	for (size_t i = 0; i < r->nsessions; i++)
		free(r->sessions[i].id);
	free(r->sessions);
	free(r->cols);
	free(r->vals);
	free(r->session);
	free(r->seq);
	free(r);
}

const char *qres_str(struct query_result *r, const char *s, size_t len)
{
	char *p = arena_alloc(r->arena, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int qres_add_col(struct query_result *r, const char *name, const char *label, uint8_t dim,
		 uint8_t sym)
{
	struct qrcol *nc;

	if (r->nrows)
		return -EINVAL;
	nc = realloc(r->cols, (r->ncols + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	r->cols = nc;
	r->cols[r->ncols++] = (struct qrcol){ name, label, dim, sym, false };
	return 0;
}

int qres_cols_for(struct query_result *r, const struct query *q)
{
	const struct qkind_desc *k = &qkinds[q->kind];
	int ret = 0;

	if (q->mode == QM_HIST && q->hist_slots) {
		ret = qres_add_col(r, "name", "SYSCALL", QD_TEXT, QS_NONE);
		ret = ret ? ret : qres_add_col(r, "from_ns", "FROM", QD_DURATION, QS_NONE);
		ret = ret ? ret : qres_add_col(r, "to_ns", "TO", QD_DURATION, QS_NONE);
		ret = ret ? ret : qres_add_col(r, "count", "COUNT", QD_INT, QS_NONE);
		return ret;
	}
	if (q->mode == QM_COUNT) {
		for (size_t i = 0; i < q->ngroup && !ret; i++) {
			const struct qcol *c = &k->cols[q->group[i]];
			ret = qres_add_col(r, c->name, c->label, c->dim, c->sym);
		}
		return ret ? ret : qres_add_col(r, "count", "COUNT", QD_INT, QS_NONE);
	}
	for (size_t i = 0; i < k->ncols && !ret; i++) {
		ret = qres_add_col(r, k->cols[i].name, k->cols[i].label, k->cols[i].dim,
				   k->cols[i].sym);
		/* The table shows the usual columns and those the query names. */
		bool shown = k->cols[i].flags & QC_SHOW || q->sort_col == (int)i;
		for (size_t c = 0; c < q->nconds; c++)
			shown = shown || q->conds[c].col == (int)i;
		if (!ret)
			r->cols[i].hidden = !shown;
	}
	return ret;
}

int qres_add_session(struct query_result *r, const char *id, uint64_t start)
{
	struct qrsession *ns = realloc(r->sessions, (r->nsessions + 1) * sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	r->sessions = ns;
	char *dup = strdup(id);
	if (!dup)
		return -ENOMEM;
	r->sessions[r->nsessions] = (struct qrsession){ dup, start };
	return (int)r->nsessions++;
}

struct qrval *qres_row(struct query_result *r, int32_t session, uint64_t seq)
{
	if (r->nrows == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct qrval *nv = realloc(r->vals, ncap * r->ncols * sizeof(*nv));
		if (!nv)
			return NULL;
		r->vals = nv;
		int32_t *ns = realloc(r->session, ncap * sizeof(*ns));
		if (!ns)
			return NULL;
		r->session = ns;
		uint64_t *nq = realloc(r->seq, ncap * sizeof(*nq));
		if (!nq)
			return NULL;
		r->seq = nq;
		r->cap = ncap;
	}
	struct qrval *row = &r->vals[r->nrows * r->ncols];
	memset(row, 0, r->ncols * sizeof(*row));
	r->session[r->nrows] = session;
	r->seq[r->nrows] = seq;
	r->nrows++;
	return row;
}

int qrval_cmp(const struct qrval *a, const struct qrval *b, bool text)
{
	if (a->null || b->null)
		return a->null && b->null ? 0 : a->null ? -1 : 1;
	if (text) {
		int c = strcmp(a->s ? a->s : "", b->s ? b->s : "");
		return c < 0 ? -1 : c > 0;
	}
	return a->i < b->i ? -1 : a->i > b->i;
}

/* ---- ordering ------------------------------------------------------------ */

struct okey {
	int col;
	bool desc;
};

struct octx {
	const struct query_result *r;
	struct okey keys[16];
	size_t nkeys;
	bool by_session; /* session, then keys, then seq */
	bool key_first;	 /* keys[0] before the session (sorted-by and counts) */
};

static bool is_text(const struct query_result *r, int col)
{
	return r->cols[col].dim == QD_TEXT || r->cols[col].dim == QD_ADDR;
}

static int cmp_key(const struct octx *o, const struct okey *k, size_t x, size_t y)
{
	const struct query_result *r = o->r;
	const struct qrval *a = &r->vals[x * r->ncols + k->col];
	const struct qrval *b = &r->vals[y * r->ncols + k->col];
	int c = qrval_cmp(a, b, is_text(r, k->col));

	return k->desc ? -c : c;
}

static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
	const struct octx *o = ctx;
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
	size_t i = 0;
	int c;

	if (o->key_first && o->nkeys) {
		c = cmp_key(o, &o->keys[0], x, y);
		if (c)
			return c;
		i = 1;
	}
	if (o->by_session) {
		int32_t sa = o->r->session[x], sb = o->r->session[y];
		if (sa != sb)
			return sa < sb ? -1 : 1;
	}
	for (; i < o->nkeys; i++) {
		c = cmp_key(o, &o->keys[i], x, y);
		if (c)
			return c;
	}
	uint64_t qa = o->r->seq[x], qb = o->r->seq[y];
	return qa < qb ? -1 : qa > qb;
}

static int find_col(const struct query_result *r, const char *name, size_t len)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (strlen(r->cols[i].name) == len && strncmp(r->cols[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Appends the keys of an order spec ("-bytes first_ts ..."). */
static void add_order(struct octx *o, const char *spec)
{
	const char *p = spec;

	while (p && *p && o->nkeys < 16) {
		while (*p == ' ')
			p++;
		bool desc = *p == '-';
		if (desc)
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		int col = find_col(o->r, p, (size_t)(e - p));
		if (col >= 0)
			o->keys[o->nkeys++] = (struct okey){ col, desc };
		p = e;
	}
}

int qres_finish(struct query_result *r, const struct query *q)
{
	const struct qkind_desc *k = &qkinds[q->kind];
	struct octx o = { .r = r };
	size_t *idx = NULL;
	struct qrval *nv = NULL;
	int32_t *ns = NULL;
	uint64_t *nq = NULL;
	int ret = 0;

	if (q->mode == QM_COUNT) {
		/* Most first, then by the groups. */
		o.keys[o.nkeys++] = (struct okey){ (int)q->ngroup, true };
		for (size_t i = 0; i < q->ngroup; i++)
			o.keys[o.nkeys++] = (struct okey){ (int)i, false };
		o.by_session = true;
	} else if (q->mode == QM_HIST && q->hist_slots) {
		add_order(&o, "name from_ns");
		o.by_session = true;
	} else {
		if (q->sort_col >= 0) {
			o.keys[o.nkeys++] = (struct okey){ q->sort_col, q->sort_desc };
			o.key_first = true;
		}
		add_order(&o, k->order);
		o.by_session = true;
	}
	if (r->nrows > 1) {
		idx = malloc(r->nrows * sizeof(*idx));
		nv = malloc(r->nrows * r->ncols * sizeof(*nv));
		ns = malloc(r->nrows * sizeof(*ns));
		nq = malloc(r->nrows * sizeof(*nq));
		if (!idx || !nv || !ns || !nq) {
			ret = -ENOMEM;
			goto cleanup;
		}
		for (size_t i = 0; i < r->nrows; i++)
			idx[i] = i;
		qsort_r(idx, r->nrows, sizeof(*idx), cmp_rows, &o);
		for (size_t i = 0; i < r->nrows; i++) {
			memcpy(&nv[i * r->ncols], &r->vals[idx[i] * r->ncols], r->ncols * sizeof(*nv));
			ns[i] = r->session[idx[i]];
			nq[i] = r->seq[idx[i]];
		}
		free(r->vals);
		free(r->session);
		free(r->seq);
		r->vals = nv;
		r->session = ns;
		r->seq = nq;
		r->cap = r->nrows;
		nv = NULL;
		ns = NULL;
		nq = NULL;
	}
	if (q->limit && r->nrows > q->limit)
		r->nrows = q->limit;
cleanup:
	free(idx);
	free(nv);
	free(ns);
	free(nq);
	return ret;
}

/* ---- accessors ------------------------------------------------------------- */

size_t query_result__ncols(const struct query_result *r)
{
	return r->ncols;
}

size_t query_result__nrows(const struct query_result *r)
{
	return r->nrows;
}

const char *query_result__col_name(const struct query_result *r, size_t col)
{
	return col < r->ncols ? r->cols[col].name : NULL;
}

const char *query_result__session(const struct query_result *r, size_t row)
{
	if (row >= r->nrows || r->session[row] < 0)
		return NULL;
	return r->sessions[r->session[row]].id;
}
