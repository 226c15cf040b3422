// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the writer and reader together: the input chooses
 * a record type (fields of every type, arrays, strings, padding) and
 * supplies its records; they are written in small chunks and must read
 * back byte for byte, in time order (equal times in order of appending)
 * as long as the reader did not count events out of order (more chunks
 * overlapping than it keeps open), else as the same set of records, with
 * no damage reported. Aborts on any difference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

#define MAX_FIELDS 7
#define CHUNK 16

static void on_damage(const struct trace_damage *d, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "unexpected damage at %llu: %s\n", (unsigned long long)d->offset, d->what);
	abort();
}

struct rec_ref {
	uint64_t ts;
	size_t idx;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct rec_ref *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static size_t cmp_size;

/* Records by their bytes (the TIME field first), for comparing sets. */
static int cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, cmp_size);
}

static const unsigned width[] = { 0, 1, 2, 4, 8, 1, 2, 4, 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_field_desc f[MAX_FIELDS + 1];
	char names[MAX_FIELDS + 1][8];
	struct trace_schema_desc d = { "rt", 0, 0, f };
	char path[64];
	size_t pos, nrec, rsize;
	uint16_t off = 8;
	uint8_t *recs = NULL;
	struct rec_ref *order = NULL;

	if (size < 2 + MAX_FIELDS * 2)
		return 0;
	/* the type: ts, then up to MAX_FIELDS fields chosen by the input */
	f[0] = (struct trace_field_desc){ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 };
	d.nfields = (uint16_t)(1 + 1 + data[0] % MAX_FIELDS);
	for (uint16_t i = 1; i < d.nfields; i++) {
		uint8_t a = data[2 * i - 1], b = data[2 * i];
		uint8_t type = (uint8_t)(1 + a % 10);

		snprintf(names[i], sizeof(names[i]), "f%u", i);
		f[i] = (struct trace_field_desc){ names[i], type, (uint8_t)(b % 10), off, 0, 1 };
		if (type <= TRACE_FIELD_S64) {
			f[i].count = (uint16_t)(1 + b % 3);
			f[i].size = (uint16_t)(width[type] * f[i].count);
		} else {
			f[i].size = (uint16_t)(1 + b % 40);
		}
		if (f[i].hint == TRACE_HINT_TIME)
			f[i].hint = TRACE_HINT_NONE;
		off = (uint16_t)(off + f[i].size + (a >> 6)); /* some padding between */
	}
	d.size = (uint16_t)(off + data[1] % 4);
	rsize = d.size;
	pos = 1 + 2 * MAX_FIELDS;
	nrec = (size - pos) / rsize;
	if (nrec == 0)
		return 0;
	recs = calloc(nrec, rsize);
	order = calloc(nrec, sizeof(*order));
	if (!recs || !order)
		abort();
	/* the records, as the reader will give them back: strings end at
	 * their first NUL (or size - 1), padding reads as zero */
	for (size_t r = 0; r < nrec; r++) {
		uint8_t *dst = recs + r * rsize;
		const uint8_t *src = data + pos + r * rsize;

		for (uint16_t i = 0; i < d.nfields; i++) {
			memcpy(dst + f[i].offset, src + f[i].offset, f[i].size);
			if (f[i].type == TRACE_FIELD_STR) {
				size_t n = strnlen((const char *)dst + f[i].offset, f[i].size - 1u);

				memset(dst + f[i].offset + n, 0, f[i].size - n);
			}
		}
		memcpy(&order[r].ts, dst, 8);
		order[r].idx = r;
	}
	snprintf(path, sizeof(path), "/tmp/fuzz_format_rt.%d.trace", (int)getpid());
	struct trace_writer_opts wo = { .sz = sizeof(wo), .chunk_events = CHUNK,
					.chunk_bytes = 1u << 20, .uid = -1, .gid = -1 };
	struct trace_writer *w = trace_writer__open(path, &wo);
	int type;

	if (!w)
		abort();
	type = trace_writer__add_type(w, &d);
	if (type < 0) {
		fprintf(stderr, "add_type: %s\n", trace_strerror(type));
		abort();
	}
	/* from the input, with garbage after the strings' NULs */
	for (size_t r = 0; r < nrec; r++)
		if (trace_writer__append(w, type, data + pos + r * rsize, rsize))
			abort();
	if (trace_writer__close(w))
		abort();
	/* all records sorted by time, stably */
	qsort(order, nrec, sizeof(*order), cmp_ref);

	struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage };
	struct trace_reader *rd = trace_reader__open(path, &ro);
	struct trace_reader_stats st;
	uint8_t *back = calloc(nrec, rsize);
	uint64_t prev = 0, inversions = 0;
	struct trace_event ev;
	size_t got = 0;

	if (!rd || !back)
		abort();
	while (trace_reader__next(rd, &ev) == 0) {
		if (got >= nrec || ev.size != rsize) {
			fprintf(stderr, "record %zu: too many, or of the wrong size\n", got);
			abort();
		}
		memcpy(back + got * rsize, ev.data, rsize);
		inversions += ev.ts < prev;
		prev = ev.ts;
		got++;
	}
	if (got != nrec)
		abort();
	trace_reader__stats(rd, &st);
	if (st.events_out_of_order != inversions) {
		fprintf(stderr, "%llu events counted out of order, %llu seen\n",
			(unsigned long long)st.events_out_of_order, (unsigned long long)inversions);
		abort();
	}
	if (!inversions) {
		for (size_t r = 0; r < nrec; r++)
			if (memcmp(back + r * rsize, recs + order[r].idx * rsize, rsize) != 0) {
				fprintf(stderr, "record %zu differs\n", r);
				abort();
			}
	} else {
		cmp_size = rsize;
		qsort(back, nrec, rsize, cmp_rec);
		qsort(recs, nrec, rsize, cmp_rec);
		if (memcmp(back, recs, nrec * rsize) != 0) {
			fprintf(stderr, "the records read are not the records written\n");
			abort();
		}
	}
	free(back);
	trace_reader__close(rd);
	unlink(path);
	free(recs);
	free(order);
	return 0;
}
