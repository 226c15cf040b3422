/* SPDX-License-Identifier: MIT */
/*
 * Record types (FORMAT.md, "SCHEMA block"): validation, the SCHEMA payload,
 * and the column layout both chunk codecs derive from a schema. Internal.
 */
#ifndef EBPFTRACE_SCHEMA_H
#define EBPFTRACE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define SCHEMA_MAX_FIELDS 1024
#define SCHEMA_MAX_NAME 64
#define SCHEMA_FIXED 8       /* id, size, nfields, flags */
#define SCHEMA_FIELD_FIXED 9 /* type, hint, offset, size, count, name length */

struct trace_schema {
	char *name;
	struct trace_field_desc *fields; /* names owned, one allocation each */
	uint16_t id;
	uint16_t size;
	uint16_t nfields;
	uint16_t time_off;   /* offset of the TIME field */
	int time_field;      /* its index */
	bool decodable;      /* every field type is known to this reader */
	uint32_t ncols;      /* columns a chunk holds for this type */
};

/* One column of a type in a chunk: a non-TIME field, or one element of an
 * integer array field. */
struct schema_col {
	uint16_t off;   /* in the record */
	uint16_t size;  /* bytes: element width, or the STR/BYTES field size */
	uint8_t type;   /* enum trace_field_type */
	bool is_signed;
	bool is_dict;   /* STR or BYTES: values are dictionary indices */
	uint16_t field; /* index of its field in the schema */
};

/* Integer width of a field type, 0 for STR/BYTES and unknown types. */
unsigned field_type__width(uint8_t type);
bool field_type__signed(uint8_t type);

/* Strict check of a writer's description: -EINVAL with what is wrong in
 * *why (a static string). */
int schema_desc__validate(const struct trace_schema_desc *d, const char **why);

struct trace_schema *schema__from_desc(uint16_t id, const struct trace_schema_desc *d);
void schema__free(struct trace_schema *s);
/* Same id, name, size and fields. */
bool schema__equal(const struct trace_schema *a, const struct trace_schema *b);

size_t schema__encoded_size(const struct trace_schema *s);
void schema__encode(const struct trace_schema *s, uint8_t *out);
/* Parses a SCHEMA payload: a new schema, or NULL with errno = EPROTO when
 * malformed (ENOMEM when out of memory). Unknown field types make it
 * undecodable, not malformed. strict: reserved fields must be zero (a file
 * of a minor version this reader knows). */
struct trace_schema *schema__decode(const uint8_t *p, size_t len, bool strict);

/* Fills cols (s->ncols entries) in chunk column order. */
void schema__columns(const struct trace_schema *s, struct schema_col *cols);

#endif /* EBPFTRACE_SCHEMA_H */
