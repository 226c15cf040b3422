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
#include "wire.h"

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
	if (tmap__from_index(&f->tmap, &f->ix, f->data_end))
		return -ENOMEM;
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
					if ((err = tmap__add(&f->tmap, bs.off, ci.min_ts, ci.max_ts)))
						break;
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
	/* Non-blocking: opening a FIFO nobody writes to would wait forever
	 * before the check below could refuse it. */
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) < 0) {
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
	tmap__init(&f->tmap);
	for (uint32_t i = 0; i < RFILE_MAX_OPEN; i++)
		f->free_acts[f->nfree++] = &f->acts[i];
	f->path = strdup(path);
	if (!f->path)
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
	if (!err)
		err = tmap__finish(&f->tmap);
	if (err)
		goto fail;
	f->pos = FILE_HEADER_SIZE;
	return f;
fail:
	rfile__free(f);
	errno = -err;
	return NULL;
}

/* Gives every open chunk back (its decoder kept for reuse) and forgets
 * the chunks found ahead. */
static void drop_chunks(struct rfile *f)
{
	if (f->run) {
		f->free_acts[f->nfree++] = f->run;
		f->run = NULL;
	}
	while (f->nheap)
		f->free_acts[f->nfree++] = f->heap[--f->nheap];
	f->npend = 0;
}

void rfile__release(struct rfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	drop_chunks(f);
	for (uint32_t i = 0; i < RFILE_MAX_OPEN; i++) {
		chunk_dec__free(f->acts[i].dec);
		f->acts[i].dec = NULL;
	}
	free(f->pend);
	f->pend = NULL;
	free(f->payload);
	f->payload = NULL;
	f->payload_cap = 0;
	free(f->list_buf);
	f->list_buf = NULL;
}

void rfile__free(struct rfile *f)
{
	if (!f)
		return;
	rfile__release(f);
	for (uint32_t i = 0; i < f->ntypes; i++) {
		schema__free(f->types[i].s);
		free(f->types[i].fields);
	}
	free(f->types);
	meta__free(&f->meta);
	clock__free(&f->clock);
	index__free(&f->ix);
	tmap__free(&f->tmap);
	free(f->list_cum);
	free(f->list_types);
	free(f->path);
	free(f);
}

int rfile__rewind(struct rfile *f)
{
	drop_chunks(f);
	f->pos = FILE_HEADER_SIZE;
	f->scan_done = false;
	f->seq = 0;
	f->tk = 0;
	f->out_ts = 0;
	f->primed = false;
	f->done = false;
	/* Start at the first run of chunks that can hold events from f->from
	 * on: runs before it end earlier. */
	if (f->from > 0) {
		const struct tmap *m = &f->tmap;

		while (f->tk < m->n && m->e[f->tk].max_ts < f->from)
			f->st->chunks_skipped += m->e[f->tk++].nchunks;
		f->pos = f->tk < m->n ? m->e[f->tk].first_off : f->data_end;
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
	b->schema = t->s;
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

static void count_damaged(struct rfile *f, uint64_t off, uint64_t len, int err, const char *why)
{
	report(f, off, len, err, why);
	f->st->chunks_bad++;
	f->st->bytes_skipped += len;
}

/* A CHUNK block whose chunk header does not parse: the checksum says
 * whether the payload is damaged or malformed. */
static int chunk_unreadable(struct rfile *f, const struct block_header *h, const char *why,
			    int perr)
{
	uint64_t total = BLOCK_HEADER_SIZE + (uint64_t)h->length;
	int err = read_payload(f, f->pos, h);

	if (err == -EBADMSG)
		count_damaged(f, f->pos, total, -EBADMSG, "chunk checksum mismatch; chunk skipped");
	else if (err)
		return err;
	else
		count_damaged(f, f->pos, total, perr, why);
	return 0;
}

/* The CHUNK block at f->pos: from its header alone, skipped (filters) or
 * queued to be decoded in time order. */
static int scan_chunk(struct rfile *f, const struct block_header *h)
{
	/* room for the header of a chunk of up to 16 types in one read */
	uint8_t head[CHUNK_HEADER_FIXED + 16 * CHUNK_TYPE_ENTRY];
	size_t want = h->length < sizeof(head) ? h->length : sizeof(head), hl;
	const uint8_t *p = head;
	struct chunk_info ci;
	const char *why = "chunk header cut short";
	int err;

	err = pread_full(f->fd, head, want, f->pos + BLOCK_HEADER_SIZE);
	if (err)
		return err;
	hl = want >= CHUNK_HEADER_FIXED ? chunk_info__header_len(get_le16(head + 26)) : 0;
	if (hl > want && hl <= h->length) {
		if (payload_reserve(f, hl))
			return -ENOMEM;
		err = pread_full(f->fd, f->payload, hl, f->pos + BLOCK_HEADER_SIZE);
		if (err)
			return err;
		p = f->payload;
		want = hl;
	}
	err = chunk_info__parse(p, want, &ci, strict(f), &why);
	if (err)
		return chunk_unreadable(f, h, why, err);
	if (!chunk_wanted(f, &ci)) {
		f->st->chunks_skipped++;
		return 0;
	}
	if (!f->pend && !(f->pend = malloc(RFILE_MAX_PENDING * sizeof(*f->pend))))
		return -ENOMEM;
	struct pend pc = { ci.min_ts, ci.max_ts, f->seq++, f->pos, h->length, h->payload_crc };

	pend_heap__push(f->pend, &f->npend, &pc);
	return 0;
}

/* Scans the block at f->pos. */
static int scan_block(struct rfile *f)
{
	struct block_header h;
	uint64_t left = f->data_end - f->pos, total;
	int err;

	if (f->pos >= f->data_end) {
		f->scan_done = true;
		return 0;
	}
	if (left < BLOCK_HEADER_SIZE) {
		report(f, f->pos, left, -EPIPE, "the file ends inside a block header (torn write)");
		f->st->bytes_skipped += left;
		f->pos = f->data_end;
		return 0;
	}
	err = read_header(f, f->pos, &h);
	if (err == -EPROTO) {
		uint64_t next = block__resync(f->fd, f->pos + 1, f->data_end);
		char what[96];

		snprintf(what, sizeof(what), "bad block header; %llu bytes skipped to the next block",
			 (unsigned long long)(next - f->pos));
		report(f, f->pos, next - f->pos, -EPROTO, what);
		f->st->bytes_skipped += next - f->pos;
		f->pos = next;
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
		f->st->bytes_skipped += left;
		f->pos = f->data_end;
		return 0;
	}
	if (h.flags && f->fh.minor <= TRACE_FORMAT_MINOR) {
		report(f, f->pos, total, -EPROTO, "block with reserved flags set; skipped");
		f->st->bytes_skipped += total;
		f->pos += total;
		return 0;
	}
	switch (h.kind) {
	case BLOCK_CHUNK:
		err = scan_chunk(f, &h);
		if (err)
			return err;
		break;
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
			f->st->bytes_skipped += total;
		} else if (err) {
			return err;
		}
		break;
	default:
		/* kinds from newer versions: skipped */
		break;
	}
	f->pos += total;
	return 0;
}

/* Reports what a finished (or abandoned, r < 0) chunk left, and gives its
 * decoder back. */
static void chunk_stop(struct rfile *f, struct act *a, int r)
{
	uint64_t unknown;
	uint16_t id;

	if (r < 0) {
		report(f, a->off, a->len, r, chunk_dec__why(a->dec));
		f->st->chunks_bad++;
	}
	unknown = chunk_dec__unknown_events(a->dec, &id);
	if (unknown) {
		char what[128];

		snprintf(what, sizeof(what),
			 "%llu events of type %u have no schema (missing or damaged); skipped",
			 (unsigned long long)unknown, id);
		report(f, a->off, 0, -ENOENT, what);
	}
	f->free_acts[f->nfree++] = a;
}

/* Decodes a chunk taken from the pending heap and, when it holds an event
 * to deliver, makes it an open chunk. */
static int load_chunk(struct rfile *f, const struct pend *p)
{
	uint64_t total = BLOCK_HEADER_SIZE + (uint64_t)p->len;
	struct block_header h = { BLOCK_CHUNK, 0, p->len, p->crc };
	struct chunk_info ci;
	struct act *a;
	const char *why;
	int err;

	err = read_payload(f, p->off, &h);
	if (err == -EBADMSG) {
		count_damaged(f, p->off, total, -EBADMSG, "chunk checksum mismatch; chunk skipped");
		return 0;
	}
	if (err)
		return err;
	err = chunk_info__parse(f->payload, p->len, &ci, strict(f), &why);
	if (err) {
		count_damaged(f, p->off, total, err, why);
		return 0;
	}
	a = f->free_acts[--f->nfree];
	if (!a->dec && !(a->dec = chunk_dec__new())) {
		f->nfree++;
		return -ENOMEM;
	}
	*a = (struct act){ .dec = a->dec, .seq = p->seq, .off = p->off, .len = total };
	err = chunk_dec__load(a->dec, f->payload, p->len, &ci, bind, f, &why);
	if (err == -ENOMEM) {
		f->nfree++;
		return err;
	}
	if (err == -ENOTSUP && ci.codec <= CODEC_LZ4) {
		/* an unknown column encoding: that type is skipped */
		report(f, p->off, 0, -ENOTSUP, why);
		err = 0;
	}
	if (err) {
		count_damaged(f, p->off, total, err, why);
		f->nfree++;
		return 0;
	}
	chunk_dec__set_range(a->dec, f->from, f->to);
	err = chunk_dec__peek(a->dec, &a->ts);
	if (err) {
		chunk_stop(f, a, err < 0 ? err : 0);
		return 0;
	}
	act_heap__push(f->heap, &f->nheap, a);
	return 0;
}

/* Least min_ts of the chunks not scanned yet (UINT64_MAX: none). */
static uint64_t lower_bound(struct rfile *f)
{
	const struct tmap *m = &f->tmap;

	while (f->tk < m->n && m->e[f->tk].last_off < f->pos)
		f->tk++;
	return m->smin[f->tk];
}

/*
 * Picks the chunk to deliver from next (f->run) and how far it may go
 * (f->lim) before another chunk, a chunk found ahead or one not scanned
 * yet could hold an earlier event. Scans and decodes what that needs.
 * 0, -ENOENT when the file is done, or an error.
 */
static int refill(struct rfile *f)
{
	for (;;) {
		bool top = f->nheap > 0;
		uint64_t top_ts = top ? f->heap[0]->ts : UINT64_MAX, top_seq = top ? f->heap[0]->seq : 0;
		bool use_lb = false, use_pend = false;
		uint64_t lb = UINT64_MAX;
		int err;

		if (!f->scan_done) {
			lb = lower_bound(f);
			if (lb > f->to && f->to != UINT64_MAX) {
				/* nothing after here is in the range */
				for (uint32_t k = f->tk; k < f->tmap.n; k++)
					if (f->tmap.e[k].first_off >= f->pos)
						f->st->chunks_skipped += f->tmap.e[k].nchunks;
				f->scan_done = true;
				continue;
			}
			if (!top || lb < top_ts) {
				if (f->npend < RFILE_MAX_PENDING) {
					err = scan_block(f);
					if (err)
						return err;
					continue;
				}
			} else {
				use_lb = true;
			}
		}
		if (f->npend) {
			const struct pend *p = &f->pend[0];

			if (!top || key_less(p->min_ts, p->seq, top_ts, top_seq)) {
				if (f->nfree) {
					struct pend pc;

					pend_heap__pop(f->pend, &f->npend, &pc);
					err = load_chunk(f, &pc);
					if (err)
						return err;
					continue;
				}
			} else {
				use_pend = true;
			}
		}
		if (!top)
			return -ENOENT; /* scanned to the end, nothing pending */
		f->run = act_heap__pop(f->heap, &f->nheap);
		/* The limit: the least key of what is left. A chunk found ahead
		 * or not scanned that could come first but cannot be opened
		 * (bounds reached) is not waited for. */
		uint64_t l_ts = UINT64_MAX, l_seq = UINT64_MAX;

		if (f->nheap)
			l_ts = f->heap[0]->ts, l_seq = f->heap[0]->seq;
		if (use_pend && key_less(f->pend[0].min_ts, f->pend[0].seq, l_ts, l_seq))
			l_ts = f->pend[0].min_ts, l_seq = f->pend[0].seq;
		if (use_lb && lb < l_ts)
			l_ts = lb, l_seq = UINT64_MAX;
		f->lim = f->run->seq < l_seq ? l_ts : l_ts - 1;
		return 0;
	}
}

int rfile__next_after(struct rfile *f, struct trace_event *ev, int rc)
{
	for (;;) {
		if (f->run && rc == DEC_SLOW)
			rc = chunk_dec__next(f->run->dec, ev, f->lim);
		if (f->run) {
			if (rc == 0) {
				ev->file = f->index;
				if (__builtin_expect(ev->ts < f->out_ts, 0))
					f->st->events_out_of_order++;
				f->out_ts = ev->ts;
				return 0;
			}
			if (rc == 2) {
				f->run->ts = chunk_dec__head_ts(f->run->dec);
				act_heap__push(f->heap, &f->nheap, f->run);
			} else {
				chunk_stop(f, f->run, rc < 0 ? rc : 0);
			}
			f->run = NULL;
		}
		int err = rfile__open_fd(f);

		if (!err)
			err = refill(f);
		if (err)
			return err;
		rc = chunk_dec__next(f->run->dec, ev, f->lim);
	}
}

int rfile__next(struct rfile *f, struct trace_event *ev)
{
	return rfile__next_fast(f, ev);
}
