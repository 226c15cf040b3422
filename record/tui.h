/* SPDX-License-Identifier: MIT */
/*
 * ebpf-record --tui: the dashboard of replay/dash/ fed live with every
 * record the session delivers (exactly what is written to the trace), its
 * filters applied to the session's live configuration. Not installed;
 * compiles on its own.
 */
#ifndef EBPFTRACE_RECORD_TUI_H
#define EBPFTRACE_RECORD_TUI_H

#include <stddef.h>
#include <stdint.h>

struct record_session;
struct trace_writer;

struct tui;

struct tui_opts {
	const char *output;		/* the trace, for the header */
	struct trace_writer *w;		/* the trace: its schemas, its size */
	struct record_session *session; /* records, counters, filters */
	const uint32_t *pids;		/* -p, or the command's pid: fixed for the recording */
	int npids;
	const char *comm;		/* -c, or NULL */
};

/* Call after record_session__set_writer() and before
 * record_session__start(): the dashboard becomes the session's consumer.
 * NULL with a message in err on failure (the terminal is as it was). */
struct tui *tui__open(const struct tui_opts *o, char *err, size_t errlen);
/* Keys and redraws; every drain. 1 when the user quit, a negative errno
 * when the dashboard could not follow (out of memory), else 0. */
int tui__tick(struct tui *t);
/* Gives the terminal back and stops consuming. Accepts NULL. */
void tui__close(struct tui *t);

#endif /* EBPFTRACE_RECORD_TUI_H */
