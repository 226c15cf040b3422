/* SPDX-License-Identifier: MIT */
/*
 * The closing INDEX block and the TRAILER that points at it (FORMAT.md,
 * "INDEX block", "TRAILER block"). The index keeps at most INDEX_MAX_ENTRIES
 * entries: past that, neighbouring entries merge, so one entry may cover a
 * run of consecutive chunks and memory stays bounded however long the
 * file. Internal to the format library.
 */
#ifndef EBPFTRACE_INDEX_H
#define EBPFTRACE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"
#include "trace.h"

#define INDEX_MAX_ENTRIES 65536
#define INDEX_MAX_CALIBRATIONS 262144
#define INDEX_HEADER 48
#define INDEX_ENTRY_FIXED 40
#define INDEX_COUNT_SIZE 16

struct index_count {
	uint16_t id;
	uint64_t count;
};

struct index_entry {
	uint64_t offset;   /* block header of the run's first chunk */
	uint64_t events;
	uint64_t min_ts, max_ts;
	uint32_t nchunks;
	uint16_t ntypes;
	struct index_count *types; /* sorted by id, owned */
};

struct index {
	struct index_entry *entries;
	uint32_t n, cap;
	uint32_t chunks_per_entry;
	size_t entry_bytes;        /* encoded size of the entries */
	uint64_t chunks, events, min_ts, max_ts;
	uint64_t *meta;            /* offsets of META and SCHEMA blocks */
	uint32_t nmeta, meta_cap;
	struct trace_calibration *cals;
	uint32_t ncal, cal_cap;
	struct index_count *totals; /* sorted by id */
	uint32_t ntotals, totals_cap;
};

void index__init(struct index *ix);
void index__free(struct index *ix);

int index__add_chunk(struct index *ix, uint64_t offset, uint64_t min_ts, uint64_t max_ts,
		     const struct chunk_type_count *types, uint32_t ntypes);
int index__add_meta(struct index *ix, uint64_t offset);
int index__add_calibration(struct index *ix, const struct trace_calibration *c);

size_t index__encoded_size(const struct index *ix);
void index__encode(const struct index *ix, uint8_t *out);
/* Parses an INDEX payload of a file of file_size bytes into an empty ix.
 * 0 or -EPROTO (ix is then emptied). */
int index__decode(struct index *ix, const uint8_t *p, size_t len, uint64_t file_size);

void trailer__encode(uint8_t out[16], uint64_t index_offset);
int trailer__decode(const uint8_t in[16], uint64_t *index_offset);

void calibration__encode(uint8_t out[24], const struct trace_calibration *c);
void calibration__decode(const uint8_t in[24], struct trace_calibration *c);

#endif /* EBPFTRACE_INDEX_H */
