/* SPDX-License-Identifier: MIT */
/*
 * libebpfrecord: the recorder's core as an in-process library, shared by
 * ebpf-record, its live dashboard (record/tui.c) and the public C API
 * (api/). A session owns the probes (the BPF programs and the shared maps),
 * drains the ring buffer and hands every record, with its layout, to a
 * trace writer and/or a consumer callback; its filters change while it
 * runs, without reloading anything.
 *
 * The life of a session: open (maps, filters) -> attach (programs) ->
 * [set_writer] -> start -> poll/drain and tick, repeatedly -> stop (detach,
 * drain the rest) -> close. Not thread-safe: one thread drives a session.
 *
 * Conventions as in libbpf: objects are opaque; int functions return 0 (or
 * a count) or a negative errno; pointer functions return NULL and set
 * errno; destructors accept NULL. Messages for the user go to err buffers.
 * Not installed; compiles on its own.
 */
#ifndef EBPFTRACE_RECORD_SESSION_H
#define EBPFTRACE_RECORD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"

struct trace_writer;
struct trace_schema_desc;
struct trace_calibration;

/* The record types a session produces: 1 .. EBT_NKINDS - 1 are the ring's
 * kinds (enum ebt_kind); the others are made by the recorder itself. */
enum record_type {
	RECORD_SYSCALL_HIST = EBT_NKINDS,
	RECORD_SYSCALL_NAME,
	RECORD_LOST,	/* struct trace_lost */
	RECORD_PROCESS, /* struct trace_process */
	RECORD_NTYPES,
};

/* One record, as it is written to the trace. */
struct record_event {
	const struct trace_schema_desc *desc; /* its layout and field names; static */
	const void *data;		      /* desc->size bytes; borrowed for the call */
	uint64_t ts;			      /* CLOCK_BOOTTIME ns */
	int type;			      /* enum ebt_kind or enum record_type */
	int probe;			      /* enum ebt_probe of a ring record, else -1 */
};

/* Sees every record after the writer (if any) took it. A negative return
 * stops the drain: the session's calls return that error from then on. */
typedef int (*record_consumer_fn)(void *ctx, const struct record_event *ev);

struct record_session_opts {
	size_t sz;		/* sizeof(struct record_session_opts) */
	uint32_t probes;	/* bit per enum ebt_probe; 0: every probe */
	uint64_t ring_size;	/* bytes, rounded up to a power of two; 0: 64 MiB */
	const uint32_t *pids;	/* the pid filter at start (npids > 0 turns it on) */
	size_t npids;
	bool follow;		/* load the pid follower: processes forked by a pid
				 * in the filter join it (always, with npids) */
	const char *comm;	/* only tasks of this name; NULL: any */
	uint16_t port;		/* tcp, udp: only this local or remote port; 0: any */
	bool syscall_events;	/* a `syscall` record per call >= min_latency_ns */
	uint64_t min_latency_ns;
	const char *force[EBT_NPROBES]; /* only this strategy kind per probe, or NULL */
	bool quiet;		/* no strategy lines on stderr */
	bool verbose;		/* libbpf's messages on stderr */
	const char *name;	/* what lines on stderr begin with; NULL: ebpf-record */
	record_consumer_fn consumer; /* optional */
	void *ctx;
};

struct record_session;

/* What recording needs from this process and kernel: privileges (root, or
 * CAP_BPF and CAP_PERFMON), BTF, tracefs (mounted here when it is not; a
 * line on stderr says so unless quiet). 0, or a negative errno with what
 * to do in err. */
int record_session__preflight(const char *name, bool quiet, char *err, size_t errlen);

/* Creates the shared maps and applies the filters; nothing is attached
 * yet. NULL with errno and a message in err. */
struct record_session *record_session__open(const struct record_session_opts *opts, char *err,
					    size_t errlen);
/* Loads and attaches every enabled probe with the first strategy that
 * works (each choice on stderr unless quiet). The number of probes
 * attached, or a negative errno with a message in err. */
int record_session__attach(struct record_session *s, char *err, size_t errlen);
/* Records go to w too, from start on: registers every record type on w.
 * Before start; w must outlive the session or be closed after stop. */
int record_session__set_writer(struct record_session *s, struct trace_writer *w);
/* The writer's type id of a record type (enum ebt_kind or enum
 * record_type), or -ENOENT without a writer. */
int record_session__type_id(const struct record_session *s, int type);
/* Records from now on go to fn too (NULL: to no consumer). */
int record_session__set_consumer(struct record_session *s, record_consumer_fn fn, void *ctx);
/* Maps the ring and begins: a calibration, the syscall table and the
 * /proc snapshot are emitted first. A failure to set up is a negative
 * errno with a message in err; a sink's error (the writer's, the
 * consumer's) on those first records is returned with err left as it was. */
int record_session__start(struct record_session *s, char *err, size_t errlen);
/* What a new segment of the trace begins with (the writer's on_segment). */
int record_session__segment_start(struct record_session *s);

/* Waits up to timeout_ms for the kernel's wake-up (it wakes the consumer
 * only past a fill threshold: waiting is the drain interval), then drains
 * everything. Records drained, or a negative errno (the writer's or the
 * consumer's error). */
int record_session__poll(struct record_session *s, int timeout_ms);
/* Drains up to max records (0: all there are) without waiting. */
int record_session__drain(struct record_session *s, uint64_t max);
/* An fd that is readable when the kernel woke the consumer (epoll). */
int record_session__fd(const struct record_session *s);
/* Once a second: a calibration (to the writer), the syscall histograms
 * that changed and a `lost` record per probe and CPU whose drop counter
 * grew. */
int record_session__tick(struct record_session *s);
/* The latest (boottime, realtime) pair, sampled at start and each tick. */
void record_session__calibration(const struct record_session *s, struct trace_calibration *out);
/* Detaches every program and waits for the ones running to finish: no
 * new event comes; those in the ring are still to drain. */
void record_session__detach(struct record_session *s);
/* Detaches every program, waits for the ones running to finish, drains
 * the rest and ticks a last time (every histogram). Records are no longer
 * produced; counters stay readable. */
int record_session__stop(struct record_session *s);
void record_session__close(struct record_session *s);

/* ---- filters, live: the next event sees them ----------------------------- */

/* NULL or "": any name. */
int record_session__set_comm(struct record_session *s, const char *comm);
/* The comm filter now (borrowed), or NULL. */
const char *record_session__comm(const struct record_session *s);
int record_session__set_port(struct record_session *s, uint16_t port);
int record_session__set_min_latency(struct record_session *s, bool events, uint64_t ns);
/* The pid filter: on, only processes in the set are recorded. Adding a pid
 * does not turn it on; pids forked by a member join when the session
 * follows. */
int record_session__set_pid_filter(struct record_session *s, bool on);
bool record_session__pid_filter(const struct record_session *s);
int record_session__pid_add(struct record_session *s, uint32_t pid);
/* -ENOENT when pid is not in the set. Its descendants stay. */
int record_session__pid_remove(struct record_session *s, uint32_t pid);
/* Empties the set (descendants followed included). */
int record_session__pid_clear(struct record_session *s);
bool record_session__follows(const struct record_session *s);

/* ---- what it did ------------------------------------------------------- */

struct record_counts {
	uint64_t seen;	   /* passed the filters in the kernel */
	uint64_t recorded; /* delivered (written and/or consumed) */
	uint64_t lost;	   /* ring reservations that failed */
};

/* Totals since start for one probe (reads the kernel's counters). */
int record_session__counts(struct record_session *s, int probe, struct record_counts *out);
uint64_t record_session__recorded(const struct record_session *s);
/* Lost events as of the last tick, all probes. */
uint64_t record_session__lost(const struct record_session *s);
bool record_session__attached(const struct record_session *s, int probe);
/* "tracepoint:...", "unavailable: <reason>", or NULL when the probe is not
 * enabled. Lives as long as the session. */
const char *record_session__strategy(const struct record_session *s, int probe);
uint64_t record_session__ring_size(const struct record_session *s);
uint32_t record_session__probes(const struct record_session *s);

/* The layout of a record type (static), or NULL. */
const struct trace_schema_desc *record_type__desc(int type);
/* "opens", ... for enum ebt_probe; "?" otherwise. */
const char *record_probe__name(int probe);
/* Index of a probe name, or -1. */
int record_probe__by_name(const char *name);

#endif /* EBPFTRACE_RECORD_SESSION_H */
