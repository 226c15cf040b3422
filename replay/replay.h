/* SPDX-License-Identifier: MIT */
/*
 * libebpfreplay: the analyses ebpf-replay, ebpf-query and the dashboard
 * share. Each analysis is an opaque object fed one event at a time
 * (object__feed), whose results are read through accessors at any moment:
 * after a whole trace, or live, between two events. Memory is bounded by
 * what an analysis summarises (top-N tables, connections while open,
 * processes, syscalls), never by the number of events fed.
 *
 * Analyses find fields by name in each trace's own schema
 * (format/EVENTS.md) and cache the lookup per schema; a field missing from
 * an older trace reads as 0 or "" and the analysis degrades, it never fails.
 *
 * Conventions, as in libbpf and format/trace.h: int functions return 0 or a
 * negative errno; pointer functions return NULL and set errno; destructors
 * accept NULL. Pointers returned by accessors are borrowed and live until
 * the next feed, reset or free of the object they came from.
 */
#ifndef EBPFREPLAY_REPLAY_H
#define EBPFREPLAY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- field binding ----------------------------------------------------- */

/* Resolves a fixed list of field names in every schema it meets, once per
 * schema (cached by schema pointer). */
struct replay_binding;

/* type: the record type's name, or NULL to bind the fields in every type.
 * fields: nfields names; the array must outlive the binding. */
struct replay_binding *replay_binding__new(const char *type, const char *const *fields,
					   size_t nfields);
void replay_binding__free(struct replay_binding *b);
/* The fields of s in the order given to __new (NULL where s has no such
 * field), or NULL when s is not of the bound type. Borrowed until free. */
const struct trace_field_desc *const *replay_binding__resolve(struct replay_binding *b,
							       const struct trace_schema *s);

/* Field readers that accept a missing (NULL) field: 0 or "". */
uint64_t replay_field_u64(const struct trace_field_desc *f, const void *rec);
int64_t replay_field_i64(const struct trace_field_desc *f, const void *rec);
/* Copies a string field into buf (always NUL-terminated); returns buf. */
const char *replay_field_str(const struct trace_field_desc *f, const void *rec, char *buf,
			     size_t size);

/* Formats a 16-byte address field (family 2 or 10) as text; "-" when the
 * family is unknown. buf needs 46 bytes (INET6_ADDRSTRLEN). */
const char *replay_format_addr(uint16_t family, const uint8_t *addr, char *buf, size_t size);
/* "ESTABLISHED", "SYN_SENT", ... for a TCP state number, or "UNKNOWN". */
const char *replay_tcp_state_name(unsigned state);
/* "ENOENT", ... for a positive errno value, or NULL when unknown. */
const char *replay_errno_name(int err);

/* ---- log2 histograms --------------------------------------------------- */

/* Slot 0 counts values below 2, slot i (i > 0) those in [2^i, 2^(i+1)):
 * the layout of the recorder's in-kernel histograms (EVENTS.md). */
#define REPLAY_HIST_SLOTS 64

unsigned replay_log2_slot(uint64_t v);
/* Prints slots as bcc's print_log2_hist does ("nsecs : count
 * distribution" and star bars), from the first to the last non-empty slot. */
void replay_print_log2_hist(FILE *out, const uint64_t *slots, size_t nslots, const char *unit);

/* ---- event filter ------------------------------------------------------ */

/* Keeps events of one pid and/or one comm. Events of types without a pid
 * (or comm) field, and the format's lost records, always pass. */
struct replay_filter;

struct replay_filter *replay_filter__new(void);
void replay_filter__free(struct replay_filter *f);
/* pid < 0 clears the pid filter. */
void replay_filter__set_pid(struct replay_filter *f, int64_t pid);
/* NULL or "" clears the comm filter. Matches the comm exactly. */
int replay_filter__set_comm(struct replay_filter *f, const char *comm);
bool replay_filter__active(const struct replay_filter *f);
bool replay_filter__match(struct replay_filter *f, const struct trace_event *ev);

/* ---- syscall names ----------------------------------------------------- */

/* The recording host's syscall table, from `syscall_name` records. */
struct syscall_names;

struct syscall_names *syscall_names__new(void);
void syscall_names__free(struct syscall_names *n);
int syscall_names__feed(struct syscall_names *n, const struct trace_event *ev);
/* The name of nr, or NULL when the trace did not say. */
const char *syscall_names__get(const struct syscall_names *n, uint32_t nr);

/* ---- syscall latency histograms --------------------------------------- */

struct hist_analysis;

struct hist_analysis_opts {
	size_t sz;	  /* sizeof(struct hist_analysis_opts) */
	bool per_process; /* one histogram per (syscall, pid) from syscall events */
	/* Kernel snapshots (`syscall_hist`) are cumulative since the recording
	 * began: by default the latest one is the result. With interval, the
	 * first snapshot fed is subtracted (the events fed start mid-trace). */
	bool interval;
};

struct replay_hist {
	uint32_t nr;
	uint32_t pid;	   /* 0 unless per_process */
	const char *name;  /* syscall name, or NULL when unknown */
	char comm[16];	   /* of pid, when per_process */
	bool from_kernel;  /* built from syscall_hist snapshots */
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t slots[REPLAY_HIST_SLOTS];
};

struct hist_analysis *hist_analysis__new(const struct hist_analysis_opts *opts);
void hist_analysis__free(struct hist_analysis *h);
int hist_analysis__feed(struct hist_analysis *h, const struct trace_event *ev);
void hist_analysis__reset(struct hist_analysis *h);
/* The results start over from here while the feed goes on (a dashboard's
 * reset): event histograms are emptied, and each kernel histogram's
 * latest snapshot becomes the baseline later snapshots are measured from.
 * A kernel histogram's max_ns stays the largest since the recording began:
 * the kernel keeps no other. */
void hist_analysis__restart(struct hist_analysis *h);
/* Files that hold segments of one recording share a group (their kernel
 * counters continue each other); others default to group 0, and counters
 * that go backwards start a new recording. */
void hist_analysis__set_group(struct hist_analysis *h, uint16_t file, uint32_t group);
/* Histograms, most calls first (ties by nr, then pid). Borrowed until the
 * next feed, reset or free. */
size_t hist_analysis__count(struct hist_analysis *h);
const struct replay_hist *hist_analysis__at(struct hist_analysis *h, size_t i);

/* ---- file opens -------------------------------------------------------- */

struct opens_analysis;

struct opens_analysis_opts {
	size_t sz;
	size_t top_paths;   /* paths tracked (Space-Saving); 0: 1024 */
	size_t top_slowest; /* slowest opens kept; 0: 20 */
};

struct opens_totals {
	uint64_t count;
	uint64_t failures;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t slots[REPLAY_HIST_SLOTS]; /* latency, ns */
};

/* A path, or a comm, with its opens. count is exact when error is 0; it
 * overestimates by at most error when the table overflowed. */
struct opens_key {
	const char *key;
	uint64_t count;
	uint64_t failures;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t error;
};

struct opens_call {
	uint64_t ts;
	uint64_t latency_ns;
	uint32_t pid, tid, uid;
	int32_t ret;
	int32_t dirfd;
	uint32_t flags, mode;
	uint16_t file;
	char call[8];
	char comm[16];
	char path[256];
};

struct opens_errno {
	int err;	    /* positive errno */
	uint64_t count;
	char path[256];	    /* the most recent path that failed so */
};

struct opens_analysis *opens_analysis__new(const struct opens_analysis_opts *opts);
void opens_analysis__free(struct opens_analysis *a);
int opens_analysis__feed(struct opens_analysis *a, const struct trace_event *ev);
void opens_analysis__reset(struct opens_analysis *a);
void opens_analysis__totals(const struct opens_analysis *a, struct opens_totals *t);
/* By count, most first. */
size_t opens_analysis__npaths(struct opens_analysis *a);
const struct opens_key *opens_analysis__path_at(struct opens_analysis *a, size_t i);
size_t opens_analysis__ncomms(struct opens_analysis *a);
const struct opens_key *opens_analysis__comm_at(struct opens_analysis *a, size_t i);
/* Slowest first. */
size_t opens_analysis__nslowest(struct opens_analysis *a);
const struct opens_call *opens_analysis__slowest_at(struct opens_analysis *a, size_t i);
/* By count, most first. */
size_t opens_analysis__nerrnos(struct opens_analysis *a);
const struct opens_errno *opens_analysis__errno_at(struct opens_analysis *a, size_t i);

/* ---- TCP connections --------------------------------------------------- */

#define TCP_CONN_ESTABLISHED 0x1 /* reached ESTABLISHED */
#define TCP_CONN_ACTIVE 0x2	 /* active open (connect) */
#define TCP_CONN_START_SEEN 0x4	 /* began during the trace */
#define TCP_CONN_CLOSED 0x8	 /* reached CLOSE during the trace */
#define TCP_CONN_LIFE 0x10	 /* bytes and segments known (tcp_life) */

struct tcp_conn {
	uint64_t skaddr;
	uint64_t start_ns;    /* boottime; 0 when it predates the trace */
	uint64_t end_ns;      /* close, or the last state change seen */
	uint64_t duration_ns; /* 0 when start or end is unknown */
	uint64_t tx_bytes, rx_bytes;
	uint32_t segs_out, segs_in;
	uint32_t pid;
	uint16_t family, sport, dport;
	uint16_t file;
	uint8_t flags; /* TCP_CONN_* */
	uint8_t state; /* last state seen */
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct tcp_totals {
	uint64_t closed;
	uint64_t never_established; /* closed without reaching ESTABLISHED */
	uint64_t open;		    /* still open at the last event fed */
	uint64_t tx_bytes, rx_bytes;
	uint64_t state_changes;
	uint64_t lifetime_slots[REPLAY_HIST_SLOTS]; /* closed ones with a known start, ns */
};

typedef void (*tcp_conn_fn)(const struct tcp_conn *c, void *ctx);

struct tcp_analysis_opts {
	size_t sz;
	size_t keep_closed;  /* most recent closed connections kept; 0: 10000 */
	size_t top_longest;  /* longest closed connections kept; 0: 20 */
	tcp_conn_fn on_close; /* every connection as it closes */
	void *ctx;
};

struct tcp_analysis *tcp_analysis__new(const struct tcp_analysis_opts *opts);
void tcp_analysis__free(struct tcp_analysis *a);
int tcp_analysis__feed(struct tcp_analysis *a, const struct trace_event *ev);
void tcp_analysis__reset(struct tcp_analysis *a);
/* The input ended: a close seen only as a state change stops waiting (up to
 * 100 ms of trace time) for its tcp_life record and counts as final. */
void tcp_analysis__finish(struct tcp_analysis *a);
void tcp_analysis__totals(const struct tcp_analysis *a, struct tcp_totals *t);
/* Open connections, oldest start first. */
size_t tcp_analysis__nopen(struct tcp_analysis *a);
const struct tcp_conn *tcp_analysis__open_at(struct tcp_analysis *a, size_t i);
/* The most recent closed connections, in close order (oldest first);
 * *dropped (may be NULL) says how many older ones were let go. */
size_t tcp_analysis__nclosed(const struct tcp_analysis *a, uint64_t *dropped);
const struct tcp_conn *tcp_analysis__closed_at(const struct tcp_analysis *a, size_t i);
/* Longest closed connections, longest first. */
size_t tcp_analysis__nlongest(struct tcp_analysis *a);
const struct tcp_conn *tcp_analysis__longest_at(struct tcp_analysis *a, size_t i);

/* ---- UDP flows --------------------------------------------------------- */

struct udp_flow {
	uint64_t skaddr;
	uint64_t first_ns, last_ns;
	uint64_t tx_bytes, rx_bytes;
	uint64_t tx_packets, rx_packets;
	uint32_t pid;
	uint16_t family, sport, dport;
	uint16_t file;
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct udp_totals {
	uint64_t packets;
	uint64_t tx_bytes, rx_bytes;
	uint64_t flows;
	uint64_t overflow_packets; /* datagrams of flows past max_flows, counted here only */
	uint64_t overflow_bytes;
};

struct udp_analysis_opts {
	size_t sz;
	size_t max_flows; /* 0: 65536 */
};

struct udp_analysis *udp_analysis__new(const struct udp_analysis_opts *opts);
void udp_analysis__free(struct udp_analysis *a);
int udp_analysis__feed(struct udp_analysis *a, const struct trace_event *ev);
void udp_analysis__reset(struct udp_analysis *a);
void udp_analysis__totals(const struct udp_analysis *a, struct udp_totals *t);
/* By bytes (tx + rx), most first. */
size_t udp_analysis__nflows(struct udp_analysis *a);
const struct udp_flow *udp_analysis__flow_at(struct udp_analysis *a, size_t i);

/* ---- processes --------------------------------------------------------- */

#define PROC_SNAPSHOT 0x1 /* in the /proc snapshot */
#define PROC_FORKED 0x2	  /* fork seen */
#define PROC_EXECED 0x4	  /* exec seen */
#define PROC_EXITED 0x8	  /* exit seen; exit_status valid */

struct proc_info {
	uint32_t pid, ppid, uid;
	uint16_t file;
	uint8_t flags; /* PROC_* */
	int32_t exit_status; /* wait(2) status: (code << 8) | signal */
	uint64_t start_ns;   /* process start (snapshot) or fork, boottime; 0 unknown */
	uint64_t exec_ns;    /* last exec, 0 none */
	uint64_t exit_ns;    /* 0 still running at the end */
	uint64_t events;     /* events of any type naming this pid */
	char comm[16];
	const char *cmdline; /* "" when unknown */
	const char *filename; /* the program of the last exec, "" when none */
};

struct procs_analysis;

struct procs_analysis *procs_analysis__new(void);
void procs_analysis__free(struct procs_analysis *a);
int procs_analysis__feed(struct procs_analysis *a, const struct trace_event *ev);
void procs_analysis__reset(struct procs_analysis *a);
/* In order of first appearance; a reused pid is a new entry. */
size_t procs_analysis__count(const struct procs_analysis *a);
const struct proc_info *procs_analysis__at(const struct procs_analysis *a, size_t i);
/* The latest process with this pid, or NULL. */
const struct proc_info *procs_analysis__find(const struct procs_analysis *a, uint32_t pid);

/* ---- event rates over time -------------------------------------------- */

struct timeline;

struct timeline_opts {
	size_t sz;
	uint64_t bucket_ns; /* initial width; 0: 1 ms. Doubles as needed. */
	size_t max_buckets; /* 0: 512 */
};

#define TIMELINE_MAX_TYPES 32 /* more type names fold into "other" */

struct timeline *timeline__new(const struct timeline_opts *opts);
void timeline__free(struct timeline *t);
int timeline__feed(struct timeline *t, const struct trace_event *ev);
void timeline__reset(struct timeline *t);
/* Boottime of bucket 0 and of the first and last events fed. */
uint64_t timeline__start_ns(const struct timeline *t);
uint64_t timeline__first_ns(const struct timeline *t);
uint64_t timeline__last_ns(const struct timeline *t);
uint64_t timeline__bucket_ns(const struct timeline *t);
size_t timeline__nbuckets(const struct timeline *t);
size_t timeline__ntypes(const struct timeline *t);
const char *timeline__type_name(const struct timeline *t, size_t type);
uint64_t timeline__type_total(const struct timeline *t, size_t type);
uint64_t timeline__count(const struct timeline *t, size_t bucket, size_t type);
/* All types in one bucket. */
uint64_t timeline__bucket_total(const struct timeline *t, size_t bucket);
/* Events lost (from lost records ending in the bucket). */
uint64_t timeline__lost(const struct timeline *t, size_t bucket);
uint64_t timeline__total(const struct timeline *t);

/* ---- lost events ------------------------------------------------------- */

struct lost_probe {
	char probe[32];
	uint64_t count;	  /* events lost */
	uint64_t records; /* lost records */
	uint64_t first_ns; /* earliest interval start */
	uint64_t last_ns;  /* latest interval end */
	uint32_t cpus;	   /* CPUs that lost some */
};

struct lost_analysis;

struct lost_analysis *lost_analysis__new(void);
void lost_analysis__free(struct lost_analysis *a);
int lost_analysis__feed(struct lost_analysis *a, const struct trace_event *ev);
void lost_analysis__reset(struct lost_analysis *a);
uint64_t lost_analysis__total(const struct lost_analysis *a);
/* In order of first loss. */
size_t lost_analysis__nprobes(const struct lost_analysis *a);
const struct lost_probe *lost_analysis__probe_at(const struct lost_analysis *a, size_t i);
/* Events one probe lost on one CPU (0 when none). */
uint64_t lost_analysis__cpu_count(const struct lost_analysis *a, const char *probe, uint32_t cpu);

#ifdef __cplusplus
}
#endif

#endif /* EBPFREPLAY_REPLAY_H */
