// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/topk.h"

int topk_init(struct topk *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->e = calloc(cap, sizeof(*t->e));
	t->heap = calloc(cap, sizeof(*t->heap));
	t->sorted = calloc(cap, sizeof(*t->sorted));
	if (!t->e || !t->heap || !t->sorted) {
		topk_free(t);
		return -ENOMEM;
	}
	t->cap = cap;
	t->last = SIZE_MAX;
	return 0;
}

void topk_clear(struct topk *t)
{
	t->last = SIZE_MAX;
	for (size_t i = 0; i < t->len; i++)
		free(t->e[i].key);
	t->len = 0;
	t->nsorted = 0;
	u64map_clear(&t->map);
}

void topk_free(struct topk *t)
{
	topk_clear(t);
	free(t->e);
	free(t->heap);
	free(t->sorted);
	u64map_free(&t->map);
	memset(t, 0, sizeof(*t));
}

static void heap_swap(struct topk *t, size_t a, size_t b)
{
	size_t x = t->heap[a];
	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->e[t->heap[a]].heap = a;
	t->e[t->heap[b]].heap = b;
}

static void sift_down(struct topk *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->len && t->e[t->heap[l]].count < t->e[t->heap[m]].count)
			m = l;
		if (r < t->len && t->e[t->heap[r]].count < t->e[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static void sift_up(struct topk *t, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		if (t->e[t->heap[p]].count <= t->e[t->heap[i]].count)
			return;
		heap_swap(t, i, p);
		i = p;
	}
}

/* The map holds hash -> entry; a hash collision between two live keys
 * (rare at 64 bits) is resolved by probing hash+1, hash+2, ... */
static size_t find(struct topk *t, const char *key, uint64_t h, uint64_t *slot_hash)
{
	for (uint64_t k = h;; k++) {
		uint32_t idx = u64map_get(&t->map, k);
		if (idx == U64MAP_NONE) {
			*slot_hash = k;
			return SIZE_MAX;
		}
		if (strcmp(t->e[idx].key, key) == 0) {
			*slot_hash = k;
			return idx;
		}
	}
}

struct topk_entry *topk_add(struct topk *t, const char *key)
{
	uint64_t h, slot;
	size_t idx;

	t->dirty = 1;
	/* The same key as last time (a loop opening one file): no hashing. */
	if (t->last < t->len && strcmp(t->e[t->last].key, key) == 0) {
		idx = t->last;
		t->e[idx].count++;
		sift_down(t, t->e[idx].heap);
		return &t->e[idx];
	}
	h = replay_hash_str(key);
	idx = find(t, key, h, &slot);
	if (idx != SIZE_MAX) {
		t->last = idx;
		t->e[idx].count++;
		sift_down(t, t->e[idx].heap);
		return &t->e[idx];
	}
	char *dup = strdup(key);
	if (!dup)
		return NULL;
	if (t->len < t->cap) {
		idx = t->len++;
		t->heap[idx] = idx;
		t->e[idx] = (struct topk_entry){ .key = dup, .hash = slot, .count = 1, .heap = idx };
		if (u64map_put(&t->map, slot, (uint32_t)idx)) {
			t->len--;
			free(dup);
			return NULL;
		}
		sift_up(t, idx);
		t->last = idx;
		return &t->e[idx];
	}
	/* Full: the key with the smallest count gives its place. */
	idx = t->heap[0];
	struct topk_entry *e = &t->e[idx];
	u64map_del(&t->map, e->hash);
	/* A probe chain for another key may have passed through e->hash. */
	for (uint64_t k = e->hash + 1;; k++) {
		uint32_t other = u64map_get(&t->map, k);
		if (other == U64MAP_NONE)
			break;
		u64map_del(&t->map, k);
		uint64_t ns;
		find(t, t->e[other].key, replay_hash_str(t->e[other].key), &ns);
		t->e[other].hash = ns;
		u64map_put(&t->map, ns, other);
	}
	find(t, key, h, &slot);
	free(e->key);
	uint64_t min = e->count;
	*e = (struct topk_entry){ .key = dup, .hash = slot, .count = min + 1, .error = min,
				  .heap = 0 };
	if (u64map_put(&t->map, slot, (uint32_t)idx))
		return NULL;
	sift_down(t, 0);
	t->last = idx;
	return e;
}

static int cmp_entry(const void *a, const void *b, void *ctx)
{
	const struct topk *t = ctx;
	const struct topk_entry *x = &t->e[*(const size_t *)a];
	const struct topk_entry *y = &t->e[*(const size_t *)b];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

size_t topk_count(struct topk *t)
{
	if (t->dirty) {
		for (size_t i = 0; i < t->len; i++)
			t->sorted[i] = i;
		qsort_r(t->sorted, t->len, sizeof(*t->sorted), cmp_entry, t);
		t->nsorted = t->len;
		t->dirty = 0;
	}
	return t->nsorted;
}

const struct topk_entry *topk_at(struct topk *t, size_t i)
{
	if (i >= topk_count(t))
		return NULL;
	return &t->e[t->sorted[i]];
}
