// SPDX-License-Identifier: MIT
/* Time map of a file's chunks, and the heaps of the in-file merge. */
#include "order.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tmap__init(struct tmap *m)
{
	memset(m, 0, sizeof(*m));
	m->per_entry = 1;
}

void tmap__free(struct tmap *m)
{
	free(m->e);
	free(m->smin);
	tmap__init(m);
}

static void merge_into(struct tmap_entry *a, const struct tmap_entry *b)
{
	a->last_off = b->last_off;
	a->nchunks += b->nchunks;
	if (b->min_ts < a->min_ts)
		a->min_ts = b->min_ts;
	if (b->max_ts > a->max_ts)
		a->max_ts = b->max_ts;
}

int tmap__add(struct tmap *m, uint64_t off, uint64_t min_ts, uint64_t max_ts)
{
	struct tmap_entry c = { off, off, min_ts, max_ts, 1 };

	if (m->n && m->e[m->n - 1].nchunks < m->per_entry) {
		merge_into(&m->e[m->n - 1], &c);
		return 0;
	}
	if (m->n == TMAP_MAX_ENTRIES) {
		/* full: neighbours merge pairwise, later entries cover twice as
		 * many chunks */
		uint32_t out = 0;

		for (uint32_t i = 0; i < m->n; i += 2) {
			m->e[out] = m->e[i];
			if (i + 1 < m->n)
				merge_into(&m->e[out], &m->e[i + 1]);
			out++;
		}
		m->n = out;
		m->per_entry *= 2;
		return tmap__add(m, off, min_ts, max_ts);
	}
	if (m->n == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 64;
		struct tmap_entry *e = realloc(m->e, (size_t)cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		m->e = e;
		m->cap = cap;
	}
	m->e[m->n++] = c;
	return 0;
}

int tmap__from_index(struct tmap *m, const struct index *ix, uint64_t data_end)
{
	m->e = malloc((ix->n ? ix->n : 1) * sizeof(*m->e));
	if (!m->e)
		return -ENOMEM;
	m->cap = ix->n;
	for (uint32_t i = 0; i < ix->n; i++) {
		const struct index_entry *ie = &ix->entries[i];
		uint64_t end = i + 1 < ix->n ? ix->entries[i + 1].offset : data_end;

		/* a run's last chunk starts before the next run */
		m->e[i] = (struct tmap_entry){ ie->offset, ie->nchunks == 1 ? ie->offset : end - 1,
					       ie->min_ts, ie->max_ts, ie->nchunks };
	}
	m->n = ix->n;
	return 0;
}

int tmap__finish(struct tmap *m)
{
	uint64_t least = UINT64_MAX;

	free(m->smin);
	m->smin = malloc(((size_t)m->n + 1) * sizeof(*m->smin));
	if (!m->smin)
		return -ENOMEM;
	m->smin[m->n] = UINT64_MAX;
	for (uint32_t k = m->n; k-- > 0;) {
		if (m->e[k].min_ts < least)
			least = m->e[k].min_ts;
		m->smin[k] = least;
	}
	return 0;
}

static bool pend_less(const struct pend *a, const struct pend *b)
{
	return key_less(a->min_ts, a->seq, b->min_ts, b->seq);
}

void pend_heap__push(struct pend *h, uint32_t *n, const struct pend *p)
{
	uint32_t i = (*n)++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!pend_less(p, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = *p;
}

void pend_heap__pop(struct pend *h, uint32_t *n, struct pend *out)
{
	struct pend last;
	uint32_t i = 0;

	*out = h[0];
	last = h[--(*n)];
	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && pend_less(&h[c + 1], &h[c]))
			c++;
		if (!pend_less(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
}

static bool act_less(const struct act *a, const struct act *b)
{
	return key_less(a->ts, a->seq, b->ts, b->seq);
}

void act_heap__push(struct act **h, uint32_t *n, struct act *a)
{
	uint32_t i = (*n)++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!act_less(a, h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = a;
}

struct act *act_heap__pop(struct act **h, uint32_t *n)
{
	struct act *top = h[0], *last = h[--(*n)];
	uint32_t i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && act_less(h[c + 1], h[c]))
			c++;
		if (!act_less(h[c], last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}
