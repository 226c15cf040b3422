/* SPDX-License-Identifier: MIT */
/*
 * The TCP event tracer API (tcpTracer's event.h: AddProbe, DequeuePerfEvent,
 * getStatus, cleanup, printCharArray, struct tcp_event_t), served by
 * ebpf-trace's CO-RE probes instead of BCC: programs written against it
 * compile and relink unchanged (the struct's layout is the original's,
 * packed). Link: pkg-config --cflags --libs ebpftrace-tcp.
 *
 * What is the same: AddProbe() starts a background thread and returns;
 * getStatus() is 1 once the probes are attached; DequeuePerfEvent() blocks
 * until the next event and returns it by value, thread-safe; an event is a
 * TCP connection with its process, addresses as text, ports, bytes and
 * segments each way, and its time in ns since the epoch; cleanup() detaches
 * everything; errors while starting print a message and exit(1).
 *
 * What differs, on purpose:
 *   - AddProbe's argument was a BCC source file to compile. There is none to
 *     compile now (the programs are built in, compiled once, CO-RE): the
 *     argument is accepted and ignored, whatever it names.
 *   - One event per connection, when it closes (the kernel's last word on
 *     its bytes and segments: tcp_sock.bytes_acked and bytes_received less
 *     the SYN and FIN, segs_out, segs_in), from the sock:inet_sock_set_state
 *     tracepoint (no kprobe needed). The original also sent, every 6.2 s,
 *     a snapshot of each open connection read with sock_diag; connections
 *     still open at cleanup() are not reported here.
 *   - task is the kernel's name of the process (comm, 15 characters at
 *     most), not its command line; UserId is the socket's owner.
 *   - No event is dropped to keep the queue short: when the consumer lags,
 *     the kernel's ring buffer (64 MiB) holds the events, and those it
 *     cannot hold are counted and reported at cleanup().
 *   - EBPF_TRACE_REPLAY=run.trace: the events come from a trace recorded
 *     with ebpf-record (e.g. attached to a bug report) instead of the
 *     kernel: no root needed. Once its last event is served,
 *     DequeuePerfEvent() ends the program with exit(0) (stdout flushed), or,
 *     with EBPF_TRACE_REPLAY_END=block, blocks as on a quiet live system.
 */
#ifndef EBPFTRACE_TCP_EVENT_H
#define EBPFTRACE_TCP_EVENT_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma pack(push, 1)
struct tcp_event_t {
	uint64_t EventTime;	/* ns since the epoch: when the connection closed */
	uint32_t pid;		/* the process that opened it (connect or accept) */
	uint32_t UserId;	/* the socket's owner */
	uint64_t rx_b;		/* payload bytes received */
	uint64_t tx_b;		/* payload bytes sent and acknowledged */
	uint32_t tcpi_segs_out; /* segments sent */
	uint32_t tcpi_segs_in;	/* segments received */
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint16_t SPT;		/* local port */
	uint16_t DPT;		/* remote port */
	char task[128];		/* the process's name (comm) */
	char SADDR[128];	/* local address, as inet_ntop writes it */
	char DADDR[128];	/* remote address */
};
#pragma pack(pop)

/* Starts the tracer in a background thread; BPF_PROGRAM is ignored. */
void AddProbe(const char *BPF_PROGRAM);
/* What that thread runs: attaches, then serves events until cleanup().
 * 0 after cleanup(); on a failure to start it prints why and exits 1. */
int setupBPF(const char *BPF_PROGRAM);
/* The next event, waiting for it. */
struct tcp_event_t DequeuePerfEvent(void);
/* 1 once the probes are attached (or the replayed trace is open), else 0. */
unsigned getStatus(void);
/* Detaches the probes and stops the thread. Callable from a signal handler
 * that then exits, as the reference's examples do. */
void cleanup(void);
/* Prints "Array: " and the string. */
void printCharArray(const char *charPtr);

#ifdef __cplusplus
}
#endif

#endif /* EBPFTRACE_TCP_EVENT_H */
