/* SPDX-License-Identifier: MIT */
/*
 * The one definition of the layouts shared by the BPF programs (bpf/) and
 * ebpf-record (record/): ring-buffer records, the shared maps' values, and
 * the trace records of format/EVENTS.md. The recorder builds each trace
 * schema from these structs with offsetof/sizeof (record/schemas.c).
 *
 * Fixed-width types only, explicit padding, sizes checked below: the same
 * bytes must mean the same thing to clang -target bpf and to the host
 * compiler. Included by BPF code after vmlinux.h, by user code after
 * <stdint.h>.
 */
#ifndef EBPFTRACE_EVENTS_H
#define EBPFTRACE_EVENTS_H

#ifdef __bpf__
typedef __u8 ebt_u8;
typedef __u16 ebt_u16;
typedef __u32 ebt_u32;
typedef __s32 ebt_s32;
typedef __u64 ebt_u64;
typedef __s64 ebt_s64;
#else
#include <stdint.h>
typedef uint8_t ebt_u8;
typedef uint16_t ebt_u16;
typedef uint32_t ebt_u32;
typedef int32_t ebt_s32;
typedef uint64_t ebt_u64;
typedef int64_t ebt_s64;
#endif

#define EBT_COMM_LEN 16
#define EBT_PATH_LEN 256
#define EBT_CALL_LEN 8
#define EBT_ARGS_LEN 256
#define EBT_SYSCALL_NAME_LEN 32
#define EBT_HIST_SLOTS 40
/* Syscall numbers the histograms cover: 0 .. EBT_MAX_SYSCALLS - 1. */
#define EBT_MAX_SYSCALLS 1024
/* Processes the pid filter can hold (the chosen pids and descendants). */
#define EBT_MAX_FILTER_PIDS 65536

/* Probes: index of the per-CPU counters; names in record/probes.c. */
enum ebt_probe {
	EBT_PROBE_OPENS = 0,
	EBT_PROBE_SYSCALLS = 1,
	EBT_PROBE_TCP = 2,
	EBT_PROBE_UDP = 3,
	EBT_PROBE_PROC = 4,
	EBT_NPROBES = 5,
};

/* What follows a ring record's header. */
enum ebt_kind {
	EBT_KIND_OPEN = 1,
	EBT_KIND_SYSCALL = 2,
	EBT_KIND_TCP_STATE = 3,
	EBT_KIND_TCP_LIFE = 4,
	EBT_KIND_UDP = 5,
	EBT_KIND_EXEC = 6,
	EBT_KIND_FORK = 7,
	EBT_KIND_EXIT = 8,
	EBT_NKINDS = 9,
};

/* Every ring record: this header, then the trace record of its kind.
 * An `open` record may be cut after the path's NUL (len says how many
 * bytes of the record follow); the drain loop zero-fills the rest. */
struct ebt_hdr {
	ebt_u32 kind; /* enum ebt_kind */
	ebt_u32 len;  /* bytes of the record that follow */
};
_Static_assert(sizeof(struct ebt_hdr) == 8, "ebt_hdr");

/* Per-probe per-CPU counters (map ebt_counters, key enum ebt_probe). */
struct ebt_counts {
	ebt_u64 seen; /* events that passed the filters */
	ebt_u64 lost; /* of those, ring reservations that failed */
};
_Static_assert(sizeof(struct ebt_counts) == 16, "ebt_counts");

/* Runtime settings (map ebt_config, one element, mmapped by the recorder):
 * changing a field takes effect at the next event, without reloading. */
struct ebt_config {
	ebt_u32 self_tgid;      /* the recorder: never recorded */
	ebt_u32 filter_pid;     /* 1: only processes in ebt_pids */
	ebt_u32 filter_comm;    /* 1: only tasks named comm */
	ebt_u16 filter_port;    /* tcp, udp: only this local or remote port; 0: all */
	ebt_u16 _pad0;
	char comm[EBT_COMM_LEN];
	ebt_u32 syscall_events; /* 1: a `syscall` record per call >= min_latency_ns */
	ebt_u32 _pad1;
	ebt_u64 min_latency_ns;
	ebt_u64 wakeup_bytes;   /* force a consumer wake-up past this much unread data */
};
_Static_assert(sizeof(struct ebt_config) == 56, "ebt_config");

/* In-kernel latency histogram of one syscall (map ebt_hist, per CPU). */
struct ebt_hist {
	ebt_u64 count;
	ebt_u64 total_ns;
	ebt_u64 max_ns;
	ebt_u64 slots[EBT_HIST_SLOTS];
};
_Static_assert(sizeof(struct ebt_hist) == 344, "ebt_hist");

/* ---- trace records (format/EVENTS.md) ---------------------------------- */

struct ebt_open {
	ebt_u64 ts;
	ebt_u64 latency_ns;
	ebt_u32 pid;
	ebt_u32 tid;
	ebt_u32 uid;
	ebt_s32 ret;
	ebt_s32 dirfd;
	ebt_u32 flags;
	ebt_u32 mode;
	ebt_u32 _pad;
	char call[EBT_CALL_LEN];
	char comm[EBT_COMM_LEN];
	char path[EBT_PATH_LEN]; /* last: the ring record may end after its NUL */
};
_Static_assert(sizeof(struct ebt_open) == 328, "ebt_open");

struct ebt_syscall {
	ebt_u64 ts;
	ebt_u64 latency_ns;
	ebt_s64 ret;
	ebt_u32 pid;
	ebt_u32 tid;
	ebt_u32 nr;
	ebt_u32 _pad;
	char comm[EBT_COMM_LEN];
};
_Static_assert(sizeof(struct ebt_syscall) == 56, "ebt_syscall");

/* Written by the recorder from ebt_hist. */
struct ebt_syscall_hist {
	ebt_u64 ts;
	ebt_u64 count;
	ebt_u64 total_ns;
	ebt_u64 max_ns;
	ebt_u32 nr;
	ebt_u32 _pad;
	ebt_u64 slots[EBT_HIST_SLOTS];
};
_Static_assert(sizeof(struct ebt_syscall_hist) == 360, "ebt_syscall_hist");

/* Written by the recorder from the build host's syscall table. */
struct ebt_syscall_name {
	ebt_u64 ts;
	ebt_u32 nr;
	char name[EBT_SYSCALL_NAME_LEN];
	ebt_u32 _pad;
};
_Static_assert(sizeof(struct ebt_syscall_name) == 48, "ebt_syscall_name");

struct ebt_tcp_state {
	ebt_u64 ts;
	ebt_u64 skaddr;
	ebt_u32 pid;
	ebt_u16 family;
	ebt_u16 sport;
	ebt_u16 dport;
	ebt_u8 oldstate;
	ebt_u8 newstate;
	char comm[EBT_COMM_LEN];
	ebt_u8 saddr[16];
	ebt_u8 daddr[16];
	ebt_u32 _pad;
};
_Static_assert(sizeof(struct ebt_tcp_state) == 80, "ebt_tcp_state");

#define EBT_TCP_LIFE_ESTABLISHED 0x1
#define EBT_TCP_LIFE_ACTIVE 0x2
#define EBT_TCP_LIFE_START_SEEN 0x4

struct ebt_tcp_life {
	ebt_u64 ts;
	ebt_u64 start_ns;
	ebt_u64 duration_ns;
	ebt_u64 skaddr;
	ebt_u64 tx_bytes;
	ebt_u64 rx_bytes;
	ebt_u32 segs_out;
	ebt_u32 segs_in;
	ebt_u32 pid;
	ebt_u16 family;
	ebt_u16 sport;
	ebt_u16 dport;
	ebt_u8 flags;
	ebt_u8 _pad0;
	char comm[EBT_COMM_LEN];
	ebt_u8 saddr[16];
	ebt_u8 daddr[16];
	ebt_u32 uid; /* the socket's owner (sk_uid) */
};
_Static_assert(sizeof(struct ebt_tcp_life) == 120, "ebt_tcp_life");

struct ebt_udp {
	ebt_u64 ts;
	ebt_u64 skaddr;
	ebt_u32 pid;
	ebt_u32 tid;
	ebt_u32 bytes;
	ebt_u16 family;
	ebt_u16 sport;
	ebt_u16 dport;
	ebt_u8 dir; /* 0 send, 1 receive */
	ebt_u8 _pad0;
	char comm[EBT_COMM_LEN];
	ebt_u8 saddr[16];
	ebt_u8 daddr[16];
	ebt_u32 uid; /* the socket's owner (sk_uid) */
};
_Static_assert(sizeof(struct ebt_udp) == 88, "ebt_udp");

struct ebt_exec {
	ebt_u64 ts;
	ebt_u32 pid;
	ebt_u32 ppid;
	ebt_u32 uid;
	char comm[EBT_COMM_LEN];
	char filename[EBT_PATH_LEN];
	char args[EBT_ARGS_LEN]; /* raw argv (NUL-separated) in the ring; spaces on disk */
	ebt_u32 _pad;
};
_Static_assert(sizeof(struct ebt_exec) == 552, "ebt_exec");

struct ebt_fork {
	ebt_u64 ts;
	ebt_u32 pid;
	ebt_u32 child_pid;
	char comm[EBT_COMM_LEN];
};
_Static_assert(sizeof(struct ebt_fork) == 32, "ebt_fork");

struct ebt_exit {
	ebt_u64 ts;
	ebt_u32 pid;
	ebt_u32 ppid;
	ebt_s32 status;
	char comm[EBT_COMM_LEN];
	ebt_u32 _pad;
};
_Static_assert(sizeof(struct ebt_exit) == 40, "ebt_exit");

#endif /* EBPFTRACE_EVENTS_H */
