// SPDX-License-Identifier: MIT
/* A redacted copy of a trace: what a reader reads, through a redactor,
 * into a new file written by libebpftrace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay/redact.h"

/* A record type of the input (one schema of one file) and where its
 * records go. */
struct type_out {
	const struct trace_schema *s;
	int id; /* in the writer; 0: left out */
	const struct redact_plan *plan;
};

struct copy {
	struct trace_reader *rd;
	struct trace_writer *w;
	struct redactor *r;
	struct type_out *types;
	size_t ntypes;
	uint8_t *rec; /* 64 KiB: the record being redacted */
	char *err;
	size_t errlen;
};

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!strcmp(a, b))
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static bool same_fields(const struct trace_schema *a, const struct trace_schema *b)
{
	size_t n = trace_schema__nfields(a);

	if (trace_schema__size(a) != trace_schema__size(b) || n != trace_schema__nfields(b))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct trace_field_desc *x = trace_schema__field(a, i), *y = trace_schema__field(b, i);

		if (strcmp(x->name, y->name) || x->type != y->type || x->hint != y->hint ||
		    x->offset != y->offset || x->size != y->size || x->count != y->count)
			return false;
	}
	return true;
}

static bool builtin(const struct trace_schema *s)
{
	return !strcmp(trace_schema__name(s), "lost") || !strcmp(trace_schema__name(s), "process");
}

/* Registers every record type of every file in the writer, once per name. */
static int add_types(struct copy *c)
{
	size_t nfiles = trace_reader__nfiles(c->rd);

	for (size_t f = 0; f < nfiles; f++) {
		size_t n = trace_reader__nschemas(c->rd, (uint16_t)f);

		for (size_t i = 0; i < n; i++) {
			const struct trace_schema *s = trace_reader__schema_at(c->rd, (uint16_t)f, i);
			struct type_out *t, *grown;

			if (!s || builtin(s))
				continue;
			grown = realloc(c->types, (c->ntypes + 1) * sizeof(*c->types));
			if (!grown)
				return -ENOMEM;
			c->types = grown;
			t = &c->types[c->ntypes];
			*t = (struct type_out){ .s = s };
			for (size_t k = 0; k < c->ntypes; k++) {
				const struct type_out *o = &c->types[k];

				if (strcmp(trace_schema__name(o->s), trace_schema__name(s)))
					continue;
				if (!same_fields(o->s, s)) {
					snprintf(c->err, c->errlen, "record type '%s' has different layouts in "
						 "%s and %s: redact them one at a time",
						 trace_schema__name(s),
						 trace_reader__file_path(c->rd, 0),
						 trace_reader__file_path(c->rd, (uint16_t)f));
					return -EPROTO;
				}
				t->id = o->id;
				t->plan = o->plan;
				break;
			}
			if (!t->id) {
				size_t nf = trace_schema__nfields(s);
				struct trace_field_desc *fields = calloc(nf ? nf : 1, sizeof(*fields));
				struct trace_schema_desc d = { .name = trace_schema__name(s),
							       .size = trace_schema__size(s),
							       .nfields = (uint16_t)nf, .fields = fields };
				int id;

				if (!fields)
					return -ENOMEM;
				for (size_t k = 0; k < nf; k++)
					fields[k] = *trace_schema__field(s, k);
				id = trace_writer__add_type(c->w, &d);
				free(fields);
				/* A type this library cannot describe (a field type of a
				 * newer version): its events are left out, and said so. */
				if (id == -EINVAL)
					id = 0;
				else if (id < 0)
					return id;
				t->id = id;
				if (id && !(t->plan = redactor__plan_schema(c->r, s)))
					return -ENOMEM;
			}
			c->ntypes++;
		}
	}
	return 0;
}

/* The metadata of all files, later files winning, each value redacted.
 * The writer filled in this host's own values: the input's replace them,
 * and the hostname and boot id never stay this host's. */
static int copy_meta(struct copy *c)
{
	size_t nfiles = trace_reader__nfiles(c->rd);
	bool hostname = false, boot_id = false;
	const char *k, *v;
	int err;

	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; trace_reader__meta_at(c->rd, (uint16_t)f, i, &k, &v) == 0; i++) {
			char *value;

			if (nfiles > 1 && !strcmp(k, "segment.index"))
				continue;
			hostname |= !strcmp(k, "host.hostname");
			boot_id |= !strcmp(k, "host.boot_id");
			value = redactor__meta(c->r, k, v);
			if (!value)
				return -ENOMEM;
			err = trace_writer__set_meta(c->w, k, value);
			free(value);
			if (err)
				return err;
		}
	}
	if (!hostname && (err = trace_writer__set_meta(c->w, "host.hostname", "")))
		return err;
	if (!boot_id && (err = trace_writer__set_meta(c->w, "host.boot_id", "")))
		return err;
	return trace_writer__set_meta(c->w, "redact.key_id", redactor__key_id(c->r));
}

static int copy_calibrations(struct copy *c)
{
	size_t nfiles = trace_reader__nfiles(c->rd);
	struct trace_calibration cal, prev = { 0 };
	int err;

	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; trace_reader__calibration_at(c->rd, (uint16_t)f, i, &cal) == 0; i++) {
			/* each segment repeats the one before it */
			if (!memcmp(&cal, &prev, sizeof(cal)))
				continue;
			cal.flags = 0;
			if ((err = trace_writer__calibrate(c->w, &cal)))
				return err;
			prev = cal;
		}
	}
	return 0;
}

static const struct type_out *type_of(struct copy *c, const struct trace_schema *s)
{
	static const struct type_out none = { 0 };

	for (size_t i = 0; i < c->ntypes; i++)
		if (c->types[i].s == s)
			return &c->types[i];
	return &none;
}

static int copy_events(struct copy *c, struct redact_stats *st)
{
	const struct type_out *last = NULL;
	struct trace_event ev;
	int err;

	while ((err = trace_reader__next(c->rd, &ev)) == 0) {
		if (builtin(ev.schema)) {
			struct trace_process p;
			struct trace_lost l;

			if (trace_event__lost(&ev, &l) == 0) {
				err = trace_writer__lost(c->w, &l);
			} else if (trace_event__process(&ev, &p) == 0) {
				redactor__process(c->r, &p);
				err = trace_writer__process(c->w, &p);
			} else {
				st->skipped++;
				continue;
			}
			if (err)
				return err;
			st->events++;
			continue;
		}
		if (!last || last->s != ev.schema)
			last = type_of(c, ev.schema);
		if (!last->id || ev.size != trace_schema__size(ev.schema) || ev.size > 65536) {
			st->skipped++;
			continue;
		}
		memcpy(c->rec, ev.data, ev.size);
		redactor__apply(c->r, last->plan, c->rec);
		if ((err = trace_writer__append(c->w, last->id, c->rec, ev.size)))
			return err;
		st->events++;
	}
	return err == -ENOENT ? 0 : err;
}

/* The files must share a boot: their times are one clock. */
static int check_boots(struct copy *c)
{
	size_t nfiles = trace_reader__nfiles(c->rd);
	const char *first = trace_reader__meta(c->rd, 0, "host.boot_id");

	for (size_t f = 1; f < nfiles; f++) {
		const char *b = trace_reader__meta(c->rd, (uint16_t)f, "host.boot_id");

		if ((first || b) && (!first || !b || strcmp(first, b))) {
			snprintf(c->err, c->errlen, "%s and %s come from different boots: their times do "
				 "not share a clock, so redact them one at a time",
				 trace_reader__file_path(c->rd, 0), trace_reader__file_path(c->rd, (uint16_t)f));
			return -EXDEV;
		}
	}
	return 0;
}

int redact__trace(struct trace_reader *rd, const char *out, struct redactor *r,
		  const struct trace_writer_opts *wo, struct redact_stats *st, char *err,
		  size_t errlen)
{
	struct copy c = { .rd = rd, .r = r, .err = err, .errlen = errlen };
	size_t nfiles = trace_reader__nfiles(rd);
	bool created = false;
	int e;

	memset(st, 0, sizeof(*st));
	st->files = (uint32_t)nfiles;
	err[0] = 0;
	for (size_t f = 0; f < nfiles; f++) {
		if (same_file(trace_reader__file_path(rd, (uint16_t)f), out)) {
			snprintf(err, errlen, "-o %s is one of the traces read: write the redacted copy "
				 "to another file", out);
			return -EEXIST;
		}
	}
	if ((e = check_boots(&c)))
		return e;
	c.rec = malloc(65536);
	if (!c.rec)
		return -ENOMEM;
	c.w = trace_writer__open(out, wo);
	if (!c.w) {
		e = -errno;
		snprintf(err, errlen, "cannot write %s: %s", out, trace_strerror(e));
		goto cleanup;
	}
	created = true;
	e = copy_meta(&c);
	if (!e)
		e = copy_calibrations(&c);
	if (!e)
		e = add_types(&c);
	if (!e)
		e = copy_events(&c, st);
	if (!e) {
		e = trace_writer__close(c.w);
		c.w = NULL;
		if (e)
			snprintf(err, errlen, "writing %s: %s", out, trace_strerror(e));
	}
cleanup:
	trace_writer__close(c.w);
	/* nothing half-redacted stays behind */
	if (e && created)
		unlink(out);
	if (e && !err[0])
		snprintf(err, errlen, "%s", trace_strerror(e));
	free(c.types);
	free(c.rec);
	return e;
}
