// SPDX-License-Identifier: MIT
/* --info, --verify and --recover: what a trace file holds, whether it is
 * intact, and a clean copy of what is. --info does not decode events;
 * --verify decodes them once every checksum matches; --recover copies
 * them. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay/out.h"

static const char *type_name(uint8_t t)
{
	static const char *const names[] = { "?", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
					     "str", "bytes" };
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static const char *hint_name(uint8_t h)
{
	static const char *const names[] = { "", "TIME", "BOOTTIME", "DURATION", "ERRNO", "HEX",
					     "IPADDR", "FAMILY", "PID", "BYTES" };
	return h < sizeof(names) / sizeof(names[0]) ? names[h] : "?";
}

static const char *status_name(int status)
{
	switch (status) {
	case 0: return "ok";
	case -EBADMSG: return "BAD CHECKSUM";
	case -EPROTO: return "MALFORMED";
	case -ENOTSUP: return "NEWER CODEC";
	case -EPIPE: return "TORN";
	default: return "DAMAGED";
	}
}

/* A type id's name in a file ("type N" when it has no schema). */
static const char *id_name(struct replay_ctx *c, uint16_t file, uint16_t id, char *buf, size_t size)
{
	size_t n = trace_reader__nschemas(c->r, file);

	for (size_t i = 0; i < n; i++) {
		const struct trace_schema *s = trace_reader__schema_at(c->r, file, i);

		if (trace_schema__id(s) == id)
			return trace_schema__name(s);
	}
	snprintf(buf, size, "type %u", id);
	return buf;
}

/* What a file's chunk headers add up to. */
struct file_sum {
	uint64_t chunks, damaged, events, disk, raw, raw_chunks, min_ts, max_ts;
	uint64_t *per_type; /* events by type id, from intact chunks */
};

static void print_chunk(struct replay_ctx *c, uint16_t file, size_t i,
			const struct trace_chunk_info *ci)
{
	FILE *f = c->out;
	char name[32];

	fprintf(f, "    %6zu %12" PRIu64 " %10" PRIu64 " %10" PRIu64, i, ci->offset, ci->size,
		ci->raw_size);
	if (ci->raw_size && ci->size)
		fprintf(f, " %5.1fx", (double)ci->raw_size / (double)ci->size);
	else
		fprintf(f, " %6s", "-");
	fprintf(f, " %8" PRIu64 " %17.9f %17.9f %-5s %-12s", ci->events, ci->min_ts / 1e9,
		ci->max_ts / 1e9, ci->codec == 1 ? "lz4" : ci->codec == 0 ? "none" : "?",
		status_name(ci->status));
	for (size_t k = 0; k < ci->ntypes; k++)
		fprintf(f, " %s=%" PRIu32, id_name(c, file, ci->types[k].type, name, sizeof(name)),
			ci->types[k].count);
	fputc('\n', f);
}

/* The chunk table of a file and what it adds up to. -errno when the
 * listing cannot be read. */
static int list_chunks(struct replay_ctx *c, uint16_t file, struct file_sum *fs)
{
	size_t n = trace_reader__nchunks(c->r, file);
	FILE *f = c->out;

	fs->min_ts = UINT64_MAX;
	fprintf(f, "  Chunks\n    %6s %12s %10s %10s %6s %8s %17s %17s %-5s %-12s %s\n", "#", "offset",
		"on disk", "raw", "ratio", "events", "first (boot s)", "last (boot s)", "codec",
		"status", "events by type");
	for (size_t i = 0; i < n; i++) {
		struct trace_chunk_info ci;
		int err = trace_reader__chunk_at(c->r, file, i, &ci);

		if (err == -EPROTO) {
			fprintf(f, "    %6zu (the index points at no chunk: the file is damaged)\n", i);
			fs->damaged++;
			continue;
		}
		if (err)
			return err;
		print_chunk(c, file, i, &ci);
		fs->chunks++;
		fs->disk += ci.size;
		if (ci.status) {
			fs->damaged++;
			continue;
		}
		fs->raw += ci.raw_size;
		fs->raw_chunks += ci.size;
		fs->events += ci.events;
		if (ci.min_ts < fs->min_ts)
			fs->min_ts = ci.min_ts;
		if (ci.max_ts > fs->max_ts)
			fs->max_ts = ci.max_ts;
		for (size_t k = 0; k < ci.ntypes; k++)
			fs->per_type[ci.types[k].type] += ci.types[k].count;
	}
	return 0;
}

static void print_types(struct replay_ctx *c, uint16_t file, const struct file_sum *fs)
{
	size_t n = trace_reader__nschemas(c->r, file);
	FILE *f = c->out;

	fprintf(f, "  Record types (%zu)\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct trace_schema *s = trace_reader__schema_at(c->r, file, i);
		uint16_t id = trace_schema__id(s);

		fprintf(f, "    %-14s id %-5u %5u bytes %12" PRIu64 " events\n", trace_schema__name(s),
			id, trace_schema__size(s), fs->per_type[id]);
		for (size_t x = 0; x < trace_schema__nfields(s); x++) {
			const struct trace_field_desc *d = trace_schema__field(s, x);

			fprintf(f, "      %-14s %-5s", d->name, type_name(d->type));
			if (d->count > 1)
				fprintf(f, "[%u]", d->count);
			else if (d->type == TRACE_FIELD_STR || d->type == TRACE_FIELD_BYTES)
				fprintf(f, "[%u]", d->size);
			fprintf(f, " @%u %s\n", d->offset, hint_name(d->hint));
		}
	}
	/* events of types the file has no schema for */
	for (uint32_t id = 0; id <= UINT16_MAX; id++) {
		bool known = false;

		if (!fs->per_type[id])
			continue;
		for (size_t i = 0; i < n && !known; i++)
			known = trace_schema__id(trace_reader__schema_at(c->r, file, i)) == id;
		if (!known)
			fprintf(f, "    type %-9u (no schema)   %12" PRIu64 " events, unreadable\n", id,
				fs->per_type[id]);
	}
}

static void print_file_sum(struct replay_ctx *c, uint16_t file, const struct file_sum *fs)
{
	size_t ncal = trace_reader__ncalibrations(c->r, file);
	char a[64], b[64];
	FILE *f = c->out;

	fprintf(f, "  Chunks      %" PRIu64 " (%" PRIu64 " damaged), %" PRIu64 " events\n", fs->chunks,
		fs->damaged, fs->events);
	if (fs->raw_chunks) {
		fmt_bytes(a, sizeof(a), fs->raw_chunks);
		fmt_bytes(b, sizeof(b), fs->raw);
		fprintf(f, "  Size        %s in chunks, %s decompressed (%.1fx)", a, b,
			(double)fs->raw / (double)fs->raw_chunks);
		if (fs->events)
			fprintf(f, ", %.2f bytes/event on disk", (double)fs->raw_chunks / (double)fs->events);
		fputc('\n', f);
	}
	if (fs->events) {
		int64_t r1 = ctx_realtime(c, file, fs->min_ts), r2 = ctx_realtime(c, file, fs->max_ts);

		if (r1 && r2) {
			fmt_datetime(a, sizeof(a), r1, c->utc);
			fmt_datetime(b, sizeof(b), r2, c->utc);
			fprintf(f, "  Time        %s .. %s\n", a, b);
		}
		fprintf(f, "  Boottime    %.9f .. %.9f s\n", fs->min_ts / 1e9, fs->max_ts / 1e9);
	}
	fprintf(f, "  Calibrations %zu", ncal);
	if (ncal) {
		struct trace_calibration first, last;

		trace_reader__calibration_at(c->r, file, 0, &first);
		trace_reader__calibration_at(c->r, file, ncal - 1, &last);
		fmt_datetime(a, sizeof(a), first.real_ns, c->utc);
		fmt_datetime(b, sizeof(b), last.real_ns, c->utc);
		fprintf(f, " (%s .. %s)", a, b);
	}
	fputc('\n', f);
}

int tool_info(struct replay_ctx *c)
{
	size_t n = trace_reader__nfiles(c->r);
	struct trace_reader_stats st;
	uint64_t chunks = 0, damaged = 0, events = 0, disk = 0;
	FILE *f = c->out;
	int err = 0;
	struct file_sum fs = { .per_type = calloc(UINT16_MAX + 1, sizeof(uint64_t)) };

	if (!fs.per_type) {
		fprintf(stderr, "ebpf-replay: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n && !err; i++) {
		uint16_t file = (uint16_t)i;
		const char *k, *v;

		memset(fs.per_type, 0, (UINT16_MAX + 1) * sizeof(uint64_t));
		fs = (struct file_sum){ .per_type = fs.per_type };
		fprintf(f, "File %zu: %s\n", i, trace_reader__file_path(c->r, file));
		fprintf(f, "  Metadata\n");
		for (size_t m = 0; trace_reader__meta_at(c->r, file, m, &k, &v) == 0; m++)
			fprintf(f, "    %-28s %s\n", k, v);
		err = list_chunks(c, file, &fs);
		if (err)
			break;
		print_types(c, file, &fs);
		print_file_sum(c, file, &fs);
		fputc('\n', f);
		chunks += fs.chunks;
		damaged += fs.damaged;
		events += fs.events;
		disk += fs.disk;
	}
	free(fs.per_type);
	if (err) {
		fprintf(stderr, "ebpf-replay: --info: %s\n", trace_strerror(err));
		return 1;
	}
	trace_reader__stats(c->r, &st);
	fprintf(f, "All files\n");
	fprintf(f, "  chunks %" PRIu64 " (damaged %" PRIu64 "), %" PRIu64 " events, %" PRIu64
		" bytes in chunks\n", chunks, damaged, events, disk);
	fprintf(f, "  files indexed %u of %zu, ending torn %u\n", st.files_indexed, n,
		st.files_truncated);
	fprintf(f, "  clock steps %u\n", st.clock_steps);
	return 0;
}

int tool_verify(struct replay_ctx *c)
{
	size_t n = trace_reader__nfiles(c->r);
	struct trace_verify_stats vs;
	char a[32];
	int err = trace_reader__verify(c->r, &vs);

	if (err && err != -EBADMSG) {
		fprintf(stderr, "ebpf-replay: verify: reading stopped: %s\n", trace_strerror(err));
		return 2;
	}
	/* A checksum says the bytes are the ones written, not that they
	 * decode: a chunk framed right but malformed inside (a forged file,
	 * a buggy writer) shows only when its events are read. */
	if (!err) {
		uint64_t before = c->damage_count, bytes = c->damage_bytes;
		struct trace_event ev;
		int e = trace_reader__rewind(c->r);

		while (!e && (e = trace_reader__next(c->r, &ev)) == 0)
			;
		if (e != -ENOENT) {
			fprintf(stderr, "ebpf-replay: verify: decoding stopped: %s\n", trace_strerror(e));
			return 2;
		}
		if (c->damage_count > before) {
			err = -EBADMSG;
			vs.damaged_blocks += c->damage_count - before;
			vs.damaged_bytes += c->damage_bytes - bytes;
		}
	}
	fmt_bytes(a, sizeof(a), vs.bytes);
	fprintf(c->out, "%s: %" PRIu64 " events in %" PRIu64 " chunks, %" PRIu64 " blocks, %s, "
		"%zu file(s), %u indexed\n", err ? "DAMAGED" : "OK", vs.events, vs.chunks, vs.blocks, a,
		n, vs.files_indexed);
	if (err)
		fprintf(c->out, "  %" PRIu64 " damaged block(s), %" PRIu64 " bytes, %u file(s) end torn: "
			"'ebpf-replay --recover -o OUT' writes a clean copy of the rest\n",
			vs.damaged_blocks, vs.damaged_bytes, vs.files_truncated);
	else if (vs.files_indexed < n)
		fprintf(c->out, "  every checksum matches; %zu file(s) have no index (the recording "
			"did not finish): --recover adds one\n", n - vs.files_indexed);
	return err ? 2 : 0;
}

/* Type ids of the copy, by file and type id of the input. */
struct type_map {
	uint16_t file, id;
	const struct trace_schema *s;
	int out;      /* type id in the copy; -1: its events cannot be copied */
};

static int cmp_map(const void *a, const void *b)
{
	const struct type_map *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static bool same_layout(const struct trace_schema *a, const struct trace_schema *b)
{
	size_t n = trace_schema__nfields(a);

	if (trace_schema__size(a) != trace_schema__size(b) || n != trace_schema__nfields(b))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct trace_field_desc *x = trace_schema__field(a, i), *y = trace_schema__field(b, i);

		if (strcmp(x->name, y->name) || x->type != y->type || x->offset != y->offset ||
		    x->size != y->size || x->count != y->count || x->hint != y->hint)
			return false;
	}
	return true;
}

/* Registers s in w as it is; its id in the copy or a negative errno. */
static int add_type(struct trace_writer *w, const struct trace_schema *s)
{
	size_t n = trace_schema__nfields(s);
	struct trace_field_desc *fields = calloc(n ? n : 1, sizeof(*fields));
	int id;

	if (!fields)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fields[i] = *trace_schema__field(s, i);
	struct trace_schema_desc d = { .name = trace_schema__name(s), .size = trace_schema__size(s),
				       .nfields = (uint16_t)n, .fields = fields };
	id = trace_writer__add_type(w, &d);
	free(fields);
	return id;
}

/* Registers every schema of every file in w, types with events or not:
 * the first of each name (the built-in ones are the writer's own), the
 * same name in later files mapped to it. *map: one entry per file and
 * type, sorted. */
static int copy_schemas(struct replay_ctx *c, struct trace_writer *w, struct type_map **map,
			size_t *nmap)
{
	size_t n = trace_reader__nfiles(c->r), total = 0;

	for (size_t i = 0; i < n; i++)
		total += trace_reader__nschemas(c->r, (uint16_t)i);
	*map = calloc(total ? total : 1, sizeof(**map));
	if (!*map)
		return -ENOMEM;
	*nmap = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t file = (uint16_t)i;

		for (size_t k = 0; k < trace_reader__nschemas(c->r, file); k++) {
			const struct trace_schema *s = trace_reader__schema_at(c->r, file, k);
			const char *name = trace_schema__name(s);
			const struct type_map *prev = NULL;
			struct type_map *m = &(*map)[*nmap];

			*m = (struct type_map){ file, trace_schema__id(s), s, -1 };
			for (size_t j = 0; j < *nmap && !prev; j++)
				if (!strcmp(trace_schema__name((*map)[j].s), name))
					prev = &(*map)[j];
			(*nmap)++;
			if (!strcmp(name, "lost") || !strcmp(name, "process")) {
				/* decoded by name whatever their layout */
				m->out = name[0] == 'l' ? TRACE_TYPE_LOST : TRACE_TYPE_PROCESS;
			} else if (prev) {
				if (prev->out >= 0 && same_layout(prev->s, s))
					m->out = prev->out;
				else if (prev->out >= 0)
					fprintf(stderr, "ebpf-replay: --recover: type %s of %s differs from "
						"the one in %s; its events are left out\n", name,
						trace_reader__file_path(c->r, file),
						trace_reader__file_path(c->r, prev->file));
			} else if ((m->out = add_type(w, s)) < 0) {
				if (m->out == -ENOMEM)
					return -ENOMEM;
				fprintf(stderr, "ebpf-replay: --recover: type %s of %s cannot be copied: "
					"%s; its events are left out\n", name,
					trace_reader__file_path(c->r, file), trace_strerror(m->out));
				m->out = -1;
			}
		}
	}
	qsort(*map, *nmap, sizeof(**map), cmp_map);
	return 0;
}

static int out_type(const struct type_map *map, size_t nmap, uint16_t file, uint16_t id)
{
	struct type_map key = { .file = file, .id = id };
	const struct type_map *m = bsearch(&key, map, nmap, sizeof(*map), cmp_map);

	return m ? m->out : -1;
}

/* Every calibration of every file (segments of one recording share one
 * clock; the reader keeps the most certain of those at one instant). */
static int copy_calibrations(struct replay_ctx *c, struct trace_writer *w)
{
	for (size_t i = 0; i < trace_reader__nfiles(c->r); i++) {
		struct trace_calibration cal;

		for (size_t k = 0; trace_reader__calibration_at(c->r, (uint16_t)i, k, &cal) == 0; k++) {
			int err = trace_writer__calibrate(w, &cal);

			if (err)
				return err;
		}
	}
	return 0;
}

int tool_recover(struct replay_ctx *c, const char *out)
{
	struct trace_writer_opts wo = { .sz = sizeof(wo) };
	struct type_map *map = NULL;
	size_t nmap = 0;
	struct trace_event ev;
	uint64_t events = 0, left_out = 0;
	const char *k, *v;
	int err;

	for (size_t i = 0; i < trace_reader__nfiles(c->r); i++)
		if (!strcmp(trace_reader__file_path(c->r, (uint16_t)i), out)) {
			fprintf(stderr, "ebpf-replay: --recover -o %s would overwrite its own input\n", out);
			return 1;
		}
	struct trace_writer *w = trace_writer__open(out, &wo);
	if (!w) {
		fprintf(stderr, "ebpf-replay: cannot write %s: %s\n", out, trace_strerror(-errno));
		return 1;
	}
	for (size_t m = 0; trace_reader__meta_at(c->r, 0, m, &k, &v) == 0; m++)
		if ((err = trace_writer__set_meta(w, k, v)))
			goto fail;
	if (trace_reader__nfiles(c->r) > 1)
		fprintf(stderr, "ebpf-replay: --recover: merging %zu files; times stay in each file's "
			"boottime, so give the segments of one recording only\n",
			trace_reader__nfiles(c->r));
	if ((err = copy_schemas(c, w, &map, &nmap)) || (err = copy_calibrations(c, w)))
		goto fail;
	while ((err = trace_reader__next(c->r, &ev)) == 0) {
		int type = out_type(map, nmap, ev.file, ev.type);

		if (type == TRACE_TYPE_LOST) {
			struct trace_lost l;

			if (trace_event__lost(&ev, &l) == 0 && (err = trace_writer__lost(w, &l)))
				goto fail;
		} else if (type == TRACE_TYPE_PROCESS) {
			struct trace_process p;

			if (trace_event__process(&ev, &p) == 0 && (err = trace_writer__process(w, &p)))
				goto fail;
		} else if (type > 0) {
			if ((err = trace_writer__append(w, type, ev.data, ev.size)))
				goto fail;
		} else {
			left_out++;
			continue;
		}
		events++;
	}
	if (err != -ENOENT)
		goto fail;
	err = trace_writer__close(w);
	w = NULL;
	if (err)
		goto fail;
	free(map);
	fprintf(c->out, "%s: %" PRIu64 " intact events written, indexed", out, events);
	if (c->damage_count)
		fprintf(c->out, "; %" PRIu64 " damaged block(s) (%" PRIu64 " bytes) left out",
			c->damage_count, c->damage_bytes);
	if (left_out)
		fprintf(c->out, "; %" PRIu64 " events of types that could not be copied left out",
			left_out);
	fprintf(c->out, "\n");
	return 0;
fail:
	trace_writer__close(w);
	free(map);
	fprintf(stderr, "ebpf-replay: --recover: %s\n", trace_strerror(err));
	return 1;
}
