/* SPDX-License-Identifier: MIT */
/*
 * The UDP event tracer API (udpTracer's event.h: AddProbe, DequeuePerfEvent,
 * getStatus, cleanup, printCharArray, struct udp_event_t), served by
 * ebpf-trace's CO-RE probes instead of BCC: programs written against it
 * compile and relink unchanged (the struct's layout is the original's,
 * packed). Link: pkg-config --cflags --libs ebpftrace-udp.
 *
 * What is the same: AddProbe() takes no argument, starts a background
 * thread and returns; getStatus() is 1 once the probes are attached;
 * DequeuePerfEvent() blocks until the next event and returns it by value,
 * thread-safe, in the order the events were captured; addresses are text
 * (inet_ntop), times ns since the epoch, the task name at most 15
 * characters; events of an unknown address family are skipped with a line
 * on stderr; cleanup() detaches everything; errors while starting print a
 * message and exit(1).
 *
 * What differs, on purpose:
 *   - One event per datagram, sent or received, from the sock:sock_send_length
 *     and sock_recv_length tracepoints (no kprobe needed): a send has
 *     tx_b = its payload and txPkts = 1, a receive rx_b and rxPkts = 1; a
 *     socket's totals are the sums of its events (same pid, ports and
 *     addresses). The original summed them in the kernel per socket and
 *     reported them at udp_destruct_sock, which no tracepoint marks.
 *   - SADDR/DADDR/DPT are the socket's: an unconnected socket (sendto,
 *     recvfrom) has no remote address (DADDR 0.0.0.0, DPT 0).
 *   - No event is dropped to keep the queue short: the kernel's ring buffer
 *     (64 MiB) holds what the consumer has not taken, and what it cannot
 *     hold is counted and reported at cleanup().
 *   - EBPF_TRACE_REPLAY=run.trace: the events come from a trace recorded
 *     with ebpf-record instead of the kernel: no root needed. Once its last
 *     event is served, DequeuePerfEvent() ends the program with exit(0)
 *     (stdout flushed), or, with EBPF_TRACE_REPLAY_END=block, blocks as on
 *     a quiet live system.
 */
#ifndef EBPFTRACE_UDP_EVENT_H
#define EBPFTRACE_UDP_EVENT_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma pack(push, 1)
struct udp_event_t {
	uint16_t family;   /* AF_INET or AF_INET6 */
	uint32_t pid;	   /* the sending or receiving process */
	uint32_t UserId;   /* the socket's owner */
	uint64_t EventTime; /* ns since the epoch */
	uint16_t SPT;	   /* local port */
	uint16_t DPT;	   /* remote port, 0 when unconnected */
	char task[16];	   /* the process's name (comm) */
	uint64_t rx_b;	   /* payload bytes received (a receive) */
	uint64_t tx_b;	   /* payload bytes sent (a send) */
	uint32_t rxPkts;   /* 1 for a receive */
	uint32_t txPkts;   /* 1 for a send */
	char SADDR[64];	   /* local address, as inet_ntop writes it */
	char DADDR[64];	   /* remote address */
};
#pragma pack(pop)

/* Starts the tracer in a background thread. */
void AddProbe(void);
/* What that thread runs: attaches, then serves events until cleanup().
 * 0 after cleanup(); on a failure to start it prints why and exits 1. */
int setupBPF(void);
/* The next event, waiting for it. */
struct udp_event_t DequeuePerfEvent(void);
/* 1 once the probes are attached (or the replayed trace is open), else 0. */
unsigned getStatus(void);
/* Detaches the probes and stops the thread. Callable from a signal handler
 * that then exits. */
void cleanup(void);
/* Prints "Array: " and the string. */
void printCharArray(const char *charPtr);

#ifdef __cplusplus
}
#endif

#endif /* EBPFTRACE_UDP_EVENT_H */
