// SPDX-License-Identifier: MIT
/*
 * Hand-made malicious traces, written by an encoder of this file's own
 * from FORMAT.md (not libebpftrace: a second reading of the specification,
 * and free to break it). A valid base file, then variants: huge declared
 * sizes, zip bombs (tiny compressed, huge declared or real raw size),
 * schemas whose fields point outside their records or overlap, chunks
 * that lie, indexes that point at themselves or outside the file,
 * calibrations that make no sense, segment sets that repeat, loop or
 * leave gaps, and things that are not trace files at all. Each case says
 * what --verify may answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/reliability/rel.h"

/* ---- bytes --------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	if (d)
		memcpy(b->p + b->len, d, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

static void u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void u16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(b, x, 2);
}

static void u32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(b, x, 4);
}

static void u64(struct buf *b, uint64_t v)
{
	u32(b, (uint32_t)v);
	u32(b, (uint32_t)(v >> 32));
}

static void varint(struct buf *b, uint64_t v)
{
	do {
		u8(b, (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
		v >>= 7;
	} while (v);
}

static uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

static void bfree(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- blocks ----------------------------------------------------------------- */

enum { META = 1, SCHEMA = 2, CHUNK = 3, CALIBRATION = 4, INDEX = 5, TRAILER = 6 };

static void file_header(struct buf *f, uint16_t major, bool bad_crc)
{
	static const uint8_t magic[8] = { 0x89, 'E', 'T', 'R', 'A', 'C', 'E', '\n' };
	size_t at = f->len;

	put(f, magic, 8);
	u16(f, major);
	u16(f, 0);
	put(f, NULL, 52);
	set32(f->p + at + 60, crc(f->p + at, 60) ^ (bad_crc ? 1 : 0));
}

/* A block with a declared length (normally the payload's). */
static uint64_t block_as(struct buf *f, uint16_t kind, const struct buf *pl, uint32_t declared,
			 bool bad_payload_crc)
{
	uint64_t at = f->len;

	u32(f, 0x9E4B4C42u);
	u16(f, kind);
	u16(f, 0);
	u32(f, declared);
	u32(f, crc(pl->p, pl->len) ^ (bad_payload_crc ? 1 : 0));
	u32(f, 0);
	set32(f->p + at + 16, crc(f->p + at, 16));
	put(f, pl->p, pl->len);
	return at;
}

static uint64_t block(struct buf *f, uint16_t kind, const struct buf *pl)
{
	return block_as(f, kind, pl, (uint32_t)pl->len, false);
}

/* ---- META, SCHEMA, CALIBRATION ------------------------------------------------------- */

static void meta_pair(struct buf *p, const char *k, const char *v)
{
	u16(p, (uint16_t)strlen(k));
	put(p, k, strlen(k));
	u32(p, (uint32_t)strlen(v));
	put(p, v, strlen(v));
}

struct fd {
	const char *name;
	uint8_t type, hint;
	uint16_t off, size, count;
};

enum { T_U8 = 1, T_U16, T_U32, T_U64, T_S8, T_S16, T_S32, T_S64, T_STR, T_BYTES };
enum { H_NONE, H_TIME, H_BOOTTIME, H_DURATION, H_ERRNO, H_HEX, H_IPADDR, H_FAMILY, H_PID, H_BYTES };

static void schema_payload(struct buf *p, uint16_t id, uint16_t size, uint16_t nfields_declared,
			   const char *name, const struct fd *f, int n)
{
	u16(p, id);
	u16(p, size);
	u16(p, nfields_declared);
	u16(p, 0);
	u8(p, (uint8_t)strlen(name));
	put(p, name, strlen(name));
	for (int i = 0; i < n; i++) {
		u8(p, f[i].type);
		u8(p, f[i].hint);
		u16(p, f[i].off);
		u16(p, f[i].size);
		u16(p, f[i].count);
		u8(p, (uint8_t)strlen(f[i].name));
		put(p, f[i].name, strlen(f[i].name));
	}
}

static const struct fd lost_fields[] = {
	{ "ts", T_U64, H_TIME, 0, 8, 1 },	 { "since_ns", T_U64, H_BOOTTIME, 8, 8, 1 },
	{ "count", T_U64, H_NONE, 16, 8, 1 }, { "cpu", T_U32, H_NONE, 24, 4, 1 },
	{ "probe", T_STR, H_NONE, 32, 32, 1 },
};
static const struct fd process_fields[] = {
	{ "ts", T_U64, H_TIME, 0, 8, 1 },   { "start_ns", T_U64, H_BOOTTIME, 8, 8, 1 },
	{ "pid", T_U32, H_PID, 16, 4, 1 },  { "ppid", T_U32, H_PID, 20, 4, 1 },
	{ "uid", T_U32, H_NONE, 24, 4, 1 }, { "gid", T_U32, H_NONE, 28, 4, 1 },
	{ "comm", T_STR, H_NONE, 32, 16, 1 }, { "cmdline", T_STR, H_NONE, 48, 1024, 1 },
};
/* The `open` of EVENTS.md, cut down (readers bind fields by name). */
#define OPEN_SIZE 104
static const struct fd open_fields[] = {
	{ "ts", T_U64, H_TIME, 0, 8, 1 },	  { "latency_ns", T_U64, H_DURATION, 8, 8, 1 },
	{ "pid", T_U32, H_PID, 16, 4, 1 },	  { "ret", T_S32, H_ERRNO, 20, 4, 1 },
	{ "comm", T_STR, H_NONE, 24, 16, 1 }, { "path", T_STR, H_NONE, 40, 64, 1 },
};

static void calibration_payload(struct buf *p, uint64_t boot, int64_t real, uint32_t unc,
				uint32_t flags)
{
	u64(p, boot);
	u64(p, (uint64_t)real);
	u32(p, unc);
	u32(p, flags);
}

/* ---- a file under construction ---------------------------------------------------------- */

#define MAXCH 64

struct tf {
	struct buf b;
	uint64_t meta_off[16];
	int nmeta;
	struct {
		uint64_t off, events, min, max;
		uint16_t id;
	} ch[MAXCH];
	int nch;
	uint64_t cal_boot;
	int64_t cal_real;
};

#define BOOT0 1000000000ULL		   /* events from boottime 1 s */
#define REAL0 (1714564800LL * 1000000000LL) /* = 2024-05-01 12:00:00 UTC */

/* Header, metadata, the three schemas, a calibration. */
static void tf_begin(struct tf *t, const char *session, const char *segment)
{
	struct buf p = { 0 };

	memset(t, 0, sizeof(*t));
	file_header(&t->b, 1, false);
	u32(&p, segment ? 5 : 4);
	meta_pair(&p, "session.id", session);
	meta_pair(&p, "host.hostname", "crafted");
	meta_pair(&p, "host.boot_id", "00000000-0000-4000-8000-000000000001");
	meta_pair(&p, "probes", "opens");
	if (segment)
		meta_pair(&p, "segment.index", segment);
	t->meta_off[t->nmeta++] = block(&t->b, META, &p);
	p.len = 0;
	schema_payload(&p, 1, 64, 5, "lost", lost_fields, 5);
	t->meta_off[t->nmeta++] = block(&t->b, SCHEMA, &p);
	p.len = 0;
	schema_payload(&p, 2, 1072, 8, "process", process_fields, 8);
	t->meta_off[t->nmeta++] = block(&t->b, SCHEMA, &p);
	p.len = 0;
	schema_payload(&p, 16, OPEN_SIZE, 6, "open", open_fields, 6);
	t->meta_off[t->nmeta++] = block(&t->b, SCHEMA, &p);
	p.len = 0;
	t->cal_boot = BOOT0;
	t->cal_real = REAL0;
	calibration_payload(&p, BOOT0, REAL0, 100, 0);
	block(&t->b, CALIBRATION, &p);
	bfree(&p);
}

/* A column. */
static void column(struct buf *s, uint8_t enc, const struct buf *data)
{
	u8(s, enc);
	varint(s, data->len);
	put(s, data->p, data->len);
}

enum { C_CONST, C_PLAIN, C_DELTA, C_TSREL, C_FIXED };

/* The body of a chunk of n opens: ts = t0 + i * step, latencies 1000 + i,
 * pid 42, ret 3, comm "sh", path one of three (ts from the chunk's min_ts). */
static void opens_body(struct buf *body, uint32_t n, uint64_t step)
{
	static const char *const dict[] = { "sh", "/etc/hosts", "/tmp/crafted", "/var/log/x" };
	struct buf d = { 0 }, runs = { 0 }, ts = { 0 }, sec = { 0 }, col = { 0 };

	varint(body, 4);
	for (int i = 0; i < 4; i++) {
		varint(&d, strlen(dict[i]));
		put(&d, dict[i], strlen(dict[i]));
	}
	varint(body, d.len);
	put(body, d.p, d.len);
	varint(&runs, 16);
	varint(&runs, n);
	varint(body, runs.len);
	put(body, runs.p, runs.len);
	for (uint32_t i = 0; i < n; i++)
		varint(&ts, zz(i ? (int64_t)step : 0));
	varint(body, ts.len);
	put(body, ts.p, ts.len);
	/* latency_ns: PLAIN */
	for (uint32_t i = 0; i < n; i++)
		varint(&col, 1000 + i % 5000);
	column(&sec, C_PLAIN, &col);
	col.len = 0;
	varint(&col, 42); /* pid */
	column(&sec, C_CONST, &col);
	col.len = 0;
	varint(&col, zz(3)); /* ret */
	column(&sec, C_CONST, &col);
	col.len = 0;
	varint(&col, 0); /* comm: "sh" */
	column(&sec, C_CONST, &col);
	col.len = 0;
	for (uint32_t i = 0; i < n; i++) /* path */
		varint(&col, 1 + i % 3);
	column(&sec, C_PLAIN, &col);
	varint(body, sec.len);
	put(body, sec.p, sec.len);
	bfree(&d);
	bfree(&runs);
	bfree(&ts);
	bfree(&sec);
	bfree(&col);
}

/* The type runs part of a body: one run of n events of type id. */
static void one_run(struct buf *body, uint16_t id, uint32_t n)
{
	struct buf runs = { 0 };

	varint(&runs, id);
	varint(&runs, n);
	varint(body, runs.len);
	put(body, runs.p, runs.len);
	bfree(&runs);
}

struct chunk_head {
	uint32_t raw_size, events;
	uint64_t min, max;
	uint8_t codec;
	uint16_t ntypes;
	const uint16_t *ids;
	const uint32_t *counts;
};

/* A CHUNK payload: the header, then the body as the codec stores it. */
static void chunk_payload(struct buf *p, const struct chunk_head *h, const struct buf *body)
{
	u32(p, h->raw_size);
	u32(p, h->events);
	u64(p, h->min);
	u64(p, h->max);
	u8(p, h->codec);
	u8(p, 0);
	u16(p, h->ntypes);
	u32(p, 0);
	for (int i = 0; i < h->ntypes; i++) {
		u16(p, h->ids[i]);
		u16(p, 0);
		u32(p, h->counts[i]);
	}
	if (h->codec == 1) {
		int cap = LZ4_compressBound((int)body->len);
		size_t at = p->len;

		put(p, NULL, (size_t)cap);
		int n = LZ4_compress_default((const char *)body->p, (char *)p->p + at, (int)body->len, cap);
		if (n <= 0)
			abort();
		p->len = at + (size_t)n;
	} else {
		put(p, body->p, body->len);
	}
}

/* A CHUNK block, listed for the index. */
static void tf_chunk(struct tf *t, const struct chunk_head *h, const struct buf *payload,
		     bool bad_crc)
{
	if (t->nch < MAXCH) {
		t->ch[t->nch].off = t->b.len;
		t->ch[t->nch].events = h->events;
		t->ch[t->nch].min = h->min;
		t->ch[t->nch].max = h->max;
		t->ch[t->nch].id = h->ntypes ? h->ids[0] : 0;
		t->nch++;
	}
	block_as(&t->b, CHUNK, payload, (uint32_t)payload->len, bad_crc);
}

/* A valid chunk of n opens. */
static void tf_opens(struct tf *t, uint32_t n, uint64_t t0, uint64_t step, uint8_t codec)
{
	struct buf body = { 0 }, p = { 0 };
	uint16_t id = 16;
	uint32_t count = n;

	opens_body(&body, n, step);
	struct chunk_head h = { (uint32_t)body.len, n, t0, t0 + (uint64_t)(n - 1) * step, codec, 1,
				&id, &count };
	chunk_payload(&p, &h, &body);
	tf_chunk(t, &h, &p, false);
	bfree(&body);
	bfree(&p);
}

/* INDEX and TRAILER, from what was written. */
static void index_payload(struct tf *t, struct buf *p)
{
	uint64_t events = 0, min = t->nch ? t->ch[0].min : 0, max = 0;

	for (int i = 0; i < t->nch; i++) {
		events += t->ch[i].events;
		if (t->ch[i].min < min)
			min = t->ch[i].min;
		if (t->ch[i].max > max)
			max = t->ch[i].max;
	}
	uint16_t ids[MAXCH];
	uint64_t per[MAXCH];
	int nids = 0;

	/* events per type, increasing type id */
	for (int i = 0; i < t->nch; i++) {
		int k;

		for (k = 0; k < nids && ids[k] != t->ch[i].id; k++)
			;
		if (k == nids) {
			ids[nids] = t->ch[i].id;
			per[nids++] = 0;
		}
		per[k] += t->ch[i].events;
	}
	for (int i = 1; i < nids; i++)
		for (int k = i; k > 0 && ids[k - 1] > ids[k]; k--) {
			uint16_t x = ids[k];
			uint64_t y = per[k];

			ids[k] = ids[k - 1], per[k] = per[k - 1];
			ids[k - 1] = x, per[k - 1] = y;
		}
	u32(p, (uint32_t)t->nch);
	u32(p, 1);
	u32(p, (uint32_t)nids);
	u32(p, (uint32_t)t->nmeta);
	u64(p, (uint64_t)t->nch);
	u64(p, events);
	u64(p, min);
	u64(p, max);
	for (int i = 0; i < t->nmeta; i++)
		u64(p, t->meta_off[i]);
	calibration_payload(p, t->cal_boot, t->cal_real, 100, 0);
	for (int i = 0; i < nids; i++) {
		u16(p, ids[i]);
		u16(p, 0);
		u32(p, 0);
		u64(p, per[i]);
	}
	for (int i = 0; i < t->nch; i++) {
		u64(p, t->ch[i].off);
		u64(p, t->ch[i].events);
		u64(p, t->ch[i].min);
		u64(p, t->ch[i].max);
		u32(p, 1);
		u16(p, 1);
		u16(p, 0);
		u16(p, t->ch[i].id);
		u16(p, 0);
		u32(p, 0);
		u64(p, t->ch[i].events);
	}
}

static void trailer(struct buf *f, uint64_t index_at)
{
	struct buf p = { 0 };

	u64(&p, index_at);
	u64(&p, 0);
	block(f, TRAILER, &p);
	bfree(&p);
}

static void tf_end(struct tf *t)
{
	struct buf p = { 0 };

	index_payload(t, &p);
	trailer(&t->b, block(&t->b, INDEX, &p));
	bfree(&p);
}

static void write_file(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, b->p, b->len) != (ssize_t)b->len || close(fd)) {
		perror(path);
		abort();
	}
}

static void tf_write(struct tf *t, const char *path)
{
	write_file(path, &t->b);
	bfree(&t->b);
}

/* The valid base: 3 chunks of 100 opens, indexed. */
static void base(struct tf *t, bool end)
{
	tf_begin(t, "0123456789abcdef0123456789abcdef", NULL);
	for (int i = 0; i < 3; i++)
		tf_opens(t, 100, BOOT0 + (uint64_t)i * 1000000ULL, 1000, 1);
	if (end)
		tf_end(t);
}

/* ---- the cases ----------------------------------------------------------------------- */

static struct craft_case cases[96];
static int ncases;
static const char *outdir;

static const char *add(const char *name, unsigned expect, const char *what)
{
	struct craft_case *c = &cases[ncases++];

	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->path, sizeof(c->path), "%s/%s.trace", outdir, name);
	c->expect = expect;
	c->what = what;
	c->events = 0;
	c->heavy = false;
	return c->path;
}

#define I EXPECT_INTACT
#define R EXPECT_REFUSED
#define D EXPECT_DAMAGED

/* The base with one more block before the index. */
static void with_block(const char *name, unsigned expect, const char *what, uint16_t kind,
		       const struct buf *pl, uint32_t declared)
{
	const char *path = add(name, expect, what);
	struct tf t;

	base(&t, false);
	block_as(&t.b, kind, pl, declared, false);
	tf_opens(&t, 50, BOOT0 + 10000000ULL, 1000, 1);
	tf_end(&t);
	tf_write(&t, path);
}

static void c_valid(void)
{
	struct tf t;

	base(&t, true);
	tf_write(&t, add("valid", I, "the hand-made base: 3 chunks of 100 opens, indexed"));
	cases[ncases - 1].events = 300;
	base(&t, false);
	tf_write(&t, add("valid-no-index", I, "the base without index and trailer"));
	cases[ncases - 1].events = 300;
	tf_begin(&t, "0123456789abcdef0123456789abcdef", NULL);
	tf_opens(&t, 100, BOOT0, 1000, 0);
	tf_end(&t);
	tf_write(&t, add("valid-stored", I, "a chunk stored uncompressed (codec 0)"));
	cases[ncases - 1].events = 100;
}

static void c_sizes(void)
{
	struct buf p = { 0 }, f = { 0 };
	struct tf t;

	put(&p, "garbage!", 8);
	with_block("block-length-4g", D, "a block header declaring 4 GiB (over the 32 MiB limit)",
		   META, &p, 0xffffffffu);
	/* a header that declares 32 MiB, then the file ends */
	base(&t, false);
	block_as(&t.b, CHUNK, &p, 32u << 20, false);
	tf_write(&t, add("block-length-32m-torn", D, "the last block declares 32 MiB; 8 bytes follow"));

	p.len = 0;
	u32(&p, 0xffffffffu);
	meta_pair(&p, "k", "v");
	with_block("meta-count-4g", D, "META declaring 4 billion pairs, holding one", META, &p,
		   (uint32_t)p.len);
	p.len = 0;
	u32(&p, 1);
	u16(&p, 1);
	put(&p, "k", 1);
	u32(&p, 0xfffffff0u);
	put(&p, "v", 1);
	with_block("meta-value-4g", D, "a metadata value declaring 4 GiB", META, &p, (uint32_t)p.len);
	p.len = 0;
	u32(&p, 1);
	u16(&p, 0);
	u32(&p, 1);
	put(&p, "v", 1);
	with_block("meta-key-empty", D, "a metadata key of length 0", META, &p, (uint32_t)p.len);

	/* 20 000 pairs: a big but valid META */
	p.len = 0;
	u32(&p, 20000);
	for (int i = 0; i < 20000; i++) {
		char k[32], v[300];

		snprintf(k, sizeof(k), "x.key%d", i);
		memset(v, 'v', sizeof(v) - 1);
		v[sizeof(v) - 1] = 0;
		meta_pair(&p, k, v);
	}
	with_block("meta-20000-pairs", I, "20 000 metadata pairs (6 MB)", META, &p, (uint32_t)p.len);
	cases[ncases - 1].events = 350;
	bfree(&p);
	bfree(&f);
}

/* A SCHEMA for type 17 and a chunk with 10 events of it. */
static void schema_case(const char *name, unsigned expect, const char *what, uint16_t size,
			uint16_t nfields_declared, const struct fd *f, int n)
{
	const char *path = add(name, expect, what);
	struct buf p = { 0 }, body = { 0 }, col = { 0 }, sec = { 0 };
	struct tf t;
	uint16_t id = 17;
	uint32_t count = 10;

	base(&t, false);
	schema_payload(&p, 17, size, nfields_declared, "thing", f, n);
	t.meta_off[t.nmeta++] = block(&t.b, SCHEMA, &p);
	/* 10 events, a CONST column per field but the first */
	varint(&body, 1);
	varint(&body, 2);
	varint(&body, 1);
	put(&body, "x", 1);
	varint(&body, 2);
	varint(&body, 17);
	varint(&body, 10);
	varint(&body, 10);
	put(&body, NULL, 10);
	for (int i = 1; i < n; i++) {
		col.len = 0;
		varint(&col, 0);
		column(&sec, C_CONST, &col);
	}
	varint(&body, sec.len);
	put(&body, sec.p, sec.len);
	p.len = 0;
	struct chunk_head h = { (uint32_t)body.len, 10, BOOT0, BOOT0, 1, 1, &id, &count };
	chunk_payload(&p, &h, &body);
	tf_chunk(&t, &h, &p, false);
	tf_end(&t);
	tf_write(&t, path);
	bfree(&p);
	bfree(&body);
	bfree(&col);
	bfree(&sec);
}

static void c_schemas(void)
{
	const struct fd outside[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				      { "big", T_STR, H_NONE, 8, 60000, 1 } };
	const struct fd overlap[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				      { "x", T_U64, H_NONE, 4, 8, 1 } };
	const struct fd notime[] = { { "a", T_U64, H_NONE, 0, 8, 1 }, { "b", T_U32, H_NONE, 8, 4, 1 } };
	const struct fd twotime[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				      { "ts2", T_U64, H_TIME, 8, 8, 1 } };
	const struct fd badint[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				     { "n", T_U32, H_NONE, 8, 8, 1 } };
	const struct fd array0[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				     { "a", T_U64, H_NONE, 8, 0, 0 } };
	const struct fd wrap[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				   { "w", T_BYTES, H_IPADDR, 65530, 16, 1 } };
	const struct fd huge[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
				   { "blob", T_BYTES, H_NONE, 8, 65527, 1 } };

	schema_case("schema-field-outside", D, "a field of 60 000 bytes in a record of 16", 16, 2,
		    outside, 2);
	schema_case("schema-fields-overlap", D, "two fields sharing bytes", 16, 2, overlap, 2);
	schema_case("schema-no-time", D, "a record type without its TIME field", 12, 2, notime, 2);
	schema_case("schema-two-times", D, "a record type with two TIME fields", 16, 2, twotime, 2);
	schema_case("schema-int-size", D, "a u32 field 8 bytes wide", 16, 2, badint, 2);
	schema_case("schema-empty-field", D, "a field of size 0 and count 0", 16, 2, array0, 2);
	schema_case("schema-offset-wraps", D, "a 16-byte field at offset 65530 (past 65535)", 65535, 2,
		    wrap, 2);
	schema_case("schema-nfields-65535", D, "a SCHEMA declaring 65 535 fields, holding 2", 16,
		    65535, outside, 2);
	schema_case("schema-64k-record", I, "a valid type of 65 535-byte records", 65535, 2, huge, 2);
	cases[ncases - 1].events = 310;

	/* the same type id twice, the second another layout: the first counts */
	const char *path = add("schema-id-twice", I | D, "type 16 described twice, differently");
	struct buf p = { 0 };
	struct tf t;
	base(&t, false);
	schema_payload(&p, 16, 16, 2, "open", twotime, 2);
	block(&t.b, SCHEMA, &p);
	tf_opens(&t, 10, BOOT0 + 5000000ULL, 1000, 1);
	tf_end(&t);
	tf_write(&t, path);
	bfree(&p);
}

/* A chunk built by hand around a body. */
static void chunk_case(const char *name, unsigned expect, const char *what,
		       const struct chunk_head *h, const struct buf *body)
{
	const char *path = add(name, expect, what);
	struct buf p = { 0 };
	struct tf t;

	base(&t, false);
	chunk_payload(&p, h, body);
	tf_chunk(&t, h, &p, false);
	tf_opens(&t, 10, BOOT0 + 50000000ULL, 1000, 1);
	tf_end(&t);
	tf_write(&t, path);
	bfree(&p);
}

static void c_chunks(void)
{
	struct buf body = { 0 }, p = { 0 };
	uint16_t id = 16, ids2[2] = { 16, 1 }, bad_id = 99;
	uint32_t count = 100, counts2[2] = { 50, 50 };
	struct chunk_head h;

	opens_body(&body, 100, 1000);
	h = (struct chunk_head){ (uint32_t)body.len, 100, BOOT0, BOOT0 + 99000, 0, 1, &id, &count };

	struct chunk_head lie = h;
	lie.raw_size = (uint32_t)body.len + 1000;
	chunk_case("chunk-stored-size-lies", D, "a stored chunk declaring more raw bytes than it has",
		   &lie, &body);
	lie = h;
	lie.events = 0;
	chunk_case("chunk-zero-events", D, "a chunk of 0 events", &lie, &body);
	lie = h;
	lie.min = lie.max + 1;
	chunk_case("chunk-min-after-max", D, "a chunk whose min_ts is after its max_ts", &lie, &body);
	lie = h;
	lie.events = lie.raw_size + 1;
	chunk_case("chunk-events-over-raw", D, "more events than raw bytes", &lie, &body);
	lie = h;
	lie.ntypes = 2;
	lie.ids = ids2;
	lie.counts = counts2;
	chunk_case("chunk-types-unsorted", D, "a type list out of order", &lie, &body);
	lie = h;
	lie.ids = &bad_id;
	chunk_case("chunk-type-without-schema", D, "events of a type no SCHEMA describes", &lie, &body);
	lie = h;
	lie.codec = 7;
	chunk_case("chunk-codec-unknown", D, "codec 7", &lie, &body);
	lie = h;
	lie.ntypes = 0;
	chunk_case("chunk-no-types", D, "a chunk with an empty type list", &lie, &body);

	/* bodies that lie */
	struct buf b = { 0 }, col = { 0 }, sec = { 0 };
#define BODY_START(n)                                     \
	do {                                              \
		b.len = 0;                                \
		varint(&b, 1);                            \
		varint(&b, 2);                            \
		varint(&b, 1);                            \
		put(&b, "x", 1);                          \
		varint(&b, 2);                            \
		varint(&b, 16);                           \
		varint(&b, n);                            \
		varint(&b, n);                            \
		put(&b, NULL, n);                         \
	} while (0)
#define SECTION(...)                                      \
	do {                                              \
		sec.len = 0;                              \
		__VA_ARGS__;                              \
		varint(&b, sec.len);                      \
		put(&b, sec.p, sec.len);                  \
	} while (0)
#define CONST_COL(v)                                      \
	do {                                              \
		col.len = 0;                              \
		varint(&col, v);                          \
		column(&sec, C_CONST, &col);              \
	} while (0)

	BODY_START(100);
	SECTION(CONST_COL(1); CONST_COL(1); CONST_COL(0); CONST_COL(0); CONST_COL(1000));
	h.raw_size = (uint32_t)b.len;
	chunk_case("chunk-dict-index-outside", D, "a string column naming dictionary entry 1000", &h, &b);

	BODY_START(100);
	SECTION(CONST_COL(1); CONST_COL(1); CONST_COL(0); CONST_COL(0);
		col.len = 0; u8(&col, 0); u8(&col, 9); put(&col, NULL, 900);
		column(&sec, C_FIXED, &col));
	h.raw_size = (uint32_t)b.len;
	chunk_case("chunk-fixed-width-9", D, "a FIXED column 9 bytes wide", &h, &b);

	/* TSREL on latency_ns (8 bytes) is allowed; on pid (u32) it is not */
	BODY_START(100);
	SECTION(CONST_COL(1); col.len = 0; for (int i = 0; i < 100; i++) varint(&col, 0);
		column(&sec, C_TSREL, &col); CONST_COL(0); CONST_COL(0); CONST_COL(0));
	h.raw_size = (uint32_t)b.len;
	chunk_case("chunk-tsrel-on-u32", D, "a TSREL column on a 4-byte field", &h, &b);

	BODY_START(100);
	SECTION(col.len = 0; varint(&col, 1); u8(&sec, C_PLAIN); varint(&sec, 1ULL << 60);
		put(&sec, col.p, col.len));
	h.raw_size = (uint32_t)b.len;
	chunk_case("chunk-column-2e60-bytes", D, "a column declaring 2^60 bytes", &h, &b);

	/* an 11-byte varint among the timestamps */
	b.len = 0;
	varint(&b, 1);
	varint(&b, 2);
	varint(&b, 1);
	put(&b, "x", 1);
	varint(&b, 2);
	varint(&b, 16);
	varint(&b, 100);
	varint(&b, 110);
	for (int i = 0; i < 10; i++)
		u8(&b, 0xff);
	u8(&b, 0x01);
	put(&b, NULL, 99);
	SECTION(CONST_COL(1); CONST_COL(1); CONST_COL(0); CONST_COL(0); CONST_COL(0));
	h.raw_size = (uint32_t)b.len;
	chunk_case("chunk-varint-11-bytes", D, "an 11-byte varint", &h, &b);

	/* runs covering 50 of 100 events */
	b.len = 0;
	varint(&b, 1);
	varint(&b, 2);
	varint(&b, 1);
	put(&b, "x", 1);
	varint(&b, 2);
	varint(&b, 16);
	varint(&b, 50);
	varint(&b, 100);
	put(&b, NULL, 100);
	SECTION(CONST_COL(1); CONST_COL(1); CONST_COL(0); CONST_COL(0); CONST_COL(0));
	h.raw_size = (uint32_t)b.len;
	chunk_case("chunk-runs-short", D, "type runs covering 50 of 100 events", &h, &b);

	/* a dictionary entry of 1 MiB for a 64-byte field: valid, truncated */
	b.len = 0;
	varint(&b, 1);
	{
		struct buf d = { 0 };
		varint(&d, 1u << 20);
		put(&d, NULL, 1u << 20);
		memset(d.p + d.len - (1u << 20), 'A', 1u << 20);
		varint(&b, d.len);
		put(&b, d.p, d.len);
		bfree(&d);
	}
	varint(&b, 2);
	varint(&b, 16);
	varint(&b, 100);
	varint(&b, 100);
	put(&b, NULL, 100);
	SECTION(CONST_COL(1); CONST_COL(1); CONST_COL(0); CONST_COL(0); CONST_COL(0));
	h.raw_size = (uint32_t)b.len;
	h.codec = 1;
	chunk_case("chunk-1mib-string", I, "a 1 MiB string for a 64-byte field", &h, &b);
	cases[ncases - 1].events = 410;

	/* a payload whose checksum does not match */
	{
		const char *path = add("chunk-bad-checksum", D, "a chunk whose payload checksum is wrong");
		struct tf t;
		base(&t, false);
		p.len = 0;
		h = (struct chunk_head){ (uint32_t)body.len, 100, BOOT0, BOOT0 + 99000, 0, 1, &id, &count };
		chunk_payload(&p, &h, &body);
		tf_chunk(&t, &h, &p, true);
		tf_end(&t);
		tf_write(&t, path);
	}
#undef BODY_START
#undef SECTION
#undef CONST_COL
	bfree(&b);
	bfree(&col);
	bfree(&sec);
	bfree(&body);
	bfree(&p);
}

/* Zip bombs: tiny on disk, huge once decompressed or decoded. */
static void c_bombs(void)
{
	struct buf body = { 0 }, p = { 0 };
	uint16_t id = 16;
	uint32_t count;
	struct tf t;

	/* 2 chunks of 16 M events each (16 MiB raw, ~64 KiB of LZ4), same
	 * time range, so readers merge them: valid, and 32 M events */
	const uint32_t n = 16000000;
	body.len = 0;
	varint(&body, 1);
	varint(&body, 3);
	varint(&body, 2);
	put(&body, "sh", 2);
	one_run(&body, 16, n);
	varint(&body, n);
	put(&body, NULL, n);
	{
		struct buf sec = { 0 }, col = { 0 };
		for (int i = 0; i < 5; i++) {
			col.len = 0;
			varint(&col, i == 1 ? 42 : 0);
			column(&sec, C_CONST, &col);
		}
		varint(&body, sec.len);
		put(&body, sec.p, sec.len);
		bfree(&sec);
		bfree(&col);
	}
	count = n;
	struct chunk_head h = { (uint32_t)body.len, n, BOOT0, BOOT0, 1, 1, &id, &count };
	tf_begin(&t, "0123456789abcdef0123456789abcdef", NULL);
	for (int i = 0; i < 2; i++) {
		p.len = 0;
		chunk_payload(&p, &h, &body);
		block(&t.b, CHUNK, &p);
	}
	tf_write(&t, add("zip-bomb-32m-events", I,
			 "2 chunks of 16 M events (16 MiB raw each, ~130 KB on disk), overlapping"));
	cases[ncases - 1].heavy = true;
	cases[ncases - 1].events = 2ULL * n;

	/* 200 chunks declaring 16 MiB raw whose LZ4 block makes 100 bytes */
	{
		struct buf small = { 0 };
		put(&small, NULL, 100);
		tf_begin(&t, "0123456789abcdef0123456789abcdef", NULL);
		for (int i = 0; i < 200; i++) {
			p.len = 0;
			struct chunk_head l = { 16u << 20, 1u << 20, BOOT0 + (uint64_t)i, BOOT0 + (uint64_t)i,
						1, 1, &id, &count };
			count = 1u << 20;
			chunk_payload(&p, &l, &small);
			block(&t.b, CHUNK, &p);
		}
		tf_opens(&t, 10, BOOT0 + 1000, 1, 1);
		tf_write(&t, add("zip-bomb-lies", D,
				 "200 chunks declaring 16 MiB raw and 1 M events, decompressing to 100 bytes"));
		bfree(&small);
	}
	/* 1 M records of 65 535 bytes: 64 GiB if a reader held them */
	{
		const struct fd huge[] = { { "ts", T_U64, H_TIME, 0, 8, 1 },
					   { "blob", T_BYTES, H_NONE, 8, 65527, 1 } };
		const uint32_t m = 1000000;
		uint16_t id17 = 17;

		tf_begin(&t, "0123456789abcdef0123456789abcdef", NULL);
		p.len = 0;
		schema_payload(&p, 17, 65535, 2, "thing", huge, 2);
		block(&t.b, SCHEMA, &p);
		body.len = 0;
		varint(&body, 1);
		varint(&body, 2);
		varint(&body, 1);
		put(&body, "x", 1);
		one_run(&body, 17, m);
		varint(&body, m);
		put(&body, NULL, m);
		struct buf sec = { 0 }, col = { 0 };
		varint(&col, 0);
		column(&sec, C_CONST, &col);
		varint(&body, sec.len);
		put(&body, sec.p, sec.len);
		bfree(&sec);
		bfree(&col);
		count = m;
		struct chunk_head hh = { (uint32_t)body.len, m, BOOT0, BOOT0, 1, 1, &id17, &count };
		p.len = 0;
		chunk_payload(&p, &hh, &body);
		block(&t.b, CHUNK, &p);
		tf_write(&t, add("zip-bomb-64k-records", I, "1 M records of 65 535 bytes in one chunk"));
		cases[ncases - 1].heavy = true;
		cases[ncases - 1].events = m;
	}
	bfree(&body);
	bfree(&p);
}

static void c_index(void)
{
	struct buf p = { 0 };
	struct tf t;
	uint64_t at;

	base(&t, false);
	index_payload(&t, &p);
	block(&t.b, INDEX, &p);
	trailer(&t.b, t.b.len);
	tf_write(&t, add("index-points-at-trailer", D, "the trailer points at itself"));

	base(&t, false);
	p.len = 0;
	index_payload(&t, &p);
	block(&t.b, INDEX, &p);
	trailer(&t.b, 1ULL << 62);
	tf_write(&t, add("index-offset-2e62", D, "the trailer points 4 EiB into the file"));

	base(&t, false);
	p.len = 0;
	index_payload(&t, &p);
	block(&t.b, INDEX, &p);
	trailer(&t.b, 0);
	tf_write(&t, add("index-at-offset-0", D, "the trailer points at the file header"));

	/* entries pointing outside the file, at the index itself, backwards */
	base(&t, false);
	t.ch[0].off = 1ULL << 40;
	t.ch[1].off = t.b.len;
	t.ch[2].off = 64;
	p.len = 0;
	index_payload(&t, &p);
	trailer(&t.b, block(&t.b, INDEX, &p));
	tf_write(&t, add("index-entries-wild", D,
			 "index entries: past the end, at the index itself, at the header"));

	/* counts that promise far more than the payload holds */
	base(&t, false);
	p.len = 0;
	index_payload(&t, &p);
	set32(p.p, 0xffffffffu);
	set32(p.p + 4, 0xffffffffu);
	set32(p.p + 12, 0xffffffffu);
	trailer(&t.b, block(&t.b, INDEX, &p));
	tf_write(&t, add("index-counts-4g", D, "an index declaring 4 billion entries, calibrations, "
					       "metadata offsets"));

	/* totals that lie: 10^12 events */
	base(&t, false);
	p.len = 0;
	t.ch[0].events = 1000000000000ULL;
	index_payload(&t, &p);
	trailer(&t.b, block(&t.b, INDEX, &p));
	tf_write(&t, add("index-counts-lie", D, "an index that says a chunk holds 10^12 events"));

	/* a trailer whose index is another block kind */
	base(&t, false);
	at = t.meta_off[0];
	trailer(&t.b, at);
	tf_write(&t, add("index-is-meta", D, "the trailer points at a META block"));
	bfree(&p);
}

static void c_calibration(void)
{
	struct buf p = { 0 };
	struct tf t;

	base(&t, false);
	calibration_payload(&p, 0, INT64_MAX, 0xffffffffu, 0);
	block(&t.b, CALIBRATION, &p);
	p.len = 0;
	calibration_payload(&p, UINT64_MAX, INT64_MIN, 0, 0);
	block(&t.b, CALIBRATION, &p);
	p.len = 0;
	calibration_payload(&p, BOOT0 + 500, INT64_MIN + 1, 0, 0);
	block(&t.b, CALIBRATION, &p);
	tf_opens(&t, 10, UINT64_MAX - 100, 1, 1);
	tf_opens(&t, 10, 0, 1, 1);
	tf_write(&t, add("calibration-extremes", I,
			 "calibrations at boottime 0 and 2^64-1, realtime INT64_MIN and MAX; events "
			 "at both ends of time"));
	cases[ncases - 1].events = 320;

	base(&t, false);
	p.len = 0;
	calibration_payload(&p, BOOT0 + 1, REAL0, 1, 7);
	block(&t.b, CALIBRATION, &p);
	tf_end(&t);
	tf_write(&t, add("calibration-flags", D, "a calibration with reserved flags set"));

	/* 50 000 calibrations, each a clock step of an hour */
	base(&t, false);
	for (int i = 0; i < 50000; i++) {
		p.len = 0;
		calibration_payload(&p, BOOT0 + (uint64_t)i * 1000, REAL0 + (i % 2 ? 3600LL : -3600LL) *
							      1000000000LL, 10, 0);
		block(&t.b, CALIBRATION, &p);
	}
	tf_end(&t);
	tf_write(&t, add("calibration-50000-steps", I, "50 000 calibrations, each a clock step"));
	cases[ncases - 1].events = 300;
	bfree(&p);
}

static void c_framing(void)
{
	struct buf f = { 0 }, p = { 0 };
	struct tf t;

	base(&t, true);
	t.b.p[60] ^= 0xff;
	tf_write(&t, add("header-bad-checksum", D, "the file header's checksum is wrong"));

	file_header(&f, 2, false);
	write_file(add("major-2", R, "format version 2.0"), &f);
	f.len = 0;
	file_header(&f, 0, false);
	write_file(add("major-0", R, "format version 0 (invalid)"), &f);
	f.len = 0;
	write_file(add("empty", R, "an empty file"), &f);
	file_header(&f, 1, false);
	write_file(add("header-only", I | D, "a file header and nothing else"), &f);
	f.len = 30;
	write_file(add("header-cut", R | D, "the first 30 bytes of a header"), &f);
	f.len = 0;
	srand(7);
	for (int i = 0; i < 4096; i++)
		u8(&f, (uint8_t)rand());
	write_file(add("random-bytes", R, "4 KiB of random bytes"), &f);

	/* garbage between blocks */
	base(&t, false);
	for (int i = 0; i < 1000; i++)
		u8(&t.b, (uint8_t)(i * 7));
	tf_opens(&t, 10, BOOT0 + 90000000ULL, 1, 1);
	tf_write(&t, add("garbage-between-blocks", D, "1000 bytes of garbage between two chunks"));

	/* a storm of sync markers with bad header checksums */
	base(&t, false);
	for (int i = 0; i < 1000000; i++)
		u32(&t.b, 0x9E4B4C42u);
	tf_opens(&t, 10, BOOT0 + 90000000ULL, 1, 1);
	tf_write(&t, add("sync-storm", D, "4 MB of sync markers, none a valid header"));

	/* 500 000 empty blocks of a kind of a later version: valid */
	base(&t, false);
	p.len = 0;
	for (int i = 0; i < 500000; i++)
		block(&t.b, 7, &p);
	tf_end(&t);
	tf_write(&t, add("unknown-blocks-500000", I, "500 000 empty blocks of an unknown kind"));
	cases[ncases - 1].events = 300;
	bfree(&f);
	bfree(&p);
}

/* Segment sets: base.0000, base.0001, ... */
static void segment(const char *base_path, unsigned n, const char *session, const char *index,
		    uint64_t t0)
{
	char path[600];
	struct tf t;

	snprintf(path, sizeof(path), "%s.%04u", base_path, n);
	tf_begin(&t, session, index);
	tf_opens(&t, 20, t0, 1000, 1);
	tf_end(&t);
	tf_write(&t, path);
}

static void c_segments(void)
{
	const char *s1 = "11111111111111111111111111111111", *s2 = "22222222222222222222222222222222";
	char p0[600], p1[600];
	const char *b;

	b = add("seg-duplicate-index", R, "two segments both saying segment.index 0");
	segment(b, 0, s1, "0", BOOT0);
	segment(b, 1, s1, "0", BOOT0 + 1000000);
	b = add("seg-mixed-sessions", R, "segments of two recordings in one set");
	segment(b, 0, s1, "0", BOOT0);
	segment(b, 1, s2, "1", BOOT0 + 1000000);
	b = add("seg-symlink-loop", R, "base.0000 -> base.0001 -> base.0000");
	snprintf(p0, sizeof(p0), "%s.0000", b);
	snprintf(p1, sizeof(p1), "%s.0001", b);
	if (symlink(p1, p0) || symlink(p0, p1))
		abort();
	b = add("seg-gap", D | I, "segments 0 and 2: segment 1 is missing");
	segment(b, 0, s1, "0", BOOT0);
	segment(b, 2, s1, "2", BOOT0 + 2000000);
	b = add("seg-overlapping-times", I | D, "segments 0 and 1 covering the same time");
	segment(b, 0, s1, "0", BOOT0);
	segment(b, 1, s1, "1", BOOT0);
	cases[ncases - 1].events = 40;
	b = add("seg-number-4g", D | I, "segments 0 and 4294967295");
	segment(b, 0, s1, "0", BOOT0);
	segment(b, 4294967295u, s1, "4294967295", BOOT0 + 1000000);
	b = add("seg-2000-files", I | R, "2000 segments (more than a process may have open)");
	for (unsigned i = 0; i < 2000; i++) {
		char idx[16];

		snprintf(idx, sizeof(idx), "%u", i);
		segment(b, i, s1, idx, BOOT0 + (uint64_t)i * 100000);
	}
	b = add("seg-dir-as-segment", R | D, "base.0000 is a directory");
	snprintf(p0, sizeof(p0), "%s.0000", b);
	mkdir(p0, 0755);
}

static void c_not_files(void)
{
	struct craft_case *c;
	const char *p;

	p = add("a-directory", R, "a directory named as the trace");
	mkdir(p, 0755);
	p = add("a-fifo", R, "a FIFO nobody writes to");
	mkfifo(p, 0644);
	add("dev-zero", R, "/dev/zero: endless zeros");
	c = &cases[ncases - 1];
	snprintf(c->path, sizeof(c->path), "/dev/zero");
	add("dev-urandom", R, "/dev/urandom: endless random bytes");
	c = &cases[ncases - 1];
	snprintf(c->path, sizeof(c->path), "/dev/urandom");
}

int craft_all(const char *dir, struct craft_case **out)
{
	outdir = dir;
	ncases = 0;
	c_valid();
	c_sizes();
	c_schemas();
	c_chunks();
	c_bombs();
	c_index();
	c_calibration();
	c_framing();
	c_segments();
	c_not_files();
	*out = cases;
	return ncases;
}
