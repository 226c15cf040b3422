/* SPDX-License-Identifier: MIT */
/*
 * Metadata: an ordered set of key/value strings (FORMAT.md, "META block").
 * Internal to the format library.
 */
#ifndef EBPFTRACE_META_H
#define EBPFTRACE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define META_MAX_KEY 255
#define META_MAX_VALUE (1u << 20)

struct meta_pair {
	char *key;
	char *value;
	bool dirty; /* changed since the last META block the writer wrote */
};

struct meta {
	struct meta_pair *pairs;
	size_t n, cap;
};

void meta__free(struct meta *m);
/* Adds key or replaces its value (order of first appearance is kept). */
int meta__set(struct meta *m, const char *key, const char *value);
const char *meta__get(const struct meta *m, const char *key);
/* -EINVAL when key or value break the META rules. */
int meta__check(const char *key, const char *value);

/* Payload size and encoding of the pairs (all, or only the dirty ones). */
size_t meta__encoded_size(const struct meta *m, bool dirty_only);
void meta__encode(const struct meta *m, bool dirty_only, uint8_t *out);
void meta__clean(struct meta *m);
/* Merges a META payload into m. -EPROTO when it is malformed (m then holds
 * the pairs before the bad one). */
int meta__decode_merge(struct meta *m, const uint8_t *p, size_t len);

#endif /* EBPFTRACE_META_H */
