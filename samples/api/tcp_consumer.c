// SPDX-License-Identifier: MIT
/*
 * A consumer of the TCP event tracer API written as its reference shows it
 * (AddProbe, getStatus, a consumer thread on DequeuePerfEvent, cleanup from
 * the signal handler): unchanged, it links with libebpftrace-tcp. With
 * EBPF_TRACE_REPLAY=run.trace it prints the connections of that recording
 * and exits at its end. Compiled with -Wno-unused-parameter: the thread's
 * argument goes unused, as in the reference.
 *
 *   cc tcp_consumer.c $(pkg-config --cflags --libs ebpftrace-tcp)
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
        // Blocks until next event
        struct tcp_event_t event = DequeuePerfEvent();
        
        // Process the event
        printf("[%lu] %s (PID %u) %s:%u -> %s:%u\n",
               event.EventTime,
               event.task,
               event.pid,
               event.SADDR, event.SPT,
               event.DADDR, event.DPT);
        
        printf("  TX: %lu bytes (%u packets)\n", 
               event.tx_b, event.tcpi_segs_out);
        printf("  RX: %lu bytes (%u packets)\n", 
               event.rx_b, event.tcpi_segs_in);
    }
    return NULL;
}

int main() {
    signal(SIGINT, signal_handler);
    signal(SIGTERM, signal_handler);
    
    AddProbe("/path/to/bpf_program.c");
    
    while (getStatus() == 0) {
        usleep(100000);
    }
    
    printf("TCP monitoring active\n");
    
    pthread_t consumer;
    pthread_create(&consumer, NULL, event_consumer_thread, NULL);
    pthread_join(consumer, NULL);
    
    return 0;
}
