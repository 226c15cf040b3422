// SPDX-License-Identifier: MIT
/*
 * Reading one trace file. Opening reads the header, then the trailer and
 * the index it points at; without a valid index it walks the blocks once
 * (checking each checksum) to collect metadata, schemas, calibrations and
 * the chunks' time range. Streaming then walks the blocks in file order,
 * decoding one chunk at a time; nothing it keeps grows with the file.
 */
#include "rfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"

/* Reserved fields are checked only in files of a minor version this reader
 * knows: newer minors may give them a meaning older readers ignore. */
static bool strict(const struct rfile *f)
{
	return f->fh.minor <= TRACE_FORMAT_MINOR;
}

static void report(struct rfile *f, uint64_t off, uint64_t len, int err, const char *what)
{
	struct trace_damage d = { f->path, off, len, err, what };

	if (f->opts && f->opts->on_damage)
		f->opts->on_damage(&d, f->opts->ctx);
}

static int payload_reserve(struct rfile *f, size_t len)
{
	if (len <= f->payload_cap)
		return 0;
	uint8_t *p = realloc(f->payload, len);

	if (!p)
		return -ENOMEM;
	f->payload = p;
	f->payload_cap = len;
	return 0;
}

/* Reads the payload of the block at off into f->payload and checks it.
 * 0, -EBADMSG, or an I/O error. */
static int read_payload(struct rfile *f, uint64_t off, const struct block_header *h)
{
	int err = payload_reserve(f, h->length ? h->length : 1);

	if (!err)
		err = pread_full(f->fd, f->payload, h->length, off + BLOCK_HEADER_SIZE);
	if (!err && !crc_ok(h->payload_crc, trace_crc32(f->payload, h->length)))
		err = -EBADMSG;
	return err;
}

static int read_header(struct rfile *f, uint64_t off, struct block_header *h)
{
	uint8_t b[BLOCK_HEADER_SIZE];
	int err = pread_full(f->fd, b, sizeof(b), off);

	if (err)
		return err;
	return block_header__decode(b, h) ? 0 : -EPROTO;
}

static struct rtype *find_type(const struct rfile *f, uint16_t id)
{
	uint32_t lo = 0, hi = f->ntypes;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (f->types[mid].s->id == id)
			return &f->types[mid];
		if (f->types[mid].s->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A SCHEMA payload: the first valid schema of an id counts. */
static int add_schema(struct rfile *f, const uint8_t *p, size_t len)
{
	struct trace_schema *s = schema__decode(p, len, strict(f));
	uint32_t i;

	if (!s)
		return errno == ENOMEM ? -ENOMEM : 0;
	if (find_type(f, s->id)) {
		schema__free(s);
		return 0;
	}
	struct rtype *t = realloc(f->types, (f->ntypes + 1) * sizeof(*t));

	if (!t) {
		schema__free(s);
		return -ENOMEM;
	}
	f->types = t;
	for (i = f->ntypes; i > 0 && t[i - 1].s->id > s->id; i--)
		t[i] = t[i - 1];
	t[i] = (struct rtype){ .s = s, .wanted = true };
	f->ntypes++;
	return 0;
}

/* Loads a META, SCHEMA or CALIBRATION payload found while opening. */
static int absorb(struct rfile *f, const struct block_header *h, struct trace_calibration **cals,
		  uint32_t *ncal, uint32_t *cal_cap)
{
	switch (h->kind) {
	case BLOCK_META: {
		/* a malformed META is skipped whole (reported while reading) */
		struct meta tmp = { 0 };
		int err = meta__decode_merge(&tmp, f->payload, h->length);

		for (size_t i = 0; !err && i < tmp.n; i++)
			err = meta__set(&f->meta, tmp.pairs[i].key, tmp.pairs[i].value);
		meta__free(&tmp);
		return err == -ENOMEM ? err : 0;
	}
	case BLOCK_SCHEMA:
		return add_schema(f, f->payload, h->length);
	case BLOCK_CALIBRATION:
		if (h->length < CALIBRATION_PAYLOAD)
			return 0;
		if (*ncal == *cal_cap) {
			uint32_t cap = *cal_cap ? *cal_cap * 2 : 16;
			struct trace_calibration *c = realloc(*cals, cap * sizeof(*c));

			if (!c)
				return -ENOMEM;
			*cals = c;
			*cal_cap = cap;
		}
		calibration__decode(f->payload, &(*cals)[(*ncal)++]);
		return 0;
	default:
		return 0;
	}
}

/* The trailer and index, when the file ends with valid ones. */
static bool load_index(struct rfile *f)
{
	uint8_t b[TRAILER_BLOCK_SIZE];
	struct block_header h;
	uint64_t ioff, tail;

	if (f->size < FILE_HEADER_SIZE + BLOCK_HEADER_SIZE + TRAILER_BLOCK_SIZE)
		return false;
	tail = f->size - TRAILER_BLOCK_SIZE;
	if (pread_full(f->fd, b, sizeof(b), tail) || !block_header__decode(b, &h) ||
	    h.kind != BLOCK_TRAILER || h.length != TRAILER_PAYLOAD ||
	    !crc_ok(h.payload_crc, trace_crc32(b + BLOCK_HEADER_SIZE, TRAILER_PAYLOAD)) ||
	    trailer__decode(b + BLOCK_HEADER_SIZE, &ioff))
		return false;
	if (ioff < FILE_HEADER_SIZE || ioff > tail - BLOCK_HEADER_SIZE ||
	    read_header(f, ioff, &h) || h.kind != BLOCK_INDEX ||
	    ioff + BLOCK_HEADER_SIZE + h.length != tail || read_payload(f, ioff, &h) ||
	    index__decode(&f->ix, f->payload, h.length, ioff))
		return false;
	f->data_end = ioff;
	return true;
}

static int open_indexed(struct rfile *f)
{
	for (uint32_t i = 0; i < f->ix.nmeta; i++) {
		struct block_header h;
		uint64_t off = f->ix.meta[i];
		int err;

		if (read_header(f, off, &h) || off + BLOCK_HEADER_SIZE + h.length > f->data_end ||
		    (h.kind != BLOCK_META && h.kind != BLOCK_SCHEMA) || read_payload(f, off, &h))
			continue;
		err = absorb(f, &h, NULL, NULL, NULL);
		if (err)
			return err;
	}
	f->chunks = f->ix.chunks;
	f->first_ts = f->ix.min_ts;
	f->last_ts = f->ix.max_ts;
	return clock__build(&f->clock, f->ix.cals, f->ix.ncal);
}

/* No usable index: one pass over the blocks. */
static int open_scan(struct rfile *f)
{
	struct trace_calibration *cals = NULL;
	uint32_t ncal = 0, cal_cap = 0;
	uint64_t pos = FILE_HEADER_SIZE;
	struct block_step bs;
	int err = 0, w;

	f->data_end = f->size;
	f->first_ts = UINT64_MAX;
	while ((w = block__walk(f->fd, &pos, f->size, &bs)) == 0) {
		struct block_header *h = &bs.h;
		struct chunk_info ci;
		const char *why;

		f->chunk_blocks += h->kind == BLOCK_CHUNK;
		if (bs.torn)
			break;
		if (h->kind <= BLOCK_CALIBRATION && read_payload(f, bs.off, h) == 0) {
			if (h->kind == BLOCK_CHUNK) {
				if (chunk_info__parse(f->payload, h->length, &ci, strict(f), &why) == 0) {
					f->chunks++;
					if (ci.min_ts < f->first_ts)
						f->first_ts = ci.min_ts;
					if (ci.max_ts > f->last_ts)
						f->last_ts = ci.max_ts;
				}
			} else if ((err = absorb(f, h, &cals, &ncal, &cal_cap))) {
				break;
			}
		}
	}
	if (w < 0 && !err)
		err = w;
	f->truncated = bs.torn;
	if (!f->chunks)
		f->first_ts = 0;
	if (!err)
		err = clock__build(&f->clock, cals, ncal);
	free(cals);
	return err;
}

int rfile__open_fd(struct rfile *f)
{
	struct stat st;
	int fd;

	if (f->fd >= 0)
		return 0;
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (f->size && (uint64_t)st.st_size < f->size) {
		close(fd);
		return -ESTALE; /* replaced or cut while we were reading it */
	}
	if (!f->size)
		f->size = (uint64_t)st.st_size;
	f->fd = fd;
	return 0;
}

struct rfile *rfile__open(const char *path, uint16_t index, const struct trace_reader_opts *opts,
			  struct trace_reader_stats *st)
{
	uint8_t hdr[FILE_HEADER_SIZE];
	struct rfile *f = calloc(1, sizeof(*f));
	int err = -ENOMEM;

	if (!f)
		goto fail;
	f->fd = -1;
	f->index = index;
	f->opts = opts;
	f->st = st;
	f->from = 0;
	f->to = UINT64_MAX;
	index__init(&f->ix);
	f->path = strdup(path);
	f->dec = chunk_dec__new();
	if (!f->path || !f->dec)
		goto fail;
	err = rfile__open_fd(f);
	if (err)
		goto fail;
	if (f->size < FILE_HEADER_SIZE) {
		err = -EPROTO;
		goto fail;
	}
	err = pread_full(f->fd, hdr, sizeof(hdr), 0);
	if (err)
		goto fail;
	err = file_header__decode(hdr, &f->fh);
	f->header_damaged = err == -EBADMSG;
	if (err == -EBADMSG)
		report(f, 0, FILE_HEADER_SIZE, -EBADMSG,
		       "file header checksum mismatch; reading on as format 1.0");
	else if (err)
		goto fail;
	if (f->fh.major > TRACE_FORMAT_MAJOR) {
		err = -ENOTSUP;
		goto fail;
	}
	if (f->fh.major == 0 || (f->fh.flags && f->fh.minor <= TRACE_FORMAT_MINOR)) {
		err = -EPROTO;
		goto fail;
	}
	f->indexed = load_index(f);
	err = f->indexed ? open_indexed(f) : open_scan(f);
	if (err)
		goto fail;
	f->pos = FILE_HEADER_SIZE;
	return f;
fail:
	rfile__free(f);
	errno = -err;
	return NULL;
}

void rfile__release(struct rfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	chunk_dec__trim(f->dec);
	free(f->payload);
	f->payload = NULL;
	f->payload_cap = 0;
	f->in_chunk = false;
	free(f->list_buf);
	f->list_buf = NULL;
}

void rfile__free(struct rfile *f)
{
	if (!f)
		return;
	rfile__release(f);
	chunk_dec__free(f->dec);
	for (uint32_t i = 0; i < f->ntypes; i++) {
		schema__free(f->types[i].s);
		free(f->types[i].rec);
		free(f->types[i].fields);
	}
	free(f->types);
	meta__free(&f->meta);
	clock__free(&f->clock);
	index__free(&f->ix);
	free(f->list_cum);
	free(f->list_types);
	free(f->path);
	free(f);
}

int rfile__rewind(struct rfile *f)
{
	f->in_chunk = false;
	f->pos = FILE_HEADER_SIZE;
	f->primed = false;
	f->done = false;
	/* With an index, start at the first run of chunks that can hold
	 * events from f->from on: runs before it end earlier. */
	if (f->indexed && f->from > 0) {
		for (uint32_t i = 0; i < f->ix.n; i++) {
			if (f->ix.entries[i].max_ts >= f->from) {
				f->pos = f->ix.entries[i].offset;
				break;
			}
			f->st->chunks_skipped += f->ix.entries[i].nchunks;
			f->pos = f->data_end;
		}
	}
	return 0;
}

void rfile__set_range(struct rfile *f, uint64_t from, uint64_t to)
{
	f->from = from;
	f->to = to;
}

void rfile__set_types(struct rfile *f, const char *const *names)
{
	f->type_filter = names != NULL;
	for (uint32_t i = 0; i < f->ntypes; i++) {
		struct rtype *t = &f->types[i];

		t->wanted = !names;
		for (size_t k = 0; names && names[k]; k++)
			if (strcmp(names[k], t->s->name) == 0)
				t->wanted = true;
	}
}

const struct trace_schema *rfile__schema(const struct rfile *f, const char *name)
{
	for (uint32_t i = 0; i < f->ntypes; i++)
		if (strcmp(f->types[i].s->name, name) == 0)
			return f->types[i].s;
	errno = ENOENT;
	return NULL;
}

static void bind(void *ctx, uint16_t id, struct dec_binding *b)
{
	struct rfile *f = ctx;
	struct rtype *t = find_type(f, id);

	if (!t)
		return;
	if (!t->rec)
		t->rec = calloc(chunk_dec__batch_rows(t->s->size), t->s->size);
	b->schema = t->s;
	b->rec = t->rec;
	b->wanted = &t->wanted;
	b->fields = t->fields;
}

int rfile__set_fields(struct rfile *f, const char *type, const char *const *names)
{
	for (uint32_t i = 0; i < f->ntypes; i++) {
		struct rtype *t = &f->types[i];

		if (strcmp(t->s->name, type) != 0)
			continue;
		free(t->fields);
		t->fields = NULL;
		if (!names)
			return 0;
		t->fields = calloc((t->s->nfields + 7u) / 8, 1);
		if (!t->fields)
			return -ENOMEM;
		for (uint16_t k = 0; k < t->s->nfields; k++)
			for (size_t n = 0; names[n]; n++)
				if (strcmp(names[n], t->s->fields[k].name) == 0)
					t->fields[k / 8] |= (uint8_t)(1u << (k % 8));
	}
	return 0;
}

/* Whether a chunk is to be read, from its header alone. */
static bool chunk_wanted(const struct rfile *f, const struct chunk_info *ci)
{
	if (ci->max_ts < f->from || ci->min_ts > f->to)
		return false;
	if (!f->type_filter)
		return true;
	for (uint16_t i = 0; i < ci->ntypes; i++) {
		const struct rtype *t = find_type(f, chunk_info__type(ci, i).id);

		if (t && t->wanted)
			return true;
	}
	return false;
}

static void skip_damaged(struct rfile *f, uint64_t len)
{
	f->st->bytes_skipped += len;
	f->pos += len;
}

/* Handles the CHUNK block at f->pos. */
static int enter_chunk(struct rfile *f, const struct block_header *h)
{
	uint64_t total = BLOCK_HEADER_SIZE + (uint64_t)h->length;
	uint8_t head[CHUNK_HEADER_FIXED];
	struct chunk_info ci;
	const char *why;
	int err;

	/* The header alone decides filtering, without reading the body. */
	if ((f->from > 0 || f->to < UINT64_MAX || f->type_filter) &&
	    h->length >= CHUNK_HEADER_FIXED &&
	    pread_full(f->fd, head, sizeof(head), f->pos + BLOCK_HEADER_SIZE) == 0) {
		uint16_t nt = (uint16_t)(head[26] | head[27] << 8);
		size_t hl = chunk_info__header_len(nt);

		if (hl <= h->length && payload_reserve(f, hl) == 0 &&
		    pread_full(f->fd, f->payload, hl, f->pos + BLOCK_HEADER_SIZE) == 0 &&
		    chunk_info__parse(f->payload, hl, &ci, strict(f), &why) == 0 && !chunk_wanted(f, &ci)) {
			f->st->chunks_skipped++;
			f->pos += total;
			return 0;
		}
	}
	err = read_payload(f, f->pos, h);
	if (err == -EBADMSG) {
		report(f, f->pos, total, -EBADMSG, "chunk checksum mismatch; chunk skipped");
		f->st->chunks_bad++;
		skip_damaged(f, total);
		return 0;
	}
	if (err)
		return err;
	err = chunk_info__parse(f->payload, h->length, &ci, strict(f), &why);
	if (!err && !chunk_wanted(f, &ci)) {
		f->st->chunks_skipped++;
		f->pos += total;
		return 0;
	}
	if (!err)
		err = chunk_dec__load(f->dec, f->payload, h->length, &ci, bind, f, &why);
	if (err == -ENOMEM)
		return err;
	if (err == -ENOTSUP && ci.codec <= CODEC_LZ4) {
		/* an unknown column encoding: that type is skipped */
		report(f, f->pos, 0, -ENOTSUP, why);
		err = 0;
	}
	if (err) {
		report(f, f->pos, total, err, why);
		f->st->chunks_bad++;
		skip_damaged(f, total);
		return 0;
	}
	chunk_dec__set_range(f->dec, f->from, f->to);
	f->chunk_off = f->pos;
	f->chunk_len = total;
	f->in_chunk = true;
	f->pos += total;
	return 0;
}

/* Moves to the next block; 1 when the file is done. */
static int next_block(struct rfile *f)
{
	struct block_header h;
	uint64_t left = f->data_end - f->pos, total;
	int err;

	if (f->pos >= f->data_end)
		return 1;
	if (left < BLOCK_HEADER_SIZE) {
		report(f, f->pos, left, -EPIPE, "the file ends inside a block header (torn write)");
		skip_damaged(f, left);
		return 1;
	}
	err = read_header(f, f->pos, &h);
	if (err == -EPROTO) {
		uint64_t next = block__resync(f->fd, f->pos + 1, f->data_end);
		char what[96];

		snprintf(what, sizeof(what), "bad block header; %llu bytes skipped to the next block",
			 (unsigned long long)(next - f->pos));
		report(f, f->pos, next - f->pos, -EPROTO, what);
		skip_damaged(f, next - f->pos);
		return 0;
	}
	if (err)
		return err;
	total = BLOCK_HEADER_SIZE + (uint64_t)h.length;
	if (total > left) {
		if (f->data_end == f->size)
			report(f, f->pos, left, -EPIPE,
			       "the last block runs past the end of the file (torn write); "
			       "everything before it was read");
		else
			report(f, f->pos, left, -EPROTO, "a block runs into the index");
		skip_damaged(f, left);
		return 1;
	}
	if (h.flags && f->fh.minor <= TRACE_FORMAT_MINOR) {
		report(f, f->pos, total, -EPROTO, "block with reserved flags set; skipped");
		skip_damaged(f, total);
		return 0;
	}
	switch (h.kind) {
	case BLOCK_CHUNK:
		return enter_chunk(f, &h);
	case BLOCK_META:
	case BLOCK_SCHEMA:
	case BLOCK_CALIBRATION:
	case BLOCK_INDEX:
	case BLOCK_TRAILER:
		/* Loaded when the file was opened (or unused while streaming);
		 * checked here so damage is reported, in file order. */
		err = read_payload(f, f->pos, &h);
		if (err == -EBADMSG) {
			static const char *const what[] = {
				[BLOCK_META] = "metadata checksum mismatch; block skipped",
				[BLOCK_SCHEMA] = "schema checksum mismatch; its type cannot be read",
				[BLOCK_CALIBRATION] = "calibration checksum mismatch; block skipped",
				[BLOCK_INDEX] = "index checksum mismatch; the file was read without it",
				[BLOCK_TRAILER] = "trailer checksum mismatch; the file was read without its index",
			};

			report(f, f->pos, total, -EBADMSG, what[h.kind]);
			skip_damaged(f, total);
			return 0;
		}
		if (err)
			return err;
		break;
	default:
		/* kinds from newer versions: skipped */
		break;
	}
	f->pos += total;
	return 0;
}

void rfile__chunk_end(struct rfile *f, int r, const char *why)
{
	uint64_t unknown;
	uint16_t id;

	f->in_chunk = false;
	if (r < 0) {
		report(f, f->chunk_off, f->chunk_len, r, why);
		f->st->chunks_bad++;
	}
	unknown = chunk_dec__unknown_events(f->dec, &id);
	if (unknown) {
		char what[128];

		snprintf(what, sizeof(what),
			 "%llu events of type %u have no schema (missing or damaged); skipped",
			 (unsigned long long)unknown, id);
		report(f, f->chunk_off, 0, -ENOENT, what);
	}
}

int rfile__next(struct rfile *f, struct trace_event *ev)
{
	for (;;) {
		if (f->in_chunk) {
			const char *why;
			int r = chunk_dec__next(f->dec, ev, &why);

			if (__builtin_expect(r == 0, 1)) {
				ev->file = f->index;
				return 0;
			}
			rfile__chunk_end(f, r, why);
			continue;
		}
		int err = rfile__open_fd(f);

		if (!err)
			err = next_block(f);
		if (err == 1)
			return -ENOENT;
		if (err)
			return err;
	}
}
