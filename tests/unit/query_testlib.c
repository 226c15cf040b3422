// SPDX-License-Identifier: MIT
/* Traces with known contents for the query tests and benchmarks. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_testlib.h"

struct t_open {
	uint64_t ts, latency_ns;
	uint32_t pid, tid, uid;
	int32_t ret, dirfd;
	uint32_t flags, mode;
	char call[8], comm[16], path[256];
};

struct t_syscall {
	uint64_t ts, latency_ns;
	uint32_t pid, tid, nr, _pad;
	int64_t ret;
	char comm[16];
};

struct t_sysname {
	uint64_t ts;
	uint32_t nr, _pad;
	char name[32];
};

struct t_hist {
	uint64_t ts;
	uint32_t nr, _pad;
	uint64_t count, total_ns, max_ns;
	uint64_t slots[40];
};

struct t_tcp_state {
	uint64_t ts, skaddr;
	uint32_t pid;
	uint16_t family, sport, dport;
	uint8_t oldstate, newstate;
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct t_tcp_life {
	uint64_t ts, start_ns, duration_ns, skaddr, tx_bytes, rx_bytes;
	uint32_t segs_out, segs_in, pid;
	uint16_t family, sport, dport;
	uint8_t flags, _pad;
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct t_udp {
	uint64_t ts, skaddr;
	uint32_t pid, tid, bytes;
	uint16_t family, sport, dport;
	uint8_t dir, _pad;
	char comm[16];
	uint8_t saddr[16], daddr[16];
};

struct t_exec {
	uint64_t ts;
	uint32_t pid, ppid, uid;
	char comm[16], filename[256], args[256];
};

struct t_fork {
	uint64_t ts;
	uint32_t pid, child_pid;
	char comm[16];
};

struct t_exit {
	uint64_t ts;
	uint32_t pid, ppid;
	int32_t status;
	char comm[16];
};

#define FLD(S, f, T, H) \
	{ #f, TRACE_FIELD_##T, TRACE_HINT_##H, offsetof(struct S, f), sizeof(((struct S *)0)->f), 1 }
#define ARR(S, f, T, n) \
	{ #f, TRACE_FIELD_##T, TRACE_HINT_NONE, offsetof(struct S, f), sizeof(((struct S *)0)->f), n }

static const struct trace_field_desc open_f[] = {
	FLD(t_open, ts, U64, TIME),	 FLD(t_open, latency_ns, U64, DURATION),
	FLD(t_open, pid, U32, PID),	 FLD(t_open, tid, U32, NONE),
	FLD(t_open, uid, U32, NONE),	 FLD(t_open, ret, S32, ERRNO),
	FLD(t_open, dirfd, S32, NONE),	 FLD(t_open, flags, U32, HEX),
	FLD(t_open, mode, U32, HEX),	 FLD(t_open, call, STR, NONE),
	FLD(t_open, comm, STR, NONE),	 FLD(t_open, path, STR, NONE),
};
static const struct trace_field_desc syscall_f[] = {
	FLD(t_syscall, ts, U64, TIME),	 FLD(t_syscall, latency_ns, U64, DURATION),
	FLD(t_syscall, pid, U32, PID),	 FLD(t_syscall, tid, U32, NONE),
	FLD(t_syscall, nr, U32, NONE),	 FLD(t_syscall, ret, S64, ERRNO),
	FLD(t_syscall, comm, STR, NONE),
};
static const struct trace_field_desc sysname_f[] = {
	FLD(t_sysname, ts, U64, TIME), FLD(t_sysname, nr, U32, NONE),
	FLD(t_sysname, name, STR, NONE),
};
static const struct trace_field_desc hist_f[] = {
	FLD(t_hist, ts, U64, TIME),	     FLD(t_hist, nr, U32, NONE),
	FLD(t_hist, count, U64, NONE),	     FLD(t_hist, total_ns, U64, DURATION),
	FLD(t_hist, max_ns, U64, DURATION), ARR(t_hist, slots, U64, 40),
};
static const struct trace_field_desc tcp_state_f[] = {
	FLD(t_tcp_state, ts, U64, TIME),	FLD(t_tcp_state, skaddr, U64, HEX),
	FLD(t_tcp_state, pid, U32, PID),	FLD(t_tcp_state, family, U16, FAMILY),
	FLD(t_tcp_state, sport, U16, NONE),	FLD(t_tcp_state, dport, U16, NONE),
	FLD(t_tcp_state, oldstate, U8, NONE),	FLD(t_tcp_state, newstate, U8, NONE),
	FLD(t_tcp_state, comm, STR, NONE),	FLD(t_tcp_state, saddr, BYTES, IPADDR),
	FLD(t_tcp_state, daddr, BYTES, IPADDR),
};
static const struct trace_field_desc tcp_life_f[] = {
	FLD(t_tcp_life, ts, U64, TIME),		  FLD(t_tcp_life, start_ns, U64, BOOTTIME),
	FLD(t_tcp_life, duration_ns, U64, DURATION), FLD(t_tcp_life, skaddr, U64, HEX),
	FLD(t_tcp_life, tx_bytes, U64, BYTES),	  FLD(t_tcp_life, rx_bytes, U64, BYTES),
	FLD(t_tcp_life, segs_out, U32, NONE),	  FLD(t_tcp_life, segs_in, U32, NONE),
	FLD(t_tcp_life, pid, U32, PID),		  FLD(t_tcp_life, family, U16, FAMILY),
	FLD(t_tcp_life, sport, U16, NONE),	  FLD(t_tcp_life, dport, U16, NONE),
	FLD(t_tcp_life, flags, U8, HEX),	  FLD(t_tcp_life, comm, STR, NONE),
	FLD(t_tcp_life, saddr, BYTES, IPADDR),	  FLD(t_tcp_life, daddr, BYTES, IPADDR),
};
static const struct trace_field_desc udp_f[] = {
	FLD(t_udp, ts, U64, TIME),	    FLD(t_udp, skaddr, U64, HEX),
	FLD(t_udp, pid, U32, PID),	    FLD(t_udp, tid, U32, NONE),
	FLD(t_udp, bytes, U32, BYTES),	    FLD(t_udp, family, U16, FAMILY),
	FLD(t_udp, sport, U16, NONE),	    FLD(t_udp, dport, U16, NONE),
	FLD(t_udp, dir, U8, NONE),	    FLD(t_udp, comm, STR, NONE),
	FLD(t_udp, saddr, BYTES, IPADDR),   FLD(t_udp, daddr, BYTES, IPADDR),
};
static const struct trace_field_desc exec_f[] = {
	FLD(t_exec, ts, U64, TIME),	   FLD(t_exec, pid, U32, PID),
	FLD(t_exec, ppid, U32, PID),	   FLD(t_exec, uid, U32, NONE),
	FLD(t_exec, comm, STR, NONE),	   FLD(t_exec, filename, STR, NONE),
	FLD(t_exec, args, STR, NONE),
};
static const struct trace_field_desc fork_f[] = {
	FLD(t_fork, ts, U64, TIME), FLD(t_fork, pid, U32, PID), FLD(t_fork, child_pid, U32, PID),
	FLD(t_fork, comm, STR, NONE),
};
static const struct trace_field_desc exit_f[] = {
	FLD(t_exit, ts, U64, TIME),	FLD(t_exit, pid, U32, PID), FLD(t_exit, ppid, U32, PID),
	FLD(t_exit, status, S32, NONE), FLD(t_exit, comm, STR, NONE),
};

#define DESC(name, S, f) { name, sizeof(struct S), sizeof(f) / sizeof(f[0]), f }

enum { T_OPEN, T_SYSCALL, T_SYSNAME, T_HIST, T_TCPS, T_TCPL, T_UDP, T_EXEC, T_FORK, T_EXIT, T_N };

static const struct trace_schema_desc descs[T_N] = {
	DESC("open", t_open, open_f),		  DESC("syscall", t_syscall, syscall_f),
	DESC("syscall_name", t_sysname, sysname_f), DESC("syscall_hist", t_hist, hist_f),
	DESC("tcp_state", t_tcp_state, tcp_state_f), DESC("tcp_life", t_tcp_life, tcp_life_f),
	DESC("udp", t_udp, udp_f),		  DESC("exec", t_exec, exec_f),
	DESC("fork", t_fork, fork_f),		  DESC("exit", t_exit, exit_f),
};

struct qt_trace {
	struct trace_writer *w;
	int type[T_N];
};

static void die(const char *what, int err)
{
	fprintf(stderr, "query_testlib: %s: %s\n", what, trace_strerror(err));
	abort();
}

static void check(const char *what, int err)
{
	if (err < 0)
		die(what, err);
}

static void put(struct qt_trace *t, int type, const void *rec, size_t size)
{
	check("append", trace_writer__append(t->w, t->type[type], rec, size));
}

static void cpy(char *dst, size_t size, const char *src)
{
	memset(dst, 0, size);
	if (src)
		strncpy(dst, src, size - 1);
}

/* family from the text; address bytes into a. */
static uint16_t addr(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (!s)
		return 0;
	if (inet_pton(AF_INET, s, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, a) == 1)
		return AF_INET6;
	return 0;
}

struct qt_trace *qt_open(const char *path, const char *session_id, const char *hostname,
			 uint64_t start_ts, int64_t real_offset)
{
	struct qt_trace *t = calloc(1, sizeof(*t));
	struct trace_writer_opts o = { .sz = sizeof(o), .uid = -1, .gid = -1, .chunk_events = 4096 };

	if (!t)
		abort();
	t->w = trace_writer__open(path, &o);
	if (!t->w)
		die(path, -errno);
	if (session_id)
		check("meta", trace_writer__set_meta(t->w, "session.id", session_id));
	check("meta", trace_writer__set_meta(t->w, "host.hostname", hostname));
	check("meta", trace_writer__set_meta(t->w, "host.kernel_release", "6.1.0-test"));
	for (int i = 0; i < T_N; i++) {
		t->type[i] = trace_writer__add_type(t->w, &descs[i]);
		check(descs[i].name, t->type[i]);
	}
	struct trace_calibration c = { .boot_ns = start_ts, .real_ns = (int64_t)start_ts + real_offset };
	check("calibrate", trace_writer__calibrate(t->w, &c));
	return t;
}

struct trace_writer *qt_writer(struct qt_trace *t)
{
	return t->w;
}

void qt_open_ev(struct qt_trace *t, uint64_t ts, uint64_t lat, uint32_t pid, uint32_t uid,
		int32_t ret, const char *comm, const char *path)
{
	struct t_open r = { .ts = ts, .latency_ns = lat, .pid = pid, .tid = pid, .uid = uid,
			    .ret = ret, .dirfd = -100, .flags = 0x80000, .mode = 0 };
	cpy(r.call, sizeof(r.call), "openat");
	cpy(r.comm, sizeof(r.comm), comm);
	cpy(r.path, sizeof(r.path), path);
	put(t, T_OPEN, &r, sizeof(r));
}

void qt_syscall(struct qt_trace *t, uint64_t ts, uint64_t lat, uint32_t pid, uint32_t nr,
		int64_t ret, const char *comm)
{
	struct t_syscall r = { .ts = ts, .latency_ns = lat, .pid = pid, .tid = pid, .nr = nr,
			       .ret = ret };
	cpy(r.comm, sizeof(r.comm), comm);
	put(t, T_SYSCALL, &r, sizeof(r));
}

void qt_sysname(struct qt_trace *t, uint64_t ts, uint32_t nr, const char *name)
{
	struct t_sysname r = { .ts = ts, .nr = nr };
	cpy(r.name, sizeof(r.name), name);
	put(t, T_SYSNAME, &r, sizeof(r));
}

void qt_hist(struct qt_trace *t, uint64_t ts, uint32_t nr, uint64_t count, uint64_t total,
	     uint64_t max, const uint64_t *slots40)
{
	struct t_hist r = { .ts = ts, .nr = nr, .count = count, .total_ns = total, .max_ns = max };
	memcpy(r.slots, slots40, sizeof(r.slots));
	put(t, T_HIST, &r, sizeof(r));
}

void qt_tcp_state(struct qt_trace *t, uint64_t ts, uint64_t skaddr, uint32_t pid,
		  const char *comm, const char *saddr, uint16_t sport, const char *daddr,
		  uint16_t dport, uint8_t oldstate, uint8_t newstate)
{
	struct t_tcp_state r = { .ts = ts, .skaddr = skaddr, .pid = pid, .sport = sport,
				 .dport = dport, .oldstate = oldstate, .newstate = newstate };
	r.family = addr(saddr, r.saddr);
	addr(daddr, r.daddr);
	cpy(r.comm, sizeof(r.comm), comm);
	put(t, T_TCPS, &r, sizeof(r));
}

void qt_tcp_life(struct qt_trace *t, uint64_t start, uint64_t end, uint64_t skaddr,
		 uint32_t pid, const char *comm, const char *saddr, uint16_t sport,
		 const char *daddr, uint16_t dport, uint64_t tx, uint64_t rx, uint8_t flags)
{
	struct t_tcp_life r = { .ts = end, .start_ns = start,
				.duration_ns = start ? end - start : 0, .skaddr = skaddr,
				.tx_bytes = tx, .rx_bytes = rx, .segs_out = (uint32_t)(tx / 1000 + 1),
				.segs_in = (uint32_t)(rx / 1000 + 1), .pid = pid, .sport = sport,
				.dport = dport, .flags = flags };
	r.family = addr(saddr, r.saddr);
	addr(daddr, r.daddr);
	cpy(r.comm, sizeof(r.comm), comm);
	put(t, T_TCPL, &r, sizeof(r));
}

void qt_udp(struct qt_trace *t, uint64_t ts, uint64_t skaddr, uint32_t pid, const char *comm,
	    const char *saddr, uint16_t sport, const char *daddr, uint16_t dport,
	    uint32_t bytes, uint8_t dir)
{
	struct t_udp r = { .ts = ts, .skaddr = skaddr, .pid = pid, .tid = pid, .bytes = bytes,
			   .sport = sport, .dport = dport, .dir = dir };
	r.family = addr(saddr, r.saddr);
	addr(daddr, r.daddr);
	cpy(r.comm, sizeof(r.comm), comm);
	put(t, T_UDP, &r, sizeof(r));
}

void qt_process(struct qt_trace *t, uint64_t ts, uint64_t start, uint32_t pid, uint32_t ppid,
		const char *comm, const char *cmdline)
{
	struct trace_process p = { .ts = ts, .start_ns = start, .pid = pid, .ppid = ppid };
	cpy(p.comm, sizeof(p.comm), comm);
	cpy(p.cmdline, sizeof(p.cmdline), cmdline);
	check("process", trace_writer__process(t->w, &p));
}

void qt_fork(struct qt_trace *t, uint64_t ts, uint32_t parent, uint32_t child,
	     const char *comm)
{
	struct t_fork r = { .ts = ts, .pid = parent, .child_pid = child };
	cpy(r.comm, sizeof(r.comm), comm);
	put(t, T_FORK, &r, sizeof(r));
}

void qt_exec(struct qt_trace *t, uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm,
	     const char *filename, const char *args)
{
	struct t_exec r = { .ts = ts, .pid = pid, .ppid = ppid };
	cpy(r.comm, sizeof(r.comm), comm);
	cpy(r.filename, sizeof(r.filename), filename);
	cpy(r.args, sizeof(r.args), args);
	put(t, T_EXEC, &r, sizeof(r));
}

void qt_exit(struct qt_trace *t, uint64_t ts, uint32_t pid, uint32_t ppid, int32_t status,
	     const char *comm)
{
	struct t_exit r = { .ts = ts, .pid = pid, .ppid = ppid, .status = status };
	cpy(r.comm, sizeof(r.comm), comm);
	put(t, T_EXIT, &r, sizeof(r));
}

void qt_lost(struct qt_trace *t, uint64_t ts, uint64_t since, uint32_t cpu, uint64_t count,
	     const char *probe)
{
	struct trace_lost l = { .ts = ts, .since_ns = since, .count = count, .cpu = cpu };
	cpy(l.probe, sizeof(l.probe), probe);
	check("lost", trace_writer__lost(t->w, &l));
}

void qt_close(struct qt_trace *t)
{
	check("close", trace_writer__close(t->w));
	free(t);
}

#define MS 1000000ULL
#define US 1000ULL
#define SEC 1000000000ULL

void qt_example_trace(const char *path)
{
	const uint64_t T = QT_EXAMPLE_START;
	/* 2024-05-01T12:00:00Z at the first event. */
	struct qt_trace *t = qt_open(path, "5e55101100000000000000000000e8a1", "web1", T,
				     1714564800LL * 1000000000 - (int64_t)T);
	uint64_t s[40] = { 0 };

	qt_process(t, T, T - 3600 * SEC, 1, 0, "systemd", "/sbin/init");
	qt_process(t, T, T - 600 * SEC, 100, 1, "nginx", "nginx: master process");
	qt_process(t, T, T - 60 * SEC, 200, 1, "bash", "-bash");
	qt_process(t, T, T - 30 * SEC, 42, 1, "app", "./app --serve");
	qt_sysname(t, T, 0, "read");
	qt_sysname(t, T, 1, "write");
	qt_sysname(t, T, 232, "epoll_wait");
	qt_sysname(t, T, 257, "openat");

	qt_open_ev(t, T + 100 * MS, 50 * US, 100, 0, 3, "nginx", "/etc/nginx/nginx.conf");
	qt_syscall(t, T + 200 * MS, 150 * US, 42, 0, 10, "app");
	qt_syscall(t, T + 300 * MS, 50 * US, 42, 0, 5, "app");
	qt_syscall(t, T + 400 * MS, 200 * US, 42, 1, 5, "app");
	qt_open_ev(t, T + 500 * MS, 2 * MS, 100, 0, 4, "nginx", "/etc/passwd");
	qt_fork(t, T + 900 * MS, 200, 300, "bash");
	qt_exec(t, T + 950 * MS, 300, 200, "cat", "/usr/bin/cat", "cat /etc/hosts");
	qt_open_ev(t, T + 1000 * MS, 1500 * US, 300, 1000, 3, "cat", "/etc/hosts");
	s[16] = 3; /* 64us..128us */
	s[17] = 1;
	qt_hist(t, T + 1000 * MS, 0, 4, 400 * US, 150 * US, s);
	memset(s, 0, sizeof(s));
	s[17] = 1;
	qt_hist(t, T + 1000 * MS, 1, 1, 200 * US, 200 * US, s);
	qt_tcp_state(t, T + 1000 * MS, 0xffff8881000a0001ULL, 100, "nginx", "10.0.0.2", 40000,
		     "10.0.0.1", 443, 7, 2);
	qt_udp(t, T + 1000 * MS, 0xffff888100050001ULL, 500, "resolver", "10.0.0.2", 5353,
	       "8.8.8.8", 53, 40, 0);
	qt_udp(t, T + 1010 * MS, 0xffff888100050001ULL, 500, "resolver", "10.0.0.2", 5353,
	       "8.8.8.8", 53, 80, 1);
	qt_tcp_state(t, T + 1020 * MS, 0xffff8881000a0001ULL, 100, "nginx", "10.0.0.2", 40000,
		     "10.0.0.1", 443, 2, 1);
	qt_exit(t, T + 1200 * MS, 300, 200, 0, "cat");
	qt_syscall(t, T + 1500 * MS, 15 * MS, 100, 232, 1, "nginx");
	qt_open_ev(t, T + 2000 * MS, 20 * US, 200, 1000, -2, "bash", "/tmp/missing");
	qt_open_ev(t, T + 3000 * MS, 5 * MS, 100, 0, 5, "nginx", "/var/log/nginx/access.log");
	qt_tcp_state(t, T + 4000 * MS, 0xffff8881000a0001ULL, 100, "nginx", "10.0.0.2", 40000,
		     "10.0.0.1", 443, 1, 4);
	qt_tcp_life(t, T + 1000 * MS, T + 4000 * MS, 0xffff8881000a0001ULL, 100, "nginx",
		    "10.0.0.2", 40000, "10.0.0.1", 443, 5000, 2 * 1000 * 1000, 0x7);
	qt_syscall(t, T + 5000 * MS, 500 * US, 43, 0, 4096, "app");
	qt_tcp_life(t, T + 5000 * MS, T + 5500 * MS, 0xffff8881000b0001ULL, 300, "curl",
		    "10.0.0.2", 40001, "93.184.216.34", 80, 100, 500, 0x7);
	qt_tcp_life(t, T + 6000 * MS, T + 6100 * MS, 0xffff8881000c0001ULL, 300, "ssh",
		    "10.0.0.2", 40002, "10.0.0.9", 22, 0, 0, 0x6);
	qt_udp(t, T + 7000 * MS, 0xffff888100050001ULL, 500, "resolver", "10.0.0.2", 5353,
	       "8.8.8.8", 53, 45, 0);
	qt_udp(t, T + 7010 * MS, 0xffff888100050001ULL, 500, "resolver", "10.0.0.2", 5353,
	       "8.8.8.8", 53, 120, 1);
	qt_udp(t, T + 7500 * MS, 0xffff888100060001ULL, 501, "ntpd", "10.0.0.2", 123,
	       "10.0.0.5", 123, 48, 0);
	qt_fork(t, T + 8000 * MS, 200, 301, "bash");
	qt_exec(t, T + 8100 * MS, 301, 200, "false", "/usr/bin/false", "false");
	qt_exit(t, T + 8200 * MS, 301, 200, 1 << 8, "false");
	qt_fork(t, T + 9000 * MS, 200, 302, "bash");
	qt_exec(t, T + 9050 * MS, 302, 200, "sleep", "/usr/bin/sleep", "sleep 100");
	qt_exit(t, T + 9500 * MS, 302, 200, 9, "sleep");
	qt_lost(t, T + 10000 * MS, T + 9000 * MS, 0, 5, "opens");
	qt_lost(t, T + 10000 * MS, T + 9000 * MS, 1, 2, "syscalls");
	qt_syscall(t, T + 11000 * MS, 120 * US, 42, 0, -4, "app");
	qt_open_ev(t, T + 12000 * MS, 300 * US, 200, 1000, 3, "bash", "/etc/profile");
	qt_open_ev(t, T + 15000 * MS, 10 * US, 100, 33, -13, "nginx", "/etc/shadow");
	qt_open_ev(t, T + 20000 * MS, 800 * US, 300, 1000, 3, "cat", "/etc/hosts");
	qt_syscall(t, T + 25000 * MS, 2 * SEC, 100, 232, 0, "nginx");
	memset(s, 0, sizeof(s));
	s[16] = 4;
	s[17] = 2;
	s[19] = 1;
	qt_hist(t, T + 30000 * MS, 0, 7, 1200 * US, 600 * US, s);
	memset(s, 0, sizeof(s));
	s[17] = 2;
	qt_hist(t, T + 30000 * MS, 1, 2, 400 * US, 200 * US, s);
	qt_close(t);
}

void qt_big_trace(const char *path, uint64_t n, uint64_t seconds)
{
	const uint64_t T = QT_EXAMPLE_START;
	struct qt_trace *t = qt_open(path, "b1650000000000000000000000000000", "bench", T, 0);
	static const char *const comms[] = { "nginx", "postgres", "bash", "cat", "app", "sshd" };
	static const char *const dirs[] = { "/etc/", "/usr/lib/", "/var/log/", "/tmp/", "/proc/" };
	static const char *const names[] = { "read", "write", "openat", "close", "epoll_wait",
					     "futex", "mmap", "fstat" };
	uint64_t step = seconds * SEC / (n ? n : 1);
	uint64_t x = 88172645463325252ULL;
	char p[64];

	for (uint32_t i = 0; i < 8; i++)
		qt_sysname(t, T, i, names[i]);
	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t ts = T + i * step;
		uint32_t pid = 100 + (uint32_t)(x % 6);
		const char *comm = comms[x % 6];
		uint64_t lat = (x >> 8) % 20000 + ((x >> 40) % 1000 == 0 ? 5 * MS : 0);
		if (i % 2 == 0) {
			snprintf(p, sizeof(p), "%sfile%llu", dirs[(x >> 16) % 5],
				 (unsigned long long)((x >> 24) % 500));
			qt_open_ev(t, ts, lat, pid, 1000, (x >> 32) % 10 == 0 ? -2 : 3, comm, p);
		} else {
			qt_syscall(t, ts, lat, pid, (uint32_t)((x >> 20) % 8), 0, comm);
		}
	}
	qt_close(t);
}
