// SPDX-License-Identifier: MIT
/*
 * trace_reader: one file, a segment set, or several recordings, merged in
 * time order. Files are opened (and indexed) up front; during the merge a
 * file holds a descriptor and chunk buffers only from its first event to
 * its last, so memory follows the number of files overlapping in time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "merge.h"
#include "rfile.h"
#include "segment.h"
#include "trace.h"

/* Past this many files, descriptors are opened only while a file is
 * being merged. */
#define MAX_OPEN_FILES 256
#define SIGN_BIT (1ull << 63)

struct trace_reader {
	struct rfile **files;
	size_t n;
	struct trace_reader_opts opts;
	struct trace_reader_stats st;
	struct merge heap;
	bool by_realtime;   /* merge key: wall clock (different boots) */
	int pending;        /* file whose event was returned last, to advance */
	uint64_t from, to;
};

static void report(const struct trace_reader *r, const char *path, int err, const char *what)
{
	struct trace_damage d = { path, 0, 0, err, what };

	if (r->opts.on_damage)
		r->opts.on_damage(&d, r->opts.ctx);
}

void trace_reader__close(struct trace_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rfile__free(r->files[i]);
	free(r->files);
	merge__free(&r->heap);
	free(r);
}

static uint64_t key_of(const struct trace_reader *r, struct rfile *f, uint64_t ts)
{
	int64_t real;

	if (r->by_realtime && clock__realtime(&f->clock, ts, &real, &f->clock_hint) == 0)
		return (uint64_t)real ^ SIGN_BIT;
	return r->by_realtime ? ts ^ SIGN_BIT : ts;
}

/* Every file starts in the heap keyed by its first timestamp, unread. */
static void restart(struct trace_reader *r)
{
	merge__clear(&r->heap);
	r->pending = -1;
	for (size_t i = 0; i < r->n; i++) {
		struct rfile *f = r->files[i];

		rfile__rewind(f);
		if (r->n > 1)
			merge__push(&r->heap, key_of(r, f, f->first_ts), (uint32_t)i);
	}
}

/* Same boot (or one recording): boottime orders everything. Otherwise
 * wall-clock time, when every file can convert. */
static bool need_realtime(const struct trace_reader *r)
{
	const char *boot0 = meta__get(&r->files[0]->meta, "host.boot_id");
	const char *sess0 = meta__get(&r->files[0]->meta, SEGMENT_META_SESSION);
	bool same_boot = boot0 != NULL, same_session = sess0 != NULL, all_cal = true;

	for (size_t i = 0; i < r->n; i++) {
		const char *b = meta__get(&r->files[i]->meta, "host.boot_id");
		const char *s = meta__get(&r->files[i]->meta, SEGMENT_META_SESSION);

		same_boot &= b && boot0 && strcmp(b, boot0) == 0;
		same_session &= s && sess0 && strcmp(s, sess0) == 0;
		all_cal &= r->files[i]->clock.n > 0;
	}
	return r->n > 1 && !same_boot && !same_session && all_cal;
}

static uint32_t seg_index(const struct rfile *f, uint32_t fallback)
{
	const char *v = meta__get(&f->meta, SEGMENT_META_INDEX);
	char *end;
	unsigned long n;

	if (!v)
		return fallback;
	errno = 0;
	n = strtoul(v, &end, 10);
	return (errno || *end || n > UINT32_MAX) ? fallback : (uint32_t)n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Files of one session must be distinct segments. Duplicates and other
 * sessions are errors; a gap inside the set and segments out of time
 * order are reported and reading goes on. Missing leading segments are
 * what keep_segments leaves, so they are not reported.
 */
static int check_segments(struct trace_reader *r, const uint32_t *numbers)
{
	const char *sess0 = meta__get(&r->files[0]->meta, SEGMENT_META_SESSION);
	char what[512];
	uint32_t *idx = calloc(r->n, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		const char *s = meta__get(&r->files[i]->meta, SEGMENT_META_SESSION);

		if (!s || !sess0 || strcmp(s, sess0) != 0) {
			snprintf(what, sizeof(what), "%s is not a segment of the same recording as %s",
				 r->files[i]->path, r->files[0]->path);
			report(r, r->files[i]->path, -EXDEV, what);
			free(idx);
			return -EXDEV;
		}
		idx[i] = seg_index(r->files[i], numbers ? numbers[i] : (uint32_t)i);
	}
	/* duplicates: sort (index, file) pairs and compare neighbours */
	uint64_t *pairs = malloc(r->n * sizeof(*pairs));

	if (!pairs) {
		free(idx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n; i++)
		pairs[i] = (uint64_t)idx[i] << 32 | i;
	qsort(pairs, r->n, sizeof(*pairs), cmp_u64);
	for (size_t i = 1; i < r->n; i++) {
		const struct rfile *a = r->files[(uint32_t)pairs[i - 1]];
		const struct rfile *b = r->files[(uint32_t)pairs[i]];

		if (pairs[i] >> 32 != pairs[i - 1] >> 32)
			continue;
		snprintf(what, sizeof(what), "%s and %s are both segment %u of the recording",
			 a->path, b->path, (uint32_t)(pairs[i] >> 32));
		report(r, b->path, -EEXIST, what);
		free(pairs);
		free(idx);
		return -EEXIST;
	}
	free(pairs);
	for (size_t i = 1; i < r->n; i++) {
		if (idx[i] < idx[i - 1]) {
			snprintf(what, sizeof(what), "%s holds segment %u but follows segment %u",
				 r->files[i]->path, idx[i], idx[i - 1]);
			report(r, r->files[i]->path, -EPROTO, what);
		} else if (idx[i] != idx[i - 1] + 1) {
			snprintf(what, sizeof(what), "segments %u to %u of the recording are missing",
				 idx[i - 1] + 1, idx[i] - 1);
			report(r, r->files[i]->path, -ENOENT, what);
		}
		if (r->files[i]->chunks && r->files[i - 1]->chunks &&
		    r->files[i]->first_ts < r->files[i - 1]->first_ts) {
			snprintf(what, sizeof(what), "%s starts before the segment before it (%s)",
				 r->files[i]->path, r->files[i - 1]->path);
			report(r, r->files[i]->path, -EPROTO, what);
		}
	}
	free(idx);
	return 0;
}

static struct trace_reader *open_set(const char *const *paths, size_t n, const uint32_t *numbers,
				     const struct trace_reader_opts *opts, bool segments)
{
	struct trace_reader *r;
	uint32_t *kept = NULL; /* segment numbers of the files kept */
	int err = -ENOMEM;

	if (!paths || n == 0 || n > UINT16_MAX ||
	    (opts && opts->sz < offsetof(struct trace_reader_opts, sz) + sizeof(opts->sz))) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	if (opts)
		memcpy(&r->opts, opts, opts->sz < sizeof(*opts) ? opts->sz : sizeof(*opts));
	r->opts.sz = sizeof(r->opts);
	r->to = UINT64_MAX;
	r->files = calloc(n, sizeof(*r->files));
	if (!r->files || merge__init(&r->heap, n))
		goto fail;
	kept = calloc(n, sizeof(*kept));
	if (!kept)
		goto fail;
	r->st.first_ts = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		struct rfile *f = rfile__open(paths[i], (uint16_t)r->n, &r->opts, &r->st);

		if (!f) {
			err = -errno;
			/* In a set found on disk, a segment the writer is just
			 * creating (still empty) or the ring just deleted is
			 * passed over; a newer version is refused. */
			if (segments && err != -ENOTSUP && err != -ENOMEM) {
				char what[512];

				snprintf(what, sizeof(what), "%s cannot be read (%s); segment skipped",
					 paths[i], trace_strerror(err));
				report(r, paths[i], err, what);
				continue;
			}
			goto fail;
		}
		kept[r->n] = numbers ? numbers[i] : (uint32_t)i;
		r->files[r->n++] = f;
		r->st.chunks += f->chunks;
		r->st.files_indexed += f->indexed;
		r->st.files_truncated += f->truncated;
		r->st.clock_steps += f->clock.steps;
		if (f->chunks && f->first_ts < r->st.first_ts)
			r->st.first_ts = f->first_ts;
		if (f->chunks && f->last_ts > r->st.last_ts)
			r->st.last_ts = f->last_ts;
		if (n > MAX_OPEN_FILES)
			rfile__release(f);
	}
	if (!r->n)
		goto fail;
	if (r->st.first_ts == UINT64_MAX)
		r->st.first_ts = 0;
	if (segments && r->n > 1 && (err = check_segments(r, kept)))
		goto fail;
	r->by_realtime = need_realtime(r);
	restart(r);
	free(kept);
	return r;
fail:
	free(kept);
	trace_reader__close(r);
	errno = -err;
	return NULL;
}

struct trace_reader *trace_reader__open_files(const char *const *paths, size_t n,
					      const struct trace_reader_opts *opts)
{
	struct trace_reader *r = open_set(paths, n, NULL, opts, false);

	/* Files of a single session given by hand are checked as a set too. */
	if (r && n > 1) {
		const char *s0 = meta__get(&r->files[0]->meta, SEGMENT_META_SESSION);
		bool one = s0 != NULL;

		for (size_t i = 1; i < r->n && one; i++) {
			const char *s = meta__get(&r->files[i]->meta, SEGMENT_META_SESSION);

			one = s && strcmp(s, s0) == 0;
		}
		int err = one ? check_segments(r, NULL) : 0;

		if (err) {
			trace_reader__close(r);
			errno = -err;
			return NULL;
		}
	}
	return r;
}

struct trace_reader *trace_reader__open(const char *path, const struct trace_reader_opts *opts)
{
	struct trace_reader *r;
	struct stat st;
	char **paths = NULL;
	uint32_t *numbers = NULL;
	size_t n = 0;
	int err;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (stat(path, &st) == 0 || errno != ENOENT)
		return open_set(&path, 1, NULL, opts, false);
	err = segment__list(path, &paths, &numbers, &n);
	if (err) {
		errno = -err;
		return NULL;
	}
	r = open_set((const char *const *)paths, n, numbers, opts, true);
	err = errno;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(numbers);
	errno = err;
	return r;
}

/* Several files: the next event of the file whose next event comes first. */
static __attribute__((noinline)) int next_merged(struct trace_reader *r, struct trace_event *ev)
{
	struct merge_item it;
	int err;

	if (r->pending >= 0) {
		struct rfile *f = r->files[r->pending];

		r->pending = -1;
		err = rfile__next(f, &f->ev);
		if (err == 0) {
			merge__push(&r->heap, key_of(r, f, f->ev.ts), f->index);
		} else {
			f->done = true;
			rfile__release(f);
			if (err != -ENOENT)
				return err;
		}
	}
	while (merge__pop(&r->heap, &it)) {
		struct rfile *f = r->files[it.stream];

		if (f->primed) {
			*ev = f->ev;
			r->pending = (int)it.stream;
			return 0;
		}
		/* First visit: read its first event and queue it by its real key. */
		f->primed = true;
		err = rfile__next(f, &f->ev);
		if (err == 0) {
			merge__push(&r->heap, key_of(r, f, f->ev.ts), f->index);
			continue;
		}
		f->done = true;
		rfile__release(f);
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

int trace_reader__next(struct trace_reader *r, struct trace_event *ev)
{
	if (__builtin_expect(!r || !ev, 0))
		return -EINVAL;
	if (r->n == 1)
		return rfile__next_fast(r->files[0], ev);
	return next_merged(r, ev);
}

int trace_reader__set_range(struct trace_reader *r, uint64_t from_ns, uint64_t to_ns)
{
	if (!r || from_ns > to_ns)
		return -EINVAL;
	r->from = from_ns;
	r->to = to_ns;
	for (size_t i = 0; i < r->n; i++)
		rfile__set_range(r->files[i], from_ns, to_ns);
	restart(r);
	return 0;
}

int trace_reader__set_types(struct trace_reader *r, const char *const *names)
{
	if (!r)
		return -EINVAL;
	for (size_t i = 0; i < r->n; i++)
		rfile__set_types(r->files[i], names);
	return 0;
}

int trace_reader__set_fields(struct trace_reader *r, const char *type, const char *const *fields)
{
	if (!r || !type)
		return -EINVAL;
	for (size_t i = 0; i < r->n; i++) {
		int err = rfile__set_fields(r->files[i], type, fields);

		if (err)
			return err;
	}
	return 0;
}

int trace_reader__rewind(struct trace_reader *r)
{
	if (!r)
		return -EINVAL;
	restart(r);
	return 0;
}

int trace_reader__realtime(const struct trace_reader *r, uint16_t file, uint64_t boot_ns,
			   int64_t *real_ns)
{
	if (!r || file >= r->n || !real_ns)
		return -EINVAL;
	return clock__realtime(&r->files[file]->clock, boot_ns, real_ns,
			       &r->files[file]->clock_hint);
}

size_t trace_reader__nfiles(const struct trace_reader *r)
{
	return r ? r->n : 0;
}

const char *trace_reader__file_path(const struct trace_reader *r, uint16_t file)
{
	if (!r || file >= r->n) {
		errno = ENOENT;
		return NULL;
	}
	return r->files[file]->path;
}

const char *trace_reader__meta(const struct trace_reader *r, uint16_t file, const char *key)
{
	const char *v = NULL;

	if (r && key && file < r->n)
		v = meta__get(&r->files[file]->meta, key);
	if (!v)
		errno = ENOENT;
	return v;
}

int trace_reader__meta_at(const struct trace_reader *r, uint16_t file, size_t i,
			  const char **key, const char **value)
{
	if (!r || file >= r->n)
		return -EINVAL;
	if (i >= r->files[file]->meta.n)
		return -ENOENT;
	*key = r->files[file]->meta.pairs[i].key;
	*value = r->files[file]->meta.pairs[i].value;
	return 0;
}

const struct trace_schema *trace_reader__schema(const struct trace_reader *r, uint16_t file,
						const char *name)
{
	if (!r || !name || file >= r->n) {
		errno = ENOENT;
		return NULL;
	}
	return rfile__schema(r->files[file], name);
}

void trace_reader__stats(const struct trace_reader *r, struct trace_reader_stats *st)
{
	*st = r->st;
}

size_t trace_reader__nschemas(const struct trace_reader *r, uint16_t file)
{
	return r && file < r->n ? r->files[file]->ntypes : 0;
}

const struct trace_schema *trace_reader__schema_at(const struct trace_reader *r, uint16_t file,
						   size_t i)
{
	if (!r || file >= r->n || i >= r->files[file]->ntypes) {
		errno = ENOENT;
		return NULL;
	}
	return r->files[file]->types[i].s;
}

size_t trace_reader__nchunks(const struct trace_reader *r, uint16_t file)
{
	return r && file < r->n ? rfile__nchunks(r->files[file]) : 0;
}

int trace_reader__chunk_at(struct trace_reader *r, uint16_t file, size_t i,
			   struct trace_chunk_info *out)
{
	if (!r || file >= r->n || !out)
		return -EINVAL;
	return rfile__chunk_at(r->files[file], i, out);
}

size_t trace_reader__ncalibrations(const struct trace_reader *r, uint16_t file)
{
	return r && file < r->n ? r->files[file]->clock.n : 0;
}

int trace_reader__calibration_at(const struct trace_reader *r, uint16_t file, size_t i,
				 struct trace_calibration *out)
{
	if (!r || file >= r->n || !out)
		return -EINVAL;
	if (i >= r->files[file]->clock.n)
		return -ENOENT;
	*out = r->files[file]->clock.cals[i];
	return 0;
}

int trace_reader__boottime(const struct trace_reader *r, uint16_t file, int64_t real_ns,
			   uint64_t *boot_ns)
{
	if (!r || file >= r->n || !boot_ns)
		return -EINVAL;
	return clock__boottime(&r->files[file]->clock, real_ns, boot_ns);
}

int trace_reader__verify(struct trace_reader *r, struct trace_verify_stats *st)
{
	struct trace_verify_stats tmp;
	int ret = 0;

	if (!r)
		return -EINVAL;
	if (!st)
		st = &tmp;
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < r->n; i++) {
		int err = rfile__verify(r->files[i], st);

		if (err && err != -EBADMSG)
			return err;
		if (err)
			ret = err;
	}
	return ret;
}
