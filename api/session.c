// SPDX-License-Identifier: MIT
/*
 * The public C API (api/ebpftrace.h): one event at a time from a trace (the
 * format reader) or live (a recording session of record/session.h in this
 * process, its records queued by the session's consumer callback and handed
 * out one by one). Both give each event with its record type described as
 * a trace_schema_desc, so one consumer reads either.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/ebpftrace.h"
#include "format/trace.h"
#include "record/session.h"

#ifndef VERSION
#define VERSION "dev"
#endif

#define API_NAME "ebpftrace"
#define DRAIN_INTERVAL_MS 10
#define TICK_NS 1000000000ULL
/* Ring records taken per refill: bounds the queue's memory. */
#define BATCH 1024

/* A record type of a trace, as the API describes it. */
struct api_type {
	const struct trace_schema *schema; /* the reader's (the cache key) */
	struct trace_schema_desc desc;	   /* names borrowed from the reader */
	struct trace_field_desc *fields;   /* owned */
};

/* A live record waiting to be given out. */
struct queued {
	int type;   /* enum ebt_kind or enum record_type */
	uint64_t ts;
	size_t off; /* in the arena */
};

struct ebpftrace_session {
	bool live;
	bool quiet;
	int err;
	struct ebpftrace_stats st;
	/* a trace */
	struct trace_reader *reader;
	bool want_lost;
	struct api_type *types;
	size_t ntypes;
	struct api_type *last;
	bool ended;
	/* live */
	struct record_session *rs;
	uint32_t want; /* bit per record type */
	struct queued *q;
	size_t qhead, qlen, qcap;
	uint8_t *arena;
	size_t arena_len, arena_cap;
	struct trace_calibration cal;
	uint64_t next_tick;
	int epoll_fd, timer_fd;
	bool detached, finished;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- fields ----------------------------------------------------------------- */

const struct trace_field_desc *ebpftrace_event__field(const struct ebpftrace_event *ev,
						      const char *name)
{
	const struct trace_schema_desc *d = ev ? ev->schema : NULL;

	for (uint16_t i = 0; d && name && i < d->nfields; i++)
		if (!strcmp(d->fields[i].name, name))
			return &d->fields[i];
	errno = ENOENT;
	return NULL;
}

static bool is_integer(const struct trace_field_desc *f)
{
	return f->type >= TRACE_FIELD_U8 && f->type <= TRACE_FIELD_S64;
}

int ebpftrace_event__u64(const struct ebpftrace_event *ev, const char *name, uint64_t *out)
{
	const struct trace_field_desc *f = ebpftrace_event__field(ev, name);

	if (!f)
		return -ENOENT;
	if (!is_integer(f))
		return -EINVAL;
	*out = trace_field__u64(f, ev->data, 0);
	return 0;
}

int ebpftrace_event__i64(const struct ebpftrace_event *ev, const char *name, int64_t *out)
{
	const struct trace_field_desc *f = ebpftrace_event__field(ev, name);

	if (!f)
		return -ENOENT;
	if (!is_integer(f))
		return -EINVAL;
	*out = trace_field__i64(f, ev->data, 0);
	return 0;
}

const char *ebpftrace_event__str(const struct ebpftrace_event *ev, const char *name)
{
	const struct trace_field_desc *f = ebpftrace_event__field(ev, name);

	if (!f)
		return NULL;
	if (f->type != TRACE_FIELD_STR) {
		errno = EINVAL;
		return NULL;
	}
	return trace_field__str(f, ev->data);
}

const char *ebpftrace_event__addr(const struct ebpftrace_event *ev, const char *name, char *buf,
				  size_t size)
{
	const struct trace_field_desc *f = ebpftrace_event__field(ev, name);
	uint64_t family;

	if (!f)
		return NULL;
	if (f->type != TRACE_FIELD_BYTES || f->size != 16 ||
	    ebpftrace_event__u64(ev, "family", &family)) {
		errno = ENOENT;
		return NULL;
	}
	return api_format_addr((uint16_t)family, trace_field__bytes(f, ev->data), buf, size);
}

/* ---- a trace ---------------------------------------------------------------- */

static void on_damage(const struct trace_damage *d, void *ctx)
{
	struct ebpftrace_session *s = ctx;

	s->st.damaged_chunks++;
	if (!s->quiet)
		fprintf(stderr, API_NAME ": %s: %s at offset %llu (%llu bytes skipped)\n", d->path,
			d->what, (unsigned long long)d->offset, (unsigned long long)d->length);
}

struct ebpftrace_session *ebpftrace_session__open_trace(const char *path,
							const struct ebpftrace_trace_opts *opts)
{
	struct ebpftrace_session *s = calloc(1, sizeof(*s));
	struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage };
	struct ebpftrace_trace_opts o = { 0 };
	const char **names = NULL;
	int err = 0;

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->epoll_fd = s->timer_fd = -1;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	s->quiet = o.quiet;
	ro.ctx = s;
	if (!path) {
		err = -EINVAL;
		goto fail;
	}
	s->reader = trace_reader__open(path, &ro);
	if (!s->reader) {
		err = -errno;
		goto fail;
	}
	s->want_lost = !o.types;
	if (o.types) {
		size_t n = 0;

		while (o.types[n])
			n++;
		/* lost records are read for the stats whatever was asked */
		names = calloc(n + 2, sizeof(*names));
		if (!names) {
			err = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			names[i] = o.types[i];
			if (!strcmp(o.types[i], "lost"))
				s->want_lost = true;
		}
		names[n] = "lost";
		err = trace_reader__set_types(s->reader, names);
		free(names);
		if (err)
			goto fail;
	}
	return s;
fail:
	ebpftrace_session__close(s);
	errno = -err;
	return NULL;
}

/* The API's description of a trace's record type, made once per schema. */
static const struct api_type *type_of(struct ebpftrace_session *s, const struct trace_schema *sc)
{
	struct api_type *t;
	size_t n;
	void *p;

	if (s->last && s->last->schema == sc)
		return s->last;
	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i].schema == sc)
			return s->last = &s->types[i];
	p = realloc(s->types, (s->ntypes + 1) * sizeof(*s->types));
	if (!p)
		return NULL;
	s->types = p;
	t = &s->types[s->ntypes];
	n = trace_schema__nfields(sc);
	t->fields = calloc(n ? n : 1, sizeof(*t->fields));
	if (!t->fields)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t->fields[i] = *trace_schema__field(sc, i);
	t->schema = sc;
	t->desc = (struct trace_schema_desc){ trace_schema__name(sc), trace_schema__size(sc),
					      (uint16_t)n, t->fields };
	s->ntypes++;
	s->last = NULL; /* the array moved */
	return &s->types[s->ntypes - 1];
}

static int trace_next(struct ebpftrace_session *s, struct ebpftrace_event *ev)
{
	struct trace_event te;
	const struct api_type *t;
	struct trace_lost l;
	int64_t real;
	int err;

	for (;;) {
		if (s->ended)
			return -ENOENT;
		err = trace_reader__next(s->reader, &te);
		if (err)
			return err;
		t = type_of(s, te.schema);
		if (!t)
			return -ENOMEM;
		if (te.type == TRACE_TYPE_LOST && !trace_event__lost(&te, &l)) {
			s->st.lost += l.count;
			if (!s->want_lost)
				continue;
		}
		break;
	}
	*ev = (struct ebpftrace_event){ .type = t->desc.name, .schema = &t->desc, .data = te.data,
					.boot_ns = te.ts, .file = te.file };
	if (trace_reader__realtime(s->reader, te.file, te.ts, &real) == 0)
		ev->epoch_ns = real;
	s->st.events++;
	return 0;
}

/* ---- live ------------------------------------------------------------------- */

/* Which probe makes each ring kind, and the histogram snapshots. */
static int probe_of(int type)
{
	switch (type) {
	case EBT_KIND_OPEN: return EBT_PROBE_OPENS;
	case EBT_KIND_SYSCALL: return EBT_PROBE_SYSCALLS;
	case RECORD_SYSCALL_HIST: return EBT_PROBE_SYSCALLS;
	case EBT_KIND_TCP_STATE: return EBT_PROBE_TCP;
	case EBT_KIND_TCP_LIFE: return EBT_PROBE_TCP;
	case EBT_KIND_UDP: return EBT_PROBE_UDP;
	case EBT_KIND_EXEC: return EBT_PROBE_PROC;
	case EBT_KIND_FORK: return EBT_PROBE_PROC;
	case EBT_KIND_EXIT: return EBT_PROBE_PROC;
	}
	return -1;
}

static void say(const struct ebpftrace_live_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct ebpftrace_live_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->errbuf || !o->errbuf_size)
		return;
	va_start(ap, fmt);
	vsnprintf(o->errbuf, o->errbuf_size, fmt, ap);
	va_end(ap);
}

static int parse_probes(const struct ebpftrace_live_opts *o, uint32_t *mask)
{
	char *copy, *save = NULL, *tok;
	int idx, err = 0;

	*mask = 0;
	copy = strdup(o->probes);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		idx = record_probe__by_name(tok);
		if (idx < 0) {
			say(o, "unknown probe '%s': the probes are opens, syscalls, tcp, udp, proc", tok);
			err = -EINVAL;
			break;
		}
		*mask |= 1u << idx;
	}
	free(copy);
	if (!err && !*mask) {
		say(o, "no probe named in '%s'", o->probes);
		err = -EINVAL;
	}
	return err;
}

static int parse_types(const struct ebpftrace_live_opts *o, uint32_t *want, uint32_t *probes)
{
	*want = 0;
	*probes = 0;
	if (!o->types) {
		*want = ~0u;
		return 0;
	}
	for (size_t i = 0; o->types[i]; i++) {
		int type = 1;

		while (type < RECORD_NTYPES && strcmp(record_type__desc(type)->name, o->types[i]))
			type++;
		if (type == RECORD_NTYPES) {
			say(o, "unknown record type '%s' (format/EVENTS.md lists them)", o->types[i]);
			return -EINVAL;
		}
		*want |= 1u << type;
		if (probe_of(type) >= 0)
			*probes |= 1u << probe_of(type);
	}
	return 0;
}

/* The session's consumer: the records asked for, queued. */
static int on_record(void *ctx, const struct record_event *rev)
{
	struct ebpftrace_session *s = ctx;
	size_t size = rev->desc->size;

	if (rev->type == RECORD_LOST)
		s->st.lost += ((const struct trace_lost *)rev->data)->count;
	if (!(s->want & (1u << rev->type)))
		return 0;
	if (s->qlen == s->qcap) {
		size_t cap = s->qcap ? s->qcap * 2 : 256;
		void *p = realloc(s->q, cap * sizeof(*s->q));

		if (!p)
			return -ENOMEM;
		s->q = p;
		s->qcap = cap;
	}
	if (s->arena_len + size > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap : 65536;
		void *p;

		while (cap < s->arena_len + size)
			cap *= 2;
		p = realloc(s->arena, cap);
		if (!p)
			return -ENOMEM;
		s->arena = p;
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, rev->data, size);
	s->q[s->qlen++] = (struct queued){ rev->type, rev->ts, s->arena_len };
	/* records stay 8-aligned: every field can be read in place */
	s->arena_len += (size + 7) & ~(size_t)7;
	return 0;
}

struct ebpftrace_session *ebpftrace_session__open_live(const struct ebpftrace_live_opts *opts)
{
	struct ebpftrace_session *s = NULL;
	struct ebpftrace_live_opts o = { 0 };
	struct record_session_opts so = { .sz = sizeof(so), .name = API_NAME };
	struct itimerspec every = { { 0, DRAIN_INTERVAL_MS * 1000000L },
				    { 0, DRAIN_INTERVAL_MS * 1000000L } };
	struct epoll_event ee = { .events = EPOLLIN };
	char msg[512] = "";
	uint32_t from_types;
	int err, n;

	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.errbuf && o.errbuf_size)
		o.errbuf[0] = 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		err = -ENOMEM;
		goto fail;
	}
	s->live = true;
	s->quiet = o.quiet;
	s->epoll_fd = s->timer_fd = -1;
	err = parse_types(&o, &s->want, &from_types);
	if (!err && o.probes)
		err = parse_probes(&o, &so.probes);
	if (err)
		goto fail;
	if (!o.probes)
		so.probes = from_types; /* 0: every probe */
	err = record_session__preflight(API_NAME, o.quiet, msg, sizeof(msg));
	if (err) {
		say(&o, "%s", msg);
		goto fail;
	}
	so.ring_size = o.ring_size;
	so.pids = o.pids;
	so.npids = o.npids;
	so.comm = o.comm;
	so.port = o.port;
	so.syscall_events = o.syscall_events;
	so.min_latency_ns = o.min_latency_ns;
	so.quiet = o.quiet;
	/* a pid set here or later takes the processes it forks along */
	so.follow = true;
	so.consumer = on_record;
	so.ctx = s;
	s->rs = record_session__open(&so, msg, sizeof(msg));
	if (!s->rs) {
		err = -errno;
		say(&o, "%s", msg);
		goto fail;
	}
	n = record_session__attach(s->rs, msg, sizeof(msg));
	if (n <= 0) {
		err = n < 0 ? n : -ENOENT;
		say(&o, "%s", n < 0 ? msg : "no probe could be attached (the reasons are above)");
		goto fail;
	}
	err = record_session__start(s->rs, msg, sizeof(msg));
	if (err) {
		say(&o, "%s", msg[0] ? msg : ebpftrace_strerror(err));
		goto fail;
	}
	record_session__calibration(s->rs, &s->cal);
	s->next_tick = mono_ns() + TICK_NS;
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->epoll_fd < 0 || s->timer_fd < 0 || timerfd_settime(s->timer_fd, 0, &every, NULL) ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->timer_fd, &ee) ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, record_session__fd(s->rs), &ee)) {
		err = -errno;
		say(&o, "cannot set up waiting for events: %s", strerror(-err));
		goto fail;
	}
	return s;
fail:
	ebpftrace_session__close(s);
	errno = -err;
	return NULL;
}

/* Queues what the ring holds (a batch), ticking once a second. */
static int refill(struct ebpftrace_session *s)
{
	uint64_t now = mono_ns();
	int n, err;

	s->qhead = s->qlen = 0;
	s->arena_len = 0;
	if (now >= s->next_tick) {
		s->next_tick = now + TICK_NS;
		err = record_session__tick(s->rs);
		if (err)
			return err;
		record_session__calibration(s->rs, &s->cal);
	}
	/* Batches until one queues something or the ring is empty (records
	 * of types not asked for are dropped on the way). */
	do
		n = record_session__drain(s->rs, BATCH);
	while (n == BATCH && !s->qlen);
	if (n < 0)
		return n;
	if (s->detached && n == 0 && !s->qlen) {
		/* All drained: the last lost records, then the end. */
		err = record_session__tick(s->rs);
		s->finished = true;
		return err;
	}
	return 0;
}

static int live_next(struct ebpftrace_session *s, struct ebpftrace_event *ev, int timeout_ms)
{
	uint64_t deadline = timeout_ms > 0 ? mono_ns() + (uint64_t)timeout_ms * 1000000ULL : 0;
	struct epoll_event ee;
	uint64_t ticks;
	int err;

	for (;;) {
		if (s->qhead < s->qlen) {
			const struct queued *q = &s->q[s->qhead++];
			const struct trace_schema_desc *d = record_type__desc(q->type);

			*ev = (struct ebpftrace_event){ .type = d->name, .schema = d,
							.data = s->arena + q->off, .boot_ns = q->ts,
							.epoch_ns = s->cal.real_ns +
								    (int64_t)(q->ts - s->cal.boot_ns) };
			s->st.events++;
			return 0;
		}
		if (s->finished)
			return -ENOENT;
		err = refill(s);
		if (err)
			return s->err = err;
		if (s->qlen || s->finished)
			continue;
		if (timeout_ms == 0)
			return -EAGAIN;
		uint64_t now = mono_ns();
		int wait = DRAIN_INTERVAL_MS;

		if (timeout_ms > 0) {
			if (now >= deadline)
				return -EAGAIN;
			if ((deadline - now) / 1000000ULL < (uint64_t)wait)
				wait = (int)((deadline - now) / 1000000ULL) + 1;
		}
		if (epoll_wait(s->epoll_fd, &ee, 1, wait) < 0 && errno != EINTR)
			return -errno;
		while (read(s->timer_fd, &ticks, sizeof(ticks)) > 0)
			;
	}
}

/* ---- both ------------------------------------------------------------------- */

int ebpftrace_session__next(struct ebpftrace_session *s, struct ebpftrace_event *ev,
			    int timeout_ms)
{
	if (!s || !ev)
		return -EINVAL;
	if (s->err)
		return s->err;
	return s->live ? live_next(s, ev, timeout_ms) : trace_next(s, ev);
}

int ebpftrace_session__fd(struct ebpftrace_session *s)
{
	return s && s->live ? s->epoll_fd : -EINVAL;
}

int ebpftrace_session__stop(struct ebpftrace_session *s)
{
	if (!s)
		return -EINVAL;
	if (!s->live) {
		s->ended = true;
		return 0;
	}
	if (!s->detached) {
		record_session__detach(s->rs);
		s->detached = true;
	}
	return 0;
}

void ebpftrace_session__close(struct ebpftrace_session *s)
{
	if (!s)
		return;
	trace_reader__close(s->reader);
	for (size_t i = 0; i < s->ntypes; i++)
		free(s->types[i].fields);
	free(s->types);
	record_session__close(s->rs);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	free(s->q);
	free(s->arena);
	free(s);
}

bool ebpftrace_session__live(const struct ebpftrace_session *s)
{
	return s && s->live;
}

void ebpftrace_session__stats(const struct ebpftrace_session *s, struct ebpftrace_stats *st)
{
	*st = s->st;
}

/* ---- live filters --------------------------------------------------------------- */

int ebpftrace_session__set_comm(struct ebpftrace_session *s, const char *comm)
{
	return s && s->live ? record_session__set_comm(s->rs, comm) : -EINVAL;
}

int ebpftrace_session__set_port(struct ebpftrace_session *s, uint16_t port)
{
	return s && s->live ? record_session__set_port(s->rs, port) : -EINVAL;
}

int ebpftrace_session__pid_filter(struct ebpftrace_session *s, bool on)
{
	return s && s->live ? record_session__set_pid_filter(s->rs, on) : -EINVAL;
}

int ebpftrace_session__pid_add(struct ebpftrace_session *s, uint32_t pid)
{
	return s && s->live ? record_session__pid_add(s->rs, pid) : -EINVAL;
}

int ebpftrace_session__pid_remove(struct ebpftrace_session *s, uint32_t pid)
{
	return s && s->live ? record_session__pid_remove(s->rs, pid) : -EINVAL;
}

int ebpftrace_session__pid_clear(struct ebpftrace_session *s)
{
	return s && s->live ? record_session__pid_clear(s->rs) : -EINVAL;
}

/* ---- errors ----------------------------------------------------------------- */

const char *ebpftrace_strerror(int err)
{
	switch (err) {
	case -EPERM:
		return "not permitted: live sessions need root, or CAP_BPF and CAP_PERFMON";
	case -EAGAIN:
		return "no event yet";
	}
	return trace_strerror(err);
}

const char *ebpftrace_version(void)
{
	return VERSION;
}
