// SPDX-License-Identifier: MIT
/* Damage: truncation at every offset of the last chunk, a flipped byte at
 * every offset, unknown block kinds and record types, newer versions. */
#include "test_format_util.h"

static char *dir;
static int open_type;

static void setup(void)
{
	dir = t_mkdtemp();
}

static void teardown(void)
{
	t_rmdir(dir);
}

TestSuite(format_damage, .init = setup, .fini = teardown);

#define NEVENTS 200

/* A small file: metadata, a calibration, 5 chunks of opens with lost and
 * process records, closing metadata, index. */
static char *make_small(const char *name, uint32_t chunk_events)
{
	char *path = t_path(dir, name);
	struct trace_writer_opts wo = { .sz = sizeof(wo), .chunk_events = chunk_events,
					.uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &wo);
	struct trace_calibration cal = { .boot_ns = 1000000000, .real_ns = 1700000000000000000ll,
					 .uncertainty_ns = 100 };

	cr_assert_not_null(w);
	cr_assert_eq(trace_writer__set_meta(w, "host.name", "testbox"), 0);
	open_type = trace_writer__add_type(w, &t_open_desc);
	cr_assert_eq(trace_writer__calibrate(w, &cal), 0);
	for (int i = 0; i < NEVENTS; i++) {
		struct t_open o;

		t_open_make(&o, (uint64_t)i);
		if (i % 50 == 0) {
			struct trace_process p = { .ts = o.ts, .pid = (uint32_t)i, .ppid = 1 };

			strcpy(p.comm, "init");
			strcpy(p.cmdline, "/sbin/init splash");
			cr_assert_eq(trace_writer__process(w, &p), 0);
		} else if (i % 50 == 25) {
			struct trace_lost l = { .ts = o.ts, .since_ns = o.ts - 5000, .count = 3 };

			strcpy(l.probe, "opens");
			cr_assert_eq(trace_writer__lost(w, &l), 0);
		} else {
			cr_assert_eq(trace_writer__append(w, open_type, &o, sizeof(o)), 0);
		}
	}
	cr_assert_eq(trace_writer__set_meta(w, "record.exit_status", "0"), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	return path;
}

Test(format_damage, truncated_at_every_offset_of_the_last_chunk)
{
	char *path = make_small("t.trace", 40), *cut = t_path(dir, "cut.trace");
	struct t_block b[64];
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	long total, in_last = 0;
	size_t last = 0, index = 0;
	struct t_damage td = { 0 };

	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb; i++) {
		if (b[i].kind == 3)
			last = i;
		if (b[i].kind == 5)
			index = i;
	}
	cr_assert(last > 0 && index > last);
	in_last = t_chunk_events(buf, &b[last], 0);
	total = t_count(path, &td);
	cr_assert_eq(total, NEVENTS);
	cr_assert_eq(td.count, 0);
	/* Every cut from the start of the last chunk to the end of the file
	 * before the index: the chunks before read whole. */
	for (uint64_t at = b[last].off; at < b[index].off; at++) {
		struct trace_reader_stats st;
		struct trace_reader *r;
		long n;

		t_spit(cut, buf, at);
		memset(&td, 0, sizeof(td));
		n = t_count(cut, &td);
		cr_assert_eq(n, total - in_last, "cut at %llu: read %ld events, want %ld",
			     (unsigned long long)at, n, total - in_last);
		if (at == b[last].off) {
			cr_assert_eq(td.count, 0, "cut on a block boundary is not damage");
			continue;
		}
		cr_assert_eq(td.count, 1, "cut at %llu: %d reports", (unsigned long long)at, td.count);
		cr_assert_eq(td.last_err, -EPIPE, "cut at %llu: %s", (unsigned long long)at,
			     td.last_what);
		cr_assert_eq(td.last_offset, b[last].off);
		r = t_open_reader(cut, NULL);
		cr_assert_not_null(r);
		trace_reader__stats(r, &st);
		cr_assert_eq(st.files_truncated, 1);
		cr_assert_eq(st.files_indexed, 0);
		trace_reader__close(r);
	}
	/* Cuts inside the index and trailer: every event, the index ignored. */
	for (uint64_t at = b[index].off + 1; at < len; at += 7) {
		t_spit(cut, buf, at);
		memset(&td, 0, sizeof(td));
		cr_assert_eq(t_count(cut, &td), total);
		cr_assert_eq(td.last_err, -EPIPE);
	}
	free(buf);
	free(cut);
	free(path);
}

/* Events lost when the byte at off is damaged: those of the block it
 * falls in (a chunk's, or for a schema all events of its type). */
static long expected_loss(const uint8_t *buf, const struct t_block *b, size_t nb, uint64_t off)
{
	for (size_t i = 0; i < nb; i++) {
		if (off < b[i].off || off >= b[i].off + 20 + b[i].len)
			continue;
		if (b[i].kind == 3)
			return t_chunk_events(buf, &b[i], 0);
		if (b[i].kind == 2) {
			uint16_t id = get_le16(buf + b[i].off + 20);
			long n = 0;

			for (size_t k = 0; k < nb; k++)
				if (b[k].kind == 3)
					n += t_chunk_events(buf, &b[k], id);
			return n;
		}
		return 0;
	}
	return 0;
}

Test(format_damage, one_flipped_byte_anywhere)
{
	char *path = make_small("f.trace", 40), *bad = t_path(dir, "bad.trace");
	struct t_block b[64];
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	long total;

	cr_assert_lt(len, 8192, "the file should be a few KB, is %zu", len);
	nb = t_blocks(buf, len, b, 64);
	total = t_count(path, NULL);
	for (uint64_t at = 0; at < len; at++) {
		struct t_damage td = { 0 };
		long n;

		buf[at] ^= 0x5a;
		t_spit(bad, buf, len);
		buf[at] ^= 0x5a;
		n = t_count(bad, &td);
		if (at < 8) {
			cr_assert_eq(n, -1, "a damaged magic is not a trace");
			cr_assert_eq(errno, EPROTO);
			continue;
		}
		cr_assert_geq(td.count, 1, "flip at %llu went unreported", (unsigned long long)at);
		long want = total - expected_loss(buf, b, nb, at);

		cr_assert_eq(n, want, "flip at %llu: read %ld, want %ld (%s)", (unsigned long long)at,
			     n, want, td.last_what);
	}
	free(buf);
	free(bad);
	free(path);
}

Test(format_damage, damaged_chunk_is_counted_and_the_rest_reads)
{
	char *path = make_small("c.trace", 40);
	struct t_block b[64];
	size_t len, nb, victim = 0;
	uint8_t *buf = t_slurp(path, &len);
	struct t_damage td = { 0 };
	struct trace_reader_stats st;
	struct trace_event ev;
	long n = 0;

	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb && !victim; i++)
		if (b[i].kind == 3 && i > 3)
			victim = i;
	buf[b[victim].off + 20 + b[victim].len / 2] ^= 1;
	t_spit(path, buf, len);
	struct trace_reader *r = t_open_reader(path, &td);

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0)
		n++;
	trace_reader__stats(r, &st);
	cr_assert_eq(st.chunks_bad, 1);
	cr_assert_eq(td.count, 1);
	cr_assert_eq(td.last_err, -EBADMSG);
	cr_assert_eq(td.last_offset, b[victim].off);
	cr_assert_eq(st.bytes_skipped, 20 + b[victim].len);
	cr_assert_eq(n, NEVENTS - (long)t_chunk_events(buf, &b[victim], 0));
	cr_assert_str_eq(trace_strerror(-EBADMSG),
			 "checksum mismatch: part of the trace is damaged (the damaged blocks are skipped)");
	trace_reader__close(r);
	free(buf);
	free(path);
}

Test(format_damage, garbage_between_blocks_resynchronises)
{
	char *path = make_small("g.trace", 40);
	struct t_block b[64];
	size_t len, nb, at = 0;
	uint8_t *buf = t_slurp(path, &len), *out = malloc(len + 1000);
	struct t_damage td = { 0 };

	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb && !at; i++)
		if (b[i].kind == 3 && i > 3)
			at = b[i].off;
	/* 1000 bytes of noise, including fake sync markers, before a chunk */
	memcpy(out, buf, at);
	for (int i = 0; i < 1000; i++)
		out[at + i] = (uint8_t)(i * 37 + 11);
	put_le32(out + at + 100, 0x9E4B4C42);
	put_le32(out + at + 500, 0x9E4B4C42);
	memcpy(out + at + 1000, buf + at, len - at);
	t_spit(path, out, len + 1000);
	cr_assert_eq(t_count(path, &td), NEVENTS);
	cr_assert_eq(td.by_err[EPROTO], 1, "%s", td.last_what);
	free(buf);
	free(out);
	free(path);
}

Test(format_damage, unknown_block_kinds_are_skipped)
{
	char *path = make_small("u.trace", 40);
	struct t_block b[64];
	size_t len, nb, at = 0;
	uint8_t *buf = t_slurp(path, &len), *out = malloc(len + 200);
	struct t_damage td = { 0 };
	struct trace_reader_stats st;

	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb && !at; i++)
		if (b[i].kind == 5)
			at = b[i].off; /* just before the index: its offsets stay right */
	/* a kind-99 block from some later minor version, with valid checksums */
	memcpy(out, buf, at);
	uint8_t *blk = out + at;

	memset(blk + 20, 0xab, 60);
	block_header__encode(blk, 99, blk + 20, 60);
	memcpy(out + at + 80, buf + at, len - at);
	len += 80;
	/* the trailer points at the index, which moved by 80 bytes */
	put_le64(out + len - 16, at + 80);
	t_reseal(out, len - 36);
	out[10] = 1; /* minor version 1 */
	t_reseal_header(out);
	t_spit(path, out, len);
	struct trace_reader *r = t_open_reader(path, &td);

	cr_assert_not_null(r);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.files_indexed, 1);
	trace_reader__close(r);
	cr_assert_eq(t_count(path, &td), NEVENTS);
	cr_assert_eq(td.count, 0, "%s", td.last_what);
	free(buf);
	free(out);
	free(path);
}

/* A type whose schema uses a field type from a newer minor version. */
Test(format_damage, unknown_record_types_are_skipped)
{
	char *path = t_path(dir, "future.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	struct t_future {
		uint64_t ts;
		uint32_t x;
		uint32_t y;
	} fu;
	static const struct trace_field_desc ff[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "x", TRACE_FIELD_U32, 0, 8, 4, 1 },
		{ "y", TRACE_FIELD_U32, 0, 12, 4, 1 },
	};
	const struct trace_schema_desc fd = { "future", sizeof(fu), 3, ff };
	struct t_damage td = { 0 };
	struct trace_event ev;
	int ft, ot;

	cr_assert_not_null(w);
	ft = trace_writer__add_type(w, &fd);
	ot = trace_writer__add_type(w, &t_open_desc);
	for (int i = 0; i < 300; i++) {
		struct t_open o;

		t_open_make(&o, (uint64_t)i);
		fu = (struct t_future){ o.ts, (uint32_t)i, 7 };
		cr_assert_eq(trace_writer__append(w, i % 3 ? ot : ft, i % 3 ? (void *)&o : (void *)&fu,
						  i % 3 ? sizeof(o) : sizeof(fu)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);

	/* Give field y type 200, unknown to this reader, and say minor 1. */
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	struct t_block b[64];
	bool patched = false;

	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb; i++) {
		uint8_t *p = buf + b[i].off + 20;

		if (b[i].kind != 2 || get_le16(p) != ft)
			continue;
		/* fixed part, name, then fields "ts", "x", "y" */
		uint8_t *f = p + 9 + p[8];

		f += 9 + f[8];
		f += 9 + f[8];
		cr_assert_eq(f[9], 'y');
		f[0] = 200;
		t_reseal(buf, b[i].off);
		patched = true;
	}
	cr_assert(patched);
	buf[10] = 1;
	t_reseal_header(buf);
	t_spit(path, buf, len);

	struct trace_reader *r = t_open_reader(path, &td);
	long n = 0;

	cr_assert_not_null(r);
	cr_assert_not_null(trace_reader__schema(r, 0, "future"), "the type is still described");
	while (trace_reader__next(r, &ev) == 0) {
		cr_assert_str_eq(trace_schema__name(ev.schema), "open");
		n++;
	}
	cr_assert_eq(n, 200);
	cr_assert_eq(td.count, 0, "skipping a type from a newer version is not damage: %s",
		     td.last_what);
	trace_reader__close(r);
	free(buf);
	free(path);
}

Test(format_damage, newer_major_version_is_refused)
{
	char *path = make_small("major.trace", 40);
	size_t len;
	uint8_t *buf = t_slurp(path, &len);

	put_le16(buf + 8, 2);
	t_reseal_header(buf);
	t_spit(path, buf, len);
	errno = 0;
	cr_assert_null(t_open_reader(path, NULL));
	cr_assert_eq(errno, ENOTSUP);
	cr_assert_str_eq(trace_strerror(-ENOTSUP),
			 "written by a newer, incompatible major version of the trace format: "
			 "upgrade ebpf-trace to read it");
	/* a newer minor version of this major reads */
	put_le16(buf + 8, 1);
	put_le16(buf + 10, 7);
	t_reseal_header(buf);
	t_spit(path, buf, len);
	cr_assert_eq(t_count(path, NULL), NEVENTS);
	free(buf);
	free(path);
}

Test(format_damage, not_a_trace)
{
	char *path = t_path(dir, "text.trace");
	const char *text = "this is a text file, long enough to hold a file header of 64 bytes.\n";

	t_spit(path, (const uint8_t *)text, strlen(text));
	cr_assert_null(t_open_reader(path, NULL));
	cr_assert_eq(errno, EPROTO);
	t_spit(path, (const uint8_t *)"", 0);
	cr_assert_null(t_open_reader(path, NULL));
	cr_assert_eq(errno, EPROTO);
	free(path);
}

Test(format_damage, reserved_bits_are_checked)
{
	char *path = make_small("res.trace", 40);
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	struct t_block b[64];
	struct t_damage td = { 0 };

	/* header flags set in a 1.0 file: malformed */
	buf[12] = 1;
	t_reseal_header(buf);
	t_spit(path, buf, len);
	cr_assert_null(t_open_reader(path, NULL));
	cr_assert_eq(errno, EPROTO);
	buf[12] = 0;
	t_reseal_header(buf);
	/* block flags set: that block is skipped and reported */
	nb = t_blocks(buf, len, b, 64);
	for (size_t i = 0; i < nb; i++) {
		if (b[i].kind != 3)
			continue;
		buf[b[i].off + 6] = 1;
		put_le32(buf + b[i].off + 16, trace_crc32(buf + b[i].off, 16));
		t_spit(path, buf, len);
		long got = t_count(path, &td);

		cr_assert_eq(got, NEVENTS - (long)t_chunk_events(buf, &b[i], 0), "read %ld, %d reports: %s",
			     got, td.count, td.last_what);
		cr_assert_eq(td.count, 1);
		cr_assert_eq(td.last_err, -EPROTO);
		/* in a file of a newer minor version, reserved bits may mean
		 * something this reader does not know: ignored */
		buf[10] = 1;
		t_reseal_header(buf);
		t_spit(path, buf, len);
		memset(&td, 0, sizeof(td));
		cr_assert_eq(t_count(path, &td), NEVENTS);
		cr_assert_eq(td.count, 0, "%s", td.last_what);
		break;
	}
	free(buf);
	free(path);
}
