/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the query language can ask about. Each kind of row
 * (opens, syscalls, TCP connections, ...) has a fixed list of columns with
 * a dimension (a duration, a size, a time, text, ...), the words people
 * use for it, and how the two executors get it: the scanner from a trace
 * record field (bound by name in each trace's schema) and the SQL compiler
 * from an expression over the index's table. One table drives the parser,
 * the scanner, the SQL compiler and the documentation's column lists, so
 * the scan and the index cannot drift apart.
 */
#ifndef EBPFQUERY_CATALOG_H
#define EBPFQUERY_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum qkind {
	QK_OPENS,
	QK_SYSCALLS,
	QK_SYSCALL_HIST,
	QK_TCP,
	QK_TCP_STATES,
	QK_UDP,
	QK_UDP_FLOWS,
	QK_PROCESSES,
	QK_LOST,
	QK__COUNT
};

/* What a column's values measure: decides units in comparisons and the
 * way values are shown. */
enum qdim {
	QD_INT,
	QD_DURATION, /* ns */
	QD_SIZE,     /* bytes */
	QD_TIME,     /* boottime ns of the session's host */
	QD_TEXT,
	QD_ADDR,     /* IP address, as text */
	QD_HEX,      /* an integer shown in hex */
	QD_BOOL,     /* 0 or 1 */
};

/* Integer columns whose values have names (ENOENT, ESTABLISHED, ...). */
enum qsym {
	QS_NONE,
	QS_ERRNO,
	QS_TCPSTATE,
	QS_SIGNAL,
	QS_FAMILY,
	QS_DIR,
	QS_RET, /* a result that is -errno when negative: named only in tables */
};

#define QC_SHOW 0x1  /* among the columns a row query prints */
#define QC_GROUP 0x2 /* can be grouped by (count ... by X) */
#define QC_NULL 0x4  /* 0 means unknown: shown empty, NULL in the index */

struct qcol {
	const char *name;    /* machine name: JSON/CSV key, SQL result column */
	const char *label;   /* table header */
	const char *aliases; /* other names people use, space-separated */
	uint8_t dim;	     /* enum qdim */
	uint8_t sym;	     /* enum qsym */
	uint8_t flags;	     /* QC_* */
	const char *sql;     /* expression over the kind's table (alias e) */
};

struct qkind_desc {
	const char *name;    /* canonical: "opens" */
	const char *phrases; /* spellings, '|'-separated, longest first */
	const char *table;   /* the index's table */
	const char *what;    /* one line for --explain and errors */
	const struct qcol *cols;
	size_t ncols;
	int time_col;	/* the column a time range applies to */
	int metric;	/* compared by a bare `> 1ms` / `longer than`; -1 none */
	int weight;	/* count sums this column instead of counting rows; -1 */
	int path_col;	/* `of GLOB`; -1 none */
	int name_col;	/* `named X`: the syscall name, or the comm */
	int comm_col, pid_col, tid_col, uid_col;
	int saddr_col, sport_col, daddr_col, dport_col;
	int ret_col;	/* `failed` / `successful`: ret < 0 / >= 0; -1 none */
	/* Row order after the session: column names, '-' for descending,
	 * then the order rows were produced in (reader order; in the index,
	 * rowid). Empty: that order alone. */
	const char *order;
};

extern const struct qkind_desc qkinds[QK__COUNT];

/* Column index by name or alias (case-insensitive), or -1. */
int qkind__find_col(enum qkind k, const char *name, size_t len);
/* Is word one of the space-separated words of list? (case-insensitive) */
bool qword_in(const char *list, const char *word, size_t len);

/* Named values of a symbolic column: number by name (case-insensitive;
 * "ENOENT", "established", "KILL", "SIGKILL", "ipv4"), -1 when unknown. */
int64_t qsym__value(enum qsym sym, const char *name, size_t len);
/* The name of a value, or NULL (then shown as a number). */
const char *qsym__name(enum qsym sym, int64_t v);
/* Some names of a symbolic column, for suggestions: fills up to max, returns
 * how many. */
size_t qsym__names(enum qsym sym, const char **out, size_t max);

#endif
