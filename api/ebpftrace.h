/* SPDX-License-Identifier: MIT */
/*
 * libebpfapi: ebpf-trace's events in a program of your own, one at a time,
 * with wall-clock times and typed fields, from either source:
 *
 *   - a recorded trace (ebpf-record -o run.trace): no root, no BPF, any
 *     machine;
 *   - a live session: the recorder's probes loaded in this process (root, or
 *     CAP_BPF and CAP_PERFMON), drained as ebpf-record drains them.
 *
 * Both give the same records (format/EVENTS.md names their types and
 * fields) through the same calls:
 *
 *	struct ebpftrace_session *s = ebpftrace_session__open_trace("run.trace", NULL);
 *	struct ebpftrace_event ev;
 *	uint64_t bytes;
 *
 *	while (ebpftrace_session__next(s, &ev, -1) == 0)
 *		if (!strcmp(ev.type, "tcp_life") &&
 *		    ebpftrace_event__u64(&ev, "tx_bytes", &bytes) == 0)
 *			printf("%lld %s %llu\n", (long long)ev.epoch_ns,
 *			       ebpftrace_event__str(&ev, "comm"), (unsigned long long)bytes);
 *	ebpftrace_session__close(s);
 *
 * Link: pkg-config --libs ebpftrace (-lebpfapi -lebpftrace -lbpf -lelf -lz
 * -llz4 -lpthread). Conventions, as in libbpf: objects are opaque; int
 * functions return 0 or a negative errno; pointer functions return NULL and
 * set errno; destructors accept NULL; ebpftrace_strerror() says what an
 * error means. A session is driven by one thread at a time.
 */
#ifndef EBPFTRACE_API_H
#define EBPFTRACE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One event. Everything it points to is borrowed: data until the next call
 * on its session, schema and type as long as the session. */
struct ebpftrace_event {
	const char *type;			 /* "open", "tcp_life", "udp", ... (EVENTS.md) */
	const struct trace_schema_desc *schema;	 /* its fields: names, types, offsets */
	const void *data;			 /* schema->size bytes laid out by it */
	uint64_t boot_ns;			 /* CLOCK_BOOTTIME ns of the recording host */
	int64_t epoch_ns;			 /* the same instant in ns since the epoch
						  * (calibrated); 0 when the trace has no
						  * calibration */
	uint16_t file;				 /* of a trace: which file (segments) */
};

/* ---- typed fields, by name ------------------------------------------------ */

/* The field of the event's type, or NULL (errno = ENOENT). Use with
 * trace_field__u64() & co. of trace.h to read many events quickly. */
const struct trace_field_desc *ebpftrace_event__field(const struct ebpftrace_event *ev,
								    const char *name);
/* An integer field of any width, widened; -ENOENT when the type has no such
 * field, -EINVAL when it is not an integer. */
int ebpftrace_event__u64(const struct ebpftrace_event *ev, const char *name,
				       uint64_t *out);
int ebpftrace_event__i64(const struct ebpftrace_event *ev, const char *name,
				       int64_t *out);
/* A string field (NUL-terminated in the record), or NULL (errno ENOENT or
 * EINVAL). */
const char *ebpftrace_event__str(const struct ebpftrace_event *ev, const char *name);
/* An address field (saddr, daddr) as text, "127.0.0.1" or "::1", by the
 * record's family field; NULL (errno ENOENT, or EAFNOSUPPORT when the
 * family is neither AF_INET nor AF_INET6). buf: 46 bytes (INET6_ADDRSTRLEN). */
const char *ebpftrace_event__addr(const struct ebpftrace_event *ev, const char *name,
						char *buf, size_t size);

/* ---- sessions -------------------------------------------------------------- */

struct ebpftrace_session;

struct ebpftrace_trace_opts {
	size_t sz;		   /* sizeof(struct ebpftrace_trace_opts) */
	const char *const *types;  /* only these record types (NULL-terminated); NULL: all.
				    * Chunks without them are skipped undecompressed. */
	bool quiet;		   /* damaged parts of the trace are skipped and counted
				    * (ebpftrace_session__stats); without quiet, each is
				    * also reported on stderr */
};

/* PATH: a trace, or the base name of a segmented recording (PATH.0000,
 * ...). Events come in time order. NULL and errno on failure. */
struct ebpftrace_session *ebpftrace_session__open_trace(const char *path,
								      const struct ebpftrace_trace_opts *opts);

struct ebpftrace_live_opts {
	size_t sz;		  /* sizeof(struct ebpftrace_live_opts) */
	const char *probes;	  /* "tcp,udp": comma-separated of opens, syscalls, tcp, udp,
				   * proc; NULL: those making the types asked for, else all */
	const char *const *types; /* only these record types (NULL-terminated); NULL: all,
				   * with the /proc snapshot and syscall table first */
	const uint32_t *pids;	  /* only these processes and those they fork */
	size_t npids;
	const char *comm;	  /* only tasks of this name */
	uint16_t port;		  /* tcp, udp: only this local or remote port */
	uint64_t min_latency_ns;  /* syscalls: a `syscall` event per call this slow */
	bool syscall_events;	  /* ... when set; else histograms only */
	uint64_t ring_size;	  /* the ring buffer in bytes; 0: 64 MiB */
	bool quiet;		  /* nothing on stderr (each probe's attach strategy) */
	char *errbuf;		  /* a one-line message when opening fails, or NULL */
	size_t errbuf_size;
};

/* Loads and attaches the probes in this process. NULL and errno on failure
 * (EPERM without privileges, ENOTSUP without BTF, ENOENT when no probe
 * could attach), with a message in opts->errbuf. */
struct ebpftrace_session *ebpftrace_session__open_live(const struct ebpftrace_live_opts *opts);

/* The next event into *ev: 0. Live, it waits up to timeout_ms (-1: as long
 * as it takes; 0: not at all) and then gives -EAGAIN; the kernel's events
 * come in the order they were committed to the ring, every CPU's
 * interleaved (nearly, not exactly, in time order). -ENOENT: no more (the
 * end of a trace; live, after stop and the last event). Another negative
 * errno: an error (reading a trace; live, out of memory). */
int ebpftrace_session__next(struct ebpftrace_session *s, struct ebpftrace_event *ev,
					  int timeout_ms);
/* Live: an fd for poll()/epoll that is readable at least every 10 ms
 * while the session runs (the kernel does not wake a reader per event:
 * that costs more than the event); then call next with timeout 0 until
 * -EAGAIN. A trace: -EINVAL. */
int ebpftrace_session__fd(struct ebpftrace_session *s);
/* Live: detaches the probes; the events already captured still come, then
 * -ENOENT. A trace: no more events. */
int ebpftrace_session__stop(struct ebpftrace_session *s);
void ebpftrace_session__close(struct ebpftrace_session *s);
bool ebpftrace_session__live(const struct ebpftrace_session *s);

struct ebpftrace_stats {
	uint64_t events;	 /* given out by next */
	uint64_t lost;		 /* live: the kernel could not store them (ring full);
				  * trace: the recording's lost events read so far */
	uint64_t damaged_chunks; /* trace: damaged parts skipped */
};
void ebpftrace_session__stats(const struct ebpftrace_session *s,
					    struct ebpftrace_stats *st);

/* ---- live filters: the next event sees them, nothing reloads --------------- */

/* NULL or "": any name. */
int ebpftrace_session__set_comm(struct ebpftrace_session *s, const char *comm);
/* 0: any port. */
int ebpftrace_session__set_port(struct ebpftrace_session *s, uint16_t port);
/* The pid filter: on, only processes in its set (and those they fork from
 * then on) are recorded. */
int ebpftrace_session__pid_filter(struct ebpftrace_session *s, bool on);
int ebpftrace_session__pid_add(struct ebpftrace_session *s, uint32_t pid);
/* -ENOENT when pid is not in the set. */
int ebpftrace_session__pid_remove(struct ebpftrace_session *s, uint32_t pid);
int ebpftrace_session__pid_clear(struct ebpftrace_session *s);

/* ---- errors ------------------------------------------------------------------ */

/* A message for a negative errno returned above. Never NULL. */
const char *ebpftrace_strerror(int err);
/* "0.1.0". */
const char *ebpftrace_version(void);

#ifdef __cplusplus
}
#endif

#endif /* EBPFTRACE_API_H */
