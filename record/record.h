/* SPDX-License-Identifier: MIT */
/*
 * ebpf-record's internal interfaces, one section per file of record/
 * (record/session.h is the library they make up). Not installed; compiles
 * on its own.
 */
#ifndef EBPFTRACE_RECORD_H
#define EBPFTRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/events.h"
#include "record/session.h"

struct drain;
struct redactor;
struct trace_calibration;
struct trace_writer;

#define RECORD_NAME "ebpf-record"

/* ---- probes.c: shared maps, attach strategies, detach ------------------ */

struct probes;

struct probes_opts {
	uint32_t enabled;     /* bit per enum ebt_probe */
	uint64_t ring_size;   /* bytes, a power of two */
	bool follow;          /* load the pid follower (pid filter on) */
	/* Only this strategy kind ("tracepoint", "tp_btf", ...) per probe, or NULL. */
	const char *force[EBT_NPROBES];
	bool quiet;           /* no strategy lines on stderr */
	bool verbose;         /* libbpf's messages (verifier logs) on stderr */
	const char *name;     /* what the lines on stderr begin with */
};

const char *probe__name(int probe);
/* Index of a probe name, or -1. */
int probe__by_name(const char *name);
/* "opens, syscalls, tcp, udp, proc". */
const char *probe__all_names(void);
/* The canonical name of a strategy kind (static), or NULL when unknown. */
const char *probe__strategy_kind(const char *kind);

/* Creates the shared maps and maps the configuration. NULL and errno set
 * on failure, with a message in err. */
struct probes *probes__open(const struct probes_opts *opts, char *err, size_t errlen);
/* The live configuration (mmapped map): changes apply at the next event. */
struct ebt_config *probes__config(struct probes *p);
int probes__pid_add(struct probes *p, uint32_t pid);
/* -ENOENT when pid is not in the set. */
int probes__pid_remove(struct probes *p, uint32_t pid);
/* Empties the set. */
int probes__pid_clear(struct probes *p);
/* Loads and attaches every enabled probe with the first strategy that
 * works, reporting each choice on stderr. Returns how many probes are
 * attached; -errno for a failure that concerns them all. */
int probes__attach(struct probes *p, char *err, size_t errlen);
/* "tracepoint:..." for an attached probe, "unavailable: <reason>", or NULL
 * when the probe is not enabled. Lives as long as p. */
const char *probes__strategy(const struct probes *p, int probe);
bool probes__attached(const struct probes *p, int probe);
int probes__ring_fd(const struct probes *p);
int probes__counters_fd(const struct probes *p);
/* The syscalls probe's histogram map, or -1. */
int probes__hist_fd(const struct probes *p);
/* Detaches every program (links destroyed); maps stay for the last drain. */
void probes__detach(struct probes *p);
void probes__close(struct probes *p);

/* ---- syscalls.c: the build host's syscall table ------------------------ */

struct syscall_entry {
	uint32_t nr;
	const char *name;
};
const struct syscall_entry *syscalls__table(size_t *n);
/* Number of a syscall by name, or -1. */
int syscalls__nr(const char *name);

/* ---- schemas.c: trace record types from bpf/events.h ------------------- */

/* Registers every record type on w: ids[type] is w's id for each type of
 * enum ebt_kind and enum record_type. 0 or a negative errno. */
int schemas__register(struct trace_writer *w, int ids[RECORD_NTYPES]);

/* ---- calibrate.c ------------------------------------------------------- */

uint64_t clock__boot_ns(void);
uint64_t clock__mono_ns(void);
/* The tightest of a few (boottime, realtime) samples. */
void calibrate__sample(struct trace_calibration *out);

/* ---- procscan.c -------------------------------------------------------- */

/* Emits a `process` record per process in /proc; returns how many, or a
 * negative errno from the writer or the consumer. */
int procscan__write(struct drain *d);

/* ---- drain.c ----------------------------------------------------------- */

/* Where records go: the trace being written and/or a consumer. */
struct record_sink {
	struct trace_writer *w;	 /* or NULL */
	int ids[RECORD_NTYPES];	 /* w's type id of each record type */
	record_consumer_fn fn;	 /* or NULL */
	void *ctx;
};

struct drain;

/* Maps the ring (ring_size bytes, a power of two) of map ring_fd; sink is
 * copied. NULL and errno set on failure. */
struct drain *drain__new(int ring_fd, uint64_t ring_size, int counters_fd,
			 const struct record_sink *sink);
void drain__free(struct drain *d);
/* Records from now on go to fn (NULL: none). */
void drain__set_consumer(struct drain *d, record_consumer_fn fn, void *ctx);
/* The epoll fd that waits for the kernel's wake-ups. */
int drain__fd(const struct drain *d);
/* Waits up to timeout_ms for a wake-up, then consumes everything in the
 * ring. Returns records consumed, or a negative errno (sink error). */
int drain__poll(struct drain *d, int timeout_ms);
/* Consumes up to max records (0: all) without waiting. */
int drain__consume(struct drain *d, uint64_t max);
/* Sends one record the recorder made (not from the ring) to the sink. */
int drain__emit(struct drain *d, int type, const void *rec, uint64_t ts);
/* Emits a `lost` record per probe and CPU whose drop counter grew. */
int drain__sample_lost(struct drain *d);
/* Totals since start, per probe. */
int drain__counts(struct drain *d, int probe, uint64_t *seen, uint64_t *recorded,
		  uint64_t *lost);
uint64_t drain__recorded(const struct drain *d);
uint64_t drain__lost(const struct drain *d);

/* ---- hist.c: syscall histogram snapshots ------------------------------- */

struct hist_snap;

struct hist_snap *hist__new(int map_fd);
void hist__free(struct hist_snap *h);
/* Emits a `syscall_hist` record per syscall whose histogram changed since
 * the last snapshot, or per non-empty one when all is set. */
int hist__write(struct hist_snap *h, struct drain *d, bool all);

/* ---- child.c: -- COMMAND ----------------------------------------------- */

struct child;

/* Forks; the child waits until child__go() to exec argv. */
struct child *child__start(char *const argv[], char *err, size_t errlen);
pid_t child__pid(const struct child *c);
/* Releases the child to exec; -errno (with a message) when exec failed. */
int child__go(struct child *c, char *err, size_t errlen);
/* Non-blocking: true once the child exited; *status as waitpid gives it. */
bool child__exited(struct child *c, int *status);
/* Ends a child that is still running (SIGTERM, then SIGKILL) and reaps it. */
void child__stop(struct child *c, int *status);
void child__free(struct child *c);

/* ---- progress.c -------------------------------------------------------- */

struct progress_sample {
	uint64_t elapsed_ns;
	uint64_t events;
	uint64_t lost;
	uint64_t bytes_raw;
	uint64_t bytes_written;
};

/* The once-a-second line (stderr is a terminal). */
void progress__line(const struct progress_sample *now, const struct progress_sample *prev);
void progress__clear_line(void);

/* ---- index.c: the default session index -------------------------------- */

/* Adds the recording at path (a file or the base of its segments) to the
 * user's default session index; a failure is reported as a warning on
 * stderr and returned. quiet: no line on success. */
int record_index__add(const char *path, bool quiet);

/* ---- redact_sink.c: --redact ------------------------------------------ */

struct redact_sink;

/* Writes to w through r (both borrowed, to outlive the sink): registers
 * every record type on w. NULL and errno set on failure. */
struct redact_sink *redact_sink__new(struct trace_writer *w, struct redactor *r);
void redact_sink__free(struct redact_sink *k);
/* The session's consumer (record_consumer_fn, ctx the sink): the record,
 * redacted, to the writer; the writer's error stops the drain. */
int redact_sink__record(void *ctx, const struct record_event *ev);
/* A metadata value, redacted, to the writer. */
int redact_sink__set_meta(struct redact_sink *k, const char *key, const char *value);

/* ---- units.c ----------------------------------------------------------- */

/* "500ms", "2s", "1m", "1h", "250us", plain seconds. */
int units__parse_duration(const char *s, uint64_t *ns);
/* "64K", "16M", "1G", plain bytes. */
int units__parse_size(const char *s, uint64_t *bytes);
/* "1.5 MiB" etc. into buf. */
const char *units__format_size(uint64_t bytes, char *buf, size_t len);

#endif /* EBPFTRACE_RECORD_H */
