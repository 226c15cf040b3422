/* SPDX-License-Identifier: MIT */
/*
 * The reliability suite (tests/reliability/README.md): one program that
 * runs the recorder, replay and query against overload, faults, a long
 * run, hostile input, sanitizers, redaction and a hostile /tmp, checks
 * every outcome and prints one table of figures at the end.
 */
#ifndef REL_H
#define REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/trace.h"

/* ---- where things are, and how long to go on --------------------------- */

struct rel_env {
	bool full;                   /* the full form: long run, long fuzzing, many kills */
	char src[512];               /* the source tree */
	char record[512], replay[512], query[512];         /* build/bin */
	char san_record[512], san_replay[512], san_query[512]; /* build-san/bin, or "" */
	char workloads[512];         /* build/samples/workloads */
	char fuzz_dir[512];          /* build-fuzz */
	char self[512];              /* this program (for its workload helpers) */
	char tmp[128];               /* a private temporary directory */
	unsigned kill_runs;          /* SIGKILL runs */
	unsigned long_seconds;       /* the long run */
	unsigned fuzz_seconds;       /* per fuzz target */
	unsigned opens_per_worker;   /* overload */
	unsigned seed;
};
extern struct rel_env env;

/* The figures of the final table. */
struct rel_figures {
	/* load */
	uint64_t generated, recorded, lost, unaccounted;
	double offered_rate; /* events/s the workloads made, best run */
	unsigned overload_runs;
	/* faults */
	unsigned fault_runs, fault_ok;
	unsigned kills, kills_during_start;
	/* damage */
	unsigned files_checked, files_damaged, files_damaged_detected, files_recovered;
	/* long run */
	double long_minutes, rss_first_kib, rss_max_kib, rss_last_kib, rss_slope_kib_min;
	unsigned rss_samples;
	/* bad input */
	unsigned crafted_files, crafted_runs, crafted_ok;
	uint64_t max_tool_rss_kib;
	uint64_t fuzz_execs;
	unsigned fuzz_targets, fuzz_crashes;
	unsigned fuzz_seconds;
	/* sanitizers */
	unsigned san_runs, san_clean;
	/* privacy, privilege */
	unsigned privacy_checks, privacy_ok;
	unsigned priv_checks, priv_ok;
};
extern struct rel_figures fig;

/* ---- checks --------------------------------------------------------------- */

/* Prints "  ok   WHAT" or "  FAIL WHAT: why" and counts it; returns ok. */
bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An indented note (figures, what happened). */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern unsigned rel_checks, rel_failures;

/* ---- processes ------------------------------------------------------------ */

struct spawn_opts {
	const char *out;   /* stdout to this file ("/dev/null" when NULL) */
	const char *err;   /* stderr to this file ("/dev/null" when NULL) */
	int in_fd;         /* stdin from this fd (-1: /dev/null) */
	long fsize;        /* RLIMIT_FSIZE when > 0 */
	uid_t uid;         /* drop to uid/gid when > 0 */
	gid_t gid;
	const char *hostname; /* run in a new UTS namespace with this hostname */
	const char *const *setenv; /* NAME=VALUE... NULL-terminated, added */
};

struct proc_result {
	bool exited;     /* exit() or return from main */
	int code;        /* exit code, or 128 + signal */
	int sig;         /* the signal that ended it, 0 */
	bool timed_out;  /* killed by us past the timeout */
	long maxrss_kib;
	double seconds;
};

pid_t spawn(const char *const *argv, const struct spawn_opts *o);
/* Waits up to timeout_ms (0: forever), SIGKILLing it past that. */
void reap(pid_t pid, unsigned timeout_ms, struct proc_result *r);
/* SIGKILLs every child spawned and not reaped yet (an interrupted suite). */
void kill_children(void);
/* spawn + reap. */
void run(const char *const *argv, const struct spawn_opts *o, unsigned timeout_ms,
	 struct proc_result *r);
/* "exit 3", "killed by SIGSEGV", "timed out". */
const char *proc_status(const struct proc_result *r);

/* ---- files and time ----------------------------------------------------------- */

char *slurp(const char *path, size_t *len); /* malloc'd, NUL-terminated; NULL when absent */
bool file_has(const char *path, const char *needle);
/* Waits until path contains needle. */
bool wait_for_text(const char *path, const char *needle, unsigned timeout_ms);
void sleep_ms(unsigned ms);
uint64_t boot_ns(void);
uint64_t mono_ns(void);
/* A fresh directory under env.tmp; the caller frees the string. */
char *scratch_dir(const char *tag);
void rm_rf(const char *path);
/* The line of text that holds needle, into out. */
bool line_with(const char *text, const char *needle, char *out, size_t len);
/* stderr of a tool: each line starts with prefix, and there is at least
 * one when need_one; *why says what is wrong. */
bool lines_ok(const char *text, const char *prefix, bool need_one, const char **why);

/* ---- the kernel after a run ------------------------------------------------------ */

/* NULL when no ebt_ program, map or link is left that no live process
 * holds (objects held by a live process belong to a recorder running now,
 * ours or another engineer's); else what is left. Waits up to wait_ms for
 * the kernel's deferred frees. */
const char *bpf_leftover(unsigned wait_ms);

/* ---- traces ------------------------------------------------------------------------ */

/* What a file is, block by block, read from FORMAT.md alone (not through
 * libebpftrace): the truth --verify must tell. */
struct walk {
	bool exists;
	bool header_ok;   /* magic and header checksum */
	uint64_t size;
	uint64_t blocks, chunks, chunk_events; /* intact ones */
	uint64_t damaged; /* bad headers (stretches), bad payload checksums */
	bool torn;        /* ends in a block cut short */
	bool indexed;     /* ends in a TRAILER whose INDEX ends where it starts */
	bool intact;      /* header_ok, nothing damaged, not torn */
};
void walk_file(const char *path, struct walk *w);

/* Reads every event with the library. 0, or the error that stopped it. */
struct readback {
	uint64_t events;
	uint64_t damage_reports;
	struct trace_reader_stats st;
};
int read_back(const char *path, struct readback *rb);
/* ebpf-replay --verify: its exit code (2 damaged, 0 intact). */
int replay_verify(const char *path);

/* ---- workloads (this program, run as a helper: main.c) --------------------------------- */

/* argv for the helper: SELF --helper NAME ARGS... */
int helper_main(int argc, char **argv);

/* ---- crafted traces (craft.c) ----------------------------------------------------------- */

/* What --verify may say of a crafted file, a bit per exit code. */
#define EXPECT_INTACT (1u << 0)  /* valid, however hostile: 0 */
#define EXPECT_REFUSED (1u << 1) /* not readable at all: 1, and one line */
#define EXPECT_DAMAGED (1u << 2) /* damage found: 2, and the tools report it */

struct craft_case {
	char name[48];
	char path[512];    /* the file, or a segment set's base name */
	unsigned expect;   /* EXPECT_* bits */
	const char *what;  /* one line */
	uint64_t events;   /* a valid file: events a reader must read (0: not checked) */
	bool heavy;        /* a large decoded size: fewer tools run on it */
};

/* Writes every hand-made malicious trace under dir; returns how many
 * (cases points into a static array), or -1. */
int craft_all(const char *dir, struct craft_case **cases);

/* ---- overload runs (overload.c), used by the faults too ------------------------------- */

struct load_opts {
	const char *tag;
	int workers;            /* wl_opens processes, at most 8 */
	unsigned n;             /* opens each */
	const char *ring;       /* --ring-size */
	unsigned stop_ms;       /* SIGSTOP the recorder this long under the load */
	const char *segment_size; /* --segment-size, or NULL */
	const char *keep;       /* --keep, or NULL */
};
bool overload_run(const struct load_opts *o);

/* ---- the sections ---------------------------------------------------------------------- */

void section_overload(void);
void section_faults(void);
void section_long_run(void);
void section_bad_input(void);
void section_sanitizers(void);
void section_privacy(void);
void section_privilege(void);

#endif /* REL_H */
