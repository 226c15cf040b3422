// SPDX-License-Identifier: MIT
/* Record types: validation, the SCHEMA payload, typed field access. */
#include "schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

unsigned field_type__width(uint8_t type)
{
	switch (type) {
	case TRACE_FIELD_U8:
	case TRACE_FIELD_S8:
		return 1;
	case TRACE_FIELD_U16:
	case TRACE_FIELD_S16:
		return 2;
	case TRACE_FIELD_U32:
	case TRACE_FIELD_S32:
		return 4;
	case TRACE_FIELD_U64:
	case TRACE_FIELD_S64:
		return 8;
	default:
		return 0;
	}
}

bool field_type__signed(uint8_t type)
{
	return type >= TRACE_FIELD_S8 && type <= TRACE_FIELD_S64;
}

static bool type_known(uint8_t type)
{
	return type >= TRACE_FIELD_U8 && type <= TRACE_FIELD_BYTES;
}

static bool name_ok(const char *n, size_t len)
{
	if (len == 0 || len > SCHEMA_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Shape rules shared by writer and reader for fields of known type. */
static const char *field_check(const struct trace_field_desc *f, uint16_t rec_size)
{
	unsigned w = field_type__width(f->type);

	if ((uint32_t)f->offset + f->size > rec_size)
		return "a field lies outside the record";
	if (f->size == 0 || f->count == 0)
		return "a field has size or count 0";
	if (!type_known(f->type))
		return NULL;
	if (w) {
		if ((uint32_t)w * f->count != f->size)
			return "an integer field's size is not its width times its count";
	} else if (f->count != 1) {
		return "a str or bytes field has a count other than 1";
	}
	if (f->hint == TRACE_HINT_TIME && (f->type != TRACE_FIELD_U64 || f->count != 1))
		return "the TIME field is not a single u64";
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Overlaps and duplicate names; sorts a scratch copy of the ranges. */
static const char *fields_check_all(const struct trace_field_desc *fs, size_t n)
{
	uint32_t *ranges;
	const char *why = NULL;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(fs[i].name, fs[j].name) == 0)
				return "two fields have the same name";
	ranges = malloc(n * sizeof(*ranges));
	if (!ranges)
		return "out of memory";
	/* offset in the high half, index in the low half: sorted by offset. */
	for (size_t i = 0; i < n; i++)
		ranges[i] = (uint32_t)fs[i].offset << 16 | (uint32_t)i;
	qsort(ranges, n, sizeof(*ranges), cmp_u32);
	for (size_t k = 1; k < n; k++) {
		const struct trace_field_desc *prev = &fs[ranges[k - 1] & 0xffff];
		const struct trace_field_desc *cur = &fs[ranges[k] & 0xffff];

		if ((uint32_t)prev->offset + prev->size > cur->offset) {
			why = "two fields overlap";
			break;
		}
	}
	free(ranges);
	return why;
}

int schema_desc__validate(const struct trace_schema_desc *d, const char **why)
{
	size_t ntime = 0;

	*why = NULL;
	if (!d || !d->name || !name_ok(d->name, strlen(d->name)))
		*why = "the type name must be 1-64 characters of [A-Za-z0-9_.]";
	else if (d->size == 0)
		*why = "the record size is 0";
	else if (d->nfields == 0 || d->nfields > SCHEMA_MAX_FIELDS || !d->fields)
		*why = "a type needs 1 to 1024 fields";
	if (*why)
		return -EINVAL;
	for (size_t i = 0; i < d->nfields && !*why; i++) {
		const struct trace_field_desc *f = &d->fields[i];

		if (!f->name || !name_ok(f->name, strlen(f->name)))
			*why = "a field name must be 1-64 characters of [A-Za-z0-9_.]";
		else if (!type_known(f->type))
			*why = "a field has an unknown type";
		else
			*why = field_check(f, d->size);
		if (f->hint == TRACE_HINT_TIME)
			ntime++;
	}
	if (!*why && ntime != 1)
		*why = "a type needs exactly one TIME field";
	if (!*why)
		*why = fields_check_all(d->fields, d->nfields);
	return *why ? -EINVAL : 0;
}

static void finish(struct trace_schema *s)
{
	s->time_field = -1;
	s->decodable = true;
	s->ncols = 0;
	for (uint16_t i = 0; i < s->nfields; i++) {
		const struct trace_field_desc *f = &s->fields[i];

		if (!type_known(f->type))
			s->decodable = false;
		if (f->hint == TRACE_HINT_TIME && s->time_field < 0 && f->type == TRACE_FIELD_U64) {
			s->time_field = i;
			s->time_off = f->offset;
			continue;
		}
		s->ncols += field_type__width(f->type) ? f->count : 1;
	}
	if (s->time_field < 0)
		s->decodable = false;
}

void schema__free(struct trace_schema *s)
{
	if (!s)
		return;
	if (s->fields)
		for (uint16_t i = 0; i < s->nfields; i++)
			free((char *)s->fields[i].name);
	free(s->fields);
	free(s->name);
	free(s);
}

static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

struct trace_schema *schema__from_desc(uint16_t id, const struct trace_schema_desc *d)
{
	struct trace_schema *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->id = id;
	s->size = d->size;
	s->name = strdup(d->name);
	s->fields = calloc(d->nfields, sizeof(*s->fields));
	if (!s->name || !s->fields)
		goto fail;
	for (uint16_t i = 0; i < d->nfields; i++) {
		s->fields[i] = d->fields[i];
		s->fields[i].name = strdup(d->fields[i].name);
		s->nfields = i + 1;
		if (!s->fields[i].name)
			goto fail;
	}
	finish(s);
	return s;
fail:
	schema__free(s);
	errno = ENOMEM;
	return NULL;
}

bool schema__equal(const struct trace_schema *a, const struct trace_schema *b)
{
	if (a->id != b->id || a->size != b->size || a->nfields != b->nfields ||
	    strcmp(a->name, b->name) != 0)
		return false;
	for (uint16_t i = 0; i < a->nfields; i++) {
		const struct trace_field_desc *x = &a->fields[i], *y = &b->fields[i];

		if (x->type != y->type || x->hint != y->hint || x->offset != y->offset ||
		    x->size != y->size || x->count != y->count || strcmp(x->name, y->name) != 0)
			return false;
	}
	return true;
}

size_t schema__encoded_size(const struct trace_schema *s)
{
	size_t n = SCHEMA_FIXED + 1 + strlen(s->name);

	for (uint16_t i = 0; i < s->nfields; i++)
		n += SCHEMA_FIELD_FIXED + strlen(s->fields[i].name);
	return n;
}

void schema__encode(const struct trace_schema *s, uint8_t *out)
{
	size_t len = strlen(s->name);

	put_le16(out, s->id);
	put_le16(out + 2, s->size);
	put_le16(out + 4, s->nfields);
	put_le16(out + 6, 0);
	out[8] = (uint8_t)len;
	memcpy(out + 9, s->name, len);
	out += 9 + len;
	for (uint16_t i = 0; i < s->nfields; i++) {
		const struct trace_field_desc *f = &s->fields[i];

		len = strlen(f->name);
		out[0] = f->type;
		out[1] = f->hint;
		put_le16(out + 2, f->offset);
		put_le16(out + 4, f->size);
		put_le16(out + 6, f->count);
		out[8] = (uint8_t)len;
		memcpy(out + 9, f->name, len);
		out += SCHEMA_FIELD_FIXED + len;
	}
}

/* Reader-side name rule: printable ASCII, no spaces, 1-64 bytes. Looser
 * than the writer's so newer writers may widen the character set. */
static bool name_readable(const uint8_t *p, size_t len)
{
	if (len == 0 || len > SCHEMA_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

struct trace_schema *schema__decode(const uint8_t *p, size_t len, bool strict)
{
	const uint8_t *end = p + len;
	struct trace_schema *s = NULL;
	size_t ntime = 0;
	size_t nlen;

	if (len < SCHEMA_FIXED + 1)
		goto bad;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->id = get_le16(p);
	s->size = get_le16(p + 2);
	uint16_t nfields = get_le16(p + 4);

	if (s->id == 0 || s->size == 0 || nfields == 0 || nfields > SCHEMA_MAX_FIELDS ||
	    (strict && get_le16(p + 6) != 0))
		goto bad;
	nlen = p[8];
	p += 9;
	if ((size_t)(end - p) < nlen || !name_readable(p, nlen))
		goto bad;
	s->name = dup_n((const char *)p, nlen);
	s->fields = calloc(nfields, sizeof(*s->fields));
	if (!s->name || !s->fields)
		goto nomem;
	p += nlen;
	for (uint16_t i = 0; i < nfields; i++) {
		struct trace_field_desc *f = &s->fields[i];

		if ((size_t)(end - p) < SCHEMA_FIELD_FIXED)
			goto bad;
		f->type = p[0];
		f->hint = p[1];
		f->offset = get_le16(p + 2);
		f->size = get_le16(p + 4);
		f->count = get_le16(p + 6);
		nlen = p[8];
		p += SCHEMA_FIELD_FIXED;
		if ((size_t)(end - p) < nlen || !name_readable(p, nlen))
			goto bad;
		f->name = dup_n((const char *)p, nlen);
		s->nfields = i + 1;
		if (!f->name)
			goto nomem;
		p += nlen;
		if (field_check(f, s->size))
			goto bad;
		if (f->hint == TRACE_HINT_TIME)
			ntime++;
	}
	if (p != end || ntime != 1 || fields_check_all(s->fields, s->nfields))
		goto bad;
	finish(s);
	return s;
bad:
	schema__free(s);
	errno = EPROTO;
	return NULL;
nomem:
	schema__free(s);
	errno = ENOMEM;
	return NULL;
}

void schema__columns(const struct trace_schema *s, struct schema_col *cols)
{
	size_t k = 0;

	for (uint16_t i = 0; i < s->nfields; i++) {
		const struct trace_field_desc *f = &s->fields[i];
		unsigned w = field_type__width(f->type);

		if ((int)i == s->time_field)
			continue;
		if (w) {
			for (uint16_t j = 0; j < f->count; j++)
				cols[k++] = (struct schema_col){
					.off = (uint16_t)(f->offset + j * w),
					.size = (uint16_t)w,
					.type = f->type,
					.is_signed = field_type__signed(f->type),
					.field = i,
				};
		} else {
			cols[k++] = (struct schema_col){
				.off = f->offset,
				.size = f->size,
				.type = f->type,
				.is_dict = true,
				.field = i,
			};
		}
	}
}

/* ---- public accessors --------------------------------------------------- */

const char *trace_schema__name(const struct trace_schema *s)
{
	return s->name;
}

uint16_t trace_schema__id(const struct trace_schema *s)
{
	return s->id;
}

uint16_t trace_schema__size(const struct trace_schema *s)
{
	return s->size;
}

size_t trace_schema__nfields(const struct trace_schema *s)
{
	return s->nfields;
}

const struct trace_field_desc *trace_schema__field(const struct trace_schema *s, size_t i)
{
	if (i >= s->nfields) {
		errno = ENOENT;
		return NULL;
	}
	return &s->fields[i];
}

const struct trace_field_desc *trace_schema__find_field(const struct trace_schema *s,
							 const char *name)
{
	for (uint16_t i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return &s->fields[i];
	errno = ENOENT;
	return NULL;
}

uint64_t trace_field__u64(const struct trace_field_desc *f, const void *rec, size_t idx)
{
	return (uint64_t)trace_field__i64(f, rec, idx);
}

int64_t trace_field__i64(const struct trace_field_desc *f, const void *rec, size_t idx)
{
	unsigned w = field_type__width(f->type);
	const uint8_t *p = (const uint8_t *)rec + f->offset + idx * w;

	if (!w || idx >= f->count)
		return 0;
	switch (f->type) {
	case TRACE_FIELD_U8:
		return *p;
	case TRACE_FIELD_S8:
		return (int8_t)*p;
	case TRACE_FIELD_U16: {
		uint16_t v;

		memcpy(&v, p, 2);
		return v;
	}
	case TRACE_FIELD_S16: {
		int16_t v;

		memcpy(&v, p, 2);
		return v;
	}
	case TRACE_FIELD_U32: {
		uint32_t v;

		memcpy(&v, p, 4);
		return v;
	}
	case TRACE_FIELD_S32: {
		int32_t v;

		memcpy(&v, p, 4);
		return v;
	}
	default: {
		int64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	}
}

const char *trace_field__str(const struct trace_field_desc *f, const void *rec)
{
	if (f->type != TRACE_FIELD_STR) {
		errno = EINVAL;
		return NULL;
	}
	return (const char *)rec + f->offset;
}

const uint8_t *trace_field__bytes(const struct trace_field_desc *f, const void *rec)
{
	return (const uint8_t *)rec + f->offset;
}
