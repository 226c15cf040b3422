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
#include <string.h>

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

/* Events walked at a time (their times, types and rows). */
#define EV_BATCH 256

enum dec_enc { D_PLAIN_U, D_PLAIN_S, D_DELTA, D_TSREL, D_FIXED_U, D_FIXED_S };
enum dec_op { S_U8, S_U16, S_U32, S_U64, S_STR, S_BYTES };

/* A column being decoded. */
struct dcol {
	const uint8_t *p, *end;
	uint64_t prev;     /* DELTA's previous value; FIXED's base */
	uint32_t *shown;   /* STR/BYTES, per batch row: the entry it holds and its
			    * length (zeros beyond), 2 words a row */
	int32_t fast_len;  /* STR/BYTES: longest entry copied with one fixed-size
			    * move (-1: none) */
	uint16_t copy;     /* bytes that move copies */
	uint16_t off, size;
	uint8_t width;     /* FIXED */
	uint8_t enc, op;
};

/* A type of the chunk. The fields delivery reads come first. */
struct dslot {
	const bool *wanted;
	uint8_t *batch;    /* rows [batch_start, decoded), size apart */
	uint32_t batch_start;
	uint32_t decoded;  /* rows its cursors have consumed */
	uint16_t size;     /* of a record */
	uint16_t time_off; /* of its TIME field */
	uint16_t id;
	uint32_t ntsrel;
	uint32_t *tsrel;   /* offsets of TSREL columns: ts is added on delivery */
	const struct trace_schema *s;

	uint32_t count;    /* events of this type in the chunk */
	uint32_t seen;     /* events of it walked so far */
	uint32_t rows;     /* batch capacity */
	const uint8_t *fields; /* to decode, NULL: all */
	struct dcol *cols; /* non-CONST columns */
	uint32_t ncols;
	bool usable;       /* schema present, decodable, encodings known */
};

struct dict_ref {
	uint32_t off, len; /* in the padded dictionary */
};

/* A type's record batch, kept from chunk to chunk. */
struct dbuf {
	uint16_t id;
	uint16_t size;
	uint32_t rows;
	uint8_t *rec;
};

/* Opaque outside chunk_decode.c but for the inline delivery below. */
struct chunk_dec {
	/* the events walked and not yet delivered: [ev_i, ev_n) */
	uint32_t ev_i, ev_n;
	struct dslot *slots;
	uint64_t ev_ts[EV_BATCH];
	uint32_t ev_row[EV_BATCH];
	uint16_t ev_slot[EV_BATCH];

	uint8_t *raw;
	uint32_t raw_cap;
	struct dict_ref *dict;
	uint32_t ndict, dict_cap;
	uint8_t *pad;      /* the entries, each zero-padded (see store_dict) */
	const uint8_t *dict_base; /* pad, or raw when padding would cost too much */
	uint32_t pad_cap;
	uint32_t nslots, slots_cap;
	struct dcol *cols;
	uint32_t cols_cap;
	uint32_t *words;   /* `shown` and `tsrel` of all slots */
	uint32_t words_cap;
	struct schema_col *sc;
	uint32_t sc_cap;
	struct dbuf *bufs;  /* sorted by id */
	uint32_t nbufs, bufs_cap;

	const uint8_t *rp, *rend; /* type runs */
	const uint8_t *tp, *tend; /* timestamp deltas */
	uint32_t events, walked, run_left;
	uint16_t run;       /* slot of the current run */
	uint64_t ts;        /* of the last event walked */
	uint64_t from, to;
	uint64_t unknown;
	uint16_t unknown_id;
	int err;            /* met while walking, returned once the walked events are out */
	const char *why;
};

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
 * Finds the next wanted event without decoding it: 0 and its timestamp in
 * *ts; 1 when the chunk is done; -EPROTO when malformed from here on
 * (chunk_dec__why says how): abandon the chunk.
 */
int chunk_dec__peek(struct chunk_dec *d, uint64_t *ts);

/*
 * 0: *ev is the next wanted event, all but ev->file set (data valid until
 * the next call on this decoder; the rows of a type are decoded a batch at
 * a time, column by column). 2: the next event's ts is past lim: it stays
 * next (chunk_dec__head_ts says when). 1: the chunk is done. -EPROTO: as
 * for peek.
 */
int chunk_dec__next(struct chunk_dec *d, struct trace_event *ev, uint64_t lim);

/* chunk_dec__next's result when its inline fast path cannot go on (more
 * events to walk, rows to decode): call chunk_dec__next. */
#define DEC_SLOW 3

/* chunk_dec__next for events already walked and rows already decoded, or
 * DEC_SLOW with nothing changed. Inline, without calls: it is the reader's
 * path for nearly every event. */
static inline __attribute__((always_inline)) int
chunk_dec__next_fast(struct chunk_dec *d, struct trace_event *ev, uint64_t lim)
{
	uint32_t e = d->ev_i, row;
	struct dslot *s;
	uint64_t ts;
	uint8_t *rec;

	if (__builtin_expect(e >= d->ev_n, 0))
		return DEC_SLOW;
	s = &d->slots[d->ev_slot[e]];
	if (__builtin_expect(!*s->wanted, 0))
		return DEC_SLOW;
	ts = d->ev_ts[e];
	if (ts > lim)
		return 2;
	row = d->ev_row[e];
	if (__builtin_expect(row >= s->decoded, 0))
		return DEC_SLOW;
	d->ev_i = e + 1;
	rec = s->batch + (size_t)(row - s->batch_start) * s->size;
	memcpy(rec + s->time_off, &ts, 8);
	for (uint32_t k = 0; k < s->ntsrel; k++) {
		uint64_t v;

		memcpy(&v, rec + s->tsrel[k], 8);
		v += ts;
		memcpy(rec + s->tsrel[k], &v, 8);
	}
	ev->schema = s->s;
	ev->data = rec;
	ev->ts = ts;
	ev->size = s->size;
	ev->type = s->id;
	return 0;
}

/* Timestamp of the next event (after peek returned 0 or next returned 2). */
uint64_t chunk_dec__head_ts(const struct chunk_dec *d);

/* Why the chunk turned out malformed (a static string), NULL before. */
const char *chunk_dec__why(const struct chunk_dec *d);

/* Events of types without any schema passed over in this chunk so far. */
uint64_t chunk_dec__unknown_events(const struct chunk_dec *d, uint16_t *some_id);

#endif /* EBPFTRACE_CHUNK_DECODE_H */
