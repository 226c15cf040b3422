// SPDX-License-Identifier: MIT
/* One event as text: the fast line buffer, time and size formatting, and
 * the per-type detail formatters (generic by schema for unknown types). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/out.h"

void line_u64(struct line *l, uint64_t v)
{
	char tmp[24];
	char *e = tmp + sizeof(tmp), *p = e;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	line_strn(l, p, (size_t)(e - p));
}

void line_i64(struct line *l, int64_t v)
{
	if (v < 0) {
		line_chr(l, '-');
		line_u64(l, (uint64_t)0 - (uint64_t)v);
	} else {
		line_u64(l, (uint64_t)v);
	}
}

void line_hex(struct line *l, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	char *e = tmp + sizeof(tmp), *p = e;

	do {
		*--p = digits[v & 15];
		v >>= 4;
	} while (v);
	line_strn(l, "0x", 2);
	line_strn(l, p, (size_t)(e - p));
}

void line_pad(struct line *l, const char *start, size_t width)
{
	size_t n = (size_t)(l->p - start);
	if (n < width && width - n <= line_room(l)) {
		memset(l->p, ' ', width - n);
		l->p += width - n;
	}
}

void line_json_str(struct line *l, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	line_chr(l, '"');
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			line_chr(l, '\\');
			line_chr(l, (char)ch);
		} else if (ch < 0x20 || ch >= 0x7f) {
			/* Kernel strings are bytes, not UTF-8: escape anything not ASCII,
			 * byte by byte, so the output is always valid JSON. */
			line_str(l, "\\u00");
			line_chr(l, hex[ch >> 4]);
			line_chr(l, hex[ch & 15]);
		} else {
			line_chr(l, (char)ch);
		}
	}
	line_chr(l, '"');
}

void line_usecs(struct line *l, uint64_t ns)
{
	line_u64(l, ns / 1000);
	line_chr(l, '.');
	uint64_t frac = ns % 1000;
	line_chr(l, (char)('0' + frac / 100));
	line_chr(l, (char)('0' + frac / 10 % 10));
	line_chr(l, (char)('0' + frac % 10));
}

void line_flush(struct line *l, FILE *f)
{
	fwrite_unlocked(l->buf, 1, (size_t)(l->p - l->buf), f);
	l->p = l->buf;
}

static char sink_buf[LINE_SINK_CAP];
static struct line sink = { sink_buf, sink_buf, LINE_SINK_CAP };

struct line *line_sink(void)
{
	return &sink;
}

void line_end(struct line *l, FILE *f)
{
	if ((size_t)(l->p - l->buf) > l->cap - LINE_SLACK)
		line_flush(l, f);
}

void line_sink_flush(FILE *f)
{
	if (sink.p != sink.buf)
		line_flush(&sink, f);
}

void fmt_datetime(char *buf, size_t size, int64_t real_ns, bool utc)
{
	time_t sec = (time_t)(real_ns / 1000000000);
	long usec = (long)(real_ns % 1000000000 / 1000);
	struct tm tm;
	char tz[16] = "";

	if (real_ns < 0) {
		sec -= 1;
		usec += 1000000;
	}
	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	strftime(tz, sizeof(tz), utc ? "UTC" : "%Z", &tm);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%06ld %s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec, tz);
}

void fmt_iso_utc(char *buf, size_t size, int64_t real_ns)
{
	time_t sec = (time_t)(real_ns / 1000000000);
	long nsec = (long)(real_ns % 1000000000);
	struct tm tm;

	if (nsec < 0) {
		sec -= 1;
		nsec += 1000000000;
	}
	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

void fmt_duration(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, size, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.3f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, size, "%.3f s", ns / 1e9);
}

void fmt_bytes(char *buf, size_t size, uint64_t b)
{
	if (b < 1024)
		snprintf(buf, size, "%" PRIu64 " B", b);
	else if (b < 1024 * 1024)
		snprintf(buf, size, "%.1f KiB", b / 1024.0);
	else if (b < 1024ULL * 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", b / 1048576.0);
	else
		snprintf(buf, size, "%.2f GiB", b / 1073741824.0);
}

/* ---- per-schema print plans ---------------------------------------------- */

enum kind { K_GENERIC, K_OPEN, K_SYSCALL, K_TCP_STATE, K_TCP_LIFE, K_UDP, K_EXEC, K_FORK, K_EXIT,
	    K_LOST, K_PROCESS };

#define MAXF 16

struct plan {
	const struct trace_schema *s;
	enum kind kind;
	const struct trace_field_desc *pid, *comm;
	const struct trace_field_desc *f[MAXF]; /* the kind's fields, by name */
	const struct trace_field_desc *family;	/* for generic IPADDR fields */
	const char *type_name;
	size_t type_len;
};

static const struct {
	const char *type;
	enum kind kind;
	const char *fields[MAXF];
} kinds[] = {
	{ "open", K_OPEN, { "call", "dirfd", "path", "flags", "mode", "ret", "latency_ns" } },
	{ "syscall", K_SYSCALL, { "nr", "ret", "latency_ns" } },
	{ "tcp_state", K_TCP_STATE, { "family", "saddr", "sport", "daddr", "dport", "oldstate",
				      "newstate", "skaddr" } },
	{ "tcp_life", K_TCP_LIFE, { "family", "saddr", "sport", "daddr", "dport", "tx_bytes",
				    "rx_bytes", "segs_out", "segs_in", "duration_ns", "flags" } },
	{ "udp", K_UDP, { "family", "saddr", "sport", "daddr", "dport", "dir", "bytes" } },
	{ "exec", K_EXEC, { "filename", "args", "ppid" } },
	{ "fork", K_FORK, { "child_pid" } },
	{ "exit", K_EXIT, { "status", "ppid" } },
};

static struct plan plans[64];
static size_t nplans, next_plan;
static struct plan *last_plan;

static struct plan *plan_for(const struct trace_event *ev)
{
	if (last_plan && last_plan->s == ev->schema)
		return last_plan;
	for (size_t i = 0; i < nplans; i++)
		if (plans[i].s == ev->schema)
			return last_plan = &plans[i];
	struct plan *p = nplans < 64 ? &plans[nplans++] : &plans[next_plan++ % 64];
	memset(p, 0, sizeof(*p));
	p->s = ev->schema;
	p->type_name = trace_schema__name(ev->schema);
	p->type_len = strlen(p->type_name);
	p->pid = trace_schema__find_field(ev->schema, "pid");
	p->comm = trace_schema__find_field(ev->schema, "comm");
	if (ev->type == TRACE_TYPE_LOST) {
		p->kind = K_LOST;
	} else if (ev->type == TRACE_TYPE_PROCESS) {
		p->kind = K_PROCESS;
	} else {
		const char *name = trace_schema__name(ev->schema);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (strcmp(name, kinds[k].type) != 0)
				continue;
			p->kind = kinds[k].kind;
			for (size_t f = 0; f < MAXF && kinds[k].fields[f]; f++)
				p->f[f] = trace_schema__find_field(ev->schema, kinds[k].fields[f]);
		}
	}
	size_t n = trace_schema__nfields(ev->schema);
	for (size_t i = 0; i < n; i++) {
		const struct trace_field_desc *f = trace_schema__field(ev->schema, i);
		if (f && f->hint == TRACE_HINT_FAMILY)
			p->family = f;
	}
	return last_plan = p;
}

void event_pid_comm(const struct trace_event *ev, uint32_t *pid, char *comm, size_t size)
{
	struct plan *p = plan_for(ev);

	*pid = (uint32_t)replay_field_u64(p->pid, ev->data);
	replay_field_str(p->comm, ev->data, comm, size);
	if (p->kind == K_PROCESS) {
		struct trace_process tp;
		if (trace_event__process(ev, &tp) == 0) {
			*pid = tp.pid;
			snprintf(comm, size, "%.*s", (int)sizeof(tp.comm), tp.comm);
		}
	}
}

/* Printable and needing no escape in a quoted string. */
static const bool plain_tab[256] = {
	[0x20] = 1, [0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1, [0x80 ... 0xff] = 1,
};

static inline bool plain(unsigned char ch)
{
	return plain_tab[ch];
}

/* A string field of at most its size, copied without a bounce buffer. */
static void line_field(struct line *l, const struct trace_field_desc *f, const void *rec,
		       const char *dflt)
{
	if (f && f->type == TRACE_FIELD_STR) {
		const char *s = (const char *)rec + f->offset;
		size_t n = strnlen(s, f->size);
		if (n) {
			line_strn(l, s, n);
			return;
		}
	}
	line_str(l, dflt);
}

void event_prefix(const struct trace_event *ev, struct line *l)
{
	struct plan *p = plan_for(ev);
	char *col = l->p;

	if (p->kind == K_PROCESS) {
		uint32_t pid;
		char comm[16];
		event_pid_comm(ev, &pid, comm, sizeof(comm));
		line_str(l, comm[0] ? comm : "-");
		line_pad(l, col, 16);
		line_chr(l, ' ');
		col = l->p;
		line_u64(l, pid);
	} else {
		line_field(l, p->comm, ev->data, "-");
		line_pad(l, col, 16);
		line_chr(l, ' ');
		col = l->p;
		uint64_t pid = replay_field_u64(p->pid, ev->data);
		if (pid)
			line_u64(l, pid);
		else
			line_chr(l, '-');
	}
	line_pad(l, col, 7);
	line_chr(l, ' ');
	col = l->p;
	line_strn(l, p->type_name, p->type_len);
	line_pad(l, col, 10);
	line_chr(l, ' ');
}

static void line_quoted(struct line *l, const char *s, size_t max)
{
	line_chr(l, '"');
	for (size_t i = 0; i < max && s[i]; i++) {
		size_t run = i;
		while (run < max && s[run] && plain((unsigned char)s[run]))
			run++;
		if (run > i) {
			line_strn(l, s + i, run - i);
			i = run - 1;
			continue;
		}
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			line_chr(l, '\\');
			line_chr(l, (char)ch);
		} else if (ch < 0x20 || ch == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			line_str(l, "\\x");
			line_chr(l, hex[ch >> 4]);
			line_chr(l, hex[ch & 15]);
		} else {
			line_chr(l, (char)ch);
		}
	}
	line_chr(l, '"');
}

static void line_errno_ret(struct line *l, int64_t ret)
{
	line_i64(l, ret);
	if (ret < 0 && ret > -4096) {
		const char *name = replay_errno_name((int)-ret);
		if (name) {
			line_chr(l, ' ');
			line_str(l, name);
		}
	}
}

static void line_addr(struct line *l, const struct trace_field_desc *family,
		      const struct trace_field_desc *addr, const struct trace_field_desc *port,
		      const void *rec)
{
	char buf[64];
	uint16_t fam = (uint16_t)replay_field_u64(family, rec);
	uint8_t a[16] = { 0 };

	if (addr && addr->size >= 16)
		memcpy(a, trace_field__bytes(addr, rec), 16);
	replay_format_addr(fam, a, buf, sizeof(buf));
	if (fam == 10) {
		line_chr(l, '[');
		line_str(l, buf);
		line_chr(l, ']');
	} else {
		line_str(l, buf);
	}
	line_chr(l, ':');
	line_u64(l, replay_field_u64(port, rec));
}

/* Every field by its schema and hint, except the ones in the prefix. */
static void generic(struct plan *p, const struct trace_event *ev, struct line *l)
{
	size_t n = trace_schema__nfields(ev->schema);
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		const struct trace_field_desc *f = trace_schema__field(ev->schema, i);
		if (!f || f->hint == TRACE_HINT_TIME || f == p->pid || f == p->comm)
			continue;
		if (!first)
			line_chr(l, ' ');
		first = false;
		line_str(l, f->name);
		line_chr(l, '=');
		if (f->type == TRACE_FIELD_STR) {
			line_quoted(l, (const char *)ev->data + f->offset, f->size);
			continue;
		}
		if (f->type == TRACE_FIELD_BYTES) {
			if (f->hint == TRACE_HINT_IPADDR && f->size >= 16) {
				char buf[64];
				replay_format_addr((uint16_t)replay_field_u64(p->family, ev->data),
						   trace_field__bytes(f, ev->data), buf, sizeof(buf));
				line_str(l, buf);
			} else {
				static const char hex[] = "0123456789abcdef";
				const uint8_t *b = trace_field__bytes(f, ev->data);
				for (size_t k = 0; k < f->size && k < 64; k++) {
					line_chr(l, hex[b[k] >> 4]);
					line_chr(l, hex[b[k] & 15]);
				}
			}
			continue;
		}
		bool is_signed = f->type >= TRACE_FIELD_S8 && f->type <= TRACE_FIELD_S64;
		if (f->count > 1) {
			/* Arrays (histogram slots): the non-zero elements as index:value. */
			line_chr(l, '[');
			bool any = false;
			for (size_t k = 0; k < f->count; k++) {
				uint64_t v = trace_field__u64(f, ev->data, k);
				if (!v)
					continue;
				if (any)
					line_chr(l, ',');
				any = true;
				line_u64(l, k);
				line_chr(l, ':');
				if (is_signed)
					line_i64(l, trace_field__i64(f, ev->data, k));
				else
					line_u64(l, v);
			}
			line_chr(l, ']');
			continue;
		}
		switch (f->hint) {
		case TRACE_HINT_DURATION:
			line_usecs(l, trace_field__u64(f, ev->data, 0));
			line_str(l, "us");
			break;
		case TRACE_HINT_ERRNO:
			line_errno_ret(l, trace_field__i64(f, ev->data, 0));
			break;
		case TRACE_HINT_HEX:
			line_hex(l, trace_field__u64(f, ev->data, 0));
			break;
		default:
			if (is_signed)
				line_i64(l, trace_field__i64(f, ev->data, 0));
			else
				line_u64(l, trace_field__u64(f, ev->data, 0));
		}
	}
}

void event_details(struct replay_ctx *c, const struct trace_event *ev, struct line *l)
{
	struct plan *p = plan_for(ev);
	const struct trace_field_desc *const *f = p->f;
	const void *r = ev->data;

	switch (p->kind) {
	case K_OPEN: {
		line_field(l, f[0], r, "open");
		line_chr(l, ' ');
		int64_t dirfd = f[1] ? replay_field_i64(f[1], r) : -100;
		if (dirfd == -100)
			line_str(l, "AT_FDCWD");
		else
			line_i64(l, dirfd);
		line_chr(l, ' ');
		line_quoted(l, f[2] ? (const char *)r + f[2]->offset : "", f[2] ? f[2]->size : 0);
		line_str(l, " flags=");
		line_hex(l, replay_field_u64(f[3], r));
		uint64_t mode = replay_field_u64(f[4], r);
		if (mode) {
			line_str(l, " mode=0");
			char oct[24];
			snprintf(oct, sizeof(oct), "%" PRIo64, mode);
			line_str(l, oct);
		}
		line_str(l, " = ");
		line_errno_ret(l, replay_field_i64(f[5], r));
		line_str(l, " <");
		line_usecs(l, replay_field_u64(f[6], r));
		line_str(l, " us>");
		return;
	}
	case K_SYSCALL: {
		uint32_t nr = (uint32_t)replay_field_u64(f[0], r);
		const char *name = syscall_names__get(c->names, nr);
		if (name) {
			line_str(l, name);
		} else {
			line_str(l, "syscall_");
			line_u64(l, nr);
		}
		line_str(l, "() = ");
		line_errno_ret(l, replay_field_i64(f[1], r));
		line_str(l, " <");
		line_usecs(l, replay_field_u64(f[2], r));
		line_str(l, " us>");
		return;
	}
	case K_TCP_STATE:
		line_addr(l, f[0], f[1], f[2], r);
		line_str(l, " > ");
		line_addr(l, f[0], f[3], f[4], r);
		line_chr(l, ' ');
		line_str(l, replay_tcp_state_name((unsigned)replay_field_u64(f[5], r)));
		line_str(l, " -> ");
		line_str(l, replay_tcp_state_name((unsigned)replay_field_u64(f[6], r)));
		line_str(l, " sk=");
		line_hex(l, replay_field_u64(f[7], r));
		return;
	case K_TCP_LIFE:
		line_addr(l, f[0], f[1], f[2], r);
		line_str(l, " > ");
		line_addr(l, f[0], f[3], f[4], r);
		line_str(l, " tx=");
		line_u64(l, replay_field_u64(f[5], r));
		line_str(l, " rx=");
		line_u64(l, replay_field_u64(f[6], r));
		line_str(l, " segs_out=");
		line_u64(l, replay_field_u64(f[7], r));
		line_str(l, " segs_in=");
		line_u64(l, replay_field_u64(f[8], r));
		if (replay_field_u64(f[10], r) & TCP_CONN_START_SEEN) {
			line_str(l, " duration=");
			line_usecs(l, replay_field_u64(f[9], r));
			line_str(l, "us");
		} else {
			line_str(l, " duration=?");
		}
		return;
	case K_UDP:
		line_str(l, replay_field_u64(f[5], r) == 1 ? "recv " : "send ");
		line_addr(l, f[0], f[1], f[2], r);
		line_str(l, replay_field_u64(f[5], r) == 1 ? " < " : " > ");
		line_addr(l, f[0], f[3], f[4], r);
		line_chr(l, ' ');
		line_u64(l, replay_field_u64(f[6], r));
		line_str(l, " bytes");
		return;
	case K_EXEC: {
		line_str(l, "ppid=");
		line_u64(l, replay_field_u64(f[2], r));
		line_chr(l, ' ');
		line_quoted(l, f[0] ? (const char *)r + f[0]->offset : "", f[0] ? f[0]->size : 0);
		line_str(l, " args=");
		line_quoted(l, f[1] ? (const char *)r + f[1]->offset : "", f[1] ? f[1]->size : 0);
		return;
	}
	case K_FORK:
		line_str(l, "child=");
		line_u64(l, replay_field_u64(f[0], r));
		return;
	case K_EXIT: {
		int32_t st = (int32_t)replay_field_i64(f[0], r);
		line_str(l, "ppid=");
		line_u64(l, replay_field_u64(f[1], r));
		if (st & 0x7f) {
			line_str(l, " signal=");
			line_u64(l, (uint64_t)(st & 0x7f));
		} else {
			line_str(l, " code=");
			line_u64(l, (uint64_t)((st >> 8) & 0xff));
		}
		return;
	}
	case K_LOST: {
		struct trace_lost lo;
		if (trace_event__lost(ev, &lo) == 0) {
			lo.probe[sizeof(lo.probe) - 1] = '\0';
			line_str(l, "probe=");
			line_str(l, lo.probe);
			line_str(l, " cpu=");
			line_u64(l, lo.cpu);
			line_str(l, " lost=");
			line_u64(l, lo.count);
			line_str(l, " over=");
			line_usecs(l, lo.ts >= lo.since_ns ? lo.ts - lo.since_ns : 0);
			line_str(l, "us");
			return;
		}
		break;
	}
	case K_PROCESS: {
		struct trace_process tp;
		if (trace_event__process(ev, &tp) == 0) {
			line_str(l, "ppid=");
			line_u64(l, tp.ppid);
			line_str(l, " uid=");
			line_u64(l, tp.uid);
			line_str(l, " cmdline=");
			line_quoted(l, tp.cmdline, sizeof(tp.cmdline));
			return;
		}
		break;
	}
	case K_GENERIC:
		break;
	}
	generic(p, ev, l);
}
