// SPDX-License-Identifier: MIT
/* Counting per group, and summing histograms over sessions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "query/groups.h"
#include "query/values.h"

struct qgroups {
	struct query_result *r;
	size_t ngroup;
	uint32_t *slots; /* row index + 1; 0 empty */
	uint64_t *hashes;
	size_t cap;	 /* power of two */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t hash_vals(const struct query_result *r, const struct qrval *v, size_t n)
{
	uint64_t h = 0x84222325cbf29ce4ULL;

	for (size_t i = 0; i < n; i++) {
		if (v[i].null) {
			h = mix(h, 0x5bd1e995);
			continue;
		}
		if (r->cols[i].dim == QD_TEXT || r->cols[i].dim == QD_ADDR) {
			for (const unsigned char *s = (const unsigned char *)(v[i].s ? v[i].s : ""); *s;
			     s++)
				h = (h ^ *s) * 0x100000001b3ULL;
			h = mix(h, 1);
		} else {
			h = mix(h, (uint64_t)v[i].i);
		}
	}
	return h;
}

static bool same(const struct query_result *r, const struct qrval *a, const struct qrval *b,
		 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool text = r->cols[i].dim == QD_TEXT || r->cols[i].dim == QD_ADDR;
		if (a[i].null != b[i].null || qrval_cmp(&a[i], &b[i], text))
			return false;
	}
	return true;
}

struct qgroups *qgroups__new(struct query_result *r, size_t ngroup)
{
	struct qgroups *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->r = r;
	g->ngroup = ngroup;
	return g;
}

void qgroups__free(struct qgroups *g)
{
	if (!g)
		return;
	free(g->slots);
	free(g->hashes);
	free(g);
}

static int grow(struct qgroups *g)
{
	size_t ncap = g->cap ? g->cap * 2 : 1024;
	uint32_t *ns = calloc(ncap, sizeof(*ns));
	uint64_t *nh = calloc(ncap, sizeof(*nh));

	if (!ns || !nh) {
		free(ns);
		free(nh);
		return -ENOMEM;
	}
	for (size_t i = 0; i < g->cap; i++) {
		if (!g->slots[i])
			continue;
		size_t j = g->hashes[i] & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = g->slots[i];
		nh[j] = g->hashes[i];
	}
	free(g->slots);
	free(g->hashes);
	g->slots = ns;
	g->hashes = nh;
	g->cap = ncap;
	return 0;
}

int qgroups__add(struct qgroups *g, const struct qrval *vals, int64_t weight)
{
	struct query_result *r = g->r;
	uint64_t h = hash_vals(r, vals, g->ngroup);
	int ret;

	if ((r->nrows + 1) * 2 > g->cap) {
		ret = grow(g);
		if (ret)
			return ret;
	}
	size_t j = h & (g->cap - 1);
	while (g->slots[j]) {
		size_t row = g->slots[j] - 1;
		struct qrval *rv = &r->vals[row * r->ncols];
		if (g->hashes[j] == h && same(r, rv, vals, g->ngroup)) {
			rv[g->ngroup].i += weight;
			return 0;
		}
		j = (j + 1) & (g->cap - 1);
	}
	struct qrval *row = qres_row(r, -1, r->nrows);
	if (!row)
		return -ENOMEM;
	for (size_t i = 0; i < g->ngroup; i++) {
		row[i] = vals[i];
		if (!vals[i].null && vals[i].s) {
			row[i].s = qres_str(r, vals[i].s, strlen(vals[i].s));
			if (!row[i].s)
				return -ENOMEM;
		}
	}
	row[g->ngroup].i = weight;
	g->slots[j] = (uint32_t)r->nrows;
	g->hashes[j] = h;
	return 0;
}

/* ---- histograms ------------------------------------------------------------- */

struct qhist {
	char *name; /* NULL: unknown */
	uint32_t nr;
	uint64_t count, total_ns, max_ns;
	uint64_t slots[QHIST_SLOTS];
	bool dropped;
};

struct qhists {
	struct qhist *h;
	size_t n, cap;
};

struct qhists *qhists__new(void)
{
	return calloc(1, sizeof(struct qhists));
}

void qhists__free(struct qhists *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->h[i].name);
	free(h->h);
	free(h);
}

int qhists__add(struct qhists *h, const char *name, uint32_t nr, uint64_t count,
		uint64_t total_ns, uint64_t max_ns, const uint64_t *slots, size_t nslots)
{
	struct qhist *e = NULL;

	for (size_t i = 0; i < h->n && !e; i++)
		if (h->h[i].nr == nr && (name ? h->h[i].name && strcmp(h->h[i].name, name) == 0
					      : !h->h[i].name))
			e = &h->h[i];
	if (!e) {
		if (h->n == h->cap) {
			size_t ncap = h->cap ? h->cap * 2 : 64;
			struct qhist *nh = realloc(h->h, ncap * sizeof(*nh));
			if (!nh)
				return -ENOMEM;
			h->h = nh;
			h->cap = ncap;
		}
		e = &h->h[h->n];
		memset(e, 0, sizeof(*e));
		e->nr = nr;
		if (name) {
			e->name = strdup(name);
			if (!e->name)
				return -ENOMEM;
		}
		h->n++;
	}
	e->count += count;
	e->total_ns += total_ns;
	if (max_ns > e->max_ns)
		e->max_ns = max_ns;
	for (size_t i = 0; i < nslots && i < QHIST_SLOTS; i++)
		e->slots[i] += slots[i];
	return 0;
}

int qhists__rows(struct qhists *h, struct query_result *r, bool slots)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct qhist *e = &h->h[i];
		if (e->dropped)
			continue;
		if (!slots) {
			if (!e->count)
				continue;
			struct qrval *row = qres_row(r, -1, i);
			if (!row)
				return -ENOMEM;
			row[0].s = e->name;
			row[0].null = !e->name;
			if (e->name && !(row[0].s = qres_str(r, e->name, strlen(e->name))))
				return -ENOMEM;
			row[1].i = e->nr;
			row[2].i = (int64_t)e->count;
			row[3].i = (int64_t)e->total_ns;
			row[4].i = (int64_t)(e->total_ns / e->count);
			row[5].i = (int64_t)e->max_ns;
			continue;
		}
		int first = -1, last = -1;
		for (int s = 0; s < QHIST_SLOTS; s++)
			if (e->slots[s]) {
				if (first < 0)
					first = s;
				last = s;
			}
		for (int s = first; first >= 0 && s <= last; s++) {
			struct qrval *row = qres_row(r, -1, (uint64_t)i * QHIST_SLOTS + (uint64_t)s);
			if (!row)
				return -ENOMEM;
			row[0].null = !e->name;
			if (e->name && !(row[0].s = qres_str(r, e->name, strlen(e->name))))
				return -ENOMEM;
			row[1].i = s == 0 ? 0 : (int64_t)1 << s;
			row[2].i = s >= 62 ? INT64_MAX : (int64_t)1 << (s + 1);
			row[3].i = (int64_t)e->slots[s];
		}
	}
	return 0;
}

void qhists__drop(struct qhists *h, size_t i)
{
	if (i < h->n)
		h->h[i].dropped = true;
}

void qhists__filter(struct qhists *h, struct query_result *r, const struct query *q)
{
	const struct qkind_desc *k = &qkinds[q->kind];
	size_t kept = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		struct qrval *row = &r->vals[i * r->ncols];
		bool ok = true;
		for (size_t c = 0; c < q->nconds && ok; c++)
			ok = qcond_match(&q->conds[c], &k->cols[q->conds[c].col],
					 &row[q->conds[c].col]);
		if (!ok) {
			if (h)
				qhists__drop(h, r->seq[i]);
			continue;
		}
		if (kept != i) {
			memmove(&r->vals[kept * r->ncols], row, r->ncols * sizeof(*row));
			r->session[kept] = r->session[i];
			r->seq[kept] = r->seq[i];
		}
		kept++;
	}
	r->nrows = kept;
}
