/* SPDX-License-Identifier: MIT */
/* Internal: an open-addressing hash map from a 64-bit key to a 32-bit
 * value (an index into the owner's array), with deletion. */
#ifndef EBPFREPLAY_MAP_H
#define EBPFREPLAY_MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;
	uint32_t *vals; /* UINT32_MAX: empty slot */
	size_t cap;	/* power of two, or 0 */
	size_t len;
};

#define U64MAP_NONE UINT32_MAX

static inline uint64_t u64map_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* The value of key, or U64MAP_NONE. */
uint32_t u64map_get(const struct u64map *m, uint64_t key);
/* Inserts or replaces; -ENOMEM. */
int u64map_put(struct u64map *m, uint64_t key, uint32_t val);
void u64map_del(struct u64map *m, uint64_t key);
void u64map_clear(struct u64map *m);
void u64map_free(struct u64map *m);

/* FNV-1a over a string, for keys that are text. */
uint64_t replay_hash_str(const char *s);
uint64_t replay_hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
