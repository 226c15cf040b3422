/* SPDX-License-Identifier: MIT */
/*
 * libebpfdash: the ncurses dashboard of `ebpf-replay --tui TRACE` (a trace
 * played back from disk as if live) and `ebpf-record --tui -o FILE` (the
 * recording, live, while it is written). Fed by the replay analyses; uses
 * the format library and libebpfreplay, never libbpf: what it may change
 * in a live recording it asks of its host through struct dash_host.
 *
 * Conventions as in format/trace.h: int functions return 0 or a negative
 * errno; pointer functions return NULL and set errno; destructors accept
 * NULL. The terminal is restored on every way out (close, quit, signals,
 * errors, exit()).
 */
#ifndef EBPFDASH_DASH_H
#define EBPFDASH_DASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DASH_MAX_PROBES 8

/* One probe of a live recording, as its host counts it. */
struct dash_probe_count {
	const char *name;     /* "opens", ...; borrowed for the call's result */
	const char *strategy; /* how it is attached, or "unavailable: ..." */
	uint64_t seen;	      /* by the BPF program */
	uint64_t recorded;    /* written to the trace */
	uint64_t lost;	      /* ring buffer full */
};

/* Live counters of the host. */
struct dash_live_counts {
	uint64_t recorded;	/* events written, all probes */
	uint64_t lost;		/* events lost, all probes */
	uint64_t bytes_written; /* on disk */
	size_t nprobes;
	struct dash_probe_count probes[DASH_MAX_PROBES];
};

/* What the live dashboard asks of the program that records. */
struct dash_host {
	size_t sz; /* sizeof(struct dash_host) */
	/* Records only pid (< 0: any) and/or comm (NULL: any) from now on,
	 * without reloading the probes. 0, or a negative errno with a
	 * one-line reason in msg; msg may also explain a success. */
	int (*set_filter)(void *ctx, int64_t pid, const char *comm, char *msg, size_t msg_size);
	/* Fills the counters; 0 or a negative errno. */
	int (*counts)(void *ctx, struct dash_live_counts *out);
	void *ctx;
};

struct dash_live_opts {
	size_t sz;		 /* sizeof(struct dash_live_opts) */
	const char *output;	 /* the trace being written, for the header */
	const struct dash_host *host;
	int64_t pid;		 /* the filters the recording started with: -1 none */
	const char *comm;	 /* NULL none */
	unsigned refresh_ms;	 /* 0: 1000 */
};

struct dash;

/* Takes over the terminal for a live recording: -ENOTTY when stdin or
 * stdout is not a terminal, -ENXIO when $TERM has no terminfo entry. */
struct dash *dash__open_live(const struct dash_live_opts *opts);
/* One event, as it is written to the trace. The event's schema must live
 * as long as the dashboard. */
int dash__feed(struct dash *d, const struct trace_event *ev);
/* Reads the keys and redraws when due; call it at least every 100 ms.
 * 1 once the user asked to quit, else 0 (or a negative errno). */
int dash__tick(struct dash *d);
/* Gives the terminal back as it was. Accepts NULL. */
void dash__close(struct dash *d);

struct dash_replay_opts {
	size_t sz;	     /* sizeof(struct dash_replay_opts) */
	int64_t pid;	     /* initial filter: -1 none */
	const char *comm;    /* NULL none */
	unsigned refresh_ms; /* 0: 1000 */
	bool paused;	     /* start paused at the beginning instead of playing */
	/* Out: damage met while playing (each block once). */
	uint64_t damaged_blocks, damaged_bytes;
};

/* Plays a trace (one file, the segments of one recording, or several
 * merged in time order) until the user quits or a signal (SIGINT, SIGTERM,
 * SIGHUP) arrives. 0, or a negative errno (-ENOTTY, -ENXIO as for
 * dash__open_live, or the reader's): the terminal is restored before it
 * returns, and the caller says what went wrong. */
int dash__replay(const char *const *paths, size_t n, struct dash_replay_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* EBPFDASH_DASH_H */
