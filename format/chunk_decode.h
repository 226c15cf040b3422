/* SPDX-License-Identifier: MIT */
/*
 * Reading a CHUNK: its header (without decompressing), and lazy decoding of
 * the body with one cursor per column into per-type record buffers.
 * Internal to the format library.
 */
#ifndef EBPFTRACE_CHUNK_DECODE_H
#define EBPFTRACE_CHUNK_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"
#include "schema.h"

struct chunk_info {
	uint32_t raw_size;
	uint32_t events;
	uint64_t min_ts, max_ts;
	uint8_t codec;
	uint16_t ntypes;
	const uint8_t *types; /* ntypes entries of CHUNK_TYPE_ENTRY bytes */
	size_t header_len;
};

/* Parses and checks a chunk header from the first len bytes of a payload
 * (len may be the whole payload or just its header). 0, -EPROTO when
 * malformed (*why says how), -ENOTSUP for an unknown codec. strict:
 * reserved fields must be zero. */
int chunk_info__parse(const uint8_t *p, size_t len, struct chunk_info *ci, bool strict,
		      const char **why);
/* Bytes of the header of a chunk with ntypes entries. */
size_t chunk_info__header_len(uint16_t ntypes);
struct chunk_type_count chunk_info__type(const struct chunk_info *ci, uint16_t i);

/* How the caller wants the events of one type: its schema (NULL when the
 * file has none for the id), and a flag saying whether to deliver them
 * (read at every event, so a filter can change mid-chunk). */
struct dec_binding {
	const struct trace_schema *schema;
	const bool *wanted;
	const uint8_t *fields; /* bitmap by field index of the fields to decode;
				* NULL: all (read when a chunk loads) */
};

typedef void (*dec_bind_fn)(void *ctx, uint16_t id, struct dec_binding *b);

struct chunk_dec;

struct chunk_dec *chunk_dec__new(void);
void chunk_dec__free(struct chunk_dec *d);
/* Drops the buffers (they come back on the next load). */
void chunk_dec__trim(struct chunk_dec *d);

/*
 * Decompresses and indexes a chunk whose payload checksum was verified.
 * 0; -EPROTO when malformed (*why); -ENOTSUP when a type uses an encoding
 * this reader does not know (that type is skipped, the rest loads);
 * -ENOMEM. Records are built in buffers the decoder owns, so several
 * decoders can be open at once.
 */
int chunk_dec__load(struct chunk_dec *d, const uint8_t *payload, size_t len,
		    const struct chunk_info *ci, dec_bind_fn bind, void *ctx, const char **why);

/* Events with ts outside [from, to] are passed over without decoding. */
void chunk_dec__set_range(struct chunk_dec *d, uint64_t from, uint64_t to);

/*
 * Finds the next wanted event and holds it without decoding it: 0 and its
 * timestamp in *ts; 1 when the chunk is done; -EPROTO when malformed from
 * here on (*why): abandon the chunk.
 */
int chunk_dec__peek(struct chunk_dec *d, uint64_t *ts, const char **why);

/*
 * 0: *ev is the next wanted event, all but ev->file set (data valid until
 * the next call on this decoder; the rows of a type are decoded a batch at
 * a time, column by column). 2: the next event's ts is past lim: it stays
 * held (chunk_dec__head_ts says when) and a later call delivers it. 1: the
 * chunk is done. -EPROTO: as for peek.
 */
int chunk_dec__next(struct chunk_dec *d, struct trace_event *ev, uint64_t lim, const char **why);

/* Timestamp of the held event (after peek returned 0 or next returned 2). */
uint64_t chunk_dec__head_ts(const struct chunk_dec *d);

/* Events of types without any schema passed over in this chunk so far. */
uint64_t chunk_dec__unknown_events(const struct chunk_dec *d, uint16_t *some_id);

#endif /* EBPFTRACE_CHUNK_DECODE_H */
