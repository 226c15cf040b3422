// SPDX-License-Identifier: MIT
/* --info, --verify and --recover: what a trace file holds, whether it is
 * intact, and a clean copy of what is. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay/out.h"

/* The record types EVENTS.md and FORMAT.md define; --info lists the ones a
 * file has (format/trace.h has no call that lists a file's schemas). */
static const char *const known_types[] = { "lost",      "process",   "open",	 "syscall",
					   "syscall_hist", "syscall_name", "tcp_state", "tcp_life",
					   "udp",	"exec",	    "fork",	 "exit",
					   NULL };

struct file_stats {
	uint64_t events, first, last;
	uint64_t per_type[64];
	const struct trace_schema *types[64];
	size_t ntypes;
};

static int scan(struct replay_ctx *c, struct file_stats *fs, size_t nfiles)
{
	struct trace_event ev;
	int err;

	while ((err = trace_reader__next(c->r, &ev)) == 0) {
		if (ev.file >= nfiles)
			continue;
		struct file_stats *s = &fs[ev.file];
		if (!s->events || ev.ts < s->first)
			s->first = ev.ts;
		if (ev.ts > s->last)
			s->last = ev.ts;
		s->events++;
		size_t k;
		for (k = 0; k < s->ntypes; k++)
			if (s->types[k] == ev.schema)
				break;
		if (k == s->ntypes && k < 64)
			s->types[s->ntypes++] = ev.schema;
		if (k < 64)
			s->per_type[k]++;
	}
	return err == -ENOENT ? 0 : err;
}

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

int tool_info(struct replay_ctx *c)
{
	size_t n = trace_reader__nfiles(c->r);
	struct file_stats *fs = calloc(n, sizeof(*fs));
	struct trace_reader_stats st;
	FILE *f = c->out;
	char a[64], b[64];

	if (!fs) {
		fprintf(stderr, "ebpf-replay: out of memory\n");
		return 1;
	}
	int err = scan(c, fs, n);
	trace_reader__stats(c->r, &st);
	for (size_t i = 0; i < n; i++) {
		uint16_t file = (uint16_t)i;
		const char *k, *v;
		fprintf(f, "File %zu: %s\n", i, trace_reader__file_path(c->r, file));
		fprintf(f, "  Metadata\n");
		for (size_t m = 0; trace_reader__meta_at(c->r, file, m, &k, &v) == 0; m++)
			fprintf(f, "    %-28s %s\n", k, v);
		fprintf(f, "  Record types\n");
		for (const char *const *t = known_types; *t; t++) {
			const struct trace_schema *s = trace_reader__schema(c->r, file, *t);
			if (!s)
				continue;
			uint64_t count = 0;
			for (size_t x = 0; x < fs[i].ntypes; x++)
				if (fs[i].types[x] == s)
					count = fs[i].per_type[x];
			fprintf(f, "    %-14s %5u bytes %10" PRIu64 " events\n", trace_schema__name(s),
				trace_schema__size(s), count);
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
		/* Types this reader does not know by name, seen in events. */
		for (size_t x = 0; x < fs[i].ntypes; x++) {
			const char *name = trace_schema__name(fs[i].types[x]);
			bool known = false;
			for (const char *const *t = known_types; *t; t++)
				known |= !strcmp(*t, name);
			if (!known)
				fprintf(f, "    %-14s %5u bytes %10" PRIu64 " events (unknown type)\n", name,
					trace_schema__size(fs[i].types[x]), fs[i].per_type[x]);
		}
		fprintf(f, "  Events      %" PRIu64 "\n", fs[i].events);
		if (fs[i].events) {
			int64_t r1 = ctx_realtime(c, file, fs[i].first), r2 = ctx_realtime(c, file, fs[i].last);
			if (r1 && r2) {
				fmt_datetime(a, sizeof(a), r1, c->utc);
				fmt_datetime(b, sizeof(b), r2, c->utc);
				fprintf(f, "  Time        %s .. %s\n", a, b);
			}
			fprintf(f, "  Boottime    %.9f .. %.9f s\n", fs[i].first / 1e9, fs[i].last / 1e9);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "All files\n");
	fprintf(f, "  chunks %" PRIu64 " (damaged %" PRIu64 ", skipped by filters %" PRIu64 ")\n",
		st.chunks, st.chunks_bad, st.chunks_skipped);
	fprintf(f, "  damaged bytes skipped %" PRIu64 "\n", st.bytes_skipped);
	fprintf(f, "  files indexed %u of %zu, ending torn %u\n", st.files_indexed, n,
		st.files_truncated);
	fprintf(f, "  clock steps %u\n", st.clock_steps);
	fprintf(f, "  (per-chunk statistics need a chunk listing in format/trace.h)\n");
	free(fs);
	if (err) {
		fprintf(stderr, "ebpf-replay: %s\n", trace_strerror(err));
		return 1;
	}
	return 0;
}

int tool_verify(struct replay_ctx *c)
{
	size_t n = trace_reader__nfiles(c->r);
	struct file_stats *fs = calloc(n, sizeof(*fs));
	struct trace_reader_stats st;

	if (!fs) {
		fprintf(stderr, "ebpf-replay: out of memory\n");
		return 1;
	}
	int err = scan(c, fs, n);
	trace_reader__stats(c->r, &st);
	uint64_t events = 0;
	for (size_t i = 0; i < n; i++)
		events += fs[i].events;
	free(fs);
	if (err) {
		fprintf(stderr, "ebpf-replay: verify: reading stopped: %s\n", trace_strerror(err));
		return 2;
	}
	bool bad = c->damage_count || st.chunks_bad || st.files_truncated;
	fprintf(c->out, "%s: %" PRIu64 " events in %" PRIu64 " chunks, %zu file(s), %u indexed\n",
		bad ? "DAMAGED" : "OK", events, st.chunks, n, st.files_indexed);
	if (bad)
		fprintf(c->out, "  %" PRIu64 " damaged block(s), %" PRIu64 " bad chunk(s), %" PRIu64
			" bytes skipped, %u file(s) end torn: 'ebpf-replay --recover -o OUT' "
			"writes a clean copy of the rest\n", c->damage_count, st.chunks_bad,
			st.bytes_skipped, st.files_truncated);
	else if (st.files_indexed < n)
		fprintf(c->out, "  every checksum matches; %zu file(s) have no index (the recording "
			"did not finish): --recover adds one\n", n - st.files_indexed);
	return bad ? 2 : 0;
}

struct type_map {
	const struct trace_schema *s;
	int id;
};

/* Registers the schema of s in w, as the reader has it. */
static int add_type(struct trace_writer *w, const struct trace_schema *s)
{
	size_t n = trace_schema__nfields(s);
	struct trace_field_desc *fields = calloc(n ? n : 1, sizeof(*fields));

	if (!fields)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fields[i] = *trace_schema__field(s, i);
	struct trace_schema_desc d = { .name = trace_schema__name(s), .size = trace_schema__size(s),
				       .nfields = (uint16_t)n, .fields = fields };
	int id = trace_writer__add_type(w, &d);
	free(fields);
	return id;
}

int tool_recover(struct replay_ctx *c, const char *out)
{
	struct trace_writer_opts wo = { .sz = sizeof(wo) };
	struct type_map map[256];
	size_t nmap = 0;
	struct trace_event ev;
	uint64_t events = 0, next_cal = 0;
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
	while ((err = trace_reader__next(c->r, &ev)) == 0) {
		/* Calibrations: format/trace.h does not list a file's
		 * calibration records, so the copy gets one a second, from the
		 * reader's conversion (uncertainty unknown: 0). */
		if (ev.ts >= next_cal) {
			int64_t real;
			if (trace_reader__realtime(c->r, ev.file, ev.ts, &real) == 0) {
				struct trace_calibration cal = { .boot_ns = ev.ts, .real_ns = real };
				if ((err = trace_writer__calibrate(w, &cal)))
					goto fail;
			}
			next_cal = ev.ts + 1000000000ULL;
		}
		if (ev.type == TRACE_TYPE_LOST) {
			struct trace_lost l;
			if (trace_event__lost(&ev, &l) == 0 && (err = trace_writer__lost(w, &l)))
				goto fail;
			events++;
			continue;
		}
		if (ev.type == TRACE_TYPE_PROCESS) {
			struct trace_process p;
			if (trace_event__process(&ev, &p) == 0 && (err = trace_writer__process(w, &p)))
				goto fail;
			events++;
			continue;
		}
		size_t i;
		for (i = 0; i < nmap; i++)
			if (map[i].s == ev.schema)
				break;
		if (i == nmap) {
			if (nmap == 256) {
				err = -E2BIG;
				goto fail;
			}
			int id = add_type(w, ev.schema);
			if (id < 0) {
				err = id;
				goto fail;
			}
			map[nmap].s = ev.schema;
			map[nmap++].id = id;
		}
		if ((err = trace_writer__append(w, map[i].id, ev.data, ev.size)))
			goto fail;
		events++;
	}
	if (err != -ENOENT)
		goto fail;
	err = trace_writer__close(w);
	w = NULL;
	if (err)
		goto fail;
	fprintf(c->out, "%s: %" PRIu64 " intact events written, indexed", out, events);
	if (c->damage_count)
		fprintf(c->out, "; %" PRIu64 " damaged block(s) (%" PRIu64 " bytes) left out",
			c->damage_count, c->damage_bytes);
	fprintf(c->out, "\n");
	return 0;
fail:
	trace_writer__close(w);
	fprintf(stderr, "ebpf-replay: --recover: %s\n", trace_strerror(err));
	return 1;
}
