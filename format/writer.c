// SPDX-License-Identifier: MIT
/*
 * trace_writer: appends blocks to a trace file (or a set of segment
 * files). Blocks are written whole, each with one write loop; on any
 * write error the file is cut back to its last complete block, so it
 * stays readable (without an index), and the error sticks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "block.h"
#include "builtin.h"
#include "chunk_encode.h"
#include "index.h"
#include "meta.h"
#include "schema.h"
#include "segment.h"
#include "trace.h"

#define DEFAULT_CHUNK_EVENTS 65536
#define MAX_CHUNK_EVENTS (1u << 20)
#define DEFAULT_CHUNK_BYTES (8u << 20)
#define MIN_CHUNK_BYTES 4096
#define DEFAULT_FLUSH_MS 1000
#define MAX_TYPES 4096

struct trace_writer {
	char *base;       /* PATH as given */
	char *cur_path;   /* the file being written */
	int fd;
	int err;          /* sticky: once a write failed, nothing more is written */
	struct trace_writer_opts opts;

	uint64_t file_bytes; /* end of the last complete block of the current file */
	uint32_t segment;
	bool segmented;
	bool rotating;
	bool closing;     /* no rotation into an empty segment at close */

	struct meta meta;
	struct trace_schema **types; /* by encoder index, ids increasing */
	bool *schema_written;
	uint32_t ntypes;
	uint32_t next_id;

	struct chunk_enc *enc;
	struct index ix;
	struct trace_calibration last_cal;
	bool have_cal;
	uint64_t chunk_opened_ms;

	uint8_t *buf; /* small blocks are assembled here */
	size_t buf_cap;

	struct trace_writer_stats st;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Turns an error into the sticky error, cutting the file back to its
 * last complete block. */
static int fail(struct trace_writer *w, int err)
{
	/* A failed ftruncate leaves a torn tail, which readers also cope with. */
	if (w->fd >= 0 && ftruncate(w->fd, (off_t)w->file_bytes) < 0)
		err = err ? err : -errno;
	if (!w->err)
		w->err = err;
	return err;
}

static int write_bytes(struct trace_writer *w, const void *buf, size_t len)
{
	int err = write_full(w->fd, buf, len);

	if (err)
		return fail(w, err);
	w->file_bytes += len;
	w->st.bytes_written += len;
	return 0;
}

static uint8_t *scratch(struct trace_writer *w, size_t len)
{
	if (len > w->buf_cap) {
		uint8_t *b = realloc(w->buf, len);

		if (!b)
			return NULL;
		w->buf = b;
		w->buf_cap = len;
	}
	return w->buf;
}

/* Writes a block whose payload is built by fill into the scratch buffer. */
static int write_block(struct trace_writer *w, uint16_t kind, size_t len,
		       void (*fill)(const void *arg, uint8_t *out), const void *arg,
		       uint64_t *offset)
{
	uint8_t *b;

	if (w->err)
		return w->err;
	if (len > MAX_BLOCK_PAYLOAD)
		return -E2BIG;
	b = scratch(w, BLOCK_HEADER_SIZE + len);
	if (!b)
		return -ENOMEM;
	fill(arg, b + BLOCK_HEADER_SIZE);
	block_header__encode(b, kind, b + BLOCK_HEADER_SIZE, (uint32_t)len);
	if (offset)
		*offset = w->file_bytes;
	return write_bytes(w, b, BLOCK_HEADER_SIZE + len);
}

struct meta_arg {
	const struct meta *m;
	bool dirty_only;
};

static void fill_meta(const void *arg, uint8_t *out)
{
	const struct meta_arg *a = arg;

	meta__encode(a->m, a->dirty_only, out);
}

static void fill_schema(const void *arg, uint8_t *out)
{
	schema__encode(arg, out);
}

static void fill_calibration(const void *arg, uint8_t *out)
{
	calibration__encode(out, arg);
}

static void fill_index(const void *arg, uint8_t *out)
{
	index__encode(arg, out);
}

static void fill_trailer(const void *arg, uint8_t *out)
{
	trailer__encode(out, *(const uint64_t *)arg);
}

/* Metadata changes and new schemas, before anything that may use them. */
static int write_pending(struct trace_writer *w, bool all)
{
	uint64_t off;
	int err;
	bool dirty = all;

	for (size_t i = 0; i < w->meta.n && !dirty; i++)
		dirty = w->meta.pairs[i].dirty;
	if (dirty) {
		struct meta_arg a = { &w->meta, !all };

		err = write_block(w, BLOCK_META, meta__encoded_size(&w->meta, !all), fill_meta, &a,
				  &off);
		if (err || (err = index__add_meta(&w->ix, off)))
			return err;
		meta__clean(&w->meta);
	}
	for (uint32_t i = 0; i < w->ntypes; i++) {
		if (w->schema_written[i] && !all)
			continue;
		err = write_block(w, BLOCK_SCHEMA, schema__encoded_size(w->types[i]), fill_schema,
				  w->types[i], &off);
		if (err || (err = index__add_meta(&w->ix, off)))
			return err;
		w->schema_written[i] = true;
	}
	return 0;
}

/* A file another user left in a world-writable sticky directory (/tmp)
 * is theirs, whatever root may do: not truncated, not taken over (the
 * rule of the kernel's fs.protected_regular, which may be off). The
 * directory's owner's files and the future owner's (SUDO_UID) are fine. */
static bool planted_by_another(const struct trace_writer *w, const char *path,
			       const struct stat *st)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat ds;
	bool planted;

	if (st->st_uid == geteuid() || (w->opts.uid >= 0 && st->st_uid == (uid_t)w->opts.uid))
		return false;
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return true; /* cannot tell: refuse */
	planted = stat(dir, &ds) == 0 && (ds.st_mode & S_ISVTX) && (ds.st_mode & S_IWOTH) &&
		  st->st_uid != ds.st_uid;
	free(dir);
	return planted;
}

static int create_file(struct trace_writer *w, const char *path)
{
	uint8_t hdr[FILE_HEADER_SIZE];
	struct file_header fh = { TRACE_FORMAT_MAJOR, TRACE_FORMAT_MINOR, 0 };
	struct stat st;
	int fd, err;

	/* The path being created is the one a failure names. */
	free(w->cur_path);
	w->cur_path = strdup(path);
	if (!w->cur_path)
		return -ENOMEM;
	/* The recorder runs as root: never follow a link planted at PATH, do
	 * not block on a FIFO, and truncate only once the file is known to
	 * be ours to write. */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, w->opts.mode);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto fail;
	}
	if (planted_by_another(w, path, &st)) {
		err = -EPERM;
		goto fail;
	}
	if (ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFL, 0) < 0 || fchmod(fd, w->opts.mode) < 0) {
		err = -errno;
		goto fail;
	}
	if ((w->opts.uid >= 0 && (uid_t)w->opts.uid != st.st_uid) ||
	    (w->opts.gid >= 0 && (gid_t)w->opts.gid != st.st_gid)) {
		if (fchown(fd, w->opts.uid >= 0 ? (uid_t)w->opts.uid : (uid_t)-1,
			   w->opts.gid >= 0 ? (gid_t)w->opts.gid : (gid_t)-1) < 0) {
			err = -errno;
			goto fail;
		}
	}
	w->fd = fd;
	w->file_bytes = 0;
	w->st.segments++;
	file_header__encode(hdr, &fh);
	return write_bytes(w, hdr, sizeof(hdr));
fail:
	close(fd);
	return err;
}

/* Pending metadata, index and trailer; then closes the file. */
static int finish_file(struct trace_writer *w)
{
	uint64_t off;
	int err = w->err;

	if (!err)
		err = write_pending(w, false);
	if (!err)
		err = write_block(w, BLOCK_INDEX, index__encoded_size(&w->ix), fill_index, &w->ix,
				  &off);
	if (!err)
		err = write_block(w, BLOCK_TRAILER, TRAILER_PAYLOAD, fill_trailer, &off, NULL);
	if (w->fd >= 0 && close(w->fd) < 0 && !err)
		err = fail(w, -errno);
	w->fd = -1;
	return err;
}

static int start_segment(struct trace_writer *w, uint32_t n)
{
	char num[16];
	char *path = segment__name(w->base, n);
	int err;

	if (!path)
		return -ENOMEM;
	snprintf(num, sizeof(num), "%u", n);
	err = meta__set(&w->meta, SEGMENT_META_INDEX, num);
	if (!err)
		err = create_file(w, path);
	free(path);
	if (err)
		return err;
	w->segment = n;
	index__free(&w->ix);
	if (n == 0)
		return 0;
	/* Each segment stands alone: all metadata, all schemas, and the
	 * latest calibration so its times convert from the start. */
	err = write_pending(w, true);
	if (!err && w->have_cal) {
		err = write_block(w, BLOCK_CALIBRATION, CALIBRATION_PAYLOAD, fill_calibration,
				  &w->last_cal, NULL);
		if (!err)
			err = index__add_calibration(&w->ix, &w->last_cal);
	}
	return err;
}

static int rotate(struct trace_writer *w)
{
	int err;

	w->rotating = true;
	err = finish_file(w);
	if (!err)
		err = start_segment(w, w->segment + 1);
	if (!err && w->opts.keep_segments && w->segment >= w->opts.keep_segments) {
		char *old = segment__name(w->base, w->segment - w->opts.keep_segments);

		if (!old)
			err = -ENOMEM;
		else if (unlink(old) == 0)
			w->st.segments_removed++;
		else if (errno != ENOENT)
			err = -errno;
		free(old);
	}
	if (!err && w->opts.on_segment)
		err = w->opts.on_segment(w, w->segment, w->opts.ctx);
	w->rotating = false;
	return err ? fail(w, err) : 0;
}

static int seal(struct trace_writer *w)
{
	struct chunk_sealed sc;
	uint64_t off, events, raw;
	int err;

	if (w->err)
		return w->err;
	if (chunk_enc__events(w->enc) == 0)
		return 0;
	err = write_pending(w, false);
	if (err)
		return err;
	events = chunk_enc__events(w->enc);
	raw = chunk_enc__raw_bytes(w->enc);
	err = chunk_enc__seal(w->enc, &sc);
	if (err)
		return fail(w, err);
	w->st.events += events;
	w->st.bytes_raw += raw;
	block_header__encode(sc.block, BLOCK_CHUNK, sc.block + BLOCK_HEADER_SIZE, sc.payload_len);
	off = w->file_bytes;
	err = write_bytes(w, sc.block, sc.block_len);
	if (err)
		return err;
	err = index__add_chunk(&w->ix, off, sc.min_ts, sc.max_ts, sc.types, sc.ntypes);
	if (err)
		return fail(w, err);
	w->st.chunks++;
	if (w->segmented && !w->rotating && !w->closing && w->file_bytes >= w->opts.segment_size)
		return rotate(w);
	return 0;
}

static void hex(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

static int random_bytes(uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(buf, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The host metadata every trace carries (FORMAT.md, "Metadata keys"); the
 * caller may replace any of it with trace_writer__set_meta. */
static int host_meta(struct meta *m)
{
	struct utsname u;
	char buf[64];
	FILE *f;
	int err = 0;

	if (uname(&u) == 0) {
		err = meta__set(m, "host.hostname", u.nodename);
		if (!err)
			err = meta__set(m, "host.kernel_release", u.release);
		if (!err)
			err = meta__set(m, "host.machine", u.machine);
	}
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (!err && fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			err = meta__set(m, "host.boot_id", buf);
		}
		fclose(f);
	}
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	if (!err)
		err = meta__set(m, "host.cpus", buf);
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_PAGESIZE));
	if (!err)
		err = meta__set(m, "host.page_size", buf);
	return err;
}

static int register_type(struct trace_writer *w, uint16_t id, const struct trace_schema_desc *d)
{
	struct trace_schema *s;
	void *p;
	int err;

	if (w->ntypes >= MAX_TYPES)
		return -E2BIG;
	p = realloc(w->types, (w->ntypes + 1) * sizeof(*w->types));
	if (!p)
		return -ENOMEM;
	w->types = p;
	p = realloc(w->schema_written, (w->ntypes + 1) * sizeof(*w->schema_written));
	if (!p)
		return -ENOMEM;
	w->schema_written = p;
	s = schema__from_desc(id, d);
	if (!s)
		return -ENOMEM;
	err = chunk_enc__add_type(w->enc, s);
	if (err) {
		schema__free(s);
		return err;
	}
	w->types[w->ntypes] = s;
	w->schema_written[w->ntypes] = false;
	w->ntypes++;
	return id;
}

struct trace_writer *trace_writer__open(const char *path, const struct trace_writer_opts *opts)
{
	struct trace_writer *w;
	uint8_t rnd[16];
	char session[33];
	uint64_t seed;
	int err = -ENOMEM;

	if (!path || !*path || (opts && opts->sz < offsetof(struct trace_writer_opts, segment_size) +
							   sizeof(opts->segment_size))) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->fd = -1;
	w->opts.uid = -1;
	w->opts.gid = -1;
	if (opts)
		memcpy(&w->opts, opts, opts->sz < sizeof(*opts) ? opts->sz : sizeof(*opts));
	w->opts.sz = sizeof(w->opts);
	if (!w->opts.chunk_events)
		w->opts.chunk_events = DEFAULT_CHUNK_EVENTS;
	if (w->opts.chunk_events > MAX_CHUNK_EVENTS)
		w->opts.chunk_events = MAX_CHUNK_EVENTS;
	if (!w->opts.chunk_bytes)
		w->opts.chunk_bytes = DEFAULT_CHUNK_BYTES;
	if (w->opts.chunk_bytes < MIN_CHUNK_BYTES)
		w->opts.chunk_bytes = MIN_CHUNK_BYTES;
	if (w->opts.chunk_bytes > MAX_CHUNK_RAW)
		w->opts.chunk_bytes = MAX_CHUNK_RAW;
	if (!w->opts.flush_interval_ms)
		w->opts.flush_interval_ms = DEFAULT_FLUSH_MS;
	if (!w->opts.mode)
		w->opts.mode = 0600;
	w->opts.mode &= 07777;
	w->segmented = w->opts.segment_size > 0;
	index__init(&w->ix);
	w->base = strdup(path);
	if (!w->base)
		goto fail;
	err = random_bytes(rnd, sizeof(rnd));
	if (err)
		goto fail;
	hex(session, rnd, sizeof(rnd));
	memcpy(&seed, rnd, sizeof(seed));
	w->enc = chunk_enc__new(w->opts.chunk_events, w->opts.chunk_bytes, seed);
	if (!w->enc) {
		err = -ENOMEM;
		goto fail;
	}
	w->next_id = TRACE_TYPE_FIRST_USER;
	err = meta__set(&w->meta, SEGMENT_META_SESSION, session);
	if (!err)
		err = host_meta(&w->meta);
	if (!err)
		err = register_type(w, TRACE_TYPE_LOST, &builtin_lost_desc);
	if (err >= 0)
		err = register_type(w, TRACE_TYPE_PROCESS, &builtin_process_desc);
	if (err < 0)
		goto fail;
	err = w->segmented ? start_segment(w, 0) : create_file(w, path);
	if (err)
		goto fail;
	return w;
fail:
	w->err = err;
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	trace_writer__close(w);
	errno = -err;
	return NULL;
}

int trace_writer__set_meta(struct trace_writer *w, const char *key, const char *value)
{
	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	return meta__set(&w->meta, key, value);
}

int trace_writer__add_type(struct trace_writer *w, const struct trace_schema_desc *desc)
{
	const char *why;
	int err;

	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	err = schema_desc__validate(desc, &why);
	if (err)
		return err;
	for (uint32_t i = 0; i < w->ntypes; i++)
		if (strcmp(w->types[i]->name, desc->name) == 0)
			return -EEXIST;
	if (w->next_id > UINT16_MAX)
		return -E2BIG;
	err = register_type(w, (uint16_t)w->next_id, desc);
	if (err >= 0)
		w->next_id++;
	return err;
}

/* Encoder index of a type id: ids 1 and 2 are the first two, user ids
 * follow in order from TRACE_TYPE_FIRST_USER. */
static int slot_of(const struct trace_writer *w, int type)
{
	int slot;

	if (type == TRACE_TYPE_LOST || type == TRACE_TYPE_PROCESS)
		return type - 1;
	slot = type - TRACE_TYPE_FIRST_USER + 2;
	if (type < TRACE_TYPE_FIRST_USER || slot >= (int)w->ntypes)
		return -1;
	return slot;
}

int trace_writer__append(struct trace_writer *w, int type, const void *rec, size_t size)
{
	int slot, err;

	if (__builtin_expect(!w || !rec, 0))
		return -EINVAL;
	if (__builtin_expect(w->err, 0))
		return w->err;
	slot = slot_of(w, type);
	if (slot < 0)
		return -EINVAL;
	err = chunk_enc__append(w->enc, (unsigned)slot, rec, size);
	if (__builtin_expect(err == 0, 1))
		return 0;
	if (err == 1) {
		/* the chunk is full: seal it, start the next with this record */
		if ((err = seal(w)))
			return err;
		err = chunk_enc__append(w->enc, (unsigned)slot, rec, size);
	}
	if (err == 2) {
		w->chunk_opened_ms = now_ms();
		err = 0;
	}
	return err;
}

int trace_writer__calibrate(struct trace_writer *w, const struct trace_calibration *c)
{
	int err;

	if (!w || !c || c->flags)
		return -EINVAL;
	err = write_pending(w, false);
	if (!err)
		err = write_block(w, BLOCK_CALIBRATION, CALIBRATION_PAYLOAD, fill_calibration, c,
				  NULL);
	if (!err && (err = index__add_calibration(&w->ix, c)))
		return fail(w, err);
	if (!err) {
		w->last_cal = *c;
		w->have_cal = true;
	}
	return err;
}

int trace_writer__lost(struct trace_writer *w, const struct trace_lost *l)
{
	return trace_writer__append(w, TRACE_TYPE_LOST, l, sizeof(*l));
}

int trace_writer__process(struct trace_writer *w, const struct trace_process *p)
{
	return trace_writer__append(w, TRACE_TYPE_PROCESS, p, sizeof(*p));
}

int trace_writer__flush(struct trace_writer *w)
{
	int err;

	if (!w)
		return -EINVAL;
	err = seal(w);
	return err ? err : write_pending(w, false);
}

int trace_writer__poll(struct trace_writer *w)
{
	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (chunk_enc__events(w->enc) && now_ms() - w->chunk_opened_ms >= w->opts.flush_interval_ms)
		return seal(w);
	return 0;
}

void trace_writer__stats(const struct trace_writer *w, struct trace_writer_stats *st)
{
	*st = w->st;
	/* the open chunk's too */
	st->events += chunk_enc__events(w->enc);
	st->bytes_raw += chunk_enc__raw_bytes(w->enc);
}

const char *trace_writer__path(const struct trace_writer *w)
{
	return w->cur_path ? w->cur_path : w->base;
}

const struct trace_schema *trace_writer__schema(const struct trace_writer *w, int type)
{
	int slot = w ? slot_of(w, type) : -1;

	if (slot < 0) {
		errno = ENOENT;
		return NULL;
	}
	return w->types[slot];
}

int trace_writer__close(struct trace_writer *w)
{
	int err;

	if (!w)
		return 0;
	w->closing = true;
	err = w->err;
	if (!err && w->fd >= 0)
		err = seal(w);
	if (w->fd >= 0) {
		int e = finish_file(w);

		if (!err)
			err = e;
	}
	for (uint32_t i = 0; i < w->ntypes; i++)
		schema__free(w->types[i]);
	free(w->types);
	free(w->schema_written);
	chunk_enc__free(w->enc);
	index__free(&w->ix);
	meta__free(&w->meta);
	free(w->buf);
	free(w->cur_path);
	free(w->base);
	free(w);
	return err;
}
