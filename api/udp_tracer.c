// SPDX-License-Identifier: MIT
/*
 * libebpftrace-udp: the UDP event tracer API of api/udp/event.h, a datagram
 * per `udp` record (format/EVENTS.md).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api/compat.h"
#include "api/ebpftrace.h"
#include "api/udp/event.h"

#ifndef VERSION
#define VERSION "dev"
#endif

static bool convert(const struct ebpftrace_event *ev, uint32_t uid, void *out)
{
	struct udp_event_t *e = out;
	uint64_t bytes, v;
	bool has_uid;

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
	e->SPT = (uint16_t)compat__u64(ev, "sport", NULL);
	e->DPT = (uint16_t)compat__u64(ev, "dport", NULL);
	compat__str(ev, "comm", e->task, sizeof(e->task));
	bytes = compat__u64(ev, "bytes", NULL);
	if (compat__u64(ev, "dir", NULL)) {
		e->rx_b = bytes;
		e->rxPkts = 1;
	} else {
		e->tx_b = bytes;
		e->txPkts = 1;
	}
	return true;
}

static const struct compat_tracer tracer = {
	.name = "udpTracer",
	.version = "udpTracer Ver 1.0 with ebpf-trace " VERSION " (CO-RE, no BCC)",
	.probes = "udp",
	.type = "udp",
	.size = sizeof(struct udp_event_t),
	.convert = convert,
};

void AddProbe(void)
{
	compat__add_probe(&tracer);
}

int setupBPF(void)
{
	return compat__setup(&tracer);
}

struct udp_event_t DequeuePerfEvent(void)
{
	struct udp_event_t e;

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
