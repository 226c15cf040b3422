/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for query/: traces with known contents written through the
 * format library with the record types of format/EVENTS.md (laid out here
 * independently of the recorder, since readers bind fields by name), and
 * the example trace QUERY.md's examples run on.
 */
#ifndef QUERY_TESTLIB_H
#define QUERY_TESTLIB_H

#include <stdint.h>

#include "trace.h"

struct qt_trace;

/* A trace at path with every EVENTS.md type registered, host metadata and
 * a calibration (realtime = boottime + real_offset) at start. */
struct qt_trace *qt_open(const char *path, const char *session_id, const char *hostname,
			 uint64_t start_ts, int64_t real_offset);
struct trace_writer *qt_writer(struct qt_trace *t);
void qt_open_ev(struct qt_trace *t, uint64_t ts, uint64_t lat, uint32_t pid, uint32_t uid,
		int32_t ret, const char *comm, const char *path);
void qt_syscall(struct qt_trace *t, uint64_t ts, uint64_t lat, uint32_t pid, uint32_t nr,
		int64_t ret, const char *comm);
void qt_sysname(struct qt_trace *t, uint64_t ts, uint32_t nr, const char *name);
/* A cumulative snapshot: count calls of latencies in slot `slot`. */
void qt_hist(struct qt_trace *t, uint64_t ts, uint32_t nr, uint64_t count, uint64_t total,
	     uint64_t max, const uint64_t *slots40);
void qt_tcp_state(struct qt_trace *t, uint64_t ts, uint64_t skaddr, uint32_t pid,
		  const char *comm, const char *saddr, uint16_t sport, const char *daddr,
		  uint16_t dport, uint8_t oldstate, uint8_t newstate);
void qt_tcp_life(struct qt_trace *t, uint64_t start, uint64_t end, uint64_t skaddr,
		 uint32_t pid, const char *comm, const char *saddr, uint16_t sport,
		 const char *daddr, uint16_t dport, uint64_t tx, uint64_t rx, uint8_t flags);
void qt_udp(struct qt_trace *t, uint64_t ts, uint64_t skaddr, uint32_t pid, const char *comm,
	    const char *saddr, uint16_t sport, const char *daddr, uint16_t dport,
	    uint32_t bytes, uint8_t dir);
void qt_process(struct qt_trace *t, uint64_t ts, uint64_t start, uint32_t pid, uint32_t ppid,
		const char *comm, const char *cmdline);
void qt_fork(struct qt_trace *t, uint64_t ts, uint32_t parent, uint32_t child,
	     const char *comm);
void qt_exec(struct qt_trace *t, uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm,
	     const char *filename, const char *args);
void qt_exit(struct qt_trace *t, uint64_t ts, uint32_t pid, uint32_t ppid, int32_t status,
	     const char *comm);
void qt_lost(struct qt_trace *t, uint64_t ts, uint64_t since, uint32_t cpu, uint64_t count,
	     const char *probe);
/* Flushes, closes; aborts the test program on any error. */
void qt_close(struct qt_trace *t);

/* The example trace of query/QUERY.md, at path. */
#define QT_EXAMPLE_START 1000000000000ULL /* boottime of its first event */
void qt_example_trace(const char *path);

/* A large synthetic trace for benchmarks: n events (opens, syscalls with
 * names, a few of the rest) spread over `seconds`. */
void qt_big_trace(const char *path, uint64_t n, uint64_t seconds);

#endif
