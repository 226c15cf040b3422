// SPDX-License-Identifier: MIT
/*
 * A consumer of the UDP event tracer API in the manner of its reference
 * (AddProbe() without argument, getStatus, a consumer thread on
 * DequeuePerfEvent, cleanup from the signal handler): unchanged, it links
 * with libebpftrace-udp. With EBPF_TRACE_REPLAY=run.trace it prints the
 * datagrams of that recording and exits at its end.
 *
 *   cc udp_consumer.c $(pkg-config --cflags --libs ebpftrace-udp)
 */
#include "event.h"
#include <stdio.h>
#include <unistd.h>
#include <signal.h>

void signal_handler(int signum) {
    printf("Caught signal %d, cleaning up...\n", signum);
    cleanup();
    exit(0);
}

void *event_consumer_thread(void *arg) {
    while (1) {
        struct udp_event_t event = DequeuePerfEvent();

        printf("[%lu] %s (PID %u UID %u) family %u %s:%u -> %s:%u\n",
               event.EventTime, event.task, event.pid, event.UserId, event.family,
               event.SADDR, event.SPT, event.DADDR, event.DPT);
        printf("  TX: %lu bytes (%u packets)\n", event.tx_b, event.txPkts);
        printf("  RX: %lu bytes (%u packets)\n", event.rx_b, event.rxPkts);
    }
    return NULL;
}

int main() {
    signal(SIGINT, signal_handler);
    signal(SIGTERM, signal_handler);

    AddProbe();

    while (getStatus() == 0) {
        usleep(100000);
    }

    printf("UDP monitoring active\n");

    pthread_t consumer;
    pthread_create(&consumer, NULL, event_consumer_thread, NULL);
    pthread_join(consumer, NULL);

    return 0;
}
