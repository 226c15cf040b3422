// SPDX-License-Identifier: MIT
/*
 * libebpftrace-tcp: the TCP event tracer API of api/tcp/event.h, a
 * connection per `tcp_life` record (format/EVENTS.md).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api/compat.h"
#include "api/ebpftrace.h"
#include "api/tcp/event.h"

#ifndef VERSION
#define VERSION "dev"
#endif

static bool convert(const struct ebpftrace_event *ev, uint32_t uid, void *out)
{
	struct tcp_event_t *e = out;
	bool has_uid;
	uint64_t v;

	e->family = (uint16_t)compat__u64(ev, "family", NULL);
	if (!compat__addr(ev, "saddr", e->SADDR, sizeof(e->SADDR)) ||
	    !compat__addr(ev, "daddr", e->DADDR, sizeof(e->DADDR))) {
		fprintf(stderr, "Unknown inet family: %d\n", e->family);
		return false;
	}
	e->EventTime = (uint64_t)ev->epoch_ns;
	e->pid = (uint32_t)compat__u64(ev, "pid", NULL);
	v = compat__u64(ev, "uid", &has_uid);
	e->UserId = has_uid ? (uint32_t)v : uid;
	e->rx_b = compat__u64(ev, "rx_bytes", NULL);
	e->tx_b = compat__u64(ev, "tx_bytes", NULL);
	e->tcpi_segs_out = (uint32_t)compat__u64(ev, "segs_out", NULL);
	e->tcpi_segs_in = (uint32_t)compat__u64(ev, "segs_in", NULL);
	e->SPT = (uint16_t)compat__u64(ev, "sport", NULL);
	e->DPT = (uint16_t)compat__u64(ev, "dport", NULL);
	compat__str(ev, "comm", e->task, sizeof(e->task));
	return true;
}

static const struct compat_tracer tracer = {
	.name = "tcpTracer",
	.version = "tcpTracer Ver 1.03e with ebpf-trace " VERSION " (CO-RE, no BCC)",
	.probes = "tcp",
	.type = "tcp_life",
	.size = sizeof(struct tcp_event_t),
	.convert = convert,
};

void AddProbe(const char *BPF_PROGRAM)
{
	(void)BPF_PROGRAM; /* the programs are built in: see event.h */
	compat__add_probe(&tracer);
}

int setupBPF(const char *BPF_PROGRAM)
{
	(void)BPF_PROGRAM;
	return compat__setup(&tracer);
}

struct tcp_event_t DequeuePerfEvent(void)
{
	struct tcp_event_t e;

	compat__dequeue(&tracer, &e);
	return e;
}

unsigned getStatus(void)
{
	return compat__status();
}

void cleanup(void)
{
	compat__cleanup(&tracer);
}

void printCharArray(const char *charPtr)
{
	compat__print_array(charPtr);
}
