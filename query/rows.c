// SPDX-License-Identifier: MIT
/* Trace records and replay's analyses as rows of the catalog's kinds. The
 * indexer stores exactly these values, so scan and index agree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/scan.h"
#include "query/values.h"

enum xform {
	XF_U,	    /* unsigned integer field */
	XF_S,	    /* signed integer field */
	XF_STR,	    /* text field */
	XF_ADDR,    /* 16-byte address field; aux: the family field */
	XF_ERRNO,   /* -ret when ret < 0, else NULL */
	XF_ERRNO_SC, /* the same for syscalls: only -4095 <= ret < 0 */
	XF_SYSNAME, /* the name of field nr, from syscall_name records */
};

struct colsrc {
	const char *field;
	uint8_t xf;
	const char *aux;
};

/* One entry per catalog column, in the catalog's order. */
static const struct colsrc open_src[] = {
	{ "ts", XF_U, 0 },	  { "pid", XF_U, 0 },	     { "tid", XF_U, 0 },
	{ "uid", XF_U, 0 },	  { "comm", XF_STR, 0 },    { "call", XF_STR, 0 },
	{ "latency_ns", XF_U, 0 }, { "ret", XF_S, 0 },	     { "ret", XF_ERRNO, 0 },
	{ "dirfd", XF_S, 0 },	  { "flags", XF_U, 0 },	     { "mode", XF_U, 0 },
	{ "path", XF_STR, 0 },
};

static const struct colsrc syscall_src[] = {
	{ "ts", XF_U, 0 },	   { "pid", XF_U, 0 },	       { "tid", XF_U, 0 },
	{ "comm", XF_STR, 0 },	   { "nr", XF_SYSNAME, 0 },    { "nr", XF_U, 0 },
	{ "latency_ns", XF_U, 0 }, { "ret", XF_S, 0 },	       { "ret", XF_ERRNO_SC, 0 },
};

static const struct colsrc tcp_state_src[] = {
	{ "ts", XF_U, 0 },	    { "pid", XF_U, 0 },		{ "comm", XF_STR, 0 },
	{ "family", XF_U, 0 },	    { "saddr", XF_ADDR, "family" }, { "sport", XF_U, 0 },
	{ "daddr", XF_ADDR, "family" }, { "dport", XF_U, 0 },	{ "oldstate", XF_U, 0 },
	{ "newstate", XF_U, 0 },    { "skaddr", XF_U, 0 },
};

static const struct colsrc udp_src[] = {
	{ "ts", XF_U, 0 },	    { "pid", XF_U, 0 },		{ "tid", XF_U, 0 },
	{ "comm", XF_STR, 0 },	    { "dir", XF_U, 0 },		{ "family", XF_U, 0 },
	{ "saddr", XF_ADDR, "family" }, { "sport", XF_U, 0 },	{ "daddr", XF_ADDR, "family" },
	{ "dport", XF_U, 0 },	    { "bytes", XF_U, 0 },	{ "skaddr", XF_U, 0 },
};

static const char *const types_open[] = { "open", NULL };
static const char *const types_syscall[] = { "syscall", NULL };
static const char *const types_hist[] = { "syscall_hist", NULL };
static const char *const types_tcp[] = { "tcp_state", "tcp_life", NULL };
static const char *const types_tcp_state[] = { "tcp_state", NULL };
static const char *const types_udp[] = { "udp", NULL };
static const char *const types_proc[] = { "process", "exec", "fork", "exit", NULL };
static const char *const types_lost[] = { "lost", NULL };

const char *const *qkind__types(enum qkind k)
{
	switch (k) {
	case QK_OPENS:
		return types_open;
	case QK_SYSCALLS:
		return types_syscall;
	case QK_SYSCALL_HIST:
		return types_hist;
	case QK_TCP:
		return types_tcp;
	case QK_TCP_STATES:
		return types_tcp_state;
	case QK_UDP:
	case QK_UDP_FLOWS:
		return types_udp;
	case QK_PROCESSES:
		return types_proc;
	case QK_LOST:
	case QK__COUNT:
		break;
	}
	return types_lost;
}

#define MAXCOLS 16
#define TEXTLEN 512

struct qrows {
	enum qkind kind;
	const struct colsrc *src;
	size_t ncols;
	const char *fields[2 * MAXCOLS];
	size_t nfields;
	int fidx[MAXCOLS]; /* column -> field index */
	int aidx[MAXCOLS]; /* column -> aux field index */
	struct replay_binding *bind;
	const struct syscall_names *names;
	/* The bound event. */
	const struct trace_field_desc *const *fd;
	const void *rec;
	uint64_t ts;
	struct trace_lost lost;
	char text[MAXCOLS][TEXTLEN];
};

static int field_index(struct qrows *x, const char *name)
{
	for (size_t i = 0; i < x->nfields; i++)
		if (strcmp(x->fields[i], name) == 0)
			return (int)i;
	x->fields[x->nfields] = name;
	return (int)x->nfields++;
}

struct qrows *qrows__new(enum qkind k)
{
	struct qrows *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->kind = k;
	switch (k) {
	case QK_OPENS:
		x->src = open_src;
		x->ncols = sizeof(open_src) / sizeof(open_src[0]);
		break;
	case QK_SYSCALLS:
		x->src = syscall_src;
		x->ncols = sizeof(syscall_src) / sizeof(syscall_src[0]);
		break;
	case QK_TCP_STATES:
		x->src = tcp_state_src;
		x->ncols = sizeof(tcp_state_src) / sizeof(tcp_state_src[0]);
		break;
	case QK_UDP:
		x->src = udp_src;
		x->ncols = sizeof(udp_src) / sizeof(udp_src[0]);
		break;
	case QK_LOST:
		return x;
	default:
		free(x);
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < x->ncols; i++) {
		x->fidx[i] = field_index(x, x->src[i].field);
		x->aidx[i] = x->src[i].aux ? field_index(x, x->src[i].aux) : -1;
	}
	x->bind = replay_binding__new(qkind__types(k)[0], x->fields, x->nfields);
	if (!x->bind) {
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	return x;
}

void qrows__free(struct qrows *x)
{
	if (!x)
		return;
	replay_binding__free(x->bind);
	free(x);
}

void qrows__set_names(struct qrows *x, const struct syscall_names *names)
{
	x->names = names;
}

bool qrows__bind(struct qrows *x, const struct trace_event *ev)
{
	if (x->kind == QK_LOST) {
		if (ev->type != TRACE_TYPE_LOST || trace_event__lost(ev, &x->lost))
			return false;
		x->lost.probe[sizeof(x->lost.probe) - 1] = '\0';
		return true;
	}
	x->fd = replay_binding__resolve(x->bind, ev->schema);
	x->rec = ev->data;
	x->ts = ev->ts;
	return x->fd != NULL;
}

static void get_lost(struct qrows *x, int col, struct qrval *out)
{
	switch (col) {
	case 0:
		out->i = (int64_t)x->lost.ts;
		break;
	case 1:
		out->i = (int64_t)x->lost.since_ns;
		break;
	case 2:
		out->s = x->lost.probe;
		break;
	case 3:
		out->i = x->lost.cpu;
		break;
	default:
		out->i = (int64_t)x->lost.count;
		break;
	}
}

void qrows__get(struct qrows *x, int col, struct qrval *out)
{
	out->null = false;
	out->s = NULL;
	out->i = 0;
	if (x->kind == QK_LOST) {
		get_lost(x, col, out);
		return;
	}
	const struct colsrc *s = &x->src[col];
	const struct trace_field_desc *f = x->fd[x->fidx[col]];
	int64_t v;

	switch (s->xf) {
	case XF_U:
		out->i = (int64_t)replay_field_u64(f, x->rec);
		return;
	case XF_S:
		out->i = replay_field_i64(f, x->rec);
		return;
	case XF_STR:
		/* The record's own text when it is terminated within its field
		 * (it lives until the next bind, like the record). */
		if (f && f->type == TRACE_FIELD_STR &&
		    memchr((const char *)x->rec + f->offset, '\0', f->size)) {
			out->s = (const char *)x->rec + f->offset;
			return;
		}
		out->s = replay_field_str(f, x->rec, x->text[col], TEXTLEN);
		return;
	case XF_ADDR: {
		uint16_t fam = (uint16_t)replay_field_u64(x->fd[x->aidx[col]], x->rec);
		if (!f || f->type != TRACE_FIELD_BYTES || f->size < 16) {
			out->null = true;
			return;
		}
		out->s = qaddr_format(fam, trace_field__bytes(f, x->rec), x->text[col], TEXTLEN);
		out->null = out->s == NULL;
		return;
	}
	case XF_ERRNO:
	case XF_ERRNO_SC:
		v = replay_field_i64(f, x->rec);
		if (v < 0 && (s->xf == XF_ERRNO || v >= -4095))
			out->i = -v;
		else
			out->null = true;
		return;
	case XF_SYSNAME:
		out->s = syscall_names__get(x->names, (uint32_t)replay_field_u64(f, x->rec));
		out->null = out->s == NULL;
		return;
	}
}

/* ---- rows from replay's analyses ----------------------------------------------- */

static void set_u(struct qrval *v, uint64_t x)
{
	v->i = (int64_t)x;
	v->s = NULL;
	v->null = false;
}

static void set_null0(struct qrval *v, uint64_t x)
{
	v->i = (int64_t)x;
	v->s = NULL;
	v->null = x == 0;
}

static void set_addr(struct qrval *v, uint16_t family, const uint8_t *a, char *buf)
{
	v->s = qaddr_format(family, a, buf, 64);
	v->null = v->s == NULL;
}

void qrow_from_tcp(const struct tcp_conn *c, struct qrval *row, char (*addr)[64])
{
	memset(row, 0, qkinds[QK_TCP].ncols * sizeof(*row));
	set_null0(&row[0], c->start_ns);
	set_u(&row[1], c->end_ns);
	set_u(&row[2], c->pid);
	row[3].s = c->comm;
	row[3].null = false;
	set_u(&row[4], c->family);
	set_addr(&row[5], c->family, c->saddr, addr[0]);
	set_u(&row[6], c->sport);
	set_addr(&row[7], c->family, c->daddr, addr[1]);
	set_u(&row[8], c->dport);
	set_u(&row[9], c->tx_bytes);
	set_u(&row[10], c->rx_bytes);
	set_u(&row[11], c->segs_out);
	set_u(&row[12], c->segs_in);
	set_null0(&row[13], c->start_ns ? c->duration_ns : 0);
	if (c->start_ns && !c->duration_ns && c->end_ns >= c->start_ns)
		set_u(&row[13], c->end_ns - c->start_ns);
	set_u(&row[14], c->state);
	set_u(&row[15], (c->flags & TCP_CONN_ESTABLISHED) != 0);
	set_u(&row[16], (c->flags & TCP_CONN_ACTIVE) != 0);
	set_u(&row[17], (c->flags & TCP_CONN_CLOSED) != 0);
	set_u(&row[18], c->skaddr);
}

void qrow_from_flow(const struct udp_flow *f, struct qrval *row, char (*addr)[64])
{
	memset(row, 0, qkinds[QK_UDP_FLOWS].ncols * sizeof(*row));
	set_u(&row[0], f->first_ns);
	set_u(&row[1], f->last_ns);
	set_u(&row[2], f->pid);
	row[3].s = f->comm;
	row[3].null = false;
	set_u(&row[4], f->family);
	set_addr(&row[5], f->family, f->saddr, addr[0]);
	set_u(&row[6], f->sport);
	set_addr(&row[7], f->family, f->daddr, addr[1]);
	set_u(&row[8], f->dport);
	set_u(&row[9], f->tx_bytes);
	set_u(&row[10], f->rx_bytes);
	set_u(&row[11], f->tx_bytes + f->rx_bytes);
	set_u(&row[12], f->tx_packets);
	set_u(&row[13], f->rx_packets);
	set_u(&row[14], f->tx_packets + f->rx_packets);
	set_u(&row[15], f->skaddr);
}

void qrow_from_proc(const struct proc_info *p, struct qrval *row)
{
	bool exited = p->flags & PROC_EXITED;

	memset(row, 0, qkinds[QK_PROCESSES].ncols * sizeof(*row));
	set_u(&row[0], p->pid);
	set_u(&row[1], p->ppid);
	set_u(&row[2], p->uid);
	row[3].s = p->comm;
	row[3].null = false;
	set_null0(&row[4], p->start_ns);
	set_null0(&row[5], p->exec_ns);
	set_null0(&row[6], exited ? p->exit_ns : 0);
	row[7].null = !(exited && p->start_ns && p->exit_ns);
	row[7].i = row[7].null ? 0 : (int64_t)(p->exit_ns - p->start_ns);
	set_u(&row[8], exited && p->exit_ns);
	row[9].null = row[10].null = row[11].null = !(exited && p->exit_ns);
	row[9].i = p->exit_status;
	row[10].i = (p->exit_status >> 8) & 255;
	row[11].i = p->exit_status & 127;
	row[12].s = p->filename ? p->filename : "";
	row[12].null = false;
	row[13].s = p->cmdline ? p->cmdline : "";
	row[13].null = false;
}

/* ---- session facts ------------------------------------------------------------------ */

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void qsession_info(struct trace_reader *r, struct qsession_info *si)
{
	struct trace_reader_stats st;
	const char *id = trace_reader__meta(r, 0, "session.id");
	int64_t real;

	memset(si, 0, sizeof(*si));
	trace_reader__stats(r, &st);
	si->start = st.first_ts;
	si->end = st.last_ts;
	if (id && *id) {
		snprintf(si->key, sizeof(si->key), "%s", id);
	} else {
		/* No session id (a foreign writer): a digest of what identifies
		 * a recording, FNV-1a over the metadata and the time range. */
		uint64_t h = 0xcbf29ce484222325ULL;
		const char *k, *v;
		for (size_t i = 0; trace_reader__meta_at(r, 0, i, &k, &v) == 0; i++) {
			h = fnv1a(k, strlen(k) + 1, h);
			h = fnv1a(v, strlen(v) + 1, h);
		}
		h = fnv1a(&si->start, sizeof(si->start), h);
		snprintf(si->key, sizeof(si->key), "digest-%016llx", (unsigned long long)h);
	}
	/* An offset past 64 bits (a forged calibration) is no wall clock. */
	if (trace_reader__realtime(r, 0, si->start, &real) == 0 &&
	    !__builtin_sub_overflow(real, (int64_t)si->start, &si->real_offset))
		si->has_real = true;
}
