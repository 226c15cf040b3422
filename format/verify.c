// SPDX-License-Identifier: MIT
/*
 * trace_reader__verify for one file: a walk over every block checking both
 * checksums and the shape of each payload (chunk headers, metadata,
 * schemas, calibrations, index, trailer), then that the index matches the
 * chunks. Events are never decoded; chunk payloads stream through a small
 * buffer, so memory stays flat whatever the chunk sizes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_decode.h"
#include "index.h"
#include "meta.h"
#include "rfile.h"
#include "schema.h"
#include "wire.h"

#define VERIFY_BUF (256u << 10)

struct verify {
	struct rfile *f;
	struct trace_verify_stats *st;
	uint8_t *buf;
	uint8_t *whole;      /* a small block's whole payload */
	size_t whole_cap;
	bool damaged;
	bool index_bad;      /* the INDEX block itself was reported */
	uint16_t last_kind;  /* of the last intact block */
	uint32_t next_entry; /* index entries matched so far */
	uint64_t chunks_before_index;
	uint64_t events_before_index; /* from their headers */
	bool events_unknown;          /* a chunk of a newer minor version */
	bool index_mismatch;
};

static void damage(struct verify *v, uint64_t off, uint64_t len, int err, const char *what)
{
	struct trace_damage d = { v->f->path, off, len, err, what };

	v->damaged = true;
	v->last_kind = 0;
	v->st->damaged_blocks++;
	v->st->damaged_bytes += len;
	if (v->f->opts && v->f->opts->on_damage)
		v->f->opts->on_damage(&d, v->f->opts->ctx);
}

static bool strict(const struct rfile *f)
{
	return f->fh.minor <= TRACE_FORMAT_MINOR;
}

static const char *malformed(const struct verify *v, const struct block_step *bs)
{
	const uint8_t *p = v->whole;
	uint32_t len = bs->h.length;

	switch (bs->h.kind) {
	case BLOCK_META: {
		struct meta tmp = { 0 };
		int err = meta__decode_merge(&tmp, p, len);

		meta__free(&tmp);
		return err == -EPROTO ? "malformed metadata block" : NULL;
	}
	case BLOCK_SCHEMA: {
		struct trace_schema *s = schema__decode(p, len, strict(v->f));

		if (s) {
			schema__free(s);
			return NULL;
		}
		return errno == EPROTO ? "malformed schema block; its type cannot be read" : NULL;
	}
	case BLOCK_CALIBRATION:
		if (len < CALIBRATION_PAYLOAD || (strict(v->f) && len != CALIBRATION_PAYLOAD))
			return "calibration block of the wrong size";
		if (strict(v->f) && get_le32(p + 20))
			return "calibration block with reserved flags set";
		return NULL;
	case BLOCK_INDEX: {
		struct index ix;
		int err = index__decode(&ix, p, len, v->f->size);

		index__free(&ix);
		return err ? "malformed index block" : NULL;
	}
	case BLOCK_TRAILER: {
		uint64_t off;

		if (len != TRAILER_PAYLOAD || trailer__decode(p, &off))
			return "malformed trailer block";
		return NULL;
	}
	default:
		return NULL;
	}
}

static const char *bad_checksum(uint16_t kind)
{
	switch (kind) {
	case BLOCK_CHUNK:
		return "chunk checksum mismatch; chunk skipped";
	case BLOCK_META:
		return "metadata checksum mismatch; block skipped";
	case BLOCK_SCHEMA:
		return "schema checksum mismatch; its type cannot be read";
	case BLOCK_CALIBRATION:
		return "calibration checksum mismatch; block skipped";
	case BLOCK_INDEX:
		return "index checksum mismatch; the file reads without it";
	case BLOCK_TRAILER:
		return "trailer checksum mismatch; the file reads without its index";
	default:
		return "checksum mismatch in a block of a newer kind";
	}
}

/* A CHUNK block with an intact payload (its start in v->buf). */
static void check_chunk(struct verify *v, const struct block_step *bs)
{
	struct rfile *f = v->f;
	size_t have = bs->h.length < VERIFY_BUF / 2 ? bs->h.length : VERIFY_BUF / 2;
	struct chunk_info ci;
	const char *why;
	int err = chunk_info__parse(v->buf, have, &ci, strict(f), &why);

	if (err == -ENOTSUP && !strict(f)) {
		v->events_unknown = true;
		return; /* a codec of a newer minor version: not damage */
	}
	if (err) {
		damage(v, bs->off, BLOCK_HEADER_SIZE + (uint64_t)bs->h.length, err, why);
		return;
	}
	v->st->events += ci.events;
	if (f->indexed && bs->off < f->data_end)
		v->events_before_index += ci.events;
}

/* The index's event counts, per run of chunks and in total, are the
 * chunks' own: a reader trusts them to count and to seek. Only checked
 * when every chunk was read (a damaged one is reported already). */
static bool index_counts_match(const struct verify *v)
{
	const struct index *ix = &v->f->ix;
	uint64_t sum = 0;

	if (v->damaged || v->events_unknown)
		return true;
	for (uint32_t i = 0; i < ix->n; i++) {
		if (ix->entries[i].events > UINT64_MAX - sum)
			return false;
		sum += ix->entries[i].events;
	}
	return sum == v->events_before_index && ix->events == v->events_before_index;
}

/* Index entries must name the CHUNK blocks in file order. */
static void match_index(struct verify *v, const struct block_step *bs)
{
	struct rfile *f = v->f;

	if (!f->indexed || bs->off >= f->data_end)
		return;
	v->chunks_before_index++;
	if (v->next_entry < f->ix.n && f->ix.entries[v->next_entry].offset == bs->off)
		v->next_entry++;
	else if (v->next_entry < f->ix.n && f->ix.entries[v->next_entry].offset < bs->off)
		v->index_mismatch = true; /* an entry pointed at no chunk */
}

static int walk(struct verify *v)
{
	struct rfile *f = v->f;
	uint64_t pos = FILE_HEADER_SIZE;
	struct block_step bs;
	char what[128];
	int w;

	while ((w = block__walk(f->fd, &pos, f->size, &bs)) == 0) {
		uint64_t total = BLOCK_HEADER_SIZE + (uint64_t)bs.h.length;
		uint32_t crc;
		int err;

		if (bs.skipped) {
			snprintf(what, sizeof(what),
				 "bad block header; %llu bytes skipped to the next block",
				 (unsigned long long)bs.skipped);
			damage(v, bs.off - bs.skipped, bs.skipped, -EPROTO, what);
		}
		v->st->blocks++;
		if (bs.h.kind == BLOCK_CHUNK) {
			v->st->chunks++;
			match_index(v, &bs);
		}
		if (bs.torn) {
			v->st->files_truncated++;
			damage(v, bs.off, f->size - bs.off, -EPIPE,
			       "the last block runs past the end of the file (torn write)");
			return 0;
		}
		if (bs.h.flags && strict(f)) {
			damage(v, bs.off, total, -EPROTO, "block with reserved flags set");
			continue;
		}
		if (bs.h.kind == BLOCK_CHUNK || bs.h.kind > BLOCK_TRAILER) {
			err = block__crc(f->fd, bs.off + BLOCK_HEADER_SIZE, bs.h.length, v->buf,
					 VERIFY_BUF, &crc);
		} else {
			if (bs.h.length >= v->whole_cap) {
				uint8_t *p = realloc(v->whole, (size_t)bs.h.length + 1);

				if (!p)
					return -ENOMEM;
				v->whole = p;
				v->whole_cap = (size_t)bs.h.length + 1;
			}
			err = pread_full(f->fd, v->whole, bs.h.length, bs.off + BLOCK_HEADER_SIZE);
			crc = err ? 0 : trace_crc32(v->whole, bs.h.length);
		}
		if (err)
			return err;
		if (!crc_ok(bs.h.payload_crc, crc)) {
			v->index_bad |= bs.h.kind == BLOCK_INDEX || bs.h.kind == BLOCK_TRAILER;
			damage(v, bs.off, total, -EBADMSG, bad_checksum(bs.h.kind));
			continue;
		}
		if (bs.h.kind == BLOCK_CHUNK) {
			check_chunk(v, &bs);
		} else if (bs.h.kind <= BLOCK_TRAILER) {
			const char *why = malformed(v, &bs);

			if (why) {
				v->index_bad |= bs.h.kind == BLOCK_INDEX || bs.h.kind == BLOCK_TRAILER;
				damage(v, bs.off, total, -EPROTO, why);
				continue;
			}
		}
		v->last_kind = bs.h.kind;
	}
	if (w < 0)
		return w;
	if (bs.torn) {
		v->st->files_truncated++;
		damage(v, f->size - bs.skipped, bs.skipped, -EPIPE,
		       "the file ends inside a block header (torn write)");
	} else if (bs.skipped) {
		snprintf(what, sizeof(what), "%llu bytes at the end hold no block",
			 (unsigned long long)bs.skipped);
		damage(v, f->size - bs.skipped, bs.skipped, -EPROTO, what);
	}
	return 0;
}

int rfile__verify(struct rfile *f, struct trace_verify_stats *st)
{
	struct verify v = { .f = f, .st = st };
	int err;

	if ((err = rfile__open_fd(f)))
		return err;
	v.buf = malloc(VERIFY_BUF);
	if (!v.buf)
		return -ENOMEM;
	st->bytes += f->size;
	if (f->header_damaged) {
		/* reported when the file was opened */
		v.damaged = true;
		st->damaged_blocks++;
		st->damaged_bytes += FILE_HEADER_SIZE;
	}
	err = walk(&v);
	if (!err && f->indexed) {
		if (v.index_mismatch || v.next_entry != f->ix.n ||
		    v.chunks_before_index != f->ix.chunks || !index_counts_match(&v))
			damage(&v, f->data_end, f->size - f->data_end, -EPROTO,
			       "the index does not match the file's chunks; read the file without it "
			       "(--recover writes a new one)");
		else
			st->files_indexed++;
	} else if (!err && v.last_kind == BLOCK_TRAILER && !v.index_bad) {
		damage(&v, f->size - TRAILER_BLOCK_SIZE, TRAILER_BLOCK_SIZE, -EPROTO,
		       "the trailer points at no valid index; the file reads without it");
	}
	free(v.buf);
	free(v.whole);
	if (err)
		return err;
	return v.damaged ? -EBADMSG : 0;
}
