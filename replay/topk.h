/* SPDX-License-Identifier: MIT */
/* Internal: Space-Saving heavy hitters over text keys (Metwally et al.):
 * at most `cap` keys; counts are exact until the table overflows, then each
 * overestimates by at most its recorded error. */
#ifndef EBPFREPLAY_TOPK_H
#define EBPFREPLAY_TOPK_H

#include <stddef.h>
#include <stdint.h>

#include "replay/map.h"

struct topk_entry {
	char *key;
	uint64_t hash;
	uint64_t count, error;
	uint64_t failures, total_ns, max_ns;
	size_t heap; /* position in the min-heap */
};

struct topk {
	struct topk_entry *e; /* cap entries */
	size_t *heap;	      /* entry indices, min count at the root */
	size_t len, cap;
	struct u64map map;    /* hash -> first entry with that hash */
	size_t *sorted;	      /* entry indices by count, for accessors */
	size_t nsorted;
	int dirty;
	size_t last; /* entry of the previous key, or SIZE_MAX */
};

int topk_init(struct topk *t, size_t cap);
void topk_free(struct topk *t);
void topk_clear(struct topk *t);
/* Counts one occurrence of key; returns its entry or NULL (-ENOMEM). */
struct topk_entry *topk_add(struct topk *t, const char *key);
/* Entries by count, most first. */
size_t topk_count(struct topk *t);
const struct topk_entry *topk_at(struct topk *t, size_t i);

#endif
