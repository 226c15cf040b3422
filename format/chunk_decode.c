// SPDX-License-Identifier: MIT
/*
 * Lazy chunk decoding. Loading decompresses the body, indexes the
 * dictionary and positions one cursor per column; next() walks the type
 * runs and timestamps and decodes a row only for events it delivers,
 * catching a type's cursors up over rows it passed by. Nothing is
 * allocated per event, and buffers are reused from chunk to chunk.
 */
#include "chunk_decode.h"

#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "endian.h"

/* Zeroed bytes after the body, so unchecked varint reads stay inside. */
#define RAW_PAD 16

enum dec_enc { D_PLAIN_U, D_PLAIN_S, D_DELTA, D_TSREL };
enum dec_op { S_U8, S_U16, S_U32, S_U64, S_STR, S_BYTES };

struct dcol {
	const uint8_t *p, *end;
	uint64_t prev;     /* DELTA's previous value */
	uint32_t shown;    /* dictionary entry in the record, UINT32_MAX none */
	uint16_t off, size;
	uint16_t cur_len;  /* string bytes in the record; beyond them zeros */
	uint8_t enc, op;
};

struct dslot {
	uint16_t id;
	uint32_t count;    /* events of this type in the chunk */
	uint32_t seen;     /* events of it walked so far */
	uint32_t decoded;  /* rows its cursors have consumed */
	const struct trace_schema *s;
	uint8_t *rec;
	const bool *wanted;
	struct dcol *cols; /* non-CONST columns */
	uint32_t ncols;
	bool usable;       /* schema present, decodable, encodings known */
};

struct dict_ref {
	uint32_t off, len;
};

struct chunk_dec {
	uint8_t *raw;
	uint32_t raw_cap;
	struct dict_ref *dict;
	uint32_t ndict, dict_cap;
	struct dslot *slots;
	uint32_t nslots, slots_cap;
	struct dcol *cols;
	uint32_t cols_cap;
	struct schema_col *sc;
	uint32_t sc_cap;

	const uint8_t *rp, *rend; /* type runs */
	const uint8_t *tp, *tend; /* timestamp deltas */
	uint32_t events, done, run_left;
	struct dslot *run;
	uint64_t ts;
	uint64_t from, to;
	uint64_t unknown;
	uint16_t unknown_id;
};

size_t chunk_info__header_len(uint16_t ntypes)
{
	return CHUNK_HEADER_FIXED + (size_t)ntypes * CHUNK_TYPE_ENTRY;
}

struct chunk_type_count chunk_info__type(const struct chunk_info *ci, uint16_t i)
{
	const uint8_t *e = ci->types + (size_t)i * CHUNK_TYPE_ENTRY;

	return (struct chunk_type_count){ get_le16(e), get_le32(e + 4) };
}

int chunk_info__parse(const uint8_t *p, size_t len, struct chunk_info *ci, const char **why)
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
	if (p[25] != 0 || get_le32(p + 28) != 0)
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

		if (id <= prev_id || get_le16(e + 2) != 0 || get_le32(e + 4) == 0) {
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
	free(d->raw);
	free(d->dict);
	free(d->slots);
	free(d->cols);
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

/* Dictionary entry v into a STR or BYTES field; false when v is no entry. */
static inline bool store_dict(const struct chunk_dec *d, struct dcol *c, uint8_t *rec, uint64_t v)
{
	uint32_t n, max;

	if (v == c->shown)
		return true;
	if (v >= d->ndict)
		return false;
	max = c->op == S_STR ? c->size - 1u : c->size;
	n = d->dict[v].len < max ? d->dict[v].len : max;
	memcpy(rec + c->off, d->raw + d->dict[v].off, n);
	if (n < c->cur_len)
		memset(rec + c->off + n, 0, c->cur_len - n);
	c->cur_len = (uint16_t)n;
	c->shown = (uint32_t)v;
	return true;
}

static int load_section(struct chunk_dec *d, struct dslot *s, const uint8_t *p,
			const uint8_t *end, const char **why)
{
	const struct trace_schema *sch = s->s;

	if (reserve((void **)&d->sc, sizeof(*d->sc), &d->sc_cap, sch->ncols))
		return -ENOMEM;
	schema__columns(sch, d->sc);
	memset(s->rec, 0, sch->size);
	for (uint32_t k = 0; k < sch->ncols; k++) {
		const struct schema_col *sc = &d->sc[k];
		struct dcol c = {
			.off = sc->off,
			.size = sc->size,
			.op = dec_op(sc),
			.shown = UINT32_MAX,
		};
		const uint8_t *cp, *cend;
		uint8_t enc;
		uint64_t v;

		if (p >= end)
			goto bad;
		enc = *p++;
		if (take_part(&p, end, &cp, &cend))
			goto bad;
		if (enc == ENC_CONST) {
			if (varint_get(&cp, cend, &v) || cp != cend)
				goto bad;
			if (sc->is_dict) {
				if (!store_dict(d, &c, s->rec, v))
					goto bad;
			} else {
				store_int(s->rec + c.off, c.op, sc->is_signed ? (uint64_t)unzigzag(v) : v);
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
			if (sc->is_dict)
				goto bad;
			c.enc = D_TSREL;
			break;
		default:
			*why = "a column uses an encoding this reader does not know; its type is skipped";
			return -ENOTSUP;
		}
		c.p = cp;
		c.end = cend;
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
	size_t total_cols = 0;
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
	for (uint64_t i = 0; i < ndict; i++) {
		uint64_t l;

		if (varint_get(&dp, dend, &l) || l > (uint64_t)(dend - dp))
			return -EPROTO;
		d->dict[i] = (struct dict_ref){ (uint32_t)(dp - d->raw), (uint32_t)l };
		dp += l;
	}
	if (dp != dend)
		return -EPROTO;
	d->ndict = (uint32_t)ndict;
	if (take_part(&p, end, &d->rp, &d->rend) || take_part(&p, end, &d->tp, &d->tend))
		return -EPROTO;

	/* sections */
	if (reserve((void **)&d->slots, sizeof(*d->slots), &d->slots_cap, ci->ntypes))
		return -ENOMEM;
	for (uint16_t i = 0; i < ci->ntypes; i++) {
		struct dec_binding b = { 0 };
		struct chunk_type_count tc = chunk_info__type(ci, i);

		bind(ctx, tc.id, &b);
		d->slots[i] = (struct dslot){ .id = tc.id, .count = tc.count, .s = b.schema,
					      .rec = b.rec, .wanted = b.wanted };
		if (b.schema && b.schema->decodable && b.rec && b.wanted)
			total_cols += b.schema->ncols;
	}
	if (reserve((void **)&d->cols, sizeof(*d->cols), &d->cols_cap, total_cols ? total_cols : 1))
		return -ENOMEM;
	total_cols = 0;
	for (uint16_t i = 0; i < ci->ntypes; i++) {
		struct dslot *s = &d->slots[i];
		const uint8_t *sp, *send;

		if (take_part(&p, end, &sp, &send))
			return -EPROTO;
		if (!s->s || !s->s->decodable || !s->rec || !s->wanted)
			continue;
		s->cols = d->cols + total_cols;
		total_cols += s->s->ncols;
		int e = load_section(d, s, sp, send, why);

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
	d->done = 0;
	d->run_left = 0;
	d->run = NULL;
	d->ts = ci->min_ts;
	if (!err)
		*why = NULL;
	return err;
}

void chunk_dec__set_range(struct chunk_dec *d, uint64_t from, uint64_t to)
{
	d->from = from;
	d->to = to;
}

static struct dslot *find_slot(struct chunk_dec *d, uint64_t id)
{
	uint32_t lo = 0, hi = d->nslots;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->slots[mid].id == id)
			return &d->slots[mid];
		if (d->slots[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Advances s's cursors by one row, storing it in the record when store. */
static inline int decode_row(struct chunk_dec *d, struct dslot *s, uint64_t ts, bool store)
{
	uint8_t *rec = s->rec;

	for (uint32_t k = 0; k < s->ncols; k++) {
		struct dcol *c = &s->cols[k];
		uint64_t u, v;

		c->p = varint_get_unchecked(c->p, &u);
		if (__builtin_expect(c->p > c->end, 0))
			return -1;
		switch (c->enc) {
		case D_PLAIN_U:
			v = u;
			break;
		case D_PLAIN_S:
			v = (uint64_t)unzigzag(u);
			break;
		case D_DELTA:
			v = c->prev += (uint64_t)unzigzag(u);
			break;
		default:
			v = ts + (uint64_t)unzigzag(u);
		}
		if (!store)
			continue;
		if (c->op < S_STR)
			store_int(rec + c->off, c->op, v);
		else if (!store_dict(d, c, rec, v))
			return -1;
	}
	return 0;
}

int chunk_dec__next(struct chunk_dec *d, struct dec_event *ev, const char **why)
{
	for (;;) {
		struct dslot *s;
		uint64_t delta;

		if (d->done == d->events) {
			if (d->rp != d->rend || d->tp != d->tend) {
				*why = "chunk holds more data than its event count";
				d->events = d->done = 0;
				return -EPROTO;
			}
			return 1;
		}
		if (d->run_left == 0) {
			uint64_t id, n;

			if (varint_get(&d->rp, d->rend, &id) || varint_get(&d->rp, d->rend, &n) ||
			    n == 0 || n > d->events - d->done || !(d->run = find_slot(d, id))) {
				*why = "malformed type runs in chunk";
				return -EPROTO;
			}
			d->run_left = (uint32_t)n;
		}
		d->tp = varint_get_unchecked(d->tp, &delta);
		if (__builtin_expect(d->tp > d->tend, 0)) {
			*why = "chunk timestamps end early";
			return -EPROTO;
		}
		d->ts += (uint64_t)unzigzag(delta);
		d->done++;
		d->run_left--;
		s = d->run;
		if (__builtin_expect(++s->seen > s->count, 0)) {
			*why = "chunk type runs disagree with its type counts";
			return -EPROTO;
		}
		if (!s->usable) {
			if (!s->s) {
				d->unknown++;
				d->unknown_id = s->id;
			}
			continue;
		}
		if (!*s->wanted || d->ts < d->from || d->ts > d->to)
			continue;
		while (s->decoded + 1 < s->seen) {
			if (decode_row(d, s, 0, false))
				goto bad_row;
			s->decoded++;
		}
		/* TSREL rows skipped above used ts 0: their value is unused. */
		if (decode_row(d, s, d->ts, true))
			goto bad_row;
		s->decoded++;
		memcpy(s->rec + s->s->time_off, &d->ts, 8);
		ev->schema = s->s;
		ev->rec = s->rec;
		ev->ts = d->ts;
		ev->type = s->id;
		return 0;
	}
bad_row:
	*why = "malformed column data in chunk";
	return -EPROTO;
}

uint64_t chunk_dec__unknown_events(const struct chunk_dec *d, uint16_t *some_id)
{
	*some_id = d->unknown_id;
	return d->unknown;
}
