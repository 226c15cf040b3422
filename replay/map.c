// SPDX-License-Identifier: MIT
/* Linear probing with backward-shift deletion: no tombstones, so lookups
 * stay short however many connections come and go. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/map.h"

uint32_t u64map_get(const struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return U64MAP_NONE;
	size_t mask = m->cap - 1;
	for (size_t i = u64map_hash(key) & mask;; i = (i + 1) & mask) {
		if (m->vals[i] == U64MAP_NONE)
			return U64MAP_NONE;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static int grow(struct u64map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uint64_t *keys = malloc(ncap * sizeof(*keys));
	uint32_t *vals = malloc(ncap * sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	memset(vals, 0xff, ncap * sizeof(*vals));
	for (size_t i = 0; i < m->cap; i++) {
		if (m->vals[i] == U64MAP_NONE)
			continue;
		size_t j = u64map_hash(m->keys[i]) & (ncap - 1);
		while (vals[j] != U64MAP_NONE)
			j = (j + 1) & (ncap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = ncap;
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	if ((m->len + 1) * 4 > m->cap * 3) {
		int err = grow(m);
		if (err)
			return err;
	}
	size_t mask = m->cap - 1;
	size_t i = u64map_hash(key) & mask;
	while (m->vals[i] != U64MAP_NONE && m->keys[i] != key)
		i = (i + 1) & mask;
	if (m->vals[i] == U64MAP_NONE)
		m->len++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void u64map_del(struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return;
	size_t mask = m->cap - 1;
	size_t i = u64map_hash(key) & mask;
	while (m->vals[i] != U64MAP_NONE && m->keys[i] != key)
		i = (i + 1) & mask;
	if (m->vals[i] == U64MAP_NONE)
		return;
	m->len--;
	/* Shift back the entries that probed past the hole. */
	for (size_t j = (i + 1) & mask; m->vals[j] != U64MAP_NONE; j = (j + 1) & mask) {
		size_t home = u64map_hash(m->keys[j]) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->vals[i] = U64MAP_NONE;
}

void u64map_clear(struct u64map *m)
{
	if (m->cap)
		memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
	m->len = 0;
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

uint64_t replay_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t replay_hash_str(const char *s)
{
	return replay_hash_bytes(s, strlen(s), 0);
}
