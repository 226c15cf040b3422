// SPDX-License-Identifier: MIT
/* What a file holds, without reading its events: schemas by position, the
 * chunk listing (with and without an index, damaged and torn chunks, an
 * index whose entries cover runs of chunks), calibrations, and verify. */
#include "test_format_util.h"

static char *dir;

static void setup(void)
{
	dir = t_mkdtemp();
}

static void teardown(void)
{
	t_rmdir(dir);
}

TestSuite(format_inspect, .init = setup, .fini = teardown);

struct t_tick {
	uint64_t ts;
	uint32_t n;
	uint32_t pad;
};

static const struct trace_field_desc tick_fields[] = {
	{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
	{ "n", TRACE_FIELD_U32, TRACE_HINT_NONE, 8, 4, 1 },
};

static const struct trace_schema_desc tick_desc = { "tick", sizeof(struct t_tick), 2, tick_fields };

#define NCHUNKS 12
#define PER_CHUNK 50

/* nchunks chunks of PER_CHUNK events at ts = 1000 * i: every third event
 * a tick, the rest opens, and a lost record in chunk 5. */
static char *write_n_chunks(const char *name, uint32_t nchunks)
{
	char *path = t_path(dir, name);
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = PER_CHUNK, .uid = -1,
				       .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	int ot, tt;

	cr_assert_not_null(w);
	ot = trace_writer__add_type(w, &t_open_desc);
	tt = trace_writer__add_type(w, &tick_desc);
	for (uint32_t i = 0; i < nchunks * PER_CHUNK; i++) {
		if (i == 5 * PER_CHUNK + 7) {
			struct trace_lost l = { .ts = 1000ull * i, .since_ns = 1, .count = 9 };

			strcpy(l.probe, "opens");
			cr_assert_eq(trace_writer__lost(w, &l), 0);
		} else if (i % 3 == 0) {
			struct t_tick t = { 1000ull * i, i, 0 };

			cr_assert_eq(trace_writer__append(w, tt, &t, sizeof(t)), 0);
		} else {
			struct t_open e;

			t_open_make(&e, i);
			e.ts = 1000ull * i;
			cr_assert_eq(trace_writer__append(w, ot, &e, sizeof(e)), 0);
		}
	}
	cr_assert_eq(trace_writer__close(w), 0);
	return path;
}

static char *write_chunks(const char *name)
{
	return write_n_chunks(name, NCHUNKS);
}

/* The file cut just before its INDEX block. */
static void drop_index(const char *path)
{
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	struct t_block b[256];

	nb = t_blocks(buf, len, b, 256);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 5)
			len = b[i].off;
	t_spit(path, buf, len);
	free(buf);
}

static uint32_t count_of(const struct trace_chunk_info *ci, uint16_t type)
{
	for (size_t k = 0; k < ci->ntypes; k++)
		if (ci->types[k].type == type)
			return ci->types[k].count;
	return 0;
}

/* Chunk c holds events c * PER_CHUNK .. + PER_CHUNK - 1. */
static void check_chunk(const struct trace_chunk_info *ci, uint32_t c, uint16_t open_id,
			uint16_t tick_id, const uint8_t *file)
{
	uint32_t ticks = 0, lost = 0;

	for (uint32_t i = c * PER_CHUNK; i < (c + 1) * PER_CHUNK; i++) {
		if (i == 5 * PER_CHUNK + 7)
			lost++;
		else if (i % 3 == 0)
			ticks++;
	}
	cr_assert_eq(ci->status, 0, "chunk %u: status %d", c, ci->status);
	cr_assert_eq(ci->events, PER_CHUNK);
	cr_assert_eq(ci->min_ts, 1000ull * c * PER_CHUNK);
	cr_assert_eq(ci->max_ts, 1000ull * ((c + 1) * PER_CHUNK - 1));
	cr_assert_eq(ci->ntypes, lost ? 3 : 2);
	cr_assert_eq(count_of(ci, tick_id), ticks);
	cr_assert_eq(count_of(ci, TRACE_TYPE_LOST), lost);
	cr_assert_eq(count_of(ci, open_id), PER_CHUNK - ticks - lost);
	for (size_t k = 1; k < ci->ntypes; k++)
		cr_assert_gt(ci->types[k].type, ci->types[k - 1].type);
	/* the block itself says the same */
	cr_assert_eq(get_le16(file + ci->offset + 4), 3, "chunk %u is a CHUNK block", c);
	cr_assert_eq(ci->size, 20 + (uint64_t)get_le32(file + ci->offset + 8));
	cr_assert_eq(ci->raw_size, get_le32(file + ci->offset + 20));
	cr_assert_eq(ci->codec, file[ci->offset + 20 + 24]);
	cr_assert_leq(ci->codec, 1);
}

static void check_listing(const char *path)
{
	size_t len;
	uint8_t *file = t_slurp(path, &len);
	struct trace_reader *r = t_open_reader(path, NULL);
	struct trace_chunk_info ci;
	uint64_t prev = 0;
	uint16_t open_id, tick_id;

	cr_assert_not_null(r);
	open_id = trace_schema__id(trace_reader__schema(r, 0, "open"));
	tick_id = trace_schema__id(trace_reader__schema(r, 0, "tick"));
	cr_assert_eq(trace_reader__nchunks(r, 0), NCHUNKS);
	for (uint32_t c = 0; c < NCHUNKS; c++) {
		cr_assert_eq(trace_reader__chunk_at(r, 0, c, &ci), 0);
		cr_assert_gt(ci.offset, prev);
		prev = ci.offset;
		check_chunk(&ci, c, open_id, tick_id, file);
	}
	cr_assert_eq(trace_reader__chunk_at(r, 0, NCHUNKS, &ci), -ENOENT);
	/* backwards and jumping about: the same answers */
	for (int c = NCHUNKS - 1; c >= 0; c -= 3) {
		cr_assert_eq(trace_reader__chunk_at(r, 0, (size_t)c, &ci), 0);
		check_chunk(&ci, (uint32_t)c, open_id, tick_id, file);
	}
	/* the listing does not disturb reading */
	struct trace_event ev;
	uint64_t n = 0;

	while (trace_reader__next(r, &ev) == 0) {
		if (n == 100)
			cr_assert_eq(trace_reader__chunk_at(r, 0, 7, &ci), 0);
		n++;
	}
	cr_assert_eq(n, NCHUNKS * PER_CHUNK);
	trace_reader__close(r);
	free(file);
}

Test(format_inspect, schemas_by_position)
{
	char *path = write_chunks("s.trace");
	struct trace_reader *r = t_open_reader(path, NULL);
	static const char *const want[] = { "lost", "process", "open", "tick" };
	static const uint16_t ids[] = { 1, 2, 16, 17 };

	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__nschemas(r, 0), 4);
	for (size_t i = 0; i < 4; i++) {
		const struct trace_schema *s = trace_reader__schema_at(r, 0, i);

		cr_assert_not_null(s);
		cr_assert_str_eq(trace_schema__name(s), want[i]);
		cr_assert_eq(trace_schema__id(s), ids[i]);
		cr_assert_eq(s, trace_reader__schema(r, 0, want[i]));
	}
	errno = 0;
	cr_assert_null(trace_reader__schema_at(r, 0, 4));
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(trace_reader__schema_at(r, 1, 0));
	cr_assert_eq(trace_reader__nschemas(r, 1), 0);
	trace_reader__close(r);
	free(path);
}

Test(format_inspect, chunks_from_the_index)
{
	char *path = write_chunks("i.trace");

	check_listing(path);
	free(path);
}

Test(format_inspect, chunks_from_a_header_walk)
{
	char *path = write_chunks("w.trace");
	struct trace_reader_stats st;
	struct trace_reader *r;

	drop_index(path);
	r = t_open_reader(path, NULL);
	cr_assert_not_null(r);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.files_indexed, 0);
	trace_reader__close(r);
	check_listing(path);
	free(path);
}

/* A flipped byte in chunk 4's payload: listed as damaged, with its counts
 * from the index when there is one. */
static void check_damaged(bool index)
{
	char *path = write_chunks(index ? "di.trace" : "dn.trace");
	size_t len, nb, seen = 0, victim = 0;
	struct t_block b[256];
	struct trace_chunk_info ci;
	struct trace_reader *r;
	uint8_t *buf;

	if (!index)
		drop_index(path);
	buf = t_slurp(path, &len);
	nb = t_blocks(buf, len, b, 256);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 3 && seen++ == 4)
			victim = i;
	buf[b[victim].off + 20 + b[victim].len - 3] ^= 0x10;
	t_spit(path, buf, len);
	r = t_open_reader(path, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__nchunks(r, 0), NCHUNKS);
	cr_assert_eq(trace_reader__chunk_at(r, 0, 4, &ci), 0);
	cr_assert_eq(ci.status, -EBADMSG);
	cr_assert_eq(ci.offset, b[victim].off);
	cr_assert_eq(ci.size, 20 + b[victim].len);
	if (index) {
		cr_assert_eq(ci.events, PER_CHUNK);
		cr_assert_eq(ci.min_ts, 1000ull * 4 * PER_CHUNK);
		cr_assert_eq(ci.ntypes, 2);
	} else {
		cr_assert_eq(ci.events, 0);
		cr_assert_eq(ci.ntypes, 0);
	}
	cr_assert_eq(trace_reader__chunk_at(r, 0, 5, &ci), 0);
	cr_assert_eq(ci.status, 0);
	cr_assert_eq(ci.min_ts, 1000ull * 5 * PER_CHUNK);
	trace_reader__close(r);
	free(buf);
	free(path);
}

Test(format_inspect, damaged_chunk_with_index)
{
	check_damaged(true);
}

Test(format_inspect, damaged_chunk_without_index)
{
	check_damaged(false);
}

Test(format_inspect, torn_last_chunk_is_listed)
{
	char *path = write_chunks("t.trace");
	size_t len, nb, last = 0;
	struct t_block b[256];
	struct trace_chunk_info ci;
	struct trace_reader *r;
	uint8_t *buf;

	drop_index(path);
	buf = t_slurp(path, &len);
	nb = t_blocks(buf, len, b, 256);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 3)
			last = i;
	/* cut inside the last chunk's payload, past its chunk header */
	t_spit(path, buf, b[last].off + 20 + 60);
	r = t_open_reader(path, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__nchunks(r, 0), NCHUNKS);
	cr_assert_eq(trace_reader__chunk_at(r, 0, NCHUNKS - 1, &ci), 0);
	cr_assert_eq(ci.status, -EPIPE);
	cr_assert_eq(ci.offset, b[last].off);
	cr_assert_eq(ci.events, PER_CHUNK, "the header is there to read");
	cr_assert_eq(trace_reader__chunk_at(r, 0, NCHUNKS - 2, &ci), 0);
	cr_assert_eq(ci.status, 0);
	trace_reader__close(r);
	free(buf);
	free(path);
}

/* More chunks than index entries: entries cover runs of chunks, and the
 * listing walks inside them. */
Test(format_inspect, chunks_inside_index_runs, .timeout = 120)
{
	char *path = t_path(dir, "runs.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 1, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	const uint32_t n = 65536 + 3000;
	struct trace_chunk_info ci;
	struct trace_reader *r;
	int tt;

	cr_assert_not_null(w);
	tt = trace_writer__add_type(w, &tick_desc);
	for (uint32_t i = 0; i < n; i++) {
		struct t_tick t = { 1000ull * i, i, 0 };

		cr_assert_eq(trace_writer__append(w, tt, &t, sizeof(t)), 0);
		if (i == 40001) {
			struct trace_calibration c = { .boot_ns = t.ts, .real_ns = 5 };

			/* a block between two chunks of a run */
			cr_assert_eq(trace_writer__calibrate(w, &c), 0);
		}
	}
	cr_assert_eq(trace_writer__close(w), 0);
	r = t_open_reader(path, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__nchunks(r, 0), n);
	static const uint32_t probe[] = { 0, 1, 2, 3, 40000, 40001, 40002, 40003, 68535, 68534, 9, 7 };

	for (size_t k = 0; k < sizeof(probe) / sizeof(probe[0]); k++) {
		uint32_t i = probe[k];

		cr_assert_eq(trace_reader__chunk_at(r, 0, i, &ci), 0, "chunk %u", i);
		cr_assert_eq(ci.status, 0);
		cr_assert_eq(ci.min_ts, 1000ull * i, "chunk %u", i);
		cr_assert_eq(ci.events, 1);
	}
	/* a stretch read upwards */
	for (uint32_t i = 50000; i < 50100; i++) {
		cr_assert_eq(trace_reader__chunk_at(r, 0, i, &ci), 0);
		cr_assert_eq(ci.min_ts, 1000ull * i);
	}
	trace_reader__close(r);
	free(path);
}

Test(format_inspect, calibrations)
{
	char *path = t_path(dir, "cal.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	struct trace_calibration in[] = {
		{ .boot_ns = 3000, .real_ns = 1700000000000003000ll, .uncertainty_ns = 5 },
		{ .boot_ns = 1000, .real_ns = 1700000000000001000ll, .uncertainty_ns = 9 },
		{ .boot_ns = 1000, .real_ns = 1700000000000001007ll, .uncertainty_ns = 2 },
		{ .boot_ns = 2000, .real_ns = 1700000000000002000ll, .uncertainty_ns = 4 },
	};
	struct trace_calibration c;

	cr_assert_not_null(w);
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(trace_writer__calibrate(w, &in[i]), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	for (int pass = 0; pass < 2; pass++) {
		struct trace_reader *r;

		if (pass == 1)
			drop_index(path);
		r = t_open_reader(path, NULL);
		cr_assert_not_null(r);
		cr_assert_eq(trace_reader__ncalibrations(r, 0), 3);
		cr_assert_eq(trace_reader__calibration_at(r, 0, 0, &c), 0);
		cr_assert_eq(c.boot_ns, 1000);
		cr_assert_eq(c.real_ns, 1700000000000001007ll, "the more certain of the two");
		cr_assert_eq(c.uncertainty_ns, 2);
		cr_assert_eq(trace_reader__calibration_at(r, 0, 1, &c), 0);
		cr_assert_eq(c.boot_ns, 2000);
		cr_assert_eq(c.uncertainty_ns, 4);
		cr_assert_eq(trace_reader__calibration_at(r, 0, 2, &c), 0);
		cr_assert_eq(c.boot_ns, 3000);
		cr_assert_eq(trace_reader__calibration_at(r, 0, 3, &c), -ENOENT);
		cr_assert_eq(trace_reader__calibration_at(r, 1, 0, &c), -EINVAL);
		trace_reader__close(r);
	}
	free(path);
}

/* ---- verify -------------------------------------------------------------- */

static int verify(const char *path, struct t_damage *td, struct trace_verify_stats *st)
{
	struct trace_reader *r = t_open_reader(path, td);
	int err;

	if (!r)
		return -errno;
	err = trace_reader__verify(r, st);
	trace_reader__close(r);
	return err;
}

Test(format_inspect, verify_intact)
{
	char *path = write_chunks("v.trace");
	struct trace_verify_stats st;
	struct t_damage td = { 0 };
	struct stat sb;

	cr_assert_eq(verify(path, &td, &st), 0);
	cr_assert_eq(td.count, 0);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(st.chunks, NCHUNKS);
	cr_assert_eq(st.events, NCHUNKS * PER_CHUNK);
	cr_assert_eq(st.bytes, (uint64_t)sb.st_size);
	/* META, 4 SCHEMAs, chunks, INDEX, TRAILER (a closing META when
	 * something changed: not here) */
	cr_assert_eq(st.blocks, 1 + 4 + NCHUNKS + 2, "blocks %llu", (unsigned long long)st.blocks);
	cr_assert_eq(st.files_indexed, 1);
	cr_assert_eq(st.damaged_blocks, 0);
	drop_index(path);
	cr_assert_eq(verify(path, &td, &st), 0, "a file without index is intact");
	cr_assert_eq(st.files_indexed, 0);
	cr_assert_eq(st.files_truncated, 0);
	free(path);
}

/* Every byte of a file is under a checksum: flipping any one is found,
 * without decoding a single event. */
Test(format_inspect, verify_finds_every_flipped_byte, .timeout = 120)
{
	char *path = write_n_chunks("f.trace", 3), *bad = t_path(dir, "bad.trace");
	size_t len;
	uint8_t *buf = t_slurp(path, &len);

	cr_assert_lt(len, 4096, "a few KB: %zu bytes", len);
	for (uint64_t at = 8; at < len; at++) {
		struct t_damage td = { 0 };
		struct trace_verify_stats st;
		int err;

		buf[at] ^= 0x21;
		t_spit(bad, buf, len);
		buf[at] ^= 0x21;
		err = verify(bad, &td, &st);
		cr_assert_eq(err, -EBADMSG, "flip at %llu: verify says %d", (unsigned long long)at, err);
		cr_assert_geq(st.damaged_blocks, 1);
		if (at >= 64)
			cr_assert_geq(td.count, 1, "flip at %llu not reported", (unsigned long long)at);
	}
	free(buf);
	free(bad);
	free(path);
}

Test(format_inspect, verify_reports_each_damaged_block)
{
	char *path = write_chunks("m.trace");
	size_t len, nb, chunks = 0;
	struct t_block b[256];
	struct trace_verify_stats st;
	struct t_damage td = { 0 };
	uint8_t *buf = t_slurp(path, &len);

	nb = t_blocks(buf, len, b, 256);
	for (size_t i = 0; i < nb; i++) {
		if (b[i].kind == 3 && (chunks++ == 2 || chunks == 9))
			buf[b[i].off + 30] ^= 1;
		if (b[i].kind == 2 && b[i].len > 20)
			buf[b[i].off + 25] ^= 1; /* a schema */
	}
	t_spit(path, buf, len);
	cr_assert_eq(verify(path, &td, &st), -EBADMSG);
	cr_assert_eq(td.by_err[EBADMSG], 2 + 4, "%d checksum reports", td.by_err[EBADMSG]);
	cr_assert_eq(st.damaged_blocks, 6);
	cr_assert_eq(st.chunks, NCHUNKS);
	cr_assert_eq(st.events, (NCHUNKS - 2) * PER_CHUNK);
	cr_assert_eq(st.files_indexed, 1);
	free(buf);
	free(path);
}

Test(format_inspect, verify_torn_and_mismatched_index)
{
	char *path = write_chunks("x.trace");
	size_t len, nb, ixb = 0;
	struct t_block b[256];
	struct trace_verify_stats st;
	struct t_damage td = { 0 };
	uint8_t *buf = t_slurp(path, &len);

	nb = t_blocks(buf, len, b, 256);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 5)
			ixb = i;
	/* an index whose fourth entry points one byte off, checksums redone */
	uint8_t *e = buf + b[ixb].off + 20;
	uint64_t off = 48 + 8 * (uint64_t)get_le32(e + 12) + 24 * (uint64_t)get_le32(e + 4) +
		       16 * (uint64_t)get_le32(e + 8);

	for (int k = 0; k < 3; k++)
		off += 40 + 16 * (uint64_t)get_le16(e + off + 36);
	put_le64(e + off, get_le64(e + off) + 1);
	t_reseal(buf, b[ixb].off);
	t_spit(path, buf, len);
	cr_assert_eq(verify(path, &td, &st), -EBADMSG);
	cr_assert_eq(td.count, 1, "%s", td.last_what);
	cr_assert_eq(td.last_err, -EPROTO);
	cr_assert_eq(st.files_indexed, 0);
	/* torn: cut in the middle of the last chunk, without the index */
	drop_index(path);
	free(buf);
	buf = t_slurp(path, &len);
	t_spit(path, buf, len - 10);
	memset(&td, 0, sizeof(td));
	cr_assert_eq(verify(path, &td, &st), -EBADMSG);
	cr_assert_eq(td.count, 1);
	cr_assert_eq(td.last_err, -EPIPE);
	cr_assert_eq(st.files_truncated, 1);
	cr_assert_eq(st.chunks, NCHUNKS);
	cr_assert_eq(st.events, (NCHUNKS - 1) * PER_CHUNK);
	free(buf);
	free(path);
}

Test(format_inspect, verify_leaves_reading_where_it_was)
{
	char *path = write_chunks("l.trace");
	struct trace_reader *r = t_open_reader(path, NULL);
	struct trace_event ev;
	uint64_t n = 0, sum = 0;

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		if (n == 123)
			cr_assert_eq(trace_reader__verify(r, NULL), 0);
		sum += ev.ts;
		n++;
	}
	cr_assert_eq(n, NCHUNKS * PER_CHUNK);
	cr_assert_eq(sum, 1000ull * (n * (n - 1) / 2));
	trace_reader__close(r);
	free(path);
}
