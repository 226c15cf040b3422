// SPDX-License-Identifier: MIT
/* INDEX and TRAILER payloads, and the bounded in-memory index. */
#include "index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "wire.h"

/* Past this many bytes of entries, neighbours merge as when full. */
#define INDEX_MAX_ENTRY_BYTES (8u << 20)

void index__init(struct index *ix)
{
	memset(ix, 0, sizeof(*ix));
	ix->chunks_per_entry = 1;
	ix->min_ts = UINT64_MAX;
}

void index__free(struct index *ix)
{
	for (uint32_t i = 0; i < ix->n; i++)
		free(ix->entries[i].types);
	free(ix->entries);
	free(ix->meta);
	free(ix->cals);
	free(ix->totals);
	index__init(ix);
}

static int grow(void **p, size_t elem, uint32_t *cap)
{
	uint32_t n = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, (size_t)n * elem);

	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Adds count to id in a sorted list of n entries (room for one more). */
static void count_add(struct index_count *list, uint32_t *n, uint16_t id, uint64_t count)
{
	uint32_t i = 0;

	while (i < *n && list[i].id < id)
		i++;
	if (i < *n && list[i].id == id) {
		list[i].count += count;
		return;
	}
	memmove(list + i + 1, list + i, (*n - i) * sizeof(*list));
	list[i] = (struct index_count){ id, count };
	(*n)++;
}

static size_t entry_size(const struct index_entry *e)
{
	return INDEX_ENTRY_FIXED + (size_t)e->ntypes * INDEX_COUNT_SIZE;
}

/* Merges b into a (consecutive runs). */
static int entry_merge(struct index_entry *a, struct index_entry *b)
{
	struct index_count *t = malloc(((size_t)a->ntypes + b->ntypes) * sizeof(*t));
	uint32_t n = a->ntypes;

	if (!t)
		return -ENOMEM;
	memcpy(t, a->types, a->ntypes * sizeof(*t));
	for (uint16_t i = 0; i < b->ntypes; i++)
		count_add(t, &n, b->types[i].id, b->types[i].count);
	free(a->types);
	free(b->types);
	b->types = NULL;
	a->types = t;
	a->ntypes = (uint16_t)n;
	a->events += b->events;
	a->nchunks += b->nchunks;
	if (b->min_ts < a->min_ts)
		a->min_ts = b->min_ts;
	if (b->max_ts > a->max_ts)
		a->max_ts = b->max_ts;
	return 0;
}

static int coalesce(struct index *ix)
{
	uint32_t out = 0;

	ix->entry_bytes = 0;
	for (uint32_t i = 0; i < ix->n; i += 2) {
		if (i + 1 < ix->n && entry_merge(&ix->entries[i], &ix->entries[i + 1]))
			return -ENOMEM;
		ix->entries[out] = ix->entries[i];
		ix->entry_bytes += entry_size(&ix->entries[out]);
		out++;
	}
	ix->n = out;
	ix->chunks_per_entry *= 2;
	return 0;
}

int index__add_chunk(struct index *ix, uint64_t offset, uint64_t min_ts, uint64_t max_ts,
		     const struct chunk_type_count *types, uint32_t ntypes)
{
	struct index_entry *e;
	uint64_t events = 0;
	uint32_t n;

	if (ix->n && ix->entries[ix->n - 1].nchunks >= ix->chunks_per_entry &&
	    (ix->n >= INDEX_MAX_ENTRIES || ix->entry_bytes > INDEX_MAX_ENTRY_BYTES) &&
	    coalesce(ix))
		return -ENOMEM;
	for (uint32_t i = 0; i < ntypes; i++) {
		events += types[i].count;
		if (ix->ntotals == ix->totals_cap &&
		    grow((void **)&ix->totals, sizeof(*ix->totals), &ix->totals_cap))
			return -ENOMEM;
		count_add(ix->totals, &ix->ntotals, types[i].id, types[i].count);
	}
	if (!ix->n || ix->entries[ix->n - 1].nchunks >= ix->chunks_per_entry) {
		if (ix->n == ix->cap && grow((void **)&ix->entries, sizeof(*ix->entries), &ix->cap))
			return -ENOMEM;
		e = &ix->entries[ix->n++];
		*e = (struct index_entry){ .offset = offset, .min_ts = min_ts, .max_ts = max_ts };
		ix->entry_bytes += INDEX_ENTRY_FIXED;
	} else {
		e = &ix->entries[ix->n - 1];
		if (min_ts < e->min_ts)
			e->min_ts = min_ts;
		if (max_ts > e->max_ts)
			e->max_ts = max_ts;
	}
	struct index_count *t = realloc(e->types, ((size_t)e->ntypes + ntypes) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	e->types = t;
	n = e->ntypes;
	for (uint32_t i = 0; i < ntypes; i++)
		count_add(e->types, &n, types[i].id, types[i].count);
	ix->entry_bytes += (n - e->ntypes) * (size_t)INDEX_COUNT_SIZE;
	e->ntypes = (uint16_t)n;
	e->events += events;
	e->nchunks++;
	ix->chunks++;
	ix->events += events;
	if (min_ts < ix->min_ts)
		ix->min_ts = min_ts;
	if (max_ts > ix->max_ts)
		ix->max_ts = max_ts;
	return 0;
}

int index__add_meta(struct index *ix, uint64_t offset)
{
	if (ix->nmeta == ix->meta_cap && grow((void **)&ix->meta, sizeof(*ix->meta), &ix->meta_cap))
		return -ENOMEM;
	ix->meta[ix->nmeta++] = offset;
	return 0;
}

int index__add_calibration(struct index *ix, const struct trace_calibration *c)
{
	if (ix->ncal >= INDEX_MAX_CALIBRATIONS) {
		/* Thin out every other one, keeping the first; a week of
		 * calibrations a second still leaves one every few seconds. */
		uint32_t out = 0;

		for (uint32_t i = 0; i < ix->ncal; i += 2)
			ix->cals[out++] = ix->cals[i];
		ix->ncal = out;
	}
	if (ix->ncal == ix->cal_cap && grow((void **)&ix->cals, sizeof(*ix->cals), &ix->cal_cap))
		return -ENOMEM;
	ix->cals[ix->ncal++] = *c;
	return 0;
}

size_t index__encoded_size(const struct index *ix)
{
	return INDEX_HEADER + (size_t)ix->nmeta * 8 + (size_t)ix->ncal * CALIBRATION_PAYLOAD +
	       (size_t)ix->ntotals * INDEX_COUNT_SIZE + ix->entry_bytes;
}

static uint8_t *put_count(uint8_t *p, const struct index_count *c)
{
	put_le16(p, c->id);
	put_le16(p + 2, 0);
	put_le32(p + 4, 0);
	put_le64(p + 8, c->count);
	return p + INDEX_COUNT_SIZE;
}

void index__encode(const struct index *ix, uint8_t *out)
{
	uint8_t *p = out + INDEX_HEADER;

	put_le32(out, ix->n);
	put_le32(out + 4, ix->ncal);
	put_le32(out + 8, ix->ntotals);
	put_le32(out + 12, ix->nmeta);
	put_le64(out + 16, ix->chunks);
	put_le64(out + 24, ix->events);
	put_le64(out + 32, ix->chunks ? ix->min_ts : 0);
	put_le64(out + 40, ix->chunks ? ix->max_ts : 0);
	for (uint32_t i = 0; i < ix->nmeta; i++, p += 8)
		put_le64(p, ix->meta[i]);
	for (uint32_t i = 0; i < ix->ncal; i++, p += CALIBRATION_PAYLOAD)
		calibration__encode(p, &ix->cals[i]);
	for (uint32_t i = 0; i < ix->ntotals; i++)
		p = put_count(p, &ix->totals[i]);
	for (uint32_t i = 0; i < ix->n; i++) {
		const struct index_entry *e = &ix->entries[i];

		put_le64(p, e->offset);
		put_le64(p + 8, e->events);
		put_le64(p + 16, e->min_ts);
		put_le64(p + 24, e->max_ts);
		put_le32(p + 32, e->nchunks);
		put_le16(p + 36, e->ntypes);
		put_le16(p + 38, 0);
		p += INDEX_ENTRY_FIXED;
		for (uint16_t k = 0; k < e->ntypes; k++)
			p = put_count(p, &e->types[k]);
	}
}

static int get_counts(const uint8_t **pp, const uint8_t *end, uint32_t n,
		      struct index_count *out)
{
	const uint8_t *p = *pp;
	uint32_t prev = 0;

	if ((size_t)(end - p) / INDEX_COUNT_SIZE < n)
		return -EPROTO;
	for (uint32_t i = 0; i < n; i++, p += INDEX_COUNT_SIZE) {
		uint16_t id = get_le16(p);

		if (id <= prev || get_le16(p + 2) || get_le32(p + 4))
			return -EPROTO;
		out[i] = (struct index_count){ id, get_le64(p + 8) };
		prev = id;
	}
	*pp = p;
	return 0;
}

int index__decode(struct index *ix, const uint8_t *p, size_t len, uint64_t file_size)
{
	const uint8_t *end = p + len;
	uint32_t n, ncal, ntot, nmeta;
	uint64_t prev_off = 0;

	index__init(ix);
	if (len < INDEX_HEADER)
		return -EPROTO;
	n = get_le32(p);
	ncal = get_le32(p + 4);
	ntot = get_le32(p + 8);
	nmeta = get_le32(p + 12);
	ix->chunks = get_le64(p + 16);
	ix->events = get_le64(p + 24);
	ix->min_ts = get_le64(p + 32);
	ix->max_ts = get_le64(p + 40);
	p += INDEX_HEADER;
	/* Every count is checked against the bytes left before allocating. */
	if ((uint64_t)nmeta * 8 + (uint64_t)ncal * CALIBRATION_PAYLOAD +
		    (uint64_t)ntot * INDEX_COUNT_SIZE + (uint64_t)n * INDEX_ENTRY_FIXED >
	    (uint64_t)(end - p) || ntot > 65535 || ix->min_ts > ix->max_ts)
		goto bad;
	ix->meta = malloc((nmeta ? nmeta : 1) * sizeof(*ix->meta));
	ix->cals = malloc((ncal ? ncal : 1) * sizeof(*ix->cals));
	ix->totals = malloc((ntot ? ntot : 1) * sizeof(*ix->totals));
	ix->entries = calloc(n ? n : 1, sizeof(*ix->entries));
	if (!ix->meta || !ix->cals || !ix->totals || !ix->entries)
		goto bad;
	ix->meta_cap = nmeta;
	ix->cal_cap = ncal;
	ix->totals_cap = ntot;
	ix->cap = n;
	for (uint32_t i = 0; i < nmeta; i++, p += 8) {
		ix->meta[i] = get_le64(p);
		if (ix->meta[i] < FILE_HEADER_SIZE || ix->meta[i] >= file_size)
			goto bad;
	}
	ix->nmeta = nmeta;
	for (uint32_t i = 0; i < ncal; i++, p += CALIBRATION_PAYLOAD)
		calibration__decode(p, &ix->cals[i]);
	ix->ncal = ncal;
	if (get_counts(&p, end, ntot, ix->totals))
		goto bad;
	ix->ntotals = ntot;
	for (uint32_t i = 0; i < n; i++) {
		struct index_entry *e = &ix->entries[i];

		if (end - p < INDEX_ENTRY_FIXED)
			goto bad;
		e->offset = get_le64(p);
		e->events = get_le64(p + 8);
		e->min_ts = get_le64(p + 16);
		e->max_ts = get_le64(p + 24);
		e->nchunks = get_le32(p + 32);
		e->ntypes = get_le16(p + 36);
		p += INDEX_ENTRY_FIXED;
		if (get_le16(p - 2) || e->offset <= prev_off || e->offset < FILE_HEADER_SIZE ||
		    e->offset >= file_size || e->nchunks == 0 || e->min_ts > e->max_ts)
			goto bad;
		prev_off = e->offset;
		e->types = malloc((e->ntypes ? e->ntypes : 1) * sizeof(*e->types));
		ix->n = i + 1;
		if (!e->types || get_counts(&p, end, e->ntypes, e->types))
			goto bad;
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	index__free(ix);
	return -EPROTO;
}

void trailer__encode(uint8_t out[16], uint64_t index_offset)
{
	put_le64(out, index_offset);
	put_le64(out + 8, 0);
}

int trailer__decode(const uint8_t in[16], uint64_t *index_offset)
{
	*index_offset = get_le64(in);
	return get_le64(in + 8) == 0 ? 0 : -EPROTO;
}

void calibration__encode(uint8_t out[24], const struct trace_calibration *c)
{
	put_le64(out, c->boot_ns);
	put_le64(out + 8, (uint64_t)c->real_ns);
	put_le32(out + 16, c->uncertainty_ns);
	put_le32(out + 20, c->flags);
}

void calibration__decode(const uint8_t in[24], struct trace_calibration *c)
{
	c->boot_ns = get_le64(in);
	c->real_ns = (int64_t)get_le64(in + 8);
	c->uncertainty_ns = get_le32(in + 16);
	c->flags = get_le32(in + 20);
}
