/* SPDX-License-Identifier: MIT */
/* Helpers shared by the format unit tests: scratch directories, a record
 * type shaped like the recorder's `open`, damage collection. */
#ifndef TEST_FORMAT_UTIL_H
#define TEST_FORMAT_UTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"
#include "block.h"
#include "wire.h"

struct t_open {
	uint64_t ts;
	uint64_t latency_ns;
	uint32_t pid;
	uint32_t tid;
	uint32_t uid;
	int32_t ret;
	int32_t dirfd;
	uint32_t flags;
	uint32_t mode;
	char call[8];
	char comm[16];
	char path[256];
};

#define T_FIELD(st, name, type, hint) \
	{ #name, type, hint, offsetof(st, name), sizeof(((st *)0)->name), 1 }

static const struct trace_field_desc t_open_fields[] = {
	T_FIELD(struct t_open, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	T_FIELD(struct t_open, latency_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION),
	T_FIELD(struct t_open, pid, TRACE_FIELD_U32, TRACE_HINT_PID),
	T_FIELD(struct t_open, tid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	T_FIELD(struct t_open, uid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	T_FIELD(struct t_open, ret, TRACE_FIELD_S32, TRACE_HINT_ERRNO),
	T_FIELD(struct t_open, dirfd, TRACE_FIELD_S32, TRACE_HINT_NONE),
	T_FIELD(struct t_open, flags, TRACE_FIELD_U32, TRACE_HINT_HEX),
	T_FIELD(struct t_open, mode, TRACE_FIELD_U32, TRACE_HINT_HEX),
	T_FIELD(struct t_open, call, TRACE_FIELD_STR, TRACE_HINT_NONE),
	T_FIELD(struct t_open, comm, TRACE_FIELD_STR, TRACE_HINT_NONE),
	T_FIELD(struct t_open, path, TRACE_FIELD_STR, TRACE_HINT_NONE),
};

static const struct trace_schema_desc t_open_desc = {
	.name = "open",
	.size = sizeof(struct t_open),
	.nfields = sizeof(t_open_fields) / sizeof(t_open_fields[0]),
	.fields = t_open_fields,
};

/* A deterministic open event number i: repeating paths and comms, a few
 * processes, latency with jitter, timestamps 1-3 us apart. */
static inline void t_open_make(struct t_open *o, uint64_t i)
{
	static const char *const paths[] = {
		"/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd",
		"/proc/self/status", "/usr/share/locale/locale.alias", "/tmp/work/file.txt",
		"relative/path", "/dev/null",
	};
	static const char *const comms[] = { "bash", "cat", "python3", "systemd-journal" };
	uint64_t x = i * 0x9E3779B97F4A7C15ull;

	memset(o, 0, sizeof(*o));
	o->ts = 1000000000ull + i * 2000 + (x >> 54);
	o->latency_ns = 1500 + (x >> 52) % 3000;
	o->pid = 1000 + (uint32_t)(i / 1000) % 7;
	o->tid = o->pid + (uint32_t)(i % 3);
	o->uid = 1000;
	o->ret = (i % 11 == 0) ? -2 : (int32_t)(3 + i % 5);
	o->dirfd = -100;
	o->flags = (i % 4 == 0) ? 0x80241 : 0x80000;
	o->mode = (i % 4 == 0) ? 0644 : 0;
	strcpy(o->call, "openat");
	strcpy(o->comm, comms[(i / 1000) % 4]);
	strcpy(o->path, paths[(x >> 40) % 8]);
}

struct t_damage {
	int count;
	int last_err;
	uint64_t last_offset;
	char last_what[256];
	int by_err[256];
};

static inline void t_on_damage(const struct trace_damage *d, void *ctx)
{
	struct t_damage *td = ctx;

	td->count++;
	td->last_err = d->err;
	td->last_offset = d->offset;
	snprintf(td->last_what, sizeof(td->last_what), "%s", d->what);
	if (-d->err >= 0 && -d->err < 256)
		td->by_err[-d->err]++;
}

static inline struct trace_reader *t_open_reader(const char *path, struct t_damage *td)
{
	struct trace_reader_opts o = { .sz = sizeof(o), .on_damage = t_on_damage, .ctx = td };

	return trace_reader__open(path, &o);
}

static inline struct trace_writer *t_open_writer(const char *path,
						 const struct trace_writer_opts *extra)
{
	struct trace_writer_opts o = { .sz = sizeof(o), .uid = -1, .gid = -1 };

	if (extra)
		o = *extra;
	return trace_writer__open(path, &o);
}

/* A fresh directory under /tmp; removed with t_rmdir. */
static inline char *t_mkdtemp(void)
{
	char *d = strdup("/tmp/test_format.XXXXXX");

	cr_assert_not_null(d);
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static inline void t_rmdir(char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

static inline char *t_path(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* Reads a whole file into memory. */
static inline uint8_t *t_slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	cr_assert_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static inline void t_spit(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* The blocks of a trace held in memory, walked by their headers. */
struct t_block {
	uint64_t off;   /* of the header */
	uint16_t kind;
	uint32_t len;   /* payload */
};

static inline size_t t_blocks(const uint8_t *buf, size_t len, struct t_block *out, size_t max)
{
	size_t n = 0;

	for (uint64_t off = 64; off + 20 <= len && n < max;) {
		out[n].off = off;
		out[n].kind = get_le16(buf + off + 4);
		out[n].len = get_le32(buf + off + 8);
		off += 20 + (uint64_t)out[n].len;
		n++;
	}
	return n;
}

/* Events of a CHUNK block (from its header); of type `type` when type > 0. */
static inline uint32_t t_chunk_events(const uint8_t *buf, const struct t_block *b, uint16_t type)
{
	const uint8_t *p = buf + b->off + 20;
	uint16_t nt = get_le16(p + 26);

	if (!type)
		return get_le32(p + 4);
	for (uint16_t i = 0; i < nt; i++)
		if (get_le16(p + 32 + 8 * i) == type)
			return get_le32(p + 32 + 8 * i + 4);
	return 0;
}

/* Rewrites both checksums of the block at off after its payload changed. */
static inline void t_reseal(uint8_t *buf, uint64_t off)
{
	block_header__encode(buf + off, get_le16(buf + off + 4), buf + off + 20,
			     get_le32(buf + off + 8));
}

static inline void t_reseal_header(uint8_t *buf)
{
	put_le32(buf + 60, trace_crc32(buf, 60));
}

/* Reads every event of path; returns the count (-1 when it cannot open). */
static inline long t_count(const char *path, struct t_damage *td)
{
	struct trace_reader *r = t_open_reader(path, td);
	struct trace_event ev;
	long n = 0;
	int err;

	if (!r)
		return -1;
	while ((err = trace_reader__next(r, &ev)) == 0)
		n++;
	cr_assert_eq(err, -ENOENT, "next: %s", trace_strerror(err));
	trace_reader__close(r);
	return n;
}

#endif /* TEST_FORMAT_UTIL_H */
