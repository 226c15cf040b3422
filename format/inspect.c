// SPDX-License-Identifier: MIT
/*
 * The chunk listing: where a file's chunks are and what their headers say,
 * from the index when there is one (an entry per chunk, or per run of
 * chunks in very long files), else from a walk of the block headers. A
 * cursor makes walking the list upwards one read per chunk; nothing kept
 * grows with the file beyond the index itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_decode.h"
#include "rfile.h"

/* Payloads stream through this buffer; its first half keeps the chunk
 * header (at most 32 + 8 * 4096 bytes). */
#define LIST_BUF (128u << 10)

uint64_t rfile__nchunks(const struct rfile *f)
{
	return f->indexed ? f->ix.chunks : f->chunk_blocks;
}

/* Chunks before each index entry, for finding the entry of chunk i. */
static int build_cum(struct rfile *f)
{
	uint64_t sum = 0;

	if (f->list_cum)
		return 0;
	f->list_cum = malloc(((size_t)f->ix.n + 1) * sizeof(*f->list_cum));
	if (!f->list_cum)
		return -ENOMEM;
	for (uint32_t e = 0; e < f->ix.n; e++) {
		f->list_cum[e] = sum;
		sum += f->ix.entries[e].nchunks;
	}
	f->list_cum[f->ix.n] = sum;
	return 0;
}

static uint32_t entry_of(const struct rfile *f, uint64_t i)
{
	uint32_t lo = 0, hi = f->ix.n;

	/* the last entry whose first chunk is at or before i */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (f->list_cum[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Counts and times of chunk i from the index, when its entry covers it
 * alone. */
static void from_index(struct rfile *f, uint32_t e, struct trace_chunk_info *out)
{
	const struct index_entry *ie = &f->ix.entries[e];

	if (ie->nchunks != 1)
		return;
	out->events = ie->events;
	out->min_ts = ie->min_ts;
	out->max_ts = ie->max_ts;
	for (uint16_t k = 0; k < ie->ntypes; k++)
		f->list_types[k] = (struct trace_chunk_type){
			ie->types[k].id,
			ie->types[k].count > UINT32_MAX ? UINT32_MAX : (uint32_t)ie->types[k].count };
	out->ntypes = ie->ntypes;
}

/* Finds chunk i's block: 0 and *bs, or -ENOENT / -EPROTO / -errno. */
static int locate(struct rfile *f, uint64_t i, struct block_step *bs, uint32_t *entry)
{
	uint64_t pos, limit, k;
	int err;

	if (f->indexed) {
		uint32_t e;

		if ((err = build_cum(f)))
			return err;
		e = entry_of(f, i);
		*entry = e;
		limit = e + 1 < f->ix.n ? f->ix.entries[e + 1].offset : f->data_end;
		if (f->list_valid && f->list_entry == e && f->list_i < i) {
			pos = f->list_pos;
			k = i - f->list_i - 1;
		} else {
			pos = f->ix.entries[e].offset;
			k = i - f->list_cum[e];
			if (k == 0) {
				/* the index says exactly where: no resynchronising */
				uint8_t b[BLOCK_HEADER_SIZE];

				err = pread_full(f->fd, b, sizeof(b), pos);
				if (err && err != -EPIPE)
					return err;
				memset(bs, 0, sizeof(*bs));
				bs->off = pos;
				if (err || !block_header__decode(b, &bs->h) || bs->h.kind != BLOCK_CHUNK)
					return -EPROTO;
				bs->torn = bs->h.length > limit - pos - BLOCK_HEADER_SIZE;
				pos += BLOCK_HEADER_SIZE + (uint64_t)bs->h.length;
				goto found;
			}
		}
	} else {
		limit = f->size;
		if (f->list_valid && f->list_i < i) {
			pos = f->list_pos;
			k = i - f->list_i - 1;
		} else {
			pos = FILE_HEADER_SIZE;
			k = i;
		}
	}
	for (;;) {
		err = block__walk(f->fd, &pos, limit, bs);
		if (err < 0)
			return err;
		if (err)
			return -EPROTO; /* fewer chunks than counted: the file changed */
		if (bs->h.kind == BLOCK_CHUNK && k-- == 0)
			break;
	}
found:
	f->list_i = i;
	f->list_pos = pos;
	f->list_entry = *entry;
	f->list_valid = true;
	return 0;
}

int rfile__chunk_at(struct rfile *f, uint64_t i, struct trace_chunk_info *out)
{
	uint64_t len, have;
	struct block_step bs;
	struct chunk_info ci;
	const char *why;
	uint32_t entry = 0, crc;
	int err;

	memset(out, 0, sizeof(*out));
	if (i >= rfile__nchunks(f))
		return -ENOENT;
	if ((err = rfile__open_fd(f)))
		return err;
	if (!f->list_buf && !(f->list_buf = malloc(LIST_BUF)))
		return -ENOMEM;
	if (!f->list_types && !(f->list_types = calloc(CHUNK_MAX_TYPES, sizeof(*f->list_types))))
		return -ENOMEM;
	out->types = f->list_types;
	err = locate(f, i, &bs, &entry);
	if (err == -EPROTO && f->indexed) {
		/* no valid CHUNK block where the index says */
		out->offset = f->ix.entries[entry].offset;
		out->status = -EPROTO;
		from_index(f, entry, out);
		return 0;
	}
	if (err)
		return err;
	out->offset = bs.off;
	out->size = BLOCK_HEADER_SIZE + (uint64_t)bs.h.length;
	len = bs.h.length;
	if (bs.torn) {
		/* what is there of the payload may still hold its header */
		uint64_t end = f->indexed ? f->data_end : f->size;

		len = end - bs.off - BLOCK_HEADER_SIZE;
		out->status = -EPIPE;
		have = len < LIST_BUF / 2 ? len : LIST_BUF / 2;
		err = pread_full(f->fd, f->list_buf, (size_t)have, bs.off + BLOCK_HEADER_SIZE);
	} else {
		have = len < LIST_BUF / 2 ? len : LIST_BUF / 2;
		err = block__crc(f->fd, bs.off + BLOCK_HEADER_SIZE, len, f->list_buf, LIST_BUF, &crc);
		if (!err && !crc_ok(bs.h.payload_crc, crc))
			out->status = -EBADMSG;
	}
	if (err)
		return err;
	if (out->status != -EBADMSG) {
		int perr = chunk_info__parse(f->list_buf, (size_t)have, &ci,
					     f->fh.minor <= TRACE_FORMAT_MINOR, &why);

		if (perr == 0 || perr == -ENOTSUP) {
			out->raw_size = ci.raw_size;
			out->events = ci.events;
			out->min_ts = ci.min_ts;
			out->max_ts = ci.max_ts;
			out->codec = ci.codec;
			out->ntypes = ci.ntypes;
			for (uint16_t k = 0; k < ci.ntypes; k++) {
				struct chunk_type_count tc = chunk_info__type(&ci, k);

				f->list_types[k] = (struct trace_chunk_type){ tc.id, tc.count };
			}
		}
		if (perr && !out->status)
			out->status = perr;
		if (perr == 0 || perr == -ENOTSUP)
			return 0;
	}
	if (f->indexed)
		from_index(f, entry, out);
	return 0;
}
