/* SPDX-License-Identifier: MIT */
/*
 * A binary min-heap of (key, stream) used to merge per-file event streams
 * in time order; ties go to the lower stream index so merges are
 * deterministic. Internal to the format library.
 */
#ifndef EBPFTRACE_MERGE_H
#define EBPFTRACE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct merge_item {
	uint64_t key;
	uint32_t stream;
};

struct merge {
	struct merge_item *items;
	size_t n, cap;
};

int merge__init(struct merge *m, size_t cap);
void merge__free(struct merge *m);
void merge__clear(struct merge *m);
/* At most cap items are ever held. */
void merge__push(struct merge *m, uint64_t key, uint32_t stream);
/* false when empty. */
bool merge__pop(struct merge *m, struct merge_item *out);

#endif /* EBPFTRACE_MERGE_H */
