// SPDX-License-Identifier: MIT
/*
 * Lazy chunk decoding. Loading decompresses the body, indexes the
 * dictionary and positions one cursor per column. Events are walked a
 * batch at a time: the type runs and timestamps of up to EV_BATCH events
 * go into small arrays (time, type, row), dropping those outside the time
 * range; delivering an event then decodes its type's rows a batch at a
 * time, column by column, into record buffers. The event at the cursor of
 * those arrays is the chunk's next, seen without decoding it. Nothing is
 * allocated per event, and buffers are reused from chunk to chunk.
 */
#include "chunk_decode.h"

#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "wire.h"

/* Zeroed bytes after the body, so unchecked varint reads stay inside. */
#define RAW_PAD 16
/* Rows decoded at a time per type: as many as fit in BATCH_BYTES, within
 * [BATCH_MIN_ROWS, BATCH_MAX_ROWS]. */
#define BATCH_BYTES (64u << 10)
#define BATCH_MIN_ROWS 8
#define BATCH_MAX_ROWS 256
/* Dictionary entries are copied zero-padded to at least this many bytes. */
#define PAD_SHORT 64u

static uint32_t batch_rows(uint16_t size)
{
	uint32_t rows = BATCH_BYTES / (size ? size : 1);

	if (rows < BATCH_MIN_ROWS)
		rows = BATCH_MIN_ROWS;
	if (rows > BATCH_MAX_ROWS)
		rows = BATCH_MAX_ROWS;
	return rows;
}

size_t chunk_info__header_len(uint16_t ntypes)
{
	return CHUNK_HEADER_FIXED + (size_t)ntypes * CHUNK_TYPE_ENTRY;
}

struct chunk_type_count chunk_info__type(const struct chunk_info *ci, uint16_t i)
{
	const uint8_t *e = ci->types + (size_t)i * CHUNK_TYPE_ENTRY;

	return (struct chunk_type_count){ get_le16(e), get_le32(e + 4) };
}

int chunk_info__parse(const uint8_t *p, size_t len, struct chunk_info *ci, bool strict,
		      const char **why)
{
	uint64_t sum = 0;
	uint32_t prev_id = 0;

	if (len < CHUNK_HEADER_FIXED) {
		*why = "chunk header cut short";
		return -EPROTO;
	}
	ci->raw_size = get_le32(p);
	ci->events = get_le32(p + 4);
	ci->min_ts = get_le64(p + 8);
	ci->max_ts = get_le64(p + 16);
	ci->codec = p[24];
	ci->ntypes = get_le16(p + 26);
	ci->types = p + CHUNK_HEADER_FIXED;
	ci->header_len = chunk_info__header_len(ci->ntypes);
	*why = NULL;
	if (strict && (p[25] != 0 || get_le32(p + 28) != 0))
		*why = "chunk header has reserved bits set";
	else if (ci->raw_size > MAX_CHUNK_RAW)
		*why = "chunk claims more than 16 MiB of data";
	else if (ci->events == 0 || ci->events > ci->raw_size)
		*why = "chunk event count is impossible";
	else if (ci->min_ts > ci->max_ts)
		*why = "chunk time range is reversed";
	else if (ci->ntypes == 0 || ci->ntypes > CHUNK_MAX_TYPES)
		*why = "chunk lists no types or too many";
	else if (len < ci->header_len)
		*why = "chunk header cut short";
	if (*why)
		return -EPROTO;
	for (uint16_t i = 0; i < ci->ntypes; i++) {
		const uint8_t *e = ci->types + (size_t)i * CHUNK_TYPE_ENTRY;
		uint16_t id = get_le16(e);

		if (id <= prev_id || (strict && get_le16(e + 2) != 0) || get_le32(e + 4) == 0) {
			*why = "chunk type list is malformed";
			return -EPROTO;
		}
		prev_id = id;
		sum += get_le32(e + 4);
	}
	if (sum != ci->events) {
		*why = "chunk type counts do not add up to its event count";
		return -EPROTO;
	}
	if (ci->codec != CODEC_NONE && ci->codec != CODEC_LZ4) {
		*why = "chunk uses a codec this reader does not know";
		return -ENOTSUP;
	}
	return 0;
}

struct chunk_dec *chunk_dec__new(void)
{
	return calloc(1, sizeof(struct chunk_dec));
}

void chunk_dec__trim(struct chunk_dec *d)
{
	for (uint32_t i = 0; i < d->nbufs; i++)
		free(d->bufs[i].rec);
	free(d->bufs);
	free(d->raw);
	free(d->dict);
	free(d->pad);
	free(d->slots);
	free(d->cols);
	free(d->words);
	free(d->sc);
	memset(d, 0, sizeof(*d));
}

void chunk_dec__free(struct chunk_dec *d)
{
	if (!d)
		return;
	chunk_dec__trim(d);
	free(d);
}

static int reserve(void **p, size_t elem, uint32_t *cap, size_t want)
{
	void *q;

	if (want <= *cap)
		return 0;
	if (want > UINT32_MAX / 2)
		return -ENOMEM;
	q = realloc(*p, want * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = (uint32_t)want;
	return 0;
}

/* The record batch of type id (rows records of size bytes), made or grown
 * on demand. */
static uint8_t *batch_of(struct chunk_dec *d, uint16_t id, uint16_t size, uint32_t rows)
{
	uint32_t lo = 0, hi = d->nbufs;
	struct dbuf *b;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->bufs[mid].id < id || (d->bufs[mid].id == id && d->bufs[mid].size < size))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == d->nbufs || d->bufs[lo].id != id || d->bufs[lo].size != size) {
		if (reserve((void **)&d->bufs, sizeof(*d->bufs), &d->bufs_cap, d->nbufs + 1))
			return NULL;
		memmove(d->bufs + lo + 1, d->bufs + lo, (d->nbufs - lo) * sizeof(*d->bufs));
		d->bufs[lo] = (struct dbuf){ id, size, 0, NULL };
		d->nbufs++;
	}
	b = &d->bufs[lo];
	if (rows > b->rows) {
		uint8_t *rec = realloc(b->rec, (size_t)rows * size);

		if (!rec)
			return NULL;
		b->rec = rec;
		b->rows = rows;
	}
	return b->rec;
}

/* A length-prefixed part of the body: [*pp, *pp + len). */
static int take_part(const uint8_t **pp, const uint8_t *end, const uint8_t **start,
		     const uint8_t **stop)
{
	uint64_t len;

	if (varint_get(pp, end, &len) || len > (uint64_t)(end - *pp))
		return -1;
	*start = *pp;
	*stop = *pp + len;
	*pp += len;
	return 0;
}

static uint8_t dec_op(const struct schema_col *sc)
{
	if (sc->type == TRACE_FIELD_STR)
		return S_STR;
	if (sc->type == TRACE_FIELD_BYTES)
		return S_BYTES;
	switch (sc->size) {
	case 1: return S_U8;
	case 2: return S_U16;
	case 4: return S_U32;
	default: return S_U64;
	}
}

static inline void store_int(uint8_t *dst, uint8_t op, uint64_t v)
{
	switch (op) {
	case S_U8:
		*dst = (uint8_t)v;
		break;
	case S_U16: {
		uint16_t x = (uint16_t)v;

		memcpy(dst, &x, 2);
		break;
	}
	case S_U32: {
		uint32_t x = (uint32_t)v;

		memcpy(dst, &x, 4);
		break;
	}
	default:
		memcpy(dst, &v, 8);
	}
}

/* Copies n (1..64) bytes with overlapping word moves: n is fixed per
 * column, so the branches here are predicted. */
static inline __attribute__((always_inline)) void copy_fixed(uint8_t *dst, const uint8_t *src,
								uint32_t n)
{
	uint64_t a, b, c, e;

	if (n == 64) {
		memcpy(dst, src, 64);
	} else if (n >= 32) {
		memcpy(dst, src, 32);
		memcpy(dst + n - 32, src + n - 32, 32);
	} else if (n >= 16) {
		memcpy(&a, src, 8);
		memcpy(&b, src + 8, 8);
		memcpy(&c, src + n - 16, 8);
		memcpy(&e, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + 8, &b, 8);
		memcpy(dst + n - 16, &c, 8);
		memcpy(dst + n - 8, &e, 8);
	} else if (n >= 8) {
		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + n - 8, &b, 8);
	} else {
		for (uint32_t i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

/*
 * Dictionary entry v into the STR or BYTES field of column c at dst, whose
 * current entry and length are shown[0], shown[1] (zeros after them);
 * false when v is no entry. STR keeps its terminating NUL. Entries sit in
 * the padded dictionary, zero-filled to at least PAD_SHORT bytes, so the
 * common case (short old and new values) is one fixed-size copy that also
 * clears what the previous value left, with no length-dependent branches.
 */
static inline __attribute__((always_inline)) bool
store_dict(const struct chunk_dec *d, const struct dcol *c, uint8_t *dst, uint32_t *shown,
	   uint64_t v)
{
	const uint8_t *src;
	uint32_t n;

	if (v == shown[0])
		return true;
	if (v >= d->ndict)
		return false;
	n = d->dict[v].len;
	src = d->dict_base + d->dict[v].off;
	if ((int32_t)n <= c->fast_len && shown[1] <= PAD_SHORT) {
		copy_fixed(dst, src, c->copy);
	} else {
		uint32_t max = c->op == S_STR ? c->size - 1u : c->size;

		if (n > max)
			n = max;
		memcpy(dst, src, n);
		if (n < shown[1])
			memset(dst + n, 0, shown[1] - n);
	}
	shown[0] = (uint32_t)v;
	shown[1] = n;
	return true;
}

static int load_section(struct chunk_dec *d, struct dslot *s, const uint8_t *fields,
			uint32_t *words, const uint8_t *p, const uint8_t *end, const char **why)
{
	const struct trace_schema *sch = s->s;
	uint16_t size = sch->size;

	if (reserve((void **)&d->sc, sizeof(*d->sc), &d->sc_cap, sch->ncols))
		return -ENOMEM;
	schema__columns(sch, d->sc);
	memset(s->batch, 0, (size_t)s->rows * size);
	for (uint32_t k = 0; k < sch->ncols; k++) {
		const struct schema_col *sc = &d->sc[k];
		struct dcol c = { .off = sc->off, .size = sc->size, .op = dec_op(sc), .fast_len = -1 };
		const uint8_t *cp, *cend;
		uint8_t enc;
		uint64_t v;

		if (p >= end)
			goto bad;
		enc = *p++;
		if (take_part(&p, end, &cp, &cend))
			goto bad;
		/* a field the caller does not want stays zero, undecoded */
		if (fields && !(fields[sc->field / 8] & (1u << (sc->field % 8))))
			continue;
		if (sc->is_dict) {
			uint32_t max = c.op == S_STR ? c.size - 1u : c.size;

			c.copy = c.size < PAD_SHORT ? c.size : PAD_SHORT;
			if (d->dict_base == d->pad)
				c.fast_len = (int32_t)(max < PAD_SHORT ? max : PAD_SHORT);
		}
		if (enc == ENC_CONST) {
			/* Written once into every row of the batch. */
			if (varint_get(&cp, cend, &v) || cp != cend)
				goto bad;
			for (uint32_t r = 0; r < s->rows; r++) {
				uint8_t *dst = s->batch + (size_t)r * size + c.off;
				uint32_t shown[2] = { UINT32_MAX, 0 };

				if (!sc->is_dict)
					store_int(dst, c.op, sc->is_signed ? (uint64_t)unzigzag(v) : v);
				else if (!store_dict(d, &c, dst, shown, v))
					goto bad;
			}
			continue;
		}
		switch (enc) {
		case ENC_PLAIN:
			c.enc = sc->is_signed ? D_PLAIN_S : D_PLAIN_U;
			break;
		case ENC_DELTA:
			c.enc = D_DELTA;
			break;
		case ENC_TSREL:
			if (c.op != S_U64)
				goto bad;
			c.enc = D_TSREL;
			s->tsrel[s->ntsrel++] = c.off;
			break;
		case ENC_FIXED:
			if (varint_get(&cp, cend, &c.prev) || cp >= cend || *cp < 1 || *cp > 8)
				goto bad;
			c.width = *cp++;
			c.enc = sc->is_signed ? D_FIXED_S : D_FIXED_U;
			/* whole rows only: then one check per batch suffices */
			if ((size_t)(cend - cp) % c.width || (size_t)(cend - cp) / c.width != s->count)
				goto bad;
			break;
		default:
			*why = "a column uses an encoding this reader does not know; its type is skipped";
			return -ENOTSUP;
		}
		c.p = cp;
		c.end = cend;
		if (sc->is_dict) {
			c.shown = words;
			for (uint32_t r = 0; r < s->rows; r++) {
				words[2 * r] = UINT32_MAX;
				words[2 * r + 1] = 0;
			}
			words += 2 * s->rows;
		}
		s->cols[s->ncols++] = c;
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	*why = "malformed column in chunk";
	return -EPROTO;
}

int chunk_dec__load(struct chunk_dec *d, const uint8_t *payload, size_t len,
		    const struct chunk_info *ci, dec_bind_fn bind, void *ctx, const char **why)
{
	const uint8_t *body = payload + ci->header_len, *p, *end, *dp, *dend;
	size_t blen = len - ci->header_len;
	uint64_t ndict;
	size_t total_cols = 0, total_words = 0;
	int err = 0;

	*why = "malformed chunk body";
	d->nslots = 0;
	d->events = 0;
	d->unknown = 0;
	if (len < ci->header_len)
		return -EPROTO;
	if (reserve((void **)&d->raw, 1, &d->raw_cap, ci->raw_size + RAW_PAD))
		return -ENOMEM;
	if (ci->codec == CODEC_NONE) {
		if (blen != ci->raw_size)
			return -EPROTO;
		memcpy(d->raw, body, blen);
	} else if (blen > INT32_MAX ||
		   LZ4_decompress_safe((const char *)body, (char *)d->raw, (int)blen,
				       (int)ci->raw_size) != (int)ci->raw_size) {
		*why = "chunk does not decompress";
		return -EPROTO;
	}
	memset(d->raw + ci->raw_size, 0, RAW_PAD);
	p = d->raw;
	end = d->raw + ci->raw_size;

	/* dictionary */
	if (varint_get(&p, end, &ndict) || take_part(&p, end, &dp, &dend) ||
	    ndict > (uint64_t)(dend - dp))
		return -EPROTO;
	if (reserve((void **)&d->dict, sizeof(*d->dict), &d->dict_cap, ndict ? ndict : 1))
		return -ENOMEM;
	size_t padded = 0;

	for (uint64_t i = 0; i < ndict; i++) {
		uint64_t l;

		if (varint_get(&dp, dend, &l) || l > (uint64_t)(dend - dp))
			return -EPROTO;
		d->dict[i] = (struct dict_ref){ (uint32_t)(dp - d->raw), (uint32_t)l };
		padded += l <= PAD_SHORT ? PAD_SHORT : l;
		dp += l;
	}
	if (dp != dend)
		return -EPROTO;
	d->ndict = (uint32_t)ndict;
	d->dict_base = d->raw;
	/* Many tiny entries would pad to 64 times the chunk: then the
	 * entries are used where they are, copied by their length. */
	if (padded <= 2 * (size_t)ci->raw_size + (1u << 20)) {
		if (reserve((void **)&d->pad, 1, &d->pad_cap, padded ? padded : 1))
			return -ENOMEM;
		d->dict_base = d->pad;
		padded = 0;
		for (uint64_t i = 0; i < ndict; i++) {
			uint32_t l = d->dict[i].len, slot = l <= PAD_SHORT ? PAD_SHORT : l;

			memcpy(d->pad + padded, d->raw + d->dict[i].off, l);
			memset(d->pad + padded + l, 0, slot - l);
			d->dict[i].off = (uint32_t)padded;
			padded += slot;
		}
	}
	if (take_part(&p, end, &d->rp, &d->rend) || take_part(&p, end, &d->tp, &d->tend))
		return -EPROTO;

	/* sections */
	if (reserve((void **)&d->slots, sizeof(*d->slots), &d->slots_cap, ci->ntypes))
		return -ENOMEM;
	for (uint16_t i = 0; i < ci->ntypes; i++) {
		struct dec_binding b = { 0 };
		struct chunk_type_count tc = chunk_info__type(ci, i);
		struct dslot *s = &d->slots[i];

		bind(ctx, tc.id, &b);
		*s = (struct dslot){ .id = tc.id, .count = tc.count, .s = b.schema,
				     .wanted = b.wanted, .fields = b.fields };
		if (b.schema) {
			s->size = b.schema->size;
			s->time_off = b.schema->time_off;
		}
		if (b.schema && b.schema->decodable && b.wanted) {
			s->rows = batch_rows(b.schema->size);
			if (s->rows > tc.count)
				s->rows = tc.count;
			s->batch = batch_of(d, tc.id, b.schema->size, s->rows);
			if (!s->batch)
				return -ENOMEM;
			total_cols += b.schema->ncols;
			/* string states per batch row, TSREL offsets */
			total_words += (size_t)b.schema->ncols * (2 * s->rows + 1);
		}
	}
	if (reserve((void **)&d->cols, sizeof(*d->cols), &d->cols_cap, total_cols ? total_cols : 1) ||
	    reserve((void **)&d->words, sizeof(*d->words), &d->words_cap,
		    total_words ? total_words : 1))
		return -ENOMEM;
	total_cols = 0;
	total_words = 0;
	for (uint16_t i = 0; i < ci->ntypes; i++) {
		struct dslot *s = &d->slots[i];
		const uint8_t *sp, *send;

		if (take_part(&p, end, &sp, &send))
			return -EPROTO;
		if (!s->rows)
			continue;
		s->cols = d->cols + total_cols;
		total_cols += s->s->ncols;
		s->tsrel = d->words + total_words;
		total_words += s->s->ncols;
		int e = load_section(d, s, s->fields, d->words + total_words, sp, send, why);

		total_words += (size_t)s->s->ncols * 2 * s->rows;
		if (e == -ENOTSUP) {
			err = e;
			continue;
		}
		if (e)
			return e;
		s->usable = true;
	}
	if (p != end)
		return -EPROTO;
	d->nslots = ci->ntypes;
	d->events = ci->events;
	d->walked = 0;
	d->run_left = 0;
	d->ts = ci->min_ts;
	d->ev_i = d->ev_n = 0;
	d->err = 0;
	d->why = NULL;
	if (!err)
		*why = NULL;
	return err;
}

void chunk_dec__set_range(struct chunk_dec *d, uint64_t from, uint64_t to)
{
	d->from = from;
	d->to = to;
}

static int find_slot(const struct chunk_dec *d, uint64_t id)
{
	uint32_t lo = 0, hi = d->nslots;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->slots[mid].id == id)
			return (int)mid;
		if (d->slots[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * Decoding one column over n rows into the batch: a loop per encoding,
 * store width and (FIXED) value width, so inner loops carry no per-value
 * dispatch. A varint column with room for n of the longest varints left
 * is decoded without a check per value (none can run past its end); else
 * each varint is checked against the column's end (the buffer's padding
 * covers the overrun of one). FIXED lengths were checked at load.
 */
#define STORES(LOOP, VALUE)                                                            \
	switch (c->op) {                                                               \
	case S_U8:                                                                     \
		LOOP(VALUE, *dst = (uint8_t)v);                                        \
		break;                                                                 \
	case S_U16:                                                                    \
		LOOP(VALUE, uint16_t x = (uint16_t)v; memcpy(dst, &x, 2));             \
		break;                                                                 \
	case S_U32:                                                                    \
		LOOP(VALUE, uint32_t x = (uint32_t)v; memcpy(dst, &x, 4));             \
		break;                                                                 \
	case S_U64:                                                                    \
		LOOP(VALUE, memcpy(dst, &v, 8));                                       \
		break;                                                                 \
	default:                                                                       \
		LOOP(VALUE, if (!store_dict(d, c, dst, &c->shown[2 * r], v)) return -1); \
	}

#define VAR_LOOP_CHECKED(VALUE, STORE)                                  \
	for (uint32_t r = 0; r < n; r++, dst += stride) {               \
		uint64_t u;                                             \
		p = varint_get_unchecked(p, &u);                        \
		if (__builtin_expect(p > end, 0))                       \
			return -1;                                      \
		VALUE;                                                  \
		STORE;                                                  \
	}

#define VAR_LOOP_ROOMY(VALUE, STORE)                                    \
	for (uint32_t r = 0; r < n; r++, dst += stride) {               \
		uint64_t u;                                             \
		p = varint_get_unchecked(p, &u);                        \
		VALUE;                                                  \
		STORE;                                                  \
	}

#define VAR_STORES(VALUE)                                               \
	do {                                                            \
		if (roomy)                                              \
			STORES(VAR_LOOP_ROOMY, VALUE)                   \
		else                                                    \
			STORES(VAR_LOOP_CHECKED, VALUE)                 \
	} while (0)

#define FIX_LOOP_1(VALUE, STORE) FIX_LOOP(1, *p, VALUE, STORE)
#define FIX_LOOP_2(VALUE, STORE) FIX_LOOP(2, get_le16(p), VALUE, STORE)
#define FIX_LOOP_4(VALUE, STORE) FIX_LOOP(4, get_le32(p), VALUE, STORE)
#define FIX_LOOP_8(VALUE, STORE) FIX_LOOP(8, get_le64(p), VALUE, STORE)
/* other widths: 8 bytes read and masked (the padding covers the last) */
#define FIX_LOOP_W(VALUE, STORE) FIX_LOOP(w, get_le64(p) & mask, VALUE, STORE)
#define FIX_LOOP(W, LOAD, VALUE, STORE)                                      \
	for (uint32_t r = 0; r < n; r++, dst += stride, p += (W)) {          \
		uint64_t u = prev + (LOAD);                                  \
		VALUE;                                                       \
		STORE;                                                       \
	}

#define FIX_STORES(VALUE)                                               \
	do {                                                            \
		switch (w) {                                            \
		case 1:                                                 \
			STORES(FIX_LOOP_1, VALUE)                       \
			break;                                          \
		case 2:                                                 \
			STORES(FIX_LOOP_2, VALUE)                       \
			break;                                          \
		case 4:                                                 \
			STORES(FIX_LOOP_4, VALUE)                       \
			break;                                          \
		case 8:                                                 \
			STORES(FIX_LOOP_8, VALUE)                       \
			break;                                          \
		default:                                                \
			STORES(FIX_LOOP_W, VALUE)                       \
		}                                                       \
	} while (0)

static int decode_column(const struct chunk_dec *d, struct dcol *c, uint8_t *dst, size_t stride,
			 uint32_t n)
{
	const uint8_t *p = c->p, *end = c->end;
	uint64_t prev = c->prev;

	dst += c->off;
	if (c->enc >= D_FIXED_U) {
		unsigned w = c->width;
		uint64_t mask = w == 8 ? UINT64_MAX : (1ull << (8 * w)) - 1;

		if ((size_t)(end - p) < (size_t)n * w)
			return -1;
		if (c->enc == D_FIXED_U)
			FIX_STORES(uint64_t v = u);
		else
			FIX_STORES(uint64_t v = (uint64_t)unzigzag(u));
		c->p = p;
		return 0;
	}
	bool roomy = (size_t)(end - p) >= (size_t)n * VARINT_MAX;

	switch (c->enc) {
	case D_PLAIN_U:
		VAR_STORES(uint64_t v = u);
		break;
	case D_PLAIN_S:
		VAR_STORES(uint64_t v = (uint64_t)unzigzag(u));
		break;
	case D_DELTA:
		VAR_STORES(uint64_t v = prev += (uint64_t)unzigzag(u));
		break;
	default:
		/* TSREL: the zigzagged difference now, ts added on delivery */
		VAR_STORES(uint64_t v = (uint64_t)unzigzag(u));
	}
	c->p = p;
	c->prev = prev;
	return 0;
}

/* Stops walking the chunk: the events walked so far still come out, then
 * err does. */
static void walk_fail(struct chunk_dec *d, const char *why)
{
	d->err = -EPROTO;
	d->why = why;
	d->walked = d->events;
}

/* Decodes s's batches of rows up to and including row. 0 or the chunk's
 * error. */
static int decode_to(struct chunk_dec *d, struct dslot *s, uint32_t row)
{
	while (row >= s->decoded) {
		uint32_t n = s->count - s->decoded;

		if (n > s->rows)
			n = s->rows;
		for (uint32_t k = 0; k < s->ncols; k++) {
			if (decode_column(d, &s->cols[k], s->batch, s->size, n)) {
				walk_fail(d, "malformed column data in chunk");
				d->ev_i = d->ev_n = 0;
				return d->err;
			}
		}
		s->batch_start = s->decoded;
		s->decoded += n;
	}
	return 0;
}

/*
 * Walks up to EV_BATCH events of the type runs and timestamps into the
 * event arrays, keeping those of usable types within the time range (ev_n
 * may be 0). 0; 1 when the chunk is done; d->err once it turned out
 * malformed.
 */
static int walk(struct chunk_dec *d)
{
	uint32_t n = 0;

	d->ev_i = 0;
	d->ev_n = 0;
	if (d->err)
		return d->err;
	if (d->walked == d->events) {
		if (d->rp != d->rend || d->tp != d->tend) {
			walk_fail(d, "chunk holds more data than its event count");
			return d->err;
		}
		return 1;
	}
	while (n < EV_BATCH && d->walked < d->events) {
		if (d->run_left == 0) {
			uint64_t id, cnt;
			int slot;

			if (varint_get(&d->rp, d->rend, &id) || varint_get(&d->rp, d->rend, &cnt) ||
			    cnt == 0 || cnt > d->events - d->walked || (slot = find_slot(d, id)) < 0) {
				walk_fail(d, "malformed type runs in chunk");
				break;
			}
			d->run_left = (uint32_t)cnt;
			d->run = (uint16_t)slot;
		}
		struct dslot *s = &d->slots[d->run];
		uint32_t take = d->run_left < EV_BATCH - n ? d->run_left : EV_BATCH - n;
		const uint8_t *tp = d->tp, *tend = d->tend;
		bool roomy = (size_t)(tend - tp) >= (size_t)take * VARINT_MAX;
		uint32_t row = s->seen;
		uint64_t ts = d->ts, from = d->from, to = d->to;

		if (take > s->count - s->seen) {
			walk_fail(d, "chunk type runs disagree with its type counts");
			break;
		}
		if (s->usable && from == 0 && to == UINT64_MAX && roomy) {
			/* the common case: every event kept, no checks */
			for (uint32_t k = 0; k < take; k++, row++, n++) {
				uint64_t delta;

				tp = varint_get_unchecked(tp, &delta);
				ts += (uint64_t)unzigzag(delta);
				d->ev_ts[n] = ts;
				d->ev_row[n] = row;
				d->ev_slot[n] = d->run;
			}
		} else {
			for (uint32_t k = 0; k < take; k++, row++) {
				uint64_t delta;

				tp = varint_get_unchecked(tp, &delta);
				if (!roomy && __builtin_expect(tp > tend, 0)) {
					walk_fail(d, "chunk timestamps end early");
					break;
				}
				ts += (uint64_t)unzigzag(delta);
				d->ev_ts[n] = ts;
				d->ev_row[n] = row;
				d->ev_slot[n] = d->run;
				/* kept when of a usable type and in range */
				n += s->usable & (ts >= from) & (ts <= to);
			}
		}
		if (d->err)
			break;
		if (!s->s) {
			d->unknown += take;
			d->unknown_id = s->id;
		}
		s->seen = row;
		d->ts = ts;
		d->tp = tp;
		d->walked += take;
		d->run_left -= take;
	}
	d->ev_n = n;
	return 0;
}

/* Moves the cursor to the next event to deliver (of a wanted type). 0,
 * 1 at the end of the chunk, or the chunk's error. */
static int head(struct chunk_dec *d)
{
	for (;;) {
		while (d->ev_i < d->ev_n) {
			if (*d->slots[d->ev_slot[d->ev_i]].wanted)
				return 0;
			d->ev_i++;
		}
		int r = walk(d);

		if (r)
			return r;
	}
}

int chunk_dec__peek(struct chunk_dec *d, uint64_t *ts)
{
	int r = head(d);

	if (!r)
		*ts = d->ev_ts[d->ev_i];
	return r;
}

uint64_t chunk_dec__head_ts(const struct chunk_dec *d)
{
	return d->ev_ts[d->ev_i];
}

const char *chunk_dec__why(const struct chunk_dec *d)
{
	return d->why;
}

int chunk_dec__next(struct chunk_dec *d, struct trace_event *ev, uint64_t lim)
{
	int r = head(d);
	struct dslot *s;

	if (r)
		return r;
	s = &d->slots[d->ev_slot[d->ev_i]];
	if (d->ev_ts[d->ev_i] > lim)
		return 2;
	if (d->ev_row[d->ev_i] >= s->decoded && (r = decode_to(d, s, d->ev_row[d->ev_i])))
		return r;
	return chunk_dec__next_fast(d, ev, lim);
}

uint64_t chunk_dec__unknown_events(const struct chunk_dec *d, uint16_t *some_id)
{
	*some_id = d->unknown_id;
	return d->unknown;
}
