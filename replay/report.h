/* SPDX-License-Identifier: MIT */
/* Internal to ebpf-replay: what the text, JSON, CSV and HTML reports share. */
#ifndef EBPFREPLAY_REPORT_H
#define EBPFREPLAY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay/out.h"

struct report_host {
	char hostname[128];
	char kernel[128];
	char machine[64];
	char cpus[16];
	char boot_id[64];
	char command[512];
	char exit_status[32];
};

void report_host(struct replay_ctx *c, struct report_host *h);
/* "pid 42, comm nginx, since 2s": the active filters. */
const char *report_filters(struct replay_ctx *c, char *buf, size_t size);
/* Recordings among the files (segments of one share a session.id), and
 * the first file of the i-th one, for its command and exit status. */
size_t report_nrecordings(struct replay_ctx *c);
uint16_t report_recording_file(struct replay_ctx *c, size_t i);
/* Probes from the metadata keys probe.<name> of every file, in order of
 * first appearance. */
size_t report_nprobes(struct replay_ctx *c);
void report_probe(struct replay_ctx *c, size_t i, const char **name, const char **how);
/* The closing counts probe.<name>.seen / .recorded / .lost summed over the
 * recordings, in buf, or "-". */
const char *report_probe_count(struct replay_ctx *c, const char *probe, const char *what,
			       char *buf, size_t size);
/* Record types the recorder writes about the recording (the /proc
 * snapshot, the syscall table, in-kernel histogram snapshots), not kernel
 * events: they have no rate. */
bool report_bookkeeping(const char *type);
uint64_t report_bookkeeping_total(struct replay_ctx *c);
/* " (probe tcp: unavailable: ...)" or " (probe tcp was not enabled)" or "". */
const char *report_probe_note(struct replay_ctx *c, const char *probe);
/* "HH:MM:SS.mmm" wall-clock (local or --utc), or "+1.234s" without a clock. */
void report_clock(struct replay_ctx *c, uint16_t file, uint64_t ts, char *buf, size_t size);
/* "10.0.0.1:80", "[::1]:80"; "-" when neither address nor port is known */
void report_endpoint(uint16_t family, const uint8_t *addr, uint16_t port, char *buf, size_t size);
const char *report_tcp_note(const struct tcp_conn *t);
/* "code 0", "code 1", "signal 9", "signal 11 (core)" */
void report_exit_status(int32_t status, char *buf, size_t size);

/* The timeline regrouped into at most max rows. */
struct report_rates {
	size_t n;
	uint64_t start_ns, width_ns;
	double rate[512]; /* events per second */
	uint64_t count[512];
	uint64_t lost[512];
	double max;
};
size_t report_rates(struct replay_ctx *c, size_t max, struct report_rates *rr);

#endif
