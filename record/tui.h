/* SPDX-License-Identifier: MIT */
/*
 * ebpf-record --tui: the dashboard of replay/dash/ fed live with every
 * record written to the trace, its filters applied to the BPF programs'
 * live configuration. Not installed; compiles on its own.
 */
#ifndef EBPFTRACE_RECORD_TUI_H
#define EBPFTRACE_RECORD_TUI_H

#include <stddef.h>
#include <stdint.h>

struct drain;
struct probes;
struct trace_writer;

struct tui;

struct tui_opts {
	const char *output;	   /* the trace, for the header */
	struct trace_writer *w;	   /* the records written to it are shown */
	struct probes *probes;	   /* filters go to its configuration */
	struct drain *drain;	   /* counters */
	const uint32_t *pids;	   /* -p, or the command's pid: fixed for the recording */
	int npids;
	const char *comm;	   /* -c, or NULL */
};

/* Call after the record types are registered on w, before anything else is
 * written. NULL with a message in err on failure (the terminal is as it
 * was). */
struct tui *tui__open(const struct tui_opts *o, char *err, size_t errlen);
/* Keys and redraws; every drain. 1 when the user quit, a negative errno
 * when the dashboard could not follow (out of memory), else 0. */
int tui__tick(struct tui *t);
/* Gives the terminal back. Accepts NULL. */
void tui__close(struct tui *t);

#endif /* EBPFTRACE_RECORD_TUI_H */
