// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpus of fuzz_format: small real traces covering every
 * block kind, every field type, each column encoding, files with and
 * without an index, a segment. Usage: fuzz_format_seeds DIR
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lz4.h>

#include "block.h"
#include "trace.h"
#include "wire.h"

#define F(st, name, type, hint) \
	{ #name, type, hint, offsetof(st, name), sizeof(((st *)0)->name), 1 }

struct s_open {
	uint64_t ts, latency_ns;
	uint32_t pid, tid, uid;
	int32_t ret, dirfd;
	uint32_t flags, mode;
	char call[8], comm[16], path[64];
};

static const struct trace_field_desc open_fields[] = {
	F(struct s_open, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	F(struct s_open, latency_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION),
	F(struct s_open, pid, TRACE_FIELD_U32, TRACE_HINT_PID),
	F(struct s_open, tid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct s_open, uid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct s_open, ret, TRACE_FIELD_S32, TRACE_HINT_ERRNO),
	F(struct s_open, dirfd, TRACE_FIELD_S32, TRACE_HINT_NONE),
	F(struct s_open, flags, TRACE_FIELD_U32, TRACE_HINT_HEX),
	F(struct s_open, mode, TRACE_FIELD_U32, TRACE_HINT_HEX),
	F(struct s_open, call, TRACE_FIELD_STR, TRACE_HINT_NONE),
	F(struct s_open, comm, TRACE_FIELD_STR, TRACE_HINT_NONE),
	F(struct s_open, path, TRACE_FIELD_STR, TRACE_HINT_NONE),
};

struct s_hist {
	uint64_t ts;
	uint32_t nr;
	uint16_t small;
	int8_t tiny;
	uint8_t flag;
	int64_t total;
	uint64_t start_ns;
	uint64_t slots[8];
	int16_t deltas[2];
	uint8_t addr[16];
};

static const struct trace_field_desc hist_fields[] = {
	F(struct s_hist, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	F(struct s_hist, nr, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct s_hist, small, TRACE_FIELD_U16, TRACE_HINT_NONE),
	F(struct s_hist, tiny, TRACE_FIELD_S8, TRACE_HINT_NONE),
	F(struct s_hist, flag, TRACE_FIELD_U8, TRACE_HINT_HEX),
	F(struct s_hist, total, TRACE_FIELD_S64, TRACE_HINT_DURATION),
	F(struct s_hist, start_ns, TRACE_FIELD_U64, TRACE_HINT_BOOTTIME),
	{ "slots", TRACE_FIELD_U64, 0, offsetof(struct s_hist, slots), 64, 8 },
	{ "deltas", TRACE_FIELD_S16, 0, offsetof(struct s_hist, deltas), 4, 2 },
	F(struct s_hist, addr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR),
};

static const struct trace_schema_desc open_desc = { "open", sizeof(struct s_open), 12, open_fields };
static const struct trace_schema_desc hist_desc = { "hist", sizeof(struct s_hist), 10, hist_fields };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_one(const char *path, int n, uint32_t chunk_events, int shuffle, int segment)
{
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = chunk_events, .uid = -1,
				       .gid = -1, .segment_size = segment ? 1500 : 0 };
	struct trace_writer *w = trace_writer__open(path, &o);
	static const char *const paths[] = { "/etc/passwd", "/lib/libc.so.6", "data.txt", "" };
	int ot, ht;

	if (!w)
		die(path);
	trace_writer__set_meta(w, "host.name", "seedbox");
	trace_writer__set_meta(w, "host.boot_id", "0b5e55ed-0000-4000-8000-000000000001");
	ot = trace_writer__add_type(w, &open_desc);
	ht = trace_writer__add_type(w, &hist_desc);
	for (int i = 0; i < n; i++) {
		uint64_t ts = 1000000ull + (uint64_t)i * 1500 - (shuffle && i % 4 == 1 ? 2000 : 0);

		if (i % 10 == 0) {
			struct trace_calibration c = { ts, 1700000000000000000ll + (int64_t)ts +
							       (i > n / 2 ? 3600000000000ll : 0), 250, 0 };

			trace_writer__calibrate(w, &c);
		}
		if (i % 9 == 0) {
			struct s_hist h = { .ts = ts, .nr = (uint32_t)i % 3, .small = 65535,
					    .tiny = (int8_t)-i, .flag = 1, .total = -(int64_t)i * 1000,
					    .start_ns = ts - 500 };

			for (int k = 0; k < 8; k++)
				h.slots[k] = k < 3 ? (uint64_t)i * (uint64_t)k : 0;
			h.deltas[0] = (int16_t)-i;
			h.deltas[1] = INT16_MIN;
			h.addr[0] = 10;
			h.addr[3] = (uint8_t)i;
			trace_writer__append(w, ht, &h, sizeof(h));
		} else if (i % 13 == 0) {
			struct trace_lost l = { ts, ts - 99, 7, 1, 0, "opens" };

			trace_writer__lost(w, &l);
		} else if (i % 17 == 0) {
			struct trace_process p = { .ts = ts, .start_ns = 1, .pid = (uint32_t)i, .ppid = 1 };

			strcpy(p.comm, "bash");
			strcpy(p.cmdline, "bash -c 'make -j2'");
			trace_writer__process(w, &p);
		} else {
			struct s_open e = { .ts = ts, .latency_ns = 1000 + (uint64_t)(i * 37) % 900,
					    .pid = 100, .tid = 100 + (uint32_t)i % 2, .uid = 1000,
					    .ret = i % 5 ? 3 : -2, .dirfd = -100, .flags = 0x80000 };

			strcpy(e.call, "openat");
			strcpy(e.comm, i % 2 ? "cat" : "python3");
			strcpy(e.path, paths[i % 4]);
			trace_writer__append(w, ot, &e, sizeof(e));
		}
	}
	trace_writer__set_meta(w, "record.exit_status", "0");
	if (trace_writer__close(w))
		die("close");
}

/*
 * A copy of src whose chunks are stored instead of LZ4-compressed (codec
 * 0), without index: mutations of it reach the column decoders directly.
 */
static void write_stored(const char *src, const char *dst)
{
	static uint8_t in[1 << 16], out[1 << 18], raw[1 << 17];
	FILE *f = fopen(src, "rb");
	size_t len, o = 64;

	if (!f)
		die(src);
	len = fread(in, 1, sizeof(in), f);
	fclose(f);
	memcpy(out, in, 64);
	for (size_t off = 64; off + 20 <= len;) {
		uint16_t kind = get_le16(in + off + 4);
		uint32_t plen = get_le32(in + off + 8);
		const uint8_t *p = in + off + 20;

		if (kind == BLOCK_INDEX)
			break;
		if (kind == BLOCK_CHUNK && p[24] == 1) {
			uint32_t rawlen = get_le32(p), hl = 32 + 8 * get_le16(p + 26);
			uint8_t *q = out + o + 20;

			if (LZ4_decompress_safe((const char *)p + hl, (char *)raw, (int)(plen - hl),
						(int)sizeof(raw)) != (int)rawlen)
				die("lz4");
			memcpy(q, p, hl);
			q[24] = 0;
			memcpy(q + hl, raw, rawlen);
			block_header__encode(out + o, kind, q, hl + rawlen);
			o += 20 + hl + rawlen;
		} else {
			memcpy(out + o, in + off, 20 + plen);
			o += 20 + plen;
		}
		off += 20 + plen;
	}
	f = fopen(dst, "wb");
	if (!f || fwrite(out, 1, o, f) != o || fclose(f))
		die(dst);
}

int main(int argc, char **argv)
{
	char p[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	snprintf(p, sizeof(p), "%s/small.trace", argv[1]);
	write_one(p, 60, 20, 0, 0);
	/* the same without INDEX and TRAILER, as a crash leaves it */
	{
		char q[4096];
		uint8_t buf[8192], t[8];
		FILE *in = fopen(p, "rb"), *out;
		size_t len;
		uint64_t ioff = 0;

		if (!in)
			die(p);
		len = fread(buf, 1, sizeof(buf), in);
		fclose(in);
		memcpy(t, buf + len - 16, 8);
		for (int k = 7; k >= 0; k--)
			ioff = ioff << 8 | t[k];
		snprintf(q, sizeof(q), "%s/no-index.trace", argv[1]);
		out = fopen(q, "wb");
		if (!out || ioff >= len || fwrite(buf, 1, ioff, out) != ioff || fclose(out))
			die(q);
	}
	{
		char q[4096];

		snprintf(q, sizeof(q), "%s/stored.trace", argv[1]);
		write_stored(p, q);
	}
	snprintf(p, sizeof(p), "%s/unsorted.trace", argv[1]);
	write_one(p, 80, 40, 1, 0);
	snprintf(p, sizeof(p), "%s/one-chunk.trace", argv[1]);
	write_one(p, 200, 0, 0, 0);
	snprintf(p, sizeof(p), "%s/empty.trace", argv[1]);
	write_one(p, 0, 0, 0, 0);
	snprintf(p, sizeof(p), "%s/seg", argv[1]);
	write_one(p, 120, 30, 0, 1);
	snprintf(p, sizeof(p), "%s/seg.0000", argv[1]);
	if (rename(p, (snprintf(p + 2048, 2048, "%s/segment-0.trace", argv[1]), p + 2048)))
		die("rename");
	snprintf(p, sizeof(p), "%s/seg.0001", argv[1]);
	if (rename(p, (snprintf(p + 2048, 2048, "%s/segment-1.trace", argv[1]), p + 2048)))
		die("rename");
	/* further segments are not needed as seeds */
	for (int s = 2; s < 100; s++) {
		snprintf(p, sizeof(p), "%s/seg.%04d", argv[1], s);
		unlink(p);
	}
	return 0;
}
