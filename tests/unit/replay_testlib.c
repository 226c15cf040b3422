// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/replay_testlib.h"

#define F(st, n, t, h, cnt) { #n, t, h, offsetof(struct st, n), sizeof(((struct st *)0)->n), cnt }

static const struct trace_field_desc open_f[] = {
	F(t_open, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_open, latency_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION, 1),
	F(t_open, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_open, tid, TRACE_FIELD_U32, 0, 1),
	F(t_open, uid, TRACE_FIELD_U32, 0, 1),
	F(t_open, ret, TRACE_FIELD_S32, TRACE_HINT_ERRNO, 1),
	F(t_open, dirfd, TRACE_FIELD_S32, 0, 1),
	F(t_open, flags, TRACE_FIELD_U32, TRACE_HINT_HEX, 1),
	F(t_open, mode, TRACE_FIELD_U32, TRACE_HINT_HEX, 1),
	F(t_open, call, TRACE_FIELD_STR, 0, 1),
	F(t_open, comm, TRACE_FIELD_STR, 0, 1),
	F(t_open, path, TRACE_FIELD_STR, 0, 1),
};
static const struct trace_field_desc syscall_f[] = {
	F(t_syscall, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_syscall, latency_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION, 1),
	F(t_syscall, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_syscall, tid, TRACE_FIELD_U32, 0, 1),
	F(t_syscall, nr, TRACE_FIELD_U32, 0, 1),
	F(t_syscall, ret, TRACE_FIELD_S64, TRACE_HINT_ERRNO, 1),
	F(t_syscall, comm, TRACE_FIELD_STR, 0, 1),
};
static const struct trace_field_desc hist_f[] = {
	F(t_syscall_hist, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_syscall_hist, nr, TRACE_FIELD_U32, 0, 1),
	F(t_syscall_hist, count, TRACE_FIELD_U64, 0, 1),
	F(t_syscall_hist, total_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION, 1),
	F(t_syscall_hist, max_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION, 1),
	F(t_syscall_hist, slots, TRACE_FIELD_U64, 0, 40),
};
static const struct trace_field_desc name_f[] = {
	F(t_syscall_name, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_syscall_name, nr, TRACE_FIELD_U32, 0, 1),
	F(t_syscall_name, name, TRACE_FIELD_STR, 0, 1),
};
static const struct trace_field_desc state_f[] = {
	F(t_tcp_state, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_tcp_state, skaddr, TRACE_FIELD_U64, TRACE_HINT_HEX, 1),
	F(t_tcp_state, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_tcp_state, family, TRACE_FIELD_U16, TRACE_HINT_FAMILY, 1),
	F(t_tcp_state, sport, TRACE_FIELD_U16, 0, 1),
	F(t_tcp_state, dport, TRACE_FIELD_U16, 0, 1),
	F(t_tcp_state, oldstate, TRACE_FIELD_U8, 0, 1),
	F(t_tcp_state, newstate, TRACE_FIELD_U8, 0, 1),
	F(t_tcp_state, comm, TRACE_FIELD_STR, 0, 1),
	F(t_tcp_state, saddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR, 1),
	F(t_tcp_state, daddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR, 1),
};
static const struct trace_field_desc life_f[] = {
	F(t_tcp_life, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_tcp_life, start_ns, TRACE_FIELD_U64, TRACE_HINT_BOOTTIME, 1),
	F(t_tcp_life, duration_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION, 1),
	F(t_tcp_life, skaddr, TRACE_FIELD_U64, TRACE_HINT_HEX, 1),
	F(t_tcp_life, tx_bytes, TRACE_FIELD_U64, TRACE_HINT_BYTES, 1),
	F(t_tcp_life, rx_bytes, TRACE_FIELD_U64, TRACE_HINT_BYTES, 1),
	F(t_tcp_life, segs_out, TRACE_FIELD_U32, 0, 1),
	F(t_tcp_life, segs_in, TRACE_FIELD_U32, 0, 1),
	F(t_tcp_life, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_tcp_life, family, TRACE_FIELD_U16, TRACE_HINT_FAMILY, 1),
	F(t_tcp_life, sport, TRACE_FIELD_U16, 0, 1),
	F(t_tcp_life, dport, TRACE_FIELD_U16, 0, 1),
	F(t_tcp_life, flags, TRACE_FIELD_U8, TRACE_HINT_HEX, 1),
	F(t_tcp_life, comm, TRACE_FIELD_STR, 0, 1),
	F(t_tcp_life, saddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR, 1),
	F(t_tcp_life, daddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR, 1),
};
static const struct trace_field_desc udp_f[] = {
	F(t_udp, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_udp, skaddr, TRACE_FIELD_U64, TRACE_HINT_HEX, 1),
	F(t_udp, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_udp, tid, TRACE_FIELD_U32, 0, 1),
	F(t_udp, bytes, TRACE_FIELD_U32, TRACE_HINT_BYTES, 1),
	F(t_udp, family, TRACE_FIELD_U16, TRACE_HINT_FAMILY, 1),
	F(t_udp, sport, TRACE_FIELD_U16, 0, 1),
	F(t_udp, dport, TRACE_FIELD_U16, 0, 1),
	F(t_udp, dir, TRACE_FIELD_U8, 0, 1),
	F(t_udp, comm, TRACE_FIELD_STR, 0, 1),
	F(t_udp, saddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR, 1),
	F(t_udp, daddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR, 1),
};
static const struct trace_field_desc exec_f[] = {
	F(t_exec, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_exec, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_exec, ppid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_exec, uid, TRACE_FIELD_U32, 0, 1),
	F(t_exec, comm, TRACE_FIELD_STR, 0, 1),
	F(t_exec, filename, TRACE_FIELD_STR, 0, 1),
	F(t_exec, args, TRACE_FIELD_STR, 0, 1),
};
static const struct trace_field_desc fork_f[] = {
	F(t_fork, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_fork, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_fork, child_pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_fork, comm, TRACE_FIELD_STR, 0, 1),
};
static const struct trace_field_desc exit_f[] = {
	F(t_exit, ts, TRACE_FIELD_U64, TRACE_HINT_TIME, 1),
	F(t_exit, pid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_exit, ppid, TRACE_FIELD_U32, TRACE_HINT_PID, 1),
	F(t_exit, status, TRACE_FIELD_S32, 0, 1),
	F(t_exit, comm, TRACE_FIELD_STR, 0, 1),
};

static int add(struct trace_writer *w, const char *name, size_t size,
	       const struct trace_field_desc *fields, size_t n)
{
	struct trace_schema_desc d = { name, (uint16_t)size, (uint16_t)n, fields };
	int id = trace_writer__add_type(w, &d);

	cr_assert_geq(id, TRACE_TYPE_FIRST_USER, "add_type %s: %s", name, trace_strerror(id));
	return id;
}

#define ADD(t, member, st, fl) \
	((t)->member = add((t)->w, #member, sizeof(struct st), fl, sizeof(fl) / sizeof(fl[0])))

void tw_open(struct tw *t, const char *path, uint32_t chunk_events)
{
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = chunk_events, .uid = -1,
				       .gid = -1 };

	memset(t, 0, sizeof(*t));
	t->w = trace_writer__open(path, &o);
	cr_assert_not_null(t->w, "trace_writer__open %s: %s", path, trace_strerror(-errno));
	cr_assert_eq(trace_writer__set_meta(t->w, "probe.opens", "tracepoint:test"), 0);
	struct trace_calibration cal = { .boot_ns = 1000000000ULL,
					 .real_ns = 1714564800LL * 1000000000LL };
	cr_assert_eq(trace_writer__calibrate(t->w, &cal), 0);
	ADD(t, open, t_open, open_f);
	ADD(t, syscall, t_syscall, syscall_f);
	ADD(t, syscall_hist, t_syscall_hist, hist_f);
	ADD(t, syscall_name, t_syscall_name, name_f);
	ADD(t, tcp_state, t_tcp_state, state_f);
	ADD(t, tcp_life, t_tcp_life, life_f);
	ADD(t, udp, t_udp, udp_f);
	ADD(t, exec, t_exec, exec_f);
	ADD(t, fork, t_fork, fork_f);
	ADD(t, exit, t_exit, exit_f);
}

void tw_close(struct tw *t)
{
	cr_assert_eq(trace_writer__close(t->w), 0);
	t->w = NULL;
}

#define APPEND(t, type, rec) \
	cr_assert_eq(trace_writer__append((t)->w, (t)->type, &(rec), sizeof(rec)), 0)

void tw_opn(struct tw *t, uint64_t ts, uint32_t pid, const char *comm, const char *path,
	    int32_t ret, uint64_t lat)
{
	struct t_open r = { .ts = ts, .latency_ns = lat, .pid = pid, .tid = pid, .ret = ret,
			    .dirfd = -100, .flags = 0x80000 };
	snprintf(r.call, sizeof(r.call), "openat");
	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	snprintf(r.path, sizeof(r.path), "%s", path);
	APPEND(t, open, r);
}

void tw_sys(struct tw *t, uint64_t ts, uint32_t pid, uint32_t nr, uint64_t lat)
{
	struct t_syscall r = { .ts = ts, .latency_ns = lat, .pid = pid, .tid = pid, .nr = nr };
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	APPEND(t, syscall, r);
}

void tw_name(struct tw *t, uint32_t nr, const char *name)
{
	struct t_syscall_name r = { .ts = 1000000000ULL, .nr = nr };
	snprintf(r.name, sizeof(r.name), "%s", name);
	APPEND(t, syscall_name, r);
}

static void v4(uint8_t *a, uint8_t last)
{
	memset(a, 0, 16);
	a[0] = 10;
	a[3] = last;
}

void tw_state(struct tw *t, uint64_t ts, uint64_t sk, uint32_t pid, uint8_t oldst, uint8_t newst,
	      uint16_t sport, uint16_t dport)
{
	struct t_tcp_state r = { .ts = ts, .skaddr = sk, .pid = pid, .family = 2, .sport = sport,
				 .dport = dport, .oldstate = oldst, .newstate = newst };
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	v4(r.saddr, 1);
	v4(r.daddr, 2);
	APPEND(t, tcp_state, r);
}

void tw_life(struct tw *t, uint64_t ts, uint64_t sk, uint64_t start, uint32_t pid, uint64_t tx,
	     uint64_t rx, uint8_t flags, uint16_t sport, uint16_t dport)
{
	struct t_tcp_life r = { .ts = ts, .start_ns = start, .duration_ns = start ? ts - start : 0,
				.skaddr = sk, .tx_bytes = tx, .rx_bytes = rx, .segs_out = 3,
				.segs_in = 4, .pid = pid, .family = 2, .sport = sport,
				.dport = dport, .flags = flags };
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	v4(r.saddr, 1);
	v4(r.daddr, 2);
	APPEND(t, tcp_life, r);
}

void tw_udp(struct tw *t, uint64_t ts, uint64_t sk, uint32_t pid, uint32_t bytes, int dir,
	    uint16_t dport)
{
	struct t_udp r = { .ts = ts, .skaddr = sk, .pid = pid, .tid = pid, .bytes = bytes,
			   .family = 2, .sport = 5000, .dport = dport, .dir = (uint8_t)dir };
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	v4(r.saddr, 1);
	v4(r.daddr, 3);
	APPEND(t, udp, r);
}

void tw_exec(struct tw *t, uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm,
	     const char *filename)
{
	struct t_exec r = { .ts = ts, .pid = pid, .ppid = ppid };
	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	snprintf(r.filename, sizeof(r.filename), "%s", filename);
	snprintf(r.args, sizeof(r.args), "%s --flag", filename);
	APPEND(t, exec, r);
}

void tw_fork(struct tw *t, uint64_t ts, uint32_t pid, uint32_t child)
{
	struct t_fork r = { .ts = ts, .pid = pid, .child_pid = child };
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	APPEND(t, fork, r);
}

void tw_exit(struct tw *t, uint64_t ts, uint32_t pid, int32_t status)
{
	struct t_exit r = { .ts = ts, .pid = pid, .ppid = 1, .status = status };
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	APPEND(t, exit, r);
}

size_t tr_each(const char *path, tr_fn fn, void *ctx)
{
	struct trace_reader *r = trace_reader__open(path, NULL);
	struct trace_event ev;
	size_t n = 0;
	int err;

	cr_assert_not_null(r, "trace_reader__open %s: %s", path, trace_strerror(-errno));
	while ((err = trace_reader__next(r, &ev)) == 0) {
		fn(&ev, ctx);
		n++;
	}
	cr_assert_eq(err, -ENOENT, "trace_reader__next: %s", trace_strerror(err));
	trace_reader__close(r);
	return n;
}

char *tmp_path(const char *suffix)
{
	static unsigned seq;
	char *p;

	cr_assert_geq(asprintf(&p, "/tmp/replay-test-%d-%u%s", (int)getpid(), seq++, suffix), 0);
	return p;
}

int run_cmd(const char *fmt, ...)
{
	char *cmd;
	va_list ap;

	va_start(ap, fmt);
	cr_assert_geq(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	int st = system(cmd);
	free(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

void tw_write_old_opens(const char *path)
{
	/* ts, pid, ret, comm, path: no latency_ns, tid, uid, dirfd, flags, mode, call. */
	const struct trace_field_desc old[] = { open_f[0], open_f[2], open_f[5], open_f[10],
						open_f[11] };
	struct trace_writer_opts o = { .sz = sizeof(o), .uid = -1, .gid = -1 };
	struct trace_writer *w = trace_writer__open(path, &o);

	cr_assert_not_null(w);
	int id = add(w, "open", sizeof(struct t_open), old, 5);
	for (int i = 0; i < 3; i++) {
		struct t_open r = { .ts = 2000000000ULL + i, .latency_ns = 999, .pid = 7,
				    .ret = i == 2 ? -13 : 3 };
		snprintf(r.comm, sizeof(r.comm), "old");
		snprintf(r.path, sizeof(r.path), "/old/%d", i % 2);
		cr_assert_eq(trace_writer__append(w, id, &r, sizeof(r)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
}
