// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the trace reader: any bytes as a trace file. The
 * reader must never crash, hang or read out of bounds; it reports damage
 * and goes on. Everything a consumer would touch is exercised: metadata,
 * schemas and every field of every event, seeking, type filters, wall
 * clock conversion and its inverse, the built-in decoders, and the
 * listings (schemas, chunks, calibrations) and verify.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace.h"

static void on_damage(const struct trace_damage *d, void *ctx)
{
	size_t *n = ctx;

	/* the message must be a readable string */
	*n += strlen(d->what) + strlen(d->path);
}

static uint64_t touch(const struct trace_event *ev)
{
	size_t nf = trace_schema__nfields(ev->schema);
	uint64_t acc = ev->ts + ev->size + ev->type;

	for (size_t i = 0; i < nf; i++) {
		const struct trace_field_desc *f = trace_schema__field(ev->schema, i);

		if (f->type == TRACE_FIELD_STR)
			acc += strlen(trace_field__str(f, ev->data));
		else if (f->type == TRACE_FIELD_BYTES)
			acc += trace_field__bytes(f, ev->data)[f->size - 1];
		else
			for (size_t k = 0; k < f->count; k++)
				acc += trace_field__u64(f, ev->data, k);
	}
	return acc;
}

/* Schemas, chunks and calibrations by position, and verify. */
static uint64_t inspect(struct trace_reader *r)
{
	struct trace_verify_stats vs;
	struct trace_calibration c;
	struct trace_chunk_info ci;
	uint64_t acc = 0, boot;
	size_t n = trace_reader__nchunks(r, 0);

	for (size_t i = 0; i < trace_reader__nschemas(r, 0); i++)
		acc += trace_schema__id(trace_reader__schema_at(r, 0, i));
	/* a bounded number, from both ends */
	for (size_t i = 0; i < n && i < 64; i++) {
		if (trace_reader__chunk_at(r, 0, i, &ci) == 0)
			acc += ci.events + ci.ntypes + (ci.ntypes ? ci.types[ci.ntypes - 1].count : 0);
		if (trace_reader__chunk_at(r, 0, n - 1 - i, &ci) == 0)
			acc += ci.offset + (uint64_t)ci.status;
	}
	for (size_t i = 0; trace_reader__calibration_at(r, 0, i, &c) == 0; i++) {
		int64_t real;

		/* wrapping, not overflowing: real_ns is the file's, any value */
		if (trace_reader__boottime(r, 0, (int64_t)((uint64_t)c.real_ns + 12345), &boot) == 0 &&
		    trace_reader__realtime(r, 0, boot, &real) == 0)
			acc += (uint64_t)real;
	}
	acc += (uint64_t)trace_reader__verify(r, &vs) + vs.blocks + vs.events;
	return acc;
}

static uint64_t drain(struct trace_reader *r, unsigned limit)
{
	struct trace_event ev;
	uint64_t acc = 0;

	for (unsigned n = 0; n < limit && trace_reader__next(r, &ev) == 0; n++) {
		struct trace_lost l;
		struct trace_process p;
		int64_t real;

		acc += touch(&ev);
		if (trace_event__lost(&ev, &l) == 0)
			acc += l.count + strlen(l.probe);
		if (trace_event__process(&ev, &p) == 0)
			acc += strlen(p.cmdline) + strlen(p.comm);
		if (trace_reader__realtime(r, ev.file, ev.ts, &real) == 0)
			acc += (uint64_t)real;
	}
	return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("trace", 0);
	char path[64];
	size_t damage = 0;
	struct trace_reader_opts o = { .sz = sizeof(o), .on_damage = on_damage, .ctx = &damage };
	struct trace_reader *r;
	struct trace_reader_stats st;
	const char *k, *v;
	volatile uint64_t sink = 0;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = trace_reader__open(path, &o);
	if (!r) {
		(void)trace_strerror(-errno);
		close(fd);
		return 0;
	}
	for (size_t i = 0; trace_reader__meta_at(r, 0, i, &k, &v) == 0; i++)
		sink += strlen(k) + strlen(v);
	sink += drain(r, 1u << 20);
	sink += inspect(r);
	trace_reader__stats(r, &st);
	/* again with a time window inside the file and a type filter */
	if (st.last_ts > st.first_ts) {
		const char *const types[] = { "lost", "open", NULL };

		trace_reader__set_range(r, st.first_ts + (st.last_ts - st.first_ts) / 3, st.last_ts - 1);
		sink += drain(r, 1u << 20);
		const char *const fields[] = { "ts", "path", "count", NULL };

		trace_reader__set_types(r, types);
		trace_reader__set_fields(r, "open", fields);
		trace_reader__set_fields(r, "lost", fields);
		trace_reader__rewind(r);
		sink += drain(r, 1u << 20);
	}
	trace_reader__close(r);
	close(fd);
	(void)sink;
	return 0;
}
