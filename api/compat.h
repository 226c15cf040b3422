/* SPDX-License-Identifier: MIT */
/*
 * Internal to api/: the engine of the reference tracers' APIs (api/tcp/,
 * api/udp/): a background thread serving one record type of a live session
 * (or, with EBPF_TRACE_REPLAY, of a trace), converted into the tracer's
 * struct, through a bounded queue that DequeuePerfEvent() blocks on.
 * Not installed; compiles on its own.
 */
#ifndef EBPFTRACE_API_COMPAT_H
#define EBPFTRACE_API_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ebpftrace_event;

struct compat_tracer {
	const char *name;    /* "tcpTracer": what messages begin with */
	const char *version; /* the line AddProbe prints */
	const char *probes;  /* the live probes: "tcp" */
	const char *type;    /* the record type served: "tcp_life" */
	size_t size;	     /* of the tracer's event struct */
	/* Fills out (size bytes, zeroed) from a record of the type; uid is the
	 * owner when the record has no uid field (an older trace), from the
	 * trace's process records. false: skip it (said on stderr). */
	bool (*convert)(const struct ebpftrace_event *ev, uint32_t uid, void *out);
};

void compat__add_probe(const struct compat_tracer *t);
int compat__setup(const struct compat_tracer *t);
/* Copies the next event into out, waiting for it. */
void compat__dequeue(const struct compat_tracer *t, void *out);
unsigned compat__status(void);
void compat__cleanup(const struct compat_tracer *t);
void compat__print_array(const char *s);

/* Field readers that bind by name once per record type: the field, or 0
 * and "" when the type has no such field. */
uint64_t compat__u64(const struct ebpftrace_event *ev, const char *name, bool *present);
void compat__str(const struct ebpftrace_event *ev, const char *name, char *out, size_t size);
/* inet_ntop of an address field by the record's family; false for a
 * family neither AF_INET nor AF_INET6. */
bool compat__addr(const struct ebpftrace_event *ev, const char *name, char *out, size_t size);

#endif /* EBPFTRACE_API_COMPAT_H */
