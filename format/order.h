/* SPDX-License-Identifier: MIT */
/*
 * What reading a file in time order needs to know ahead: where its chunks
 * are and how early each run of them starts (a time map, bounded like the
 * index), and the chunks found but not yet decoded and the ones being
 * decoded, each in a small heap by time. Internal to the format library.
 */
#ifndef EBPFTRACE_ORDER_H
#define EBPFTRACE_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index.h"

/* Entries of a time map; past this, neighbours merge (as in the index). */
#define TMAP_MAX_ENTRIES 65536

/* A run of consecutive chunks in file order. */
struct tmap_entry {
	uint64_t first_off; /* block header of its first chunk */
	uint64_t last_off;  /* of its last chunk (or an offset at or after it) */
	uint64_t min_ts, max_ts;
	uint64_t nchunks;
};

struct tmap {
	struct tmap_entry *e;
	uint64_t *smin; /* smin[k]: least min_ts of entries k..n-1 */
	uint32_t n, cap;
	uint64_t per_entry;
};

void tmap__init(struct tmap *m);
void tmap__free(struct tmap *m);
/* Appends a chunk (offsets increasing). 0 or -ENOMEM. */
int tmap__add(struct tmap *m, uint64_t off, uint64_t min_ts, uint64_t max_ts);
/* From a file's index; data_end: where its blocks end. */
int tmap__from_index(struct tmap *m, const struct index *ix, uint64_t data_end);
/* Computes the suffix minima once every chunk is in. */
int tmap__finish(struct tmap *m);

/* A chunk found by the scan, not yet decoded. */
struct pend {
	uint64_t min_ts, max_ts;
	uint64_t seq;  /* file order */
	uint64_t off;  /* block header */
	uint32_t len;  /* payload */
	uint32_t crc;  /* payload checksum from the block header */
};

/* Orders by (ts, seq): time, then file order. */
static inline bool key_less(uint64_t ts_a, uint64_t seq_a, uint64_t ts_b, uint64_t seq_b)
{
	return ts_a < ts_b || (ts_a == ts_b && seq_a < seq_b);
}

/* A min-heap of pending chunks by (min_ts, seq). */
void pend_heap__push(struct pend *h, uint32_t *n, const struct pend *p);
void pend_heap__pop(struct pend *h, uint32_t *n, struct pend *out);

/* A chunk being decoded: its decoder and the key of its held event. */
struct chunk_dec;
struct act {
	struct chunk_dec *dec;
	uint64_t ts;   /* of the held event */
	uint64_t seq;
	uint64_t off;  /* block header, for damage reports */
	uint64_t len;  /* the whole block */
};

/* A min-heap of active chunks by (ts, seq). */
void act_heap__push(struct act **h, uint32_t *n, struct act *a);
struct act *act_heap__pop(struct act **h, uint32_t *n);

#endif /* EBPFTRACE_ORDER_H */
