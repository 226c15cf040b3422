// SPDX-License-Identifier: MIT
/* The kinds of rows the query language knows, their columns, and the names
 * of symbolic values. */
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "query/catalog.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Column order is the order of output. */
static const struct qcol open_cols[] = {
	{ "ts", "TIME", "time when start", QD_TIME, 0, QC_SHOW, "e.ts" },
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "tid", "TID", "thread", QD_INT, 0, QC_GROUP, "e.tid" },
	{ "uid", "UID", "user", QD_INT, 0, QC_GROUP, "e.uid" },
	{ "comm", "COMM", "command program name", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "call", "CALL", "syscall", QD_TEXT, 0, QC_GROUP, "e.call" },
	{ "latency_ns", "LATENCY", "latency lat duration time_taken", QD_DURATION, 0, QC_SHOW,
	  "e.latency_ns" },
	{ "ret", "RET", "result fd return", QD_INT, QS_RET, QC_SHOW | QC_GROUP, "e.ret" },
	{ "errno", "ERRNO", "error err", QD_INT, QS_ERRNO, QC_GROUP,
	  "(CASE WHEN e.ret < 0 THEN -e.ret END)" },
	{ "dirfd", "DIRFD", "", QD_INT, 0, QC_GROUP, "e.dirfd" },
	{ "flags", "FLAGS", "", QD_HEX, 0, QC_GROUP, "e.flags" },
	{ "mode", "MODE", "", QD_HEX, 0, QC_GROUP, "e.mode" },
	{ "path", "PATH", "file filename", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.path" },
};

static const struct qcol syscall_cols[] = {
	{ "ts", "TIME", "time when start", QD_TIME, 0, QC_SHOW, "e.ts" },
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "tid", "TID", "thread", QD_INT, 0, QC_GROUP, "e.tid" },
	{ "comm", "COMM", "command program", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "name", "SYSCALL", "syscall call", QD_TEXT, 0, QC_SHOW | QC_GROUP, "n.name" },
	{ "nr", "NR", "number", QD_INT, 0, QC_GROUP, "e.nr" },
	{ "latency_ns", "LATENCY", "latency lat duration", QD_DURATION, 0, QC_SHOW,
	  "e.latency_ns" },
	{ "ret", "RET", "result return", QD_INT, QS_RET, QC_SHOW | QC_GROUP, "e.ret" },
	{ "errno", "ERRNO", "error err", QD_INT, QS_ERRNO, QC_GROUP,
	  "(CASE WHEN e.ret < 0 AND e.ret >= -4095 THEN -e.ret END)" },
};

/* Rows of the summary; the per-slot form has its own fixed columns. */
static const struct qcol hist_cols[] = {
	{ "name", "SYSCALL", "syscall call", QD_TEXT, 0, QC_SHOW | QC_GROUP, "name" },
	{ "nr", "NR", "number", QD_INT, 0, QC_GROUP, "nr" },
	{ "calls", "CALLS", "count", QD_INT, 0, QC_SHOW, "calls" },
	{ "total_ns", "TOTAL", "total", QD_DURATION, 0, QC_SHOW, "total_ns" },
	{ "avg_ns", "AVG", "avg average mean", QD_DURATION, 0, QC_SHOW, "avg_ns" },
	{ "max_ns", "MAX", "max maximum", QD_DURATION, 0, QC_SHOW, "max_ns" },
};

static const struct qcol tcp_cols[] = {
	{ "start_ts", "START", "start started opened", QD_TIME, 0, QC_SHOW | QC_NULL,
	  "e.start_ts" },
	{ "end_ts", "END", "end ts time closed when", QD_TIME, 0, QC_SHOW, "e.end_ts" },
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "comm", "COMM", "command program", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "family", "FAMILY", "af", QD_INT, QS_FAMILY, QC_GROUP, "e.family" },
	{ "saddr", "SADDR", "src source laddr local local_addr", QD_ADDR, 0, QC_SHOW | QC_GROUP,
	  "e.saddr" },
	{ "sport", "SPORT", "lport local_port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.sport" },
	{ "daddr", "DADDR", "dst dest destination raddr remote remote_addr host", QD_ADDR, 0,
	  QC_SHOW | QC_GROUP, "e.daddr" },
	{ "dport", "DPORT", "rport remote_port port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.dport" },
	{ "tx_bytes", "TX", "tx sent bytes_sent out", QD_SIZE, 0, QC_SHOW, "e.tx_bytes" },
	{ "rx_bytes", "RX", "rx received bytes_received in", QD_SIZE, 0, QC_SHOW, "e.rx_bytes" },
	{ "segs_out", "SEGS_OUT", "", QD_INT, 0, 0, "e.segs_out" },
	{ "segs_in", "SEGS_IN", "", QD_INT, 0, 0, "e.segs_in" },
	{ "duration_ns", "DURATION", "duration lifetime age life", QD_DURATION, 0,
	  QC_SHOW | QC_NULL, "e.duration_ns" },
	{ "state", "STATE", "last_state", QD_INT, QS_TCPSTATE, QC_GROUP, "e.state" },
	{ "established", "ESTABLISHED", "", QD_BOOL, 0, QC_GROUP,
	  "((e.flags & 1) != 0)" },
	{ "active", "ACTIVE", "outgoing connect", QD_BOOL, 0, QC_GROUP, "((e.flags & 2) != 0)" },
	{ "closed", "CLOSED", "", QD_BOOL, 0, QC_GROUP, "((e.flags & 8) != 0)" },
	{ "skaddr", "SKADDR", "socket sk", QD_HEX, 0, 0, "e.skaddr" },
};

static const struct qcol tcp_state_cols[] = {
	{ "ts", "TIME", "time when", QD_TIME, 0, QC_SHOW, "e.ts" },
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "comm", "COMM", "command program", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "family", "FAMILY", "af", QD_INT, QS_FAMILY, QC_GROUP, "e.family" },
	{ "saddr", "SADDR", "src source laddr local", QD_ADDR, 0, QC_SHOW | QC_GROUP, "e.saddr" },
	{ "sport", "SPORT", "lport local_port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.sport" },
	{ "daddr", "DADDR", "dst dest destination raddr remote host", QD_ADDR, 0,
	  QC_SHOW | QC_GROUP, "e.daddr" },
	{ "dport", "DPORT", "rport remote_port port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.dport" },
	{ "oldstate", "OLD", "old from_state", QD_INT, QS_TCPSTATE, QC_SHOW | QC_GROUP,
	  "e.oldstate" },
	{ "newstate", "NEW", "new state to_state", QD_INT, QS_TCPSTATE, QC_SHOW | QC_GROUP,
	  "e.newstate" },
	{ "skaddr", "SKADDR", "socket sk", QD_HEX, 0, 0, "e.skaddr" },
};

static const struct qcol udp_cols[] = {
	{ "ts", "TIME", "time when", QD_TIME, 0, QC_SHOW, "e.ts" },
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "tid", "TID", "thread", QD_INT, 0, QC_GROUP, "e.tid" },
	{ "comm", "COMM", "command program", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "dir", "DIR", "direction", QD_INT, QS_DIR, QC_SHOW | QC_GROUP, "e.dir" },
	{ "family", "FAMILY", "af", QD_INT, QS_FAMILY, QC_GROUP, "e.family" },
	{ "saddr", "SADDR", "src source laddr local", QD_ADDR, 0, QC_SHOW | QC_GROUP, "e.saddr" },
	{ "sport", "SPORT", "lport local_port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.sport" },
	{ "daddr", "DADDR", "dst dest destination raddr remote host", QD_ADDR, 0,
	  QC_SHOW | QC_GROUP, "e.daddr" },
	{ "dport", "DPORT", "rport remote_port port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.dport" },
	{ "bytes", "BYTES", "size length len", QD_SIZE, 0, QC_SHOW, "e.bytes" },
	{ "skaddr", "SKADDR", "socket sk", QD_HEX, 0, 0, "e.skaddr" },
};

static const struct qcol udp_flow_cols[] = {
	{ "first_ts", "FIRST", "first start ts time when", QD_TIME, 0, QC_SHOW, "e.first_ts" },
	{ "last_ts", "LAST", "last end", QD_TIME, 0, QC_SHOW, "e.last_ts" },
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "comm", "COMM", "command program", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "family", "FAMILY", "af", QD_INT, QS_FAMILY, QC_GROUP, "e.family" },
	{ "saddr", "SADDR", "src source laddr local", QD_ADDR, 0, QC_SHOW | QC_GROUP, "e.saddr" },
	{ "sport", "SPORT", "lport local_port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.sport" },
	{ "daddr", "DADDR", "dst dest destination raddr remote host", QD_ADDR, 0,
	  QC_SHOW | QC_GROUP, "e.daddr" },
	{ "dport", "DPORT", "rport remote_port port", QD_INT, 0, QC_SHOW | QC_GROUP, "e.dport" },
	{ "tx_bytes", "TX", "tx sent out", QD_SIZE, 0, QC_SHOW, "e.tx_bytes" },
	{ "rx_bytes", "RX", "rx received in", QD_SIZE, 0, QC_SHOW, "e.rx_bytes" },
	{ "bytes", "BYTES", "size total", QD_SIZE, 0, 0, "(e.tx_bytes + e.rx_bytes)" },
	{ "tx_packets", "TX_PKTS", "tx_pkts sent_packets", QD_INT, 0, QC_SHOW, "e.tx_packets" },
	{ "rx_packets", "RX_PKTS", "rx_pkts received_packets", QD_INT, 0, QC_SHOW,
	  "e.rx_packets" },
	{ "packets", "PACKETS", "datagrams pkts", QD_INT, 0, 0, "(e.tx_packets + e.rx_packets)" },
	{ "skaddr", "SKADDR", "socket sk", QD_HEX, 0, 0, "e.skaddr" },
};

static const struct qcol proc_cols[] = {
	{ "pid", "PID", "process", QD_INT, 0, QC_SHOW | QC_GROUP, "e.pid" },
	{ "ppid", "PPID", "parent", QD_INT, 0, QC_SHOW | QC_GROUP, "e.ppid" },
	{ "uid", "UID", "user", QD_INT, 0, QC_GROUP, "e.uid" },
	{ "comm", "COMM", "command program name", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.comm" },
	{ "start_ts", "START", "start started ts time when", QD_TIME, 0, QC_SHOW | QC_NULL,
	  "e.start_ts" },
	{ "exec_ts", "EXEC", "exec execed", QD_TIME, 0, QC_NULL, "e.exec_ts" },
	{ "exit_ts", "EXIT", "exit end ended", QD_TIME, 0, QC_SHOW | QC_NULL, "e.exit_ts" },
	{ "lifetime_ns", "LIFETIME", "lifetime duration age life", QD_DURATION, 0, QC_SHOW,
	  "(CASE WHEN e.start_ts IS NOT NULL AND e.exit_ts IS NOT NULL"
	  " THEN e.exit_ts - e.start_ts END)" },
	{ "exited", "EXITED", "", QD_BOOL, 0, QC_GROUP, "(e.exit_ts IS NOT NULL)" },
	{ "status", "STATUS", "exit_status wait_status", QD_INT, 0, QC_GROUP,
	  "(CASE WHEN e.exit_ts IS NOT NULL THEN e.exit_status END)" },
	{ "code", "CODE", "exit_code", QD_INT, 0, QC_SHOW | QC_GROUP,
	  "(CASE WHEN e.exit_ts IS NOT NULL THEN (e.exit_status >> 8) & 255 END)" },
	{ "signal", "SIGNAL", "sig killed_by", QD_INT, QS_SIGNAL, QC_SHOW | QC_GROUP,
	  "(CASE WHEN e.exit_ts IS NOT NULL THEN e.exit_status & 127 END)" },
	{ "filename", "FILENAME", "program exe executable binary", QD_TEXT, 0, QC_GROUP,
	  "e.filename" },
	{ "cmdline", "CMDLINE", "args arguments command_line", QD_TEXT, 0, QC_SHOW,
	  "e.cmdline" },
};

static const struct qcol lost_cols[] = {
	{ "ts", "TIME", "time end when", QD_TIME, 0, QC_SHOW, "e.ts" },
	{ "since_ts", "SINCE", "since start", QD_TIME, 0, QC_SHOW, "e.since_ts" },
	{ "probe", "PROBE", "", QD_TEXT, 0, QC_SHOW | QC_GROUP, "e.probe" },
	{ "cpu", "CPU", "", QD_INT, 0, QC_SHOW | QC_GROUP, "e.cpu" },
	{ "count", "COUNT", "events lost", QD_INT, 0, QC_SHOW, "e.count" },
};

#define KIND_COLS(c) c, N(c)

const struct qkind_desc qkinds[QK__COUNT] = {
	[QK_OPENS] = {
		.name = "opens",
		.phrases = "file opens|open calls|opens|open|opened files",
		.table = "opens",
		.what = "open/openat/openat2 calls (record type 'open')",
		KIND_COLS(open_cols),
		.time_col = 0, .metric = 6, .weight = -1, .path_col = 12, .name_col = 4,
		.comm_col = 4, .pid_col = 1, .tid_col = 2, .uid_col = 3,
		.saddr_col = -1, .sport_col = -1, .daddr_col = -1, .dport_col = -1,
		.ret_col = 7,
	},
	[QK_SYSCALLS] = {
		.name = "syscalls",
		.phrases = "system calls|system call|syscalls|syscall|calls",
		.table = "syscalls",
		.what = "system calls with their latency (record type 'syscall')",
		KIND_COLS(syscall_cols),
		.time_col = 0, .metric = 6, .weight = -1, .path_col = -1, .name_col = 4,
		.comm_col = 3, .pid_col = 1, .tid_col = 2, .uid_col = -1,
		.saddr_col = -1, .sport_col = -1, .daddr_col = -1, .dport_col = -1,
		.ret_col = 7,
	},
	[QK_SYSCALL_HIST] = {
		.name = "syscall histogram",
		.phrases = "syscall latency histograms|syscall latency histogram|"
			   "syscall histograms|syscall histogram|latency histograms|"
			   "latency histogram|histograms|histogram",
		.table = "syscall_hist",
		.what = "the kernel's per-syscall latency histograms (record type 'syscall_hist')",
		KIND_COLS(hist_cols),
		.time_col = -1, .metric = -1, .weight = -1, .path_col = -1, .name_col = 0,
		.comm_col = -1, .pid_col = -1, .tid_col = -1, .uid_col = -1,
		.saddr_col = -1, .sport_col = -1, .daddr_col = -1, .dport_col = -1,
		.ret_col = -1, .order = "-calls nr",
	},
	[QK_TCP] = {
		.name = "tcp connections",
		.phrases = "tcp connections|tcp connection|tcp conns|tcp sessions|tcp|connections",
		.table = "tcp_connections",
		.what = "TCP connections, one row each (from 'tcp_life' and 'tcp_state')",
		KIND_COLS(tcp_cols),
		.time_col = 1, .metric = 13, .weight = -1, .path_col = -1, .name_col = 3,
		.comm_col = 3, .pid_col = 2, .tid_col = -1, .uid_col = -1,
		.saddr_col = 5, .sport_col = 6, .daddr_col = 7, .dport_col = 8,
		.ret_col = -1, .order = "end_ts skaddr",
	},
	[QK_TCP_STATES] = {
		.name = "tcp state changes",
		.phrases = "tcp state changes|tcp state change|tcp state transitions|"
			   "tcp transitions|tcp states|state changes",
		.table = "tcp_states",
		.what = "TCP state transitions (record type 'tcp_state')",
		KIND_COLS(tcp_state_cols),
		.time_col = 0, .metric = -1, .weight = -1, .path_col = -1, .name_col = 2,
		.comm_col = 2, .pid_col = 1, .tid_col = -1, .uid_col = -1,
		.saddr_col = 4, .sport_col = 5, .daddr_col = 6, .dport_col = 7,
		.ret_col = -1,
	},
	[QK_UDP] = {
		.name = "udp datagrams",
		.phrases = "udp datagrams|udp packets|udp messages|datagrams",
		.table = "udp",
		.what = "UDP datagrams sent and received (record type 'udp')",
		KIND_COLS(udp_cols),
		.time_col = 0, .metric = 10, .weight = -1, .path_col = -1, .name_col = 3,
		.comm_col = 3, .pid_col = 1, .tid_col = 2, .uid_col = -1,
		.saddr_col = 6, .sport_col = 7, .daddr_col = 8, .dport_col = 9,
		.ret_col = -1,
	},
	[QK_UDP_FLOWS] = {
		.name = "udp flows",
		.phrases = "udp flows|udp flow|udp|flows",
		.table = "udp_flows",
		.what = "UDP flows: datagrams folded per socket and address pair",
		KIND_COLS(udp_flow_cols),
		.time_col = 0, .metric = 11, .weight = -1, .path_col = -1, .name_col = 3,
		.comm_col = 3, .pid_col = 2, .tid_col = -1, .uid_col = -1,
		.saddr_col = 5, .sport_col = 6, .daddr_col = 7, .dport_col = 8,
		.ret_col = -1, .order = "-bytes first_ts skaddr pid sport dport saddr daddr",
	},
	[QK_PROCESSES] = {
		.name = "processes",
		.phrases = "processes|process|procs",
		.table = "processes",
		.what = "processes: the /proc snapshot, forks, execs and exits",
		KIND_COLS(proc_cols),
		.time_col = 4, .metric = 7, .weight = -1, .path_col = 12, .name_col = 3,
		.comm_col = 3, .pid_col = 0, .tid_col = -1, .uid_col = 2,
		.saddr_col = -1, .sport_col = -1, .daddr_col = -1, .dport_col = -1,
		.ret_col = -1, .order = "start_ts pid",
	},
	[QK_LOST] = {
		.name = "lost events",
		.phrases = "lost events|lost records|dropped events|drops|lost",
		.table = "lost",
		.what = "events the recorder could not record, per probe and CPU",
		KIND_COLS(lost_cols),
		.time_col = 0, .metric = 4, .weight = 4, .path_col = -1, .name_col = 2,
		.comm_col = -1, .pid_col = -1, .tid_col = -1, .uid_col = -1,
		.saddr_col = -1, .sport_col = -1, .daddr_col = -1, .dport_col = -1,
		.ret_col = -1,
	},
};

bool qword_in(const char *list, const char *word, size_t len)
{
	const char *p = list;

	if (!len)
		return false;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == len && strncasecmp(p, word, len) == 0)
			return true;
		p = e;
	}
	return false;
}

int qkind__find_col(enum qkind k, const char *name, size_t len)
{
	const struct qkind_desc *d = &qkinds[k];

	for (size_t i = 0; i < d->ncols; i++)
		if (strlen(d->cols[i].name) == len && strncasecmp(d->cols[i].name, name, len) == 0)
			return (int)i;
	for (size_t i = 0; i < d->ncols; i++)
		if (qword_in(d->cols[i].aliases, name, len))
			return (int)i;
	return -1;
}

/* ---- symbolic values ------------------------------------------------------ */

static const char *const tcp_states[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT",	[3] = "SYN_RECV",  [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",   [6] = "TIME_WAIT", [7] = "CLOSE",	   [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",    [10] = "LISTEN",	[11] = "CLOSING",  [12] = "NEW_SYN_RECV",
};

static bool eq_ci(const char *a, const char *b, size_t blen)
{
	return a && strlen(a) == blen && strncasecmp(a, b, blen) == 0;
}

int64_t qsym__value(enum qsym sym, const char *name, size_t len)
{
	switch (sym) {
	case QS_ERRNO:
	case QS_RET:
		for (int e = 1; e < 4096; e++)
			if (eq_ci(strerrorname_np(e), name, len))
				return e;
		return -1;
	case QS_TCPSTATE:
		for (size_t s = 1; s < N(tcp_states); s++)
			if (eq_ci(tcp_states[s], name, len) ||
			    (len > 4 && strncasecmp(name, "TCP_", 4) == 0 &&
			     eq_ci(tcp_states[s], name + 4, len - 4)))
				return (int64_t)s;
		return -1;
	case QS_SIGNAL:
		for (int s = 1; s < NSIG; s++) {
			const char *ab = sigabbrev_np(s);
			if (eq_ci(ab, name, len) ||
			    (len > 3 && strncasecmp(name, "SIG", 3) == 0 && eq_ci(ab, name + 3, len - 3)))
				return s;
		}
		return -1;
	case QS_FAMILY:
		if (qword_in("ipv4 inet af_inet ip4 v4", name, len))
			return 2;
		if (qword_in("ipv6 inet6 af_inet6 ip6 v6", name, len))
			return 10;
		return -1;
	case QS_DIR:
		if (qword_in("send sent tx out", name, len))
			return 0;
		if (qword_in("receive recv received rx in", name, len))
			return 1;
		return -1;
	case QS_NONE:
		break;
	}
	return -1;
}

const char *qsym__name(enum qsym sym, int64_t v)
{
	switch (sym) {
	case QS_ERRNO:
		return v > 0 && v < 4096 ? strerrorname_np((int)v) : NULL;
	case QS_TCPSTATE:
		return v > 0 && (size_t)v < N(tcp_states) ? tcp_states[v] : NULL;
	case QS_SIGNAL:
		return v > 0 && v < NSIG ? sigabbrev_np((int)v) : NULL;
	case QS_FAMILY:
		return v == 2 ? "ipv4" : v == 10 ? "ipv6" : NULL;
	case QS_DIR:
		return v == 0 ? "send" : v == 1 ? "receive" : NULL;
	case QS_RET:
	case QS_NONE:
		break;
	}
	return NULL;
}

size_t qsym__names(enum qsym sym, const char **out, size_t max)
{
	size_t n = 0;

	switch (sym) {
	case QS_ERRNO:
	case QS_RET:
		for (int e = 1; e < 200 && n < max; e++)
			if (strerrorname_np(e))
				out[n++] = strerrorname_np(e);
		break;
	case QS_TCPSTATE:
		for (size_t s = 1; s < N(tcp_states) && n < max; s++)
			out[n++] = tcp_states[s];
		break;
	case QS_SIGNAL:
		for (int s = 1; s < 32 && n < max; s++)
			if (sigabbrev_np(s))
				out[n++] = sigabbrev_np(s);
		break;
	case QS_FAMILY:
		if (max >= 2) {
			out[n++] = "ipv4";
			out[n++] = "ipv6";
		}
		break;
	case QS_DIR:
		if (max >= 2) {
			out[n++] = "send";
			out[n++] = "receive";
		}
		break;
	case QS_NONE:
		break;
	}
	return n;
}
