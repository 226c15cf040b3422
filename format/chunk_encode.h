/* SPDX-License-Identifier: MIT */
/*
 * The writer's open chunk: records buffered as per-type columns, sealed
 * into a CHUNK block (sorted by time, columns encoded, LZ4). Internal.
 */
#ifndef EBPFTRACE_CHUNK_ENCODE_H
#define EBPFTRACE_CHUNK_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"
#include "schema.h"

struct chunk_enc;

/* A sealed chunk, borrowed from the encoder until its next append. The
 * block starts with BLOCK_HEADER_SIZE bytes left for the caller's header. */
struct chunk_sealed {
	uint8_t *block;
	size_t block_len;     /* header + payload */
	uint32_t payload_len;
	uint32_t events;
	uint64_t min_ts, max_ts;
	uint32_t ntypes;
	const struct chunk_type_count *types;
};

/* max_bytes bounds the encoded (uncompressed) body, estimated from above. */
struct chunk_enc *chunk_enc__new(uint32_t max_events, uint32_t max_bytes, uint64_t seed);
void chunk_enc__free(struct chunk_enc *c);

/* Type indices are given in order of addition; ids must increase. The
 * schema is borrowed and must outlive the encoder. */
int chunk_enc__add_type(struct chunk_enc *c, const struct trace_schema *s);

/* Events and bytes of records in the open chunk. */
uint32_t chunk_enc__events(const struct chunk_enc *c);
uint64_t chunk_enc__raw_bytes(const struct chunk_enc *c);

/* Copies a record of size bytes into the chunk: 0; 2 when it is the
 * chunk's first; 1 when the chunk is full (nothing copied: seal and append
 * again); -EINVAL when size is not the type's; -ENOMEM. */
int chunk_enc__append(struct chunk_enc *c, unsigned ti, const void *rec, size_t size);

/* Encodes the buffered events (at least one) and empties the chunk. */
int chunk_enc__seal(struct chunk_enc *c, struct chunk_sealed *out);

#endif /* EBPFTRACE_CHUNK_ENCODE_H */
