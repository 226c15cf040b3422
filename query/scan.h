/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the scanner and the indexer share: turning trace records
 * into rows of the catalog's kinds (field binding by name, through
 * replay's analyses where a row is more than one record), and the
 * per-session facts (id, first and last event, wall-clock offset).
 */
#ifndef EBPFQUERY_SCAN_H
#define EBPFQUERY_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/ast.h"
#include "query/result.h"
#include "replay/replay.h"
#include "trace.h"

/* The record types each kind reads (NULL-terminated). */
const char *const *qkind__types(enum qkind k);

/* Rows of an event kind (opens, syscalls, tcp state changes, udp
 * datagrams, lost events) straight from records. */
struct qrows;

struct qrows *qrows__new(enum qkind k);
void qrows__free(struct qrows *x);
/* Syscall names for the syscalls kind's name column (borrowed). */
void qrows__set_names(struct qrows *x, const struct syscall_names *names);
/* Binds ev; false when ev is not of this kind's record type. Then
 * qrows__get reads columns of ev until the next bind. */
bool qrows__bind(struct qrows *x, const struct trace_event *ev);
/* Column col of the bound event. Text points into the qrows object and
 * stays valid until the next bind. */
void qrows__get(struct qrows *x, int col, struct qrval *out);

/* Rows from replay's analyses: a TCP connection, a UDP flow, a process.
 * Text is borrowed from the source object. */
void qrow_from_tcp(const struct tcp_conn *c, struct qrval *row, char (*addr)[64]);
void qrow_from_flow(const struct udp_flow *f, struct qrval *row, char (*addr)[64]);
void qrow_from_proc(const struct proc_info *p, struct qrval *row);

/* The session facts of an open reader. */
struct qsession_info {
	char key[80];	  /* session.id from the metadata, else a digest */
	uint64_t start;	  /* first event, boottime ns */
	uint64_t end;	  /* last event */
	bool has_real;
	int64_t real_offset; /* wall clock - boottime, from the calibration at start */
};

void qsession_info(struct trace_reader *r, struct qsession_info *si);

#endif
