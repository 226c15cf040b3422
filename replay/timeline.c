// SPDX-License-Identifier: MIT
/* Event rates over time: counts per type in fixed-width buckets whose width
 * doubles (pairs merge) whenever the trace outgrows max_buckets, so memory
 * stays fixed however long the trace. Bucket i covers
 * [start + i * width, start + (i + 1) * width): merging pairs keeps that. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"

#define NTYPES (TIMELINE_MAX_TYPES + 1) /* the last one is "other" */

struct timeline {
	struct timeline_opts opts;
	uint64_t bucket_ns;
	uint64_t start_ns, first_ns, last_ns;
	bool started;
	size_t nbuckets; /* used */
	uint64_t *counts; /* max_buckets * NTYPES */
	uint64_t *lost;	  /* max_buckets */
	char names[NTYPES][32];
	uint64_t totals[NTYPES];
	size_t ntypes;
	/* Last schema seen and its type slot: most events repeat it. */
	const struct trace_schema *last_schema;
	size_t last_slot;
	struct { const struct trace_schema *s; size_t slot; } cache[64];
	size_t ncache, next_cache;
};

struct timeline *timeline__new(const struct timeline_opts *opts)
{
	struct timeline *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(t->opts) ? opts->sz : sizeof(t->opts);
		memcpy(&t->opts, opts, n);
	}
	if (!t->opts.bucket_ns)
		t->opts.bucket_ns = 1000000;
	if (!t->opts.max_buckets)
		t->opts.max_buckets = 512;
	if (t->opts.max_buckets < 2)
		t->opts.max_buckets = 2;
	t->counts = calloc(t->opts.max_buckets * NTYPES, sizeof(*t->counts));
	t->lost = calloc(t->opts.max_buckets, sizeof(*t->lost));
	if (!t->counts || !t->lost) {
		timeline__free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->bucket_ns = t->opts.bucket_ns;
	return t;
}

void timeline__free(struct timeline *t)
{
	if (!t)
		return;
	free(t->counts);
	free(t->lost);
	free(t);
}

void timeline__reset(struct timeline *t)
{
	memset(t->counts, 0, t->opts.max_buckets * NTYPES * sizeof(*t->counts));
	memset(t->lost, 0, t->opts.max_buckets * sizeof(*t->lost));
	memset(t->totals, 0, sizeof(t->totals));
	t->nbuckets = 0;
	t->started = false;
	t->bucket_ns = t->opts.bucket_ns;
	t->start_ns = t->first_ns = t->last_ns = 0;
}

static size_t type_slot(struct timeline *t, const struct trace_schema *s)
{
	if (s == t->last_schema)
		return t->last_slot;
	for (size_t i = 0; i < t->ncache; i++)
		if (t->cache[i].s == s) {
			t->last_schema = s;
			return t->last_slot = t->cache[i].slot;
		}
	const char *name = s ? trace_schema__name(s) : "?";
	size_t slot;
	for (slot = 0; slot < t->ntypes; slot++)
		if (strcmp(t->names[slot], name) == 0)
			break;
	if (slot == t->ntypes) {
		if (t->ntypes < TIMELINE_MAX_TYPES) {
			snprintf(t->names[slot], sizeof(t->names[slot]), "%s", name);
			t->ntypes++;
		} else {
			slot = TIMELINE_MAX_TYPES;
			snprintf(t->names[slot], sizeof(t->names[slot]), "other");
		}
	}
	size_t c = t->ncache < 64 ? t->ncache++ : (t->next_cache++ % 64);
	t->cache[c].s = s;
	t->cache[c].slot = slot;
	t->last_schema = s;
	return t->last_slot = slot;
}

/* Halves the resolution: bucket i takes buckets 2i and 2i+1. */
static void coarsen(struct timeline *t)
{
	size_t n = (t->nbuckets + 1) / 2;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < NTYPES; k++) {
			uint64_t v = t->counts[2 * i * NTYPES + k];
			if (2 * i + 1 < t->nbuckets)
				v += t->counts[(2 * i + 1) * NTYPES + k];
			t->counts[i * NTYPES + k] = v;
		}
		t->lost[i] = t->lost[2 * i] + (2 * i + 1 < t->nbuckets ? t->lost[2 * i + 1] : 0);
	}
	memset(t->counts + n * NTYPES, 0, (t->opts.max_buckets - n) * NTYPES * sizeof(*t->counts));
	memset(t->lost + n, 0, (t->opts.max_buckets - n) * sizeof(*t->lost));
	t->nbuckets = n;
	t->bucket_ns *= 2;
}

static size_t bucket_of(struct timeline *t, uint64_t ts)
{
	if (!t->started) {
		t->started = true;
		t->start_ns = ts - ts % t->bucket_ns;
		t->first_ns = ts;
	}
	if (ts < t->start_ns)
		ts = t->start_ns; /* merged files may start a little out of order */
	for (;;) {
		uint64_t b = (ts - t->start_ns) / t->bucket_ns;
		if (b < t->opts.max_buckets) {
			if (b >= t->nbuckets)
				t->nbuckets = b + 1;
			return (size_t)b;
		}
		coarsen(t);
	}
}

int timeline__feed(struct timeline *t, const struct trace_event *ev)
{
	size_t b = bucket_of(t, ev->ts);

	if (ev->ts > t->last_ns)
		t->last_ns = ev->ts;
	if (ev->type == TRACE_TYPE_LOST) {
		struct trace_lost l;
		if (trace_event__lost(ev, &l) == 0)
			t->lost[b] += l.count;
	}
	size_t slot = type_slot(t, ev->schema);
	t->counts[b * NTYPES + slot]++;
	t->totals[slot]++;
	return 0;
}

uint64_t timeline__start_ns(const struct timeline *t) { return t->start_ns; }
uint64_t timeline__first_ns(const struct timeline *t) { return t->first_ns; }
uint64_t timeline__last_ns(const struct timeline *t) { return t->last_ns; }
uint64_t timeline__bucket_ns(const struct timeline *t) { return t->bucket_ns; }
size_t timeline__nbuckets(const struct timeline *t) { return t->nbuckets; }

size_t timeline__ntypes(const struct timeline *t)
{
	return t->ntypes + (t->totals[TIMELINE_MAX_TYPES] ? 1 : 0);
}

const char *timeline__type_name(const struct timeline *t, size_t type)
{
	if (type < t->ntypes)
		return t->names[type];
	return type == t->ntypes && t->totals[TIMELINE_MAX_TYPES] ? "other" : NULL;
}

static size_t slot_of(const struct timeline *t, size_t type)
{
	return type < t->ntypes ? type : TIMELINE_MAX_TYPES;
}

uint64_t timeline__type_total(const struct timeline *t, size_t type)
{
	return type <= t->ntypes ? t->totals[slot_of(t, type)] : 0;
}

uint64_t timeline__count(const struct timeline *t, size_t bucket, size_t type)
{
	if (bucket >= t->nbuckets || type > t->ntypes)
		return 0;
	return t->counts[bucket * NTYPES + slot_of(t, type)];
}

uint64_t timeline__bucket_total(const struct timeline *t, size_t bucket)
{
	uint64_t sum = 0;

	if (bucket >= t->nbuckets)
		return 0;
	for (size_t k = 0; k < NTYPES; k++)
		sum += t->counts[bucket * NTYPES + k];
	return sum;
}

uint64_t timeline__lost(const struct timeline *t, size_t bucket)
{
	return bucket < t->nbuckets ? t->lost[bucket] : 0;
}

uint64_t timeline__total(const struct timeline *t)
{
	uint64_t sum = 0;

	for (size_t k = 0; k < NTYPES; k++)
		sum += t->totals[k];
	return sum;
}
