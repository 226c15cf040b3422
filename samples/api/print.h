/* SPDX-License-Identifier: MIT */
/*
 * Shared by the samples: one event on one line, its wall-clock time first,
 * then every field by its name and type, as the event's schema describes
 * it (so this prints record types it has never heard of).
 */
#ifndef SAMPLES_API_PRINT_H
#define SAMPLES_API_PRINT_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ebpftrace.h"

static inline void print_event(FILE *out, const struct ebpftrace_event *ev)
{
	const struct trace_schema_desc *d = ev->schema;
	time_t sec = (time_t)(ev->epoch_ns / 1000000000LL);
	char when[32], addr[64];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%s.%09lld %s", when, (long long)(ev->epoch_ns % 1000000000LL), ev->type);
	for (uint16_t i = 0; i < d->nfields; i++) {
		const struct trace_field_desc *f = &d->fields[i];

		if (f->hint == TRACE_HINT_TIME)
			continue;
		fprintf(out, " %s=", f->name);
		if (f->type == TRACE_FIELD_STR)
			fprintf(out, "\"%s\"", trace_field__str(f, ev->data));
		else if (f->hint == TRACE_HINT_IPADDR)
			fprintf(out, "%s", ebpftrace_event__addr(ev, f->name, addr, sizeof(addr)) ?
						   addr : "-");
		else if (f->type == TRACE_FIELD_BYTES)
			fprintf(out, "<%u bytes>", f->size);
		else if (f->count > 1)
			fprintf(out, "[%llu,...]", (unsigned long long)trace_field__u64(f, ev->data, 0));
		else if (f->type >= TRACE_FIELD_S8 && f->type <= TRACE_FIELD_S64)
			fprintf(out, "%lld", (long long)trace_field__i64(f, ev->data, 0));
		else if (f->hint == TRACE_HINT_HEX)
			fprintf(out, "0x%llx", (unsigned long long)trace_field__u64(f, ev->data, 0));
		else
			fprintf(out, "%llu", (unsigned long long)trace_field__u64(f, ev->data, 0));
	}
	fputc('\n', out);
}

#endif /* SAMPLES_API_PRINT_H */
