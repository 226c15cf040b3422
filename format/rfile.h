/* SPDX-License-Identifier: MIT */
/*
 * One trace file being read: opening (header, trailer and index, or a scan
 * of the block headers when there is no index), then a stream of its
 * events, block by block, with damage reported as it is met. Internal to
 * the format library.
 */
#ifndef EBPFTRACE_RFILE_H
#define EBPFTRACE_RFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "chunk_decode.h"
#include "clock.h"
#include "index.h"
#include "meta.h"
#include "order.h"
#include "trace.h"

struct rtype {
	struct trace_schema *s;
	uint8_t *fields; /* bitmap of the fields to decode, NULL: all */
	bool wanted;     /* passes the type filter */
};

/*
 * Chunks decoded at once to deliver a file's events in time order (chunks
 * whose time ranges overlap, as late events make them), and chunks found
 * ahead and not yet decoded. Past these bounds events come in the order
 * the open chunks give them and are counted (events_out_of_order).
 */
#define RFILE_MAX_OPEN 16
#define RFILE_MAX_PENDING 4096

struct rfile {
	char *path;
	uint16_t index;      /* in the reader */
	int fd;              /* -1 while not open */
	uint64_t size;
	struct file_header fh;

	struct meta meta;
	struct rtype *types; /* sorted by id */
	uint32_t ntypes;
	struct clock clock;
	uint32_t clock_hint;
	struct index ix;
	bool indexed;
	bool truncated;
	bool header_damaged; /* the file header's checksum did not match */
	uint64_t data_end;   /* blocks end here (the index when there is one) */
	struct tmap tmap;    /* the intact chunks' time ranges, in file order */

	uint64_t chunks, first_ts, last_ts; /* known at open */

	/* streaming: a scan walks the blocks in file order; chunks it finds
	 * wait in `pend` and are decoded in time order, several at once when
	 * they overlap */
	uint64_t pos;        /* next block to scan */
	bool scan_done;
	uint64_t seq;        /* chunks scanned */
	uint32_t tk;         /* time map entry at or after pos */
	struct pend *pend;   /* heap by (min_ts, seq) */
	uint32_t npend;
	struct act acts[RFILE_MAX_OPEN];
	struct act *free_acts[RFILE_MAX_OPEN];
	uint32_t nfree;
	struct act *heap[RFILE_MAX_OPEN]; /* open chunks but run, by (ts, seq) */
	uint32_t nheap;
	struct act *run;     /* the chunk delivering now */
	uint64_t lim;        /* run delivers events with ts <= lim */
	uint64_t out_ts;     /* last event delivered */
	uint8_t *payload;
	size_t payload_cap;
	uint64_t from, to;
	bool type_filter;

	/* chunk listing (format/inspect.c) */
	uint64_t chunk_blocks;   /* without an index: CHUNK blocks, damaged ones included */
	uint64_t *list_cum;      /* with an index: chunks before each entry */
	uint64_t list_i, list_pos; /* cursor: chunk list_i was found; its walk resumes at list_pos */
	uint32_t list_entry;
	bool list_valid;
	uint8_t *list_buf;       /* payloads stream through it */
	struct trace_chunk_type *list_types;

	/* shared with the reader */
	const struct trace_reader_opts *opts;
	struct trace_reader_stats *st;

	/* merge of several files */
	struct trace_event ev;
	bool primed, done;
};

/* Opens and indexes PATH. On failure returns NULL with errno set
 * (EPROTO not a trace, ENOTSUP newer major version, ...). */
struct rfile *rfile__open(const char *path, uint16_t index, const struct trace_reader_opts *opts,
			  struct trace_reader_stats *st);
void rfile__free(struct rfile *f);

/* Back to the start of the events in range (opening the file again if
 * it was closed). */
int rfile__rewind(struct rfile *f);
void rfile__set_range(struct rfile *f, uint64_t from, uint64_t to);
/* names: NULL-terminated, or NULL for every type. */
void rfile__set_types(struct rfile *f, const char *const *names);

/* Decodes only the named fields of type `type` (NULL: all). 0 or -ENOMEM. */
int rfile__set_fields(struct rfile *f, const char *type, const char *const *names);

/* 0 and *ev, the file's next event in time order; -ENOENT at the end;
 * another -errno when reading fails. */
int rfile__next(struct rfile *f, struct trace_event *ev);

/* The rest of rfile__next after the chunk delivering now (f->run, when
 * there is one) returned rc != 0 from chunk_dec__next_fast. */
int rfile__next_after(struct rfile *f, struct trace_event *ev, int rc);

/* rfile__next with its fast path inline: the chunk delivering now, while
 * its events come before every other chunk's. Calls only in tail position,
 * so the fast path saves no registers. */
static inline __attribute__((always_inline)) int rfile__next_fast(struct rfile *f,
								  struct trace_event *ev)
{
	if (__builtin_expect(f->run != NULL, 1)) {
		int rc = chunk_dec__next_fast(f->run->dec, ev, f->lim);

		if (__builtin_expect(rc == 0, 1)) {
			ev->file = f->index;
			if (__builtin_expect(ev->ts < f->out_ts, 0))
				f->st->events_out_of_order++;
			f->out_ts = ev->ts;
			return 0;
		}
		return rfile__next_after(f, ev, rc);
	}
	return rfile__next_after(f, ev, 1);
}

/* Opens the descriptor again after rfile__release. 0 or -errno (-ESTALE
 * when the file shrank). */
int rfile__open_fd(struct rfile *f);
/* Gives back the descriptor and chunk buffers (the file is done). */
void rfile__release(struct rfile *f);

const struct trace_schema *rfile__schema(const struct rfile *f, const char *name);

/* format/inspect.c: the chunk listing (trace_reader__chunk_at). */
uint64_t rfile__nchunks(const struct rfile *f);
int rfile__chunk_at(struct rfile *f, uint64_t i, struct trace_chunk_info *out);

/* format/verify.c: trace_reader__verify for one file. */
int rfile__verify(struct rfile *f, struct trace_verify_stats *st);

#endif /* EBPFTRACE_RFILE_H */
