// SPDX-License-Identifier: MIT
/* Round trips: every field type, the built-in types, metadata, calibration,
 * the index, many chunks. */
#include <limits.h>

#include "test_format_util.h"

/* One record type with every field type, arrays and extremes. */
struct t_all {
	uint8_t u8;
	int8_t s8;
	uint16_t u16;
	int16_t s16;
	uint32_t u32;
	int32_t s32;
	uint64_t ts;
	uint64_t u64;
	int64_t s64;
	uint64_t arr[5];
	int32_t sarr[3];
	char name[12];
	uint8_t addr[16];
	uint8_t pad[4]; /* not covered by a field: reads back as zeros */
	uint64_t since;
};

static const struct trace_field_desc t_all_fields[] = {
	T_FIELD(struct t_all, u8, TRACE_FIELD_U8, TRACE_HINT_NONE),
	T_FIELD(struct t_all, s8, TRACE_FIELD_S8, TRACE_HINT_NONE),
	T_FIELD(struct t_all, u16, TRACE_FIELD_U16, TRACE_HINT_NONE),
	T_FIELD(struct t_all, s16, TRACE_FIELD_S16, TRACE_HINT_NONE),
	T_FIELD(struct t_all, u32, TRACE_FIELD_U32, TRACE_HINT_HEX),
	T_FIELD(struct t_all, s32, TRACE_FIELD_S32, TRACE_HINT_ERRNO),
	T_FIELD(struct t_all, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	T_FIELD(struct t_all, u64, TRACE_FIELD_U64, TRACE_HINT_NONE),
	T_FIELD(struct t_all, s64, TRACE_FIELD_S64, TRACE_HINT_NONE),
	{ "arr", TRACE_FIELD_U64, TRACE_HINT_NONE, offsetof(struct t_all, arr), 40, 5 },
	{ "sarr", TRACE_FIELD_S32, TRACE_HINT_NONE, offsetof(struct t_all, sarr), 12, 3 },
	T_FIELD(struct t_all, name, TRACE_FIELD_STR, TRACE_HINT_NONE),
	T_FIELD(struct t_all, addr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR),
	T_FIELD(struct t_all, since, TRACE_FIELD_U64, TRACE_HINT_BOOTTIME),
};

static const struct trace_schema_desc t_all_desc = {
	.name = "all",
	.size = sizeof(struct t_all),
	.nfields = sizeof(t_all_fields) / sizeof(t_all_fields[0]),
	.fields = t_all_fields,
};

static void t_all_make(struct t_all *a, uint64_t i)
{
	static const char *const names[] = { "", "a", "eleven_char", "x" };

	memset(a, 0, sizeof(*a));
	a->ts = 5000 + i * 10;
	switch (i % 4) {
	case 0: /* extremes */
		a->u8 = UINT8_MAX;
		a->s8 = INT8_MIN;
		a->u16 = UINT16_MAX;
		a->s16 = INT16_MIN;
		a->u32 = UINT32_MAX;
		a->s32 = INT32_MIN;
		a->u64 = UINT64_MAX;
		a->s64 = INT64_MIN;
		break;
	case 1:
		a->s8 = INT8_MAX;
		a->s16 = INT16_MAX;
		a->s32 = INT32_MAX;
		a->s64 = INT64_MAX;
		break;
	case 2:
		a->s8 = -1;
		a->s16 = -1;
		a->s32 = -1;
		a->s64 = -1;
		a->u64 = 1;
		break;
	default:
		a->u8 = (uint8_t)i;
		a->u16 = (uint16_t)(i * 7);
		a->u32 = (uint32_t)(i * 1000003);
		a->u64 = i * 0x123456789ull;
		a->s64 = -(int64_t)i * 99;
	}
	for (int k = 0; k < 5; k++)
		a->arr[k] = k == 0 ? i : k == 1 ? 42 : (i * 31 + (uint64_t)k) ^ (UINT64_MAX * (k == 4));
	a->sarr[0] = -(int32_t)(i % 100);
	a->sarr[1] = INT32_MIN;
	a->sarr[2] = (int32_t)i;
	/* the longest string a str[12] holds: 11 characters */
	strcpy(a->name, names[i % 4]);
	for (int k = 0; k < 16; k++)
		a->addr[k] = (uint8_t)(i % 3 == 0 ? (uint64_t)k : 255 - (uint64_t)k * (i % 5));
	a->since = a->ts - 100 - i % 17;
}

static char *dir;

static void setup(void)
{
	dir = t_mkdtemp();
}

static void teardown(void)
{
	t_rmdir(dir);
}

TestSuite(format_roundtrip, .init = setup, .fini = teardown);

Test(format_roundtrip, every_field_type_and_builtin)
{
	char *path = t_path(dir, "all.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	struct t_damage td = { 0 };
	struct trace_event ev;
	const int n = 1000;
	int type, got_all = 0, got_lost = 0, got_proc = 0;

	cr_assert_not_null(w, "%s", strerror(errno));
	cr_assert_eq(trace_writer__set_meta(w, "host.name", "box"), 0);
	cr_assert_eq(trace_writer__set_meta(w, "record.command", "first"), 0);
	type = trace_writer__add_type(w, &t_all_desc);
	cr_assert_geq(type, TRACE_TYPE_FIRST_USER);
	struct trace_calibration cal = { .boot_ns = 5000, .real_ns = 1700000000000000000ll,
					 .uncertainty_ns = 40 };

	cr_assert_eq(trace_writer__calibrate(w, &cal), 0);
	for (int i = 0; i < n; i++) {
		struct t_all a;

		t_all_make(&a, (uint64_t)i);
		cr_assert_eq(trace_writer__append(w, type, &a, sizeof(a)), 0);
		if (i % 100 == 0) {
			struct trace_lost l = { .ts = a.ts, .since_ns = a.ts - 77, .count = (uint64_t)i,
						.cpu = (uint32_t)i % 2 };

			snprintf(l.probe, sizeof(l.probe), "opens");
			cr_assert_eq(trace_writer__lost(w, &l), 0);
		}
		if (i % 250 == 0) {
			struct trace_process p = { .ts = a.ts, .start_ns = 12, .pid = (uint32_t)i,
						   .ppid = 1, .uid = 1000, .gid = 1000 };

			strcpy(p.comm, "proc");
			memset(p.cmdline, 'c', sizeof(p.cmdline) - 1);
			p.cmdline[i % 1000] = 0;
			cr_assert_eq(trace_writer__process(w, &p), 0);
		}
		if (i == 500)
			cr_assert_eq(trace_writer__flush(w), 0);
	}
	cr_assert_eq(trace_writer__set_meta(w, "record.command", "second"), 0);
	cr_assert_eq(trace_writer__close(w), 0);

	struct trace_reader *r = t_open_reader(path, &td);

	cr_assert_not_null(r, "%s", trace_strerror(-errno));
	cr_assert_str_eq(trace_reader__meta(r, 0, "host.name"), "box");
	cr_assert_str_eq(trace_reader__meta(r, 0, "record.command"), "second");
	cr_assert_null(trace_reader__meta(r, 0, "nope"));
	const struct trace_schema *s = trace_reader__schema(r, 0, "all");

	cr_assert_not_null(s);
	cr_assert_eq(trace_schema__size(s), sizeof(struct t_all));
	cr_assert_eq(trace_schema__nfields(s), t_all_desc.nfields);
	for (size_t k = 0; k < t_all_desc.nfields; k++) {
		const struct trace_field_desc *f = trace_schema__field(s, k);

		cr_assert_str_eq(f->name, t_all_fields[k].name);
		cr_assert_eq(f->type, t_all_fields[k].type);
		cr_assert_eq(f->hint, t_all_fields[k].hint);
		cr_assert_eq(f->offset, t_all_fields[k].offset);
		cr_assert_eq(f->size, t_all_fields[k].size);
		cr_assert_eq(f->count, t_all_fields[k].count);
	}
	int i = 0;
	uint64_t last_ts = 0;

	while (trace_reader__next(r, &ev) == 0) {
		const char *name = trace_schema__name(ev.schema);

		cr_assert_geq(ev.ts, last_ts);
		last_ts = ev.ts;
		if (strcmp(name, "all") == 0) {
			struct t_all want;

			t_all_make(&want, (uint64_t)i++);
			cr_assert_eq(ev.size, sizeof(want));
			cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0, "record %d differs", i - 1);
			const struct trace_field_desc *f = trace_schema__find_field(ev.schema, "s64");

			cr_assert_eq(trace_field__i64(f, ev.data, 0), want.s64);
			f = trace_schema__find_field(ev.schema, "sarr");
			cr_assert_eq(trace_field__i64(f, ev.data, 1), INT32_MIN);
			f = trace_schema__find_field(ev.schema, "name");
			cr_assert_str_eq(trace_field__str(f, ev.data), want.name);
			got_all++;
		} else if (strcmp(name, "lost") == 0) {
			struct trace_lost l;

			cr_assert_eq(trace_event__lost(&ev, &l), 0);
			cr_assert_eq(l.since_ns, l.ts - 77);
			cr_assert_str_eq(l.probe, "opens");
			got_lost++;
		} else if (strcmp(name, "process") == 0) {
			struct trace_process p;

			cr_assert_eq(trace_event__process(&ev, &p), 0);
			cr_assert_eq(strlen(p.cmdline), p.pid % 1000);
			cr_assert_str_eq(p.comm, "proc");
			got_proc++;
		} else {
			cr_assert_fail("unexpected type %s", name);
		}
	}
	cr_assert_eq(got_all, n);
	cr_assert_eq(got_lost, n / 100);
	cr_assert_eq(got_proc, n / 250);
	int64_t real;

	cr_assert_eq(trace_reader__realtime(r, 0, 6000, &real), 0);
	cr_assert_eq(real, 1700000000000000000ll + 1000);
	struct trace_reader_stats st;

	trace_reader__stats(r, &st);
	cr_assert_eq(st.files_indexed, 1);
	cr_assert_eq(st.chunks, 2);
	cr_assert_eq(td.count, 0, "damage: %s", td.last_what);
	trace_reader__close(r);
	free(path);
}

Test(format_roundtrip, thousands_of_chunks)
{
	char *path = t_path(dir, "many.trace");
	struct trace_writer_opts wo = { .sz = sizeof(wo), .chunk_events = 7, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &wo);
	struct t_damage td = { 0 };
	struct trace_event ev;
	const uint64_t n = 7 * 3000 + 3;
	int type;

	cr_assert_not_null(w);
	type = trace_writer__add_type(w, &t_open_desc);
	for (uint64_t i = 0; i < n; i++) {
		struct t_open o;

		t_open_make(&o, i);
		cr_assert_eq(trace_writer__append(w, type, &o, sizeof(o)), 0);
	}
	struct trace_writer_stats ws;

	trace_writer__stats(w, &ws);
	cr_assert_eq(ws.events, n);
	cr_assert_eq(trace_writer__close(w), 0);

	struct trace_reader *r = t_open_reader(path, &td);

	cr_assert_not_null(r);
	uint64_t i = 0;

	while (trace_reader__next(r, &ev) == 0) {
		struct t_open want;

		t_open_make(&want, i++);
		cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0, "event %llu", (unsigned long long)i - 1);
	}
	cr_assert_eq(i, n);
	struct trace_reader_stats st;

	trace_reader__stats(r, &st);
	cr_assert_eq(st.chunks, 3001);
	cr_assert_eq(td.count, 0);
	trace_reader__close(r);
	free(path);
}

/* Signed columns whose values span a narrow range in each chunk (FIXED
 * with a small width over zigzagged values), across many chunks. */
Test(format_roundtrip, narrow_signed_ranges_in_every_chunk)
{
	char *path = t_path(dir, "signed.trace");
	struct trace_writer_opts wo = { .sz = sizeof(wo), .chunk_events = 20, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &wo);
	struct trace_event ev;
	int type;
	uint64_t i = 0;

	cr_assert_not_null(w);
	type = trace_writer__add_type(w, &t_all_desc);
	for (uint64_t k = 0; k < 2000; k++) {
		struct t_all a;

		memset(&a, 0, sizeof(a));
		a.ts = 1000 + k;
		a.s8 = (int8_t)(-(int64_t)(k % 50) - 60);
		a.s16 = (int16_t)(-(int64_t)k * 3);
		a.s32 = (int32_t)(-(int64_t)k * 1000 - 7);
		a.s64 = -(int64_t)k * 1000000 + (int64_t)(k % 3);
		a.sarr[1] = (int32_t)(k % 4) - 2;
		a.u64 = UINT64_MAX - k;
		a.since = a.ts - 5;
		cr_assert_eq(trace_writer__append(w, type, &a, sizeof(a)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct t_all *a = ev.data;

		cr_assert_eq(a->s8, (int8_t)(-(int64_t)(i % 50) - 60), "row %llu", (unsigned long long)i);
		cr_assert_eq(a->s16, (int16_t)(-(int64_t)i * 3));
		cr_assert_eq(a->s32, (int32_t)(-(int64_t)i * 1000 - 7));
		cr_assert_eq(a->s64, -(int64_t)i * 1000000 + (int64_t)(i % 3), "row %llu",
			     (unsigned long long)i);
		cr_assert_eq(a->sarr[1], (int32_t)(i % 4) - 2);
		cr_assert_eq(a->u64, UINT64_MAX - i);
		cr_assert_eq(a->since, a->ts - 5);
		i++;
	}
	cr_assert_eq(i, 2000);
	trace_reader__close(r);
	free(path);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A value of a random shape: constant stretches, small and narrow ranges,
 * negative, full range; so every encoding and width gets chosen. */
static uint64_t shaped(uint64_t *s, uint64_t k, unsigned shape)
{
	uint64_t r = rng_next(s);

	switch (shape % 7) {
	case 0: return 42;
	case 1: return r % 100;
	case 2: return (uint64_t)-(int64_t)(r % 1000);
	case 3: return r;
	case 4: return k * 1000 + r % 10;
	case 5: return (uint64_t)(-(int64_t)k * 77);
	default: return (k / 50) % 2 ? r : 7;
	}
}

/* Random records of every field type in many small chunks, some
 * delivered out of order: each comes back byte for byte. */
Test(format_roundtrip, random_records_every_shape)
{
	char *path = t_path(dir, "random.trace");
	struct trace_writer_opts wo = { .sz = sizeof(wo), .chunk_events = 37, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &wo);
	const uint64_t n = 20000;
	struct t_all *want = calloc(n, sizeof(*want));
	uint64_t s = 0x1234567887654321ull;
	struct trace_event ev;
	int type;

	cr_assert_not_null(w);
	cr_assert_not_null(want);
	type = trace_writer__add_type(w, &t_all_desc);
	for (uint64_t k = 0; k < n; k++) {
		struct t_all *a = &want[k];
		unsigned shape = (unsigned)(k / 500); /* changes every ~13 chunks */

		/* ts: increasing, with neighbours swapped now and then */
		a->ts = 1000000 + k * 10 - ((k % 7 == 3) ? 15 : 0);
		a->u8 = (uint8_t)shaped(&s, k, shape);
		a->s8 = (int8_t)shaped(&s, k, shape + 1);
		a->u16 = (uint16_t)shaped(&s, k, shape + 2);
		a->s16 = (int16_t)shaped(&s, k, shape + 3);
		a->u32 = (uint32_t)shaped(&s, k, shape + 4);
		a->s32 = (int32_t)shaped(&s, k, shape + 5);
		a->u64 = shaped(&s, k, shape + 6);
		a->s64 = (int64_t)shaped(&s, k, shape);
		for (int e = 0; e < 5; e++)
			a->arr[e] = shaped(&s, k, shape + (unsigned)e);
		for (int e = 0; e < 3; e++)
			a->sarr[e] = (int32_t)shaped(&s, k, shape + 2 + (unsigned)e);
		snprintf(a->name, sizeof(a->name), "%llx",
			 (unsigned long long)(shaped(&s, k, shape + 3) % 0xfffffffffull));
		for (int e = 0; e < 16; e++)
			a->addr[e] = (uint8_t)shaped(&s, k, shape + (unsigned)e);
		a->since = shape % 2 ? a->ts - shaped(&s, k, 1) : shaped(&s, k, shape);
		cr_assert_eq(trace_writer__append(w, type, a, sizeof(*a)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);
	uint64_t got = 0;

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		/* chunks of 37 sort their own events: find the record by ts */
		uint64_t k = (ev.ts - 1000000 + 15) / 10;
		const struct t_all *exp = k < n ? &want[k] : NULL;

		if (!exp || exp->ts != ev.ts)
			exp = &want[k - 1];
		cr_assert_eq(exp->ts, ev.ts, "ts %llu", (unsigned long long)ev.ts);
		cr_assert_eq(memcmp(ev.data, exp, sizeof(*exp)), 0, "record with ts %llu differs",
			     (unsigned long long)ev.ts);
		got++;
	}
	cr_assert_eq(got, n);
	trace_reader__close(r);
	free(want);
	free(path);
}

struct t_word {
	uint64_t ts;
	char w[24];
};

static const struct trace_field_desc word_fields[] = {
	{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
	{ "w", TRACE_FIELD_STR, TRACE_HINT_NONE, 8, 24, 1 },
};

static const struct trace_schema_desc word_desc = { "word", sizeof(struct t_word), 2, word_fields };

/* A chunk of many tiny distinct strings, whose dictionary padded for fast
 * copies would be many times the chunk: read from where they are. A long
 * word every so often checks that each value clears what the last left. */
Test(format_roundtrip, tiny_dictionary_entries)
{
	char *path = t_path(dir, "words.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	const uint32_t n = 50000;
	struct trace_event ev;
	uint32_t got = 0;
	int type;

	cr_assert_not_null(w);
	type = trace_writer__add_type(w, &word_desc);
	for (uint32_t i = 0; i < n; i++) {
		struct t_word x = { .ts = 100 + i };

		if (i % 101 == 0)
			snprintf(x.w, sizeof(x.w), "a-long-word-%u", i);
		else
			snprintf(x.w, sizeof(x.w), "%x", i);
		cr_assert_eq(trace_writer__append(w, type, &x, sizeof(x)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__nchunks(r, 0), 1);
	while (trace_reader__next(r, &ev) == 0) {
		struct t_word want = { .ts = 100 + got };

		if (got % 101 == 0)
			snprintf(want.w, sizeof(want.w), "a-long-word-%u", got);
		else
			snprintf(want.w, sizeof(want.w), "%x", got);
		cr_assert_eq(memcmp(ev.data, &want, sizeof(want)), 0, "event %u: '%s', want '%s'", got,
			     ((const struct t_word *)ev.data)->w, want.w);
		got++;
	}
	cr_assert_eq(got, n);
	trace_reader__close(r);
	free(path);
}
