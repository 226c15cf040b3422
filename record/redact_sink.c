// SPDX-License-Identifier: MIT
/*
 * ebpf-record --redact: the trace is written redacted as it is recorded,
 * so no original path, command line, address or hostname ever reaches the
 * disk. The session then has no writer: this is its consumer, and each
 * record goes to the writer through the redactor of replay/redact.h, the
 * one ebpf-replay --redact uses (same key, same hashes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/trace.h"
#include "record/record.h"
#include "replay/redact.h"

struct redact_sink {
	struct trace_writer *w;
	struct redactor *r;
	int ids[RECORD_NTYPES];
	const struct redact_plan *plans[RECORD_NTYPES];
	uint8_t *rec; /* the record being redacted: the largest type's size */
};

struct redact_sink *redact_sink__new(struct trace_writer *w, struct redactor *r)
{
	struct redact_sink *k = calloc(1, sizeof(*k));
	size_t max = 0;
	int err;

	if (!k)
		return NULL;
	k->w = w;
	k->r = r;
	err = schemas__register(w, k->ids);
	if (err)
		goto fail;
	for (int t = 1; t < RECORD_NTYPES; t++) {
		const struct trace_schema_desc *d = record_type__desc(t);

		if (d->size > max)
			max = d->size;
		/* lost records hold nothing to redact; process records have
		 * their own call */
		if (t == RECORD_LOST || t == RECORD_PROCESS)
			continue;
		k->plans[t] = redactor__plan(r, d->name, d->fields, d->nfields, d->size);
		if (!k->plans[t]) {
			err = -ENOMEM;
			goto fail;
		}
	}
	k->rec = malloc(max);
	if (!k->rec) {
		err = -ENOMEM;
		goto fail;
	}
	return k;
fail:
	redact_sink__free(k);
	errno = -err;
	return NULL;
}

void redact_sink__free(struct redact_sink *k)
{
	if (!k)
		return;
	free(k->rec);
	free(k);
}

int redact_sink__record(void *ctx, const struct record_event *ev)
{
	struct redact_sink *k = ctx;

	if (ev->type == RECORD_LOST)
		return trace_writer__lost(k->w, ev->data);
	if (ev->type == RECORD_PROCESS) {
		struct trace_process p;

		memcpy(&p, ev->data, sizeof(p));
		redactor__process(k->r, &p);
		return trace_writer__process(k->w, &p);
	}
	if (ev->type <= 0 || ev->type >= RECORD_NTYPES || !k->plans[ev->type])
		return -EINVAL;
	memcpy(k->rec, ev->data, ev->desc->size);
	redactor__apply(k->r, k->plans[ev->type], k->rec);
	return trace_writer__append(k->w, k->ids[ev->type], k->rec, ev->desc->size);
}

int redact_sink__set_meta(struct redact_sink *k, const char *key, const char *value)
{
	char *v = redactor__meta(k->r, key, value);
	int err;

	if (!v)
		return -ENOMEM;
	err = trace_writer__set_meta(k->w, key, v);
	free(v);
	return err;
}
