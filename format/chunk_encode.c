// SPDX-License-Identifier: MIT
/*
 * The writer's open chunk. Appending copies each field into a per-type
 * column of 64-bit values (strings and byte fields become indices into the
 * chunk's dictionary) straight from the caller's record, reading only the
 * bytes the fields use (a 256-byte path field is read up to its NUL);
 * sealing sorts the events by time, picks the cheapest encoding for every
 * column and compresses the body with LZ4.
 */
#include "chunk_encode.h"

#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "wire.h"

#define NO_ENTRY UINT32_MAX

enum col_op {
	OP_U8, OP_S8, OP_U16, OP_S16, OP_U32, OP_S32, OP_U64, OP_STR, OP_BYTES,
};

struct enc_col {
	uint64_t *v;    /* one value per row */
	uint16_t off;
	uint16_t size;
	uint16_t max;   /* STR: size - 1, the longest value; BYTES: size */
	uint8_t op;     /* enum col_op */
	bool is_signed;
	uint32_t last;  /* dictionary entry of the previous row, NO_ENTRY */
};

/* A column as a record is split into it: where its field is and the
 * array its values go to. */
struct split_col {
	uint64_t *v;
	uint16_t off;
	uint16_t col;  /* in enc_type.cols */
};

struct enc_type {
	const struct trace_schema *s;
	struct enc_col *cols;
	struct split_col *split; /* the columns by store kind (enum col_op order) */
	uint32_t nsplit[OP_BYTES + 1]; /* columns of each kind */
	uint64_t *ts;   /* per row */
	uint32_t ncols;
	uint32_t rows, cap;
	uint32_t row_fixed;    /* encoded bytes a row may take, dictionary aside */
	uint32_t row_dict_max; /* dictionary bytes a row may add */
	uint32_t row_need;     /* the two */
	uint32_t section_max;  /* section and column headers */
	uint16_t size, time_off; /* of the records */
};

struct dict_entry {
	uint32_t off, len;
	uint32_t hash;
	uint32_t uses;
};

struct ts_idx {
	uint64_t ts;
	uint32_t idx;
};

struct chunk_enc {
	struct enc_type *types;
	uint32_t ntypes;

	uint64_t *ev_ts;
	uint16_t *ev_type;
	uint32_t nev, ev_cap;

	uint32_t max_events;
	uint64_t max_bytes;
	uint64_t raw_bytes; /* of the records appended */
	uint64_t bound; /* upper bound of the encoded body */
	uint64_t seed;

	uint8_t *arena;
	size_t arena_len, arena_cap;
	struct dict_entry *dict;
	uint32_t ndict, dict_cap;
	uint32_t *slots; /* entry + 1; 0 is empty */
	uint32_t nslots;

	/* seal scratch, reused */
	uint8_t *raw;
	size_t raw_cap;
	uint8_t *out;
	size_t out_cap;
	struct ts_idx *order;
	uint32_t *dict_order; /* entries by decreasing use */
	uint32_t *dict_remap; /* entry -> its place in dict_order */
	uint32_t dict_scratch_cap;
	uint32_t *rowmap;
	uint32_t *gather;
	uint64_t *tmpv, *tmpts;
	size_t scratch_cap;
	struct chunk_type_count *counts;
};

/* Strings are handled 8 bytes at a time. The arena keeps WORD_SLACK bytes
 * after its entries so its words can be read whole; a record's are read
 * whole only within the field. */
#define WORD_SLACK 8

/* Dictionary, sizes and the type-run and timestamp columns' headers. */
#define BODY_OVERHEAD 64
/* A timestamp delta and, worst case, a run of its own. */
#define ROW_EVENT_MAX (VARINT_MAX + 8)

struct chunk_enc *chunk_enc__new(uint32_t max_events, uint32_t max_bytes, uint64_t seed)
{
	struct chunk_enc *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max_events = max_events;
	c->max_bytes = max_bytes;
	c->seed = seed;
	c->bound = BODY_OVERHEAD;
	return c;
}

void chunk_enc__free(struct chunk_enc *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->ntypes; i++) {
		struct enc_type *t = &c->types[i];

		for (uint32_t k = 0; k < t->ncols; k++)
			free(t->cols[k].v);
		free(t->cols);
		free(t->split);
		free(t->ts);
	}
	free(c->types);
	free(c->ev_ts);
	free(c->ev_type);
	free(c->arena);
	free(c->dict);
	free(c->slots);
	free(c->raw);
	free(c->out);
	free(c->order);
	free(c->dict_order);
	free(c->dict_remap);
	free(c->rowmap);
	free(c->gather);
	free(c->tmpv);
	free(c->tmpts);
	free(c->counts);
	free(c);
}

static void reset_col(struct enc_col *col)
{
	col->last = NO_ENTRY;
}

static uint8_t op_of(const struct schema_col *sc)
{
	switch (sc->type) {
	case TRACE_FIELD_U8: return OP_U8;
	case TRACE_FIELD_S8: return OP_S8;
	case TRACE_FIELD_U16: return OP_U16;
	case TRACE_FIELD_S16: return OP_S16;
	case TRACE_FIELD_U32: return OP_U32;
	case TRACE_FIELD_S32: return OP_S32;
	case TRACE_FIELD_STR: return OP_STR;
	case TRACE_FIELD_BYTES: return OP_BYTES;
	default: return OP_U64; /* s64 too: is_signed tells them apart */
	}
}

int chunk_enc__add_type(struct chunk_enc *c, const struct trace_schema *s)
{
	struct enc_type *types, *t;
	struct schema_col *sc = NULL;
	int err = -ENOMEM;

	if (c->ntypes && c->types[c->ntypes - 1].s->id >= s->id)
		return -EINVAL;
	types = realloc(c->types, (c->ntypes + 1) * sizeof(*types));
	if (!types)
		return -ENOMEM;
	c->types = types;
	struct chunk_type_count *counts = realloc(c->counts, (c->ntypes + 1) * sizeof(*counts));

	if (!counts)
		return -ENOMEM;
	c->counts = counts;
	t = &types[c->ntypes];
	memset(t, 0, sizeof(*t));
	t->s = s;
	t->ncols = s->ncols;
	t->cols = calloc(s->ncols ? s->ncols : 1, sizeof(*t->cols));
	sc = calloc(s->ncols ? s->ncols : 1, sizeof(*sc));
	if (!t->cols || !sc)
		goto cleanup;
	schema__columns(s, sc);
	t->row_fixed = ROW_EVENT_MAX;
	t->section_max = VARINT_MAX;
	for (uint32_t k = 0; k < s->ncols; k++) {
		struct enc_col *col = &t->cols[k];

		col->off = sc[k].off;
		col->size = sc[k].size;
		col->max = sc[k].type == TRACE_FIELD_STR ? sc[k].size - 1u : sc[k].size;
		col->op = op_of(&sc[k]);
		col->is_signed = sc[k].is_signed;
		reset_col(col);
		/* encoding, length, and FIXED's base and width */
		t->section_max += 2 + 2 * VARINT_MAX;
		if (sc[k].is_dict) {
			t->row_fixed += 5;
			t->row_dict_max += 3 + col->size;
		} else {
			/* zigzag can add a bit; varints carry 7 bits a byte */
			t->row_fixed += (col->size * 8 + 1 + 6) / 7;
		}
	}
	t->row_need = t->row_fixed + t->row_dict_max;
	t->size = s->size;
	t->time_off = s->time_off;
	/* the columns by store kind, so a record splits with a loop per kind */
	t->split = calloc(s->ncols ? s->ncols : 1, sizeof(*t->split));
	if (!t->split)
		goto cleanup;
	for (uint8_t op = 0, n = 0; op <= OP_BYTES; op++)
		for (uint32_t k = 0; k < s->ncols; k++)
			if (t->cols[k].op == op) {
				t->split[n++] = (struct split_col){ NULL, t->cols[k].off, (uint16_t)k };
				t->nsplit[op]++;
			}
	c->ntypes++;
	err = 0;
cleanup:
	if (err) {
		free(t->cols);
		free(t->split);
	}
	free(sc);
	return err;
}

uint32_t chunk_enc__events(const struct chunk_enc *c)
{
	return c->nev;
}

uint64_t chunk_enc__raw_bytes(const struct chunk_enc *c)
{
	return c->raw_bytes;
}

static int grow(void **p, size_t elem, uint32_t *cap, uint32_t want)
{
	uint32_t n = *cap ? *cap : 64;
	void *q;

	while (n < want)
		n *= 2;
	q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int grow_type(struct enc_type *t)
{
	uint32_t cap = t->cap, want = t->rows + 1;
	void *p;

	if (grow((void **)&t->ts, sizeof(*t->ts), &cap, want))
		return -ENOMEM;
	for (uint32_t k = 0; k < t->ncols; k++) {
		p = realloc(t->cols[k].v, (size_t)cap * sizeof(uint64_t));
		if (!p)
			return -ENOMEM; /* t->cap stays: columns keep their old size */
		t->cols[k].v = p;
	}
	for (uint32_t k = 0; k < t->ncols; k++)
		t->split[k].v = t->cols[t->split[k].col].v;
	t->cap = cap;
	return 0;
}

static int dict_rehash(struct chunk_enc *c, uint32_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->ndict; i++) {
		uint32_t h = c->dict[i].hash & (nslots - 1);

		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = i + 1;
	}
	free(c->slots);
	c->slots = slots;
	c->nslots = nslots;
	return 0;
}

#define HASH_MUL 0xff51afd7ed558ccdull

/* The low n (0-7) bytes of w. */
static inline uint64_t low_bytes(uint64_t w, uint32_t n)
{
	return w & ((1ull << (8 * n)) - 1);
}

/* The 8 bytes at p as a little-endian word, of which only avail (> 0) may
 * be read: those, zero-extended, when fewer than 8. */
static inline uint64_t load_word(const uint8_t *p, uint32_t avail)
{
	uint64_t w = 0;

	if (__builtin_expect(avail >= 8, 1))
		return get_le64(p);
	for (uint32_t i = 0; i < avail; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/*
 * Length and hash of the value of a STR (up to its first NUL, at most
 * size - 1 bytes) or BYTES (exactly size bytes) field of size bytes at p,
 * in one pass of 8-byte words: a NUL is found by the borrow of
 * w - 0x01...01, which marks the lowest zero byte exactly.
 */
static inline __attribute__((always_inline)) uint32_t scan_value(uint64_t seed, const uint8_t *p,
								 uint32_t size, bool str,
								 uint32_t *hash)
{
	uint32_t max = str ? size - 1 : size, i = 0;
	uint64_t h = seed;

	for (;;) {
		uint64_t w = load_word(p + i, size - i);
		uint32_t k = max - i < 8 ? max - i : 8;

		if (str) {
			uint64_t z = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;

			if (z && (uint32_t)__builtin_ctzll(z) / 8 < k)
				k = (uint32_t)__builtin_ctzll(z) / 8;
		}
		if (k < 8) {
			h = (h ^ low_bytes(w, k)) * HASH_MUL;
			i += k;
			break;
		}
		h = (h ^ w) * HASH_MUL;
		h ^= h >> 32;
		i += 8;
		if (i == max)
			break;
	}
	h = (h ^ i) * 0xc4ceb9fe1a85ec53ull;
	*hash = (uint32_t)(h ^ h >> 29);
	return i;
}

/* a[0..n) == b[0..n): a with WORD_SLACK readable bytes after, b with
 * avail >= n readable bytes. */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, uint32_t n, uint32_t avail)
{
	uint32_t i = 0;

	for (; i + 8 <= n; i += 8)
		if (get_le64(a + i) != get_le64(b + i))
			return false;
	return i == n || low_bytes(get_le64(a + i) ^ load_word(b + i, avail - i), n - i) == 0;
}

/* The dictionary entry for bytes p[0..len) (of a field of size bytes) of
 * hash h, added when new. */
static int64_t dict_intern(struct chunk_enc *c, const uint8_t *p, uint32_t len, uint32_t size,
			   uint32_t h)
{
	uint32_t i;

	if (c->ndict * 2 >= c->nslots && dict_rehash(c, c->nslots ? c->nslots * 2 : 1024))
		return -ENOMEM;
	for (i = h & (c->nslots - 1); c->slots[i]; i = (i + 1) & (c->nslots - 1)) {
		const struct dict_entry *e = &c->dict[c->slots[i] - 1];

		if (e->hash == h && e->len == len && same_bytes(c->arena + e->off, p, len, size))
			return c->slots[i] - 1;
	}
	if (c->ndict == c->dict_cap &&
	    grow((void **)&c->dict, sizeof(*c->dict), &c->dict_cap, c->ndict + 1))
		return -ENOMEM;
	if (c->arena_len + len + 1 + WORD_SLACK > c->arena_cap || !c->arena) {
		size_t cap = c->arena_cap ? c->arena_cap : 4096;
		uint8_t *a;

		while (cap < c->arena_len + len + 1 + WORD_SLACK)
			cap *= 2;
		a = realloc(c->arena, cap);
		if (!a)
			return -ENOMEM;
		c->arena = a;
		c->arena_cap = cap;
	}
	/* each entry is followed by a NUL, so that a STR field's value and
	 * its terminator compare with it in one go */
	memcpy(c->arena + c->arena_len, p, len);
	c->arena[c->arena_len + len] = 0;
	c->dict[c->ndict] = (struct dict_entry){ .off = (uint32_t)c->arena_len, .len = len, .hash = h };
	c->arena_len += len + 1;
	c->slots[i] = ++c->ndict;
	c->bound += varint_len(len) + len;
	return c->ndict - 1;
}

/* The dictionary entry of a STR or BYTES field's value. Most values
 * repeat the previous row's (comm, call, hot paths): that is checked first,
 * without a hash, against the entry's bytes and the NUL after them. */
static inline int64_t intern_field(struct chunk_enc *c, struct enc_col *col, const uint8_t *p)
{
	uint32_t h, len;
	int64_t e;

	if (col->last != NO_ENTRY) {
		struct dict_entry *d = &c->dict[col->last];
		/* a STR shorter than the field allows: its NUL too */
		uint32_t n = d->len + (col->op == OP_STR && d->len < col->max);

		if (same_bytes(c->arena + d->off, p, n, col->size)) {
			d->uses++;
			return col->last;
		}
	}
	len = scan_value(c->seed, p, col->size, col->op == OP_STR, &h);
	e = dict_intern(c, p, len, col->size, h);
	if (e >= 0) {
		col->last = (uint32_t)e;
		c->dict[e].uses++;
	}
	return e;
}

/* The fields of a record into row `row` of t's columns: a loop per store
 * kind over flat (array, offset) pairs. */
static int split(struct chunk_enc *c, struct enc_type *t, const uint8_t *rec, uint32_t row)
{
	const struct split_col *sc = t->split;

#define SPLIT_INT(OP, TYPE)                                             \
	for (uint32_t n = t->nsplit[OP]; n > 0; n--, sc++) {            \
		TYPE x;                                                 \
                                                                        \
		memcpy(&x, rec + sc->off, sizeof(x));                   \
		sc->v[row] = (uint64_t)(int64_t)x;                      \
	}
	SPLIT_INT(OP_U8, uint8_t)
	SPLIT_INT(OP_S8, int8_t)
	SPLIT_INT(OP_U16, uint16_t)
	SPLIT_INT(OP_S16, int16_t)
	SPLIT_INT(OP_U32, uint32_t)
	SPLIT_INT(OP_S32, int32_t)
	SPLIT_INT(OP_U64, uint64_t)
#undef SPLIT_INT
	for (uint32_t n = t->nsplit[OP_STR] + t->nsplit[OP_BYTES]; n > 0; n--, sc++) {
		int64_t e = intern_field(c, &t->cols[sc->col], rec + sc->off);

		if (e < 0)
			return (int)e;
		sc->v[row] = (uint64_t)e;
	}
	return 0;
}

/* Room for one more row: the column arrays and the event arrays. */
static int make_room(struct chunk_enc *c, struct enc_type *t)
{
	if (t->rows == t->cap && grow_type(t))
		return -ENOMEM;
	if (c->nev == c->ev_cap) {
		uint32_t cap = c->ev_cap;

		if (grow((void **)&c->ev_ts, sizeof(*c->ev_ts), &cap, c->nev + 1))
			return -ENOMEM;
		cap = c->ev_cap;
		if (grow((void **)&c->ev_type, sizeof(*c->ev_type), &cap, c->nev + 1))
			return -ENOMEM;
		c->ev_cap = cap;
	}
	return 0;
}

int chunk_enc__append(struct chunk_enc *c, unsigned ti, const void *rec, size_t size)
{
	struct enc_type *t = &c->types[ti];
	uint32_t nev = c->nev;
	uint64_t ts, need = t->row_need + (t->rows ? 0 : t->section_max);
	int err;

	if (__builtin_expect(size != t->size, 0))
		return -EINVAL;
	/* the row may grow the dictionary by row_dict_max at most; interning
	 * adds what it really takes */
	if (__builtin_expect(nev && (nev >= c->max_events || c->bound + need > c->max_bytes), 0))
		return 1;
	if (__builtin_expect(t->rows == t->cap || nev == c->ev_cap, 0) && (err = make_room(c, t)))
		return err;
	/* The record often comes from memory no cache of this CPU holds (a
	 * ring another CPU filled, a large buffer): its next lines, where the
	 * strings mostly are, are fetched while the first is split. */
	if (t->size > 64)
		__builtin_prefetch((const uint8_t *)rec + 64);
	if (t->size > 128)
		__builtin_prefetch((const uint8_t *)rec + 128);
	err = split(c, t, rec, t->rows);
	if (err)
		return err;
	memcpy(&ts, (const uint8_t *)rec + t->time_off, 8);
	t->ts[t->rows] = ts;
	c->bound += t->row_fixed + (t->rows ? 0 : t->section_max);
	t->rows++;
	c->ev_ts[nev] = ts;
	c->ev_type[nev] = (uint16_t)ti;
	c->nev = nev + 1;
	c->raw_bytes += t->size;
	return nev ? 0 : 2;
}

/* ---- sealing ------------------------------------------------------------ */

static int cmp_ts_idx(const void *a, const void *b)
{
	const struct ts_idx *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Stable sort by time. Ring buffers deliver nearly sorted input, so
 * insertion sort with a bounded number of moves, else qsort. */
static void sort_events(struct chunk_enc *c)
{
	struct ts_idx *o = c->order;
	uint32_t n = c->nev;
	uint64_t budget = (uint64_t)n * 8, moves = 0;

	for (uint32_t i = 0; i < n; i++)
		o[i] = (struct ts_idx){ c->ev_ts[i], i };
	for (uint32_t i = 1; i < n; i++) {
		struct ts_idx key = o[i];
		uint32_t j = i;

		while (j > 0 && o[j - 1].ts > key.ts) {
			o[j] = o[j - 1];
			j--;
			if (++moves > budget) {
				o[j] = key; /* fill the hole before giving up */
				qsort(o, n, sizeof(*o), cmp_ts_idx);
				return;
			}
		}
		o[j] = key;
	}
}

static int ensure_scratch(struct chunk_enc *c, size_t n)
{
	if (n <= c->scratch_cap)
		return 0;
	void *a = realloc(c->order, n * sizeof(*c->order));

	if (!a)
		return -ENOMEM;
	c->order = a;
	a = realloc(c->rowmap, n * sizeof(*c->rowmap));
	if (!a)
		return -ENOMEM;
	c->rowmap = a;
	a = realloc(c->gather, n * sizeof(*c->gather));
	if (!a)
		return -ENOMEM;
	c->gather = a;
	a = realloc(c->tmpv, n * sizeof(*c->tmpv));
	if (!a)
		return -ENOMEM;
	c->tmpv = a;
	a = realloc(c->tmpts, n * sizeof(*c->tmpts));
	if (!a)
		return -ENOMEM;
	c->tmpts = a;
	c->scratch_cap = n;
	return 0;
}

/* A length-prefixed part: 5 bytes are reserved for the length and the
 * body moved down once its size is known. */
static uint8_t *part_begin(uint8_t *p)
{
	return p + 5;
}

static uint8_t *part_end(uint8_t *start, uint8_t *end)
{
	uint8_t *body = start + 5;
	size_t len = (size_t)(end - body);
	uint8_t *q = varint_put(start, len);

	memmove(q, body, len);
	return q + len;
}

struct col_choice {
	uint8_t enc;
	uint8_t width; /* FIXED */
	uint64_t base; /* FIXED */
	uint64_t size; /* estimated from a sample (varint encodings) */
};

/*
 * FIXED costs some bytes over the varint encodings but decodes with no
 * data-dependent branches (and LZ4 often takes back much of the
 * difference): it is chosen when it is within 1/FIXED_SLACK of the
 * smallest varint encoding.
 */
#define FIXED_SLACK 4

static unsigned bytes_for(uint64_t range)
{
	return range ? (64 - (unsigned)__builtin_clzll(range) + 7) / 8 : 1;
}

/* Rows whose varint sizes are summed to pick an encoding; the choice only
 * affects size, so an even sample of a long column is as good as all. */
#define CHOOSE_SAMPLE 512

/* The range of the plain values of v[0..n), and whether all are equal. */
static void value_range(const uint64_t *v, uint32_t n, bool sign, uint64_t *lo, uint64_t *hi)
{
	uint64_t l = UINT64_MAX, h = 0;

	if (sign) {
		for (uint32_t i = 0; i < n; i++) {
			uint64_t x = zigzag((int64_t)v[i]);

			l = x < l ? x : l;
			h = x > h ? x : h;
		}
	} else {
		for (uint32_t i = 0; i < n; i++) {
			l = v[i] < l ? v[i] : l;
			h = v[i] > h ? v[i] : h;
		}
	}
	*lo = l;
	*hi = h;
}

/*
 * Picks a column's encoding from the varint sizes of an even sample of its
 * rows. CONST and FIXED need the exact range of the values, taken with a
 * pass over them only when the sample's range says they may win (the
 * sample's range is within the whole's). known: lo and hi are already
 * exact (dictionary columns).
 */
static struct col_choice choose(const uint64_t *v, const uint64_t *ts, uint32_t n, bool sign,
				bool tsrel_ok, bool known, uint64_t lo, uint64_t hi)
{
	uint64_t plain = 0, delta = 0, tsrel = 0, samples = 0, slo = UINT64_MAX, shi = 0;
	uint32_t step = n > CHOOSE_SAMPLE ? n / CHOOSE_SAMPLE : 1;

	for (uint32_t i = step / 2; i < n; i += step) {
		uint64_t x = v[i], prev = i ? v[i - 1] : 0, px = sign ? zigzag((int64_t)x) : x;

		plain += varint_len(px);
		delta += varint_len(zigzag((int64_t)(x - prev)));
		if (tsrel_ok)
			tsrel += varint_len(zigzag((int64_t)(x - ts[i])));
		slo = px < slo ? px : slo;
		shi = px > shi ? px : shi;
		samples++;
	}
	if (!known && (slo == shi || n <= CHOOSE_SAMPLE)) {
		value_range(v, n, sign, &lo, &hi);
		known = true;
	}
	if (known && lo == hi)
		return (struct col_choice){ .enc = ENC_CONST };
	struct col_choice best = { .enc = ENC_PLAIN, .size = plain };

	if (delta < best.size)
		best = (struct col_choice){ .enc = ENC_DELTA, .size = delta };
	if (tsrel_ok && tsrel < best.size)
		best = (struct col_choice){ .enc = ENC_TSREL, .size = tsrel };
	if ((uint64_t)bytes_for(shi - slo) * samples > best.size + best.size / FIXED_SLACK)
		return best;
	if (!known)
		value_range(v, n, sign, &lo, &hi);
	unsigned w = bytes_for(hi - lo);

	if ((uint64_t)w * samples <= best.size + best.size / FIXED_SLACK)
		best = (struct col_choice){ .enc = ENC_FIXED, .width = (uint8_t)w, .base = lo };
	return best;
}

static uint8_t *put_column(uint8_t *p, struct col_choice ch, const uint64_t *v, const uint64_t *ts,
			   uint32_t n, bool sign)
{
	uint64_t prev = 0;
	uint8_t *part;

	*p++ = ch.enc;
	part = p;
	p = part_begin(p);
	switch (ch.enc) {
	case ENC_CONST:
		p = varint_put(p, sign ? zigzag((int64_t)v[0]) : v[0]);
		break;
	case ENC_PLAIN:
		if (sign)
			for (uint32_t i = 0; i < n; i++)
				p = varint_put_fast(p, zigzag((int64_t)v[i]));
		else
			for (uint32_t i = 0; i < n; i++)
				p = varint_put_fast(p, v[i]);
		break;
	case ENC_DELTA:
		for (uint32_t i = 0; i < n; i++) {
			p = varint_put_fast(p, zigzag((int64_t)(v[i] - prev)));
			prev = v[i];
		}
		break;
	case ENC_TSREL:
		for (uint32_t i = 0; i < n; i++)
			p = varint_put_fast(p, zigzag((int64_t)(v[i] - ts[i])));
		break;
	default:
		/* FIXED: 8-byte stores, each overwritten by the next from
		 * width bytes on (the buffer has the slack) */
		p = varint_put(p, ch.base);
		*p++ = ch.width;
		if (sign)
			for (uint32_t i = 0; i < n; i++, p += ch.width)
				put_le64(p, zigzag((int64_t)v[i]) - ch.base);
		else
			for (uint32_t i = 0; i < n; i++, p += ch.width)
				put_le64(p, v[i] - ch.base);
	}
	return part_end(part, p);
}

static int cmp_uses(const void *a, const void *b, void *ctx)
{
	const struct dict_entry *d = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (d[x].uses != d[y].uses)
		return d[x].uses > d[y].uses ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* dict_order: entries by decreasing use; dict_remap its inverse. */
static int order_dict(struct chunk_enc *c)
{
	if (c->ndict > c->dict_scratch_cap) {
		uint32_t *o = realloc(c->dict_order, c->ndict * sizeof(*o));

		if (!o)
			return -ENOMEM;
		c->dict_order = o;
		o = realloc(c->dict_remap, c->ndict * sizeof(*o));
		if (!o)
			return -ENOMEM;
		c->dict_remap = o;
		c->dict_scratch_cap = c->ndict;
	}
	if (!c->ndict)
		return 0;
	for (uint32_t i = 0; i < c->ndict; i++)
		c->dict_order[i] = i;
	qsort_r(c->dict_order, c->ndict, sizeof(*c->dict_order), cmp_uses, c->dict);
	for (uint32_t i = 0; i < c->ndict; i++)
		c->dict_remap[c->dict_order[i]] = i;
	return 0;
}

static void reset(struct chunk_enc *c)
{
	for (uint32_t i = 0; i < c->ntypes; i++) {
		c->types[i].rows = 0;
		for (uint32_t k = 0; k < c->types[i].ncols; k++)
			reset_col(&c->types[i].cols[k]);
	}
	c->nev = 0;
	c->raw_bytes = 0;
	c->ndict = 0;
	c->arena_len = 0;
	if (c->slots)
		memset(c->slots, 0, c->nslots * sizeof(*c->slots));
	c->bound = BODY_OVERHEAD;
}

int chunk_enc__seal(struct chunk_enc *c, struct chunk_sealed *out)
{
	uint32_t n = c->nev, ntypes = 0;
	bool sorted = true;
	uint8_t *p, *part;
	uint64_t prev_ts;
	size_t hdr, cap;

	if (n == 0)
		return -EINVAL;
	if (ensure_scratch(c, n))
		return -ENOMEM;
	if (c->raw_cap < c->bound + 16) {
		/* grow geometrically: a buffer freed and allocated anew each
		 * chunk costs page faults on every use */
		size_t cap = c->bound + 16 > 2 * c->raw_cap ? c->bound + 16 : 2 * c->raw_cap;

		free(c->raw);
		c->raw = malloc(cap);
		c->raw_cap = c->raw ? cap : 0;
		if (!c->raw)
			return -ENOMEM;
	}
	for (uint32_t i = 1; i < n && sorted; i++)
		sorted = c->ev_ts[i] >= c->ev_ts[i - 1];
	if (!sorted) {
		/* Row of each event within its type, then each type's rows in
		 * time order, contiguous per type. */
		uint32_t *base = c->gather; /* reused below as the gather list */
		uint32_t off = 0;

		sort_events(c);
		{
			/* per-type running row number, in rowmap */
			uint32_t *seen = calloc(c->ntypes, sizeof(*seen));
			uint32_t *start = calloc(c->ntypes, sizeof(*start));

			if (!seen || !start) {
				free(seen);
				free(start);
				return -ENOMEM;
			}
			for (uint32_t i = 0; i < n; i++)
				c->rowmap[i] = seen[c->ev_type[i]]++;
			for (uint32_t t = 0; t < c->ntypes; t++) {
				start[t] = off;
				off += c->types[t].rows;
			}
			for (uint32_t i = 0; i < n; i++) {
				uint32_t e = c->order[i].idx;

				base[start[c->ev_type[e]]++] = c->rowmap[e];
			}
			free(seen);
			free(start);
		}
	}

	if (order_dict(c))
		return -ENOMEM;
	p = c->raw;
	/* dictionary, most used entries first: their indices are 1-byte
	 * varints, which also decode without mispredicted branches */
	p = varint_put(p, c->ndict);
	part = p;
	p = part_begin(p);
	for (uint32_t k = 0; k < c->ndict; k++) {
		const struct dict_entry *e = &c->dict[c->dict_order[k]];

		p = varint_put(p, e->len);
		memcpy(p, c->arena + e->off, e->len);
		p += e->len;
	}
	p = part_end(part, p);
	/* type runs */
	part = p;
	p = part_begin(p);
	for (uint32_t i = 0; i < n;) {
		uint16_t t = c->ev_type[sorted ? i : c->order[i].idx];
		uint32_t j = i + 1;

		while (j < n && c->ev_type[sorted ? j : c->order[j].idx] == t)
			j++;
		p = varint_put(p, c->types[t].s->id);
		p = varint_put(p, j - i);
		i = j;
	}
	p = part_end(part, p);
	/* timestamps */
	out->min_ts = sorted ? c->ev_ts[0] : c->order[0].ts;
	out->max_ts = sorted ? c->ev_ts[n - 1] : c->order[n - 1].ts;
	prev_ts = out->min_ts;
	part = p;
	p = part_begin(p);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ts = sorted ? c->ev_ts[i] : c->order[i].ts;

		p = varint_put_fast(p, zigzag((int64_t)(ts - prev_ts)));
		prev_ts = ts;
	}
	p = part_end(part, p);
	/* one section per type present, in id order */
	uint32_t gbase = 0;

	for (uint32_t t = 0; t < c->ntypes; t++) {
		struct enc_type *ty = &c->types[t];
		const uint64_t *ts = ty->ts;
		uint32_t rows = ty->rows;

		if (!rows)
			continue;
		c->counts[ntypes++] = (struct chunk_type_count){ ty->s->id, rows };
		if (!sorted) {
			const uint32_t *g = c->gather + gbase;

			for (uint32_t i = 0; i < rows; i++)
				c->tmpts[i] = ty->ts[g[i]];
			ts = c->tmpts;
		}
		part = p;
		p = part_begin(p);
		for (uint32_t k = 0; k < ty->ncols; k++) {
			const struct enc_col *col = &ty->cols[k];
			const uint64_t *v = col->v;

			if (!sorted) {
				const uint32_t *g = c->gather + gbase;

				for (uint32_t i = 0; i < rows; i++)
					c->tmpv[i] = col->v[g[i]];
				v = c->tmpv;
			}
			bool known = false;
			uint64_t lo = 0, hi = 0;

			if (col->op >= OP_STR) {
				/* dictionary indices in their sorted order */
				uint64_t *dst = sorted ? col->v : c->tmpv;

				lo = UINT64_MAX;
				for (uint32_t i = 0; i < rows; i++) {
					uint64_t x = c->dict_remap[v[i]];

					dst[i] = x;
					lo = x < lo ? x : lo;
					hi = x > hi ? x : hi;
				}
				known = true;
				v = dst;
			}
			struct col_choice ch = choose(v, ts, rows, col->is_signed,
						      col->op == OP_U64, known, lo, hi);

			p = put_column(p, ch, v, ts, rows, col->is_signed);
		}
		p = part_end(part, p);
		gbase += rows;
	}

	size_t raw_len = (size_t)(p - c->raw);

	/* Header, then the body compressed when that helps. */
	hdr = BLOCK_HEADER_SIZE + CHUNK_HEADER_FIXED + (size_t)ntypes * CHUNK_TYPE_ENTRY;
	cap = hdr + (size_t)LZ4_compressBound((int)raw_len);
	if (cap > c->out_cap) {
		cap = cap > 2 * c->out_cap ? cap : 2 * c->out_cap;
		free(c->out);
		c->out = malloc(cap);
		c->out_cap = c->out ? cap : 0;
		if (!c->out)
			return -ENOMEM;
	}
	uint8_t *h = c->out + BLOCK_HEADER_SIZE;
	int clen = LZ4_compress_default((const char *)c->raw, (char *)c->out + hdr, (int)raw_len,
					(int)(cap - hdr));
	uint8_t codec = CODEC_LZ4;

	if (clen <= 0 || (size_t)clen >= raw_len) {
		memcpy(c->out + hdr, c->raw, raw_len);
		clen = (int)raw_len;
		codec = CODEC_NONE;
	}
	put_le32(h, (uint32_t)raw_len);
	put_le32(h + 4, n);
	put_le64(h + 8, out->min_ts);
	put_le64(h + 16, out->max_ts);
	h[24] = codec;
	h[25] = 0;
	put_le16(h + 26, (uint16_t)ntypes);
	put_le32(h + 28, 0);
	for (uint32_t i = 0; i < ntypes; i++) {
		uint8_t *e = h + CHUNK_HEADER_FIXED + i * CHUNK_TYPE_ENTRY;

		put_le16(e, c->counts[i].id);
		put_le16(e + 2, 0);
		put_le32(e + 4, c->counts[i].count);
	}
	out->block = c->out;
	out->block_len = hdr + (size_t)clen;
	out->payload_len = (uint32_t)(out->block_len - BLOCK_HEADER_SIZE);
	out->events = n;
	out->ntypes = ntypes;
	out->types = c->counts;
	reset(c);
	return 0;
}
