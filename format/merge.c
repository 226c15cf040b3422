// SPDX-License-Identifier: MIT
/* Binary min-heap for the time-ordered merge of several files. */
#include "merge.h"

#include <errno.h>
#include <stdlib.h>

static bool less(const struct merge_item *a, const struct merge_item *b)
{
	return a->key < b->key || (a->key == b->key && a->stream < b->stream);
}

int merge__init(struct merge *m, size_t cap)
{
	m->items = calloc(cap ? cap : 1, sizeof(*m->items));
	m->n = 0;
	m->cap = cap;
	return m->items ? 0 : -ENOMEM;
}

void merge__free(struct merge *m)
{
	free(m->items);
	m->items = NULL;
	m->n = m->cap = 0;
}

void merge__clear(struct merge *m)
{
	m->n = 0;
}

void merge__push(struct merge *m, uint64_t key, uint32_t stream)
{
	size_t i = m->n++;
	struct merge_item it = { key, stream };

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!less(&it, &m->items[parent]))
			break;
		m->items[i] = m->items[parent];
		i = parent;
	}
	m->items[i] = it;
}

bool merge__pop(struct merge *m, struct merge_item *out)
{
	struct merge_item last;
	size_t i = 0;

	if (m->n == 0)
		return false;
	*out = m->items[0];
	last = m->items[--m->n];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= m->n)
			break;
		if (c + 1 < m->n && less(&m->items[c + 1], &m->items[c]))
			c++;
		if (!less(&m->items[c], &last))
			break;
		m->items[i] = m->items[c];
		i = c;
	}
	if (m->n > 0)
		m->items[i] = last;
	return true;
}
