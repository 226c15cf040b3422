/* SPDX-License-Identifier: MIT */
/* Test helpers for replay/: write traces with the format writer, using the
 * record layouts of format/EVENTS.md, and read them back. */
#ifndef REPLAY_TESTLIB_H
#define REPLAY_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "replay/replay.h"
#include "trace.h"

struct t_open {
	uint64_t ts, latency_ns;
	uint32_t pid, tid, uid;
	int32_t ret, dirfd;
	uint32_t flags, mode;
	char call[8], comm[16], path[256];
};

struct t_syscall {
	uint64_t ts, latency_ns;
	uint32_t pid, tid, nr, _pad;
	int64_t ret;
	char comm[16];
};

struct t_syscall_hist {
	uint64_t ts;
	uint32_t nr, _pad;
	uint64_t count, total_ns, max_ns;
	uint64_t slots[40];
};

struct t_syscall_name {
	uint64_t ts;
	uint32_t nr;
	char name[32];
	uint32_t _pad;
};

struct t_tcp_state {
	uint64_t ts, skaddr;
	uint32_t pid;
	uint16_t family, sport, dport;
	uint8_t oldstate, newstate;
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct t_tcp_life {
	uint64_t ts, start_ns, duration_ns, skaddr, tx_bytes, rx_bytes;
	uint32_t segs_out, segs_in, pid;
	uint16_t family, sport, dport;
	uint8_t flags, _pad[3];
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct t_udp {
	uint64_t ts, skaddr;
	uint32_t pid, tid, bytes;
	uint16_t family, sport, dport;
	uint8_t dir, _pad[3];
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct t_exec {
	uint64_t ts;
	uint32_t pid, ppid, uid;
	char comm[16], filename[256], args[256];
	uint32_t _pad;
};

struct t_fork {
	uint64_t ts;
	uint32_t pid, child_pid;
	char comm[16];
};

struct t_exit {
	uint64_t ts;
	uint32_t pid, ppid;
	int32_t status;
	char comm[16];
	uint32_t _pad;
};

/* Type ids in a trace made by tw_open(). */
struct tw {
	struct trace_writer *w;
	int open, syscall, syscall_hist, syscall_name, tcp_state, tcp_life, udp, exec, fork, exit;
};

/* Opens a writer on path with every EVENTS.md type registered and a
 * calibration at boottime 1 s = 2024-05-01 12:00:00 UTC. */
void tw_open(struct tw *t, const char *path, uint32_t chunk_events);
void tw_close(struct tw *t);
/* A trace whose open schema lacks latency_ns, dirfd and more, as an older
 * recorder could have written: 3 opens by pid 7 ("/old/0" twice, one
 * failing with EACCES; "/old/1" once). */
void tw_write_old_opens(const char *path);

void tw_opn(struct tw *t, uint64_t ts, uint32_t pid, const char *comm, const char *path,
	    int32_t ret, uint64_t lat);
void tw_sys(struct tw *t, uint64_t ts, uint32_t pid, uint32_t nr, uint64_t lat);
void tw_name(struct tw *t, uint32_t nr, const char *name);
void tw_state(struct tw *t, uint64_t ts, uint64_t sk, uint32_t pid, uint8_t oldst, uint8_t newst,
	      uint16_t sport, uint16_t dport);
void tw_life(struct tw *t, uint64_t ts, uint64_t sk, uint64_t start, uint32_t pid, uint64_t tx,
	     uint64_t rx, uint8_t flags, uint16_t sport, uint16_t dport);
void tw_udp(struct tw *t, uint64_t ts, uint64_t sk, uint32_t pid, uint32_t bytes, int dir,
	    uint16_t dport);
void tw_exec(struct tw *t, uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm,
	     const char *filename);
void tw_fork(struct tw *t, uint64_t ts, uint32_t pid, uint32_t child);
void tw_exit(struct tw *t, uint64_t ts, uint32_t pid, int32_t status);

/* Calls fn on every event of the trace at path; returns the count. */
typedef void (*tr_fn)(const struct trace_event *ev, void *ctx);
size_t tr_each(const char *path, tr_fn fn, void *ctx);

/* A fresh temporary path (under /tmp), free()d by the caller. */
char *tmp_path(const char *suffix);
/* Runs a shell command; returns its exit status, or -1 on a signal. */
int run_cmd(const char *fmt, ...);
/* The whole file, NUL-terminated (malloc'd); NULL when absent. */
char *slurp(const char *path, size_t *len);

#endif
