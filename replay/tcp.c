// SPDX-License-Identifier: MIT
/* TCP connections in the manner of bcc's tcplife, from `tcp_state`
 * transitions and `tcp_life` close records: memory holds the connections
 * open now, a bounded ring of recent closes and the top-N longest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/map.h"
#include "replay/replay.h"

enum { ST_SKADDR, ST_PID, ST_FAMILY, ST_SPORT, ST_DPORT, ST_OLD, ST_NEW, ST_COMM, ST_SADDR,
       ST_DADDR, ST_N };
static const char *const state_fields[ST_N] = { "skaddr", "pid",      "family",	  "sport",
						"dport",  "oldstate", "newstate", "comm",
						"saddr",  "daddr" };
enum { LF_START, LF_SKADDR, LF_TX, LF_RX, LF_SEGS_OUT, LF_SEGS_IN, LF_PID, LF_FAMILY,
       LF_SPORT, LF_DPORT, LF_FLAGS, LF_COMM, LF_SADDR, LF_DADDR, LF_N };
static const char *const life_fields[LF_N] = {
	"start_ns", "skaddr", "tx_bytes", "rx_bytes", "segs_out", "segs_in", "pid",
	"family",   "sport",       "dport",  "flags",    "comm",     "saddr",    "daddr",
};

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_CLOSE 7
#define TCP_LISTEN 10
/* A close seen as a state change waits this long (trace time) for its
 * tcp_life record, which the recorder writes at the same instant. */
#define PENDING_NS 100000000ULL

struct tcp_analysis {
	struct tcp_analysis_opts opts;
	struct replay_binding *st_bind, *lf_bind;
	struct tcp_totals totals;
	struct tcp_conn *open; /* dense; map skaddr -> index */
	size_t nopen, cap_open;
	struct u64map open_map;
	struct tcp_conn *sorted; /* open, by start, for accessors */
	size_t cap_sorted;
	struct tcp_conn *pending; /* closed by a state change, FIFO */
	size_t npending, pending_head, cap_pending;
	struct tcp_conn *ring; /* recent closes */
	size_t ring_len, ring_head;
	uint64_t ring_dropped;
	struct tcp_conn *longest; /* min-heap by duration */
	size_t nlongest;
	struct tcp_conn *longest_sorted;
	bool longest_dirty;
};

struct tcp_analysis *tcp_analysis__new(const struct tcp_analysis_opts *opts)
{
	struct tcp_analysis *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(a->opts) ? opts->sz : sizeof(a->opts);
		memcpy(&a->opts, opts, n);
	}
	if (!a->opts.keep_closed)
		a->opts.keep_closed = 10000;
	if (!a->opts.top_longest)
		a->opts.top_longest = 20;
	a->st_bind = replay_binding__new("tcp_state", state_fields, ST_N);
	a->lf_bind = replay_binding__new("tcp_life", life_fields, LF_N);
	a->ring = calloc(a->opts.keep_closed, sizeof(*a->ring));
	a->longest = calloc(a->opts.top_longest, sizeof(*a->longest));
	a->longest_sorted = calloc(a->opts.top_longest, sizeof(*a->longest_sorted));
	if (!a->st_bind || !a->lf_bind || !a->ring || !a->longest || !a->longest_sorted) {
		tcp_analysis__free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

void tcp_analysis__free(struct tcp_analysis *a)
{
	if (!a)
		return;
	replay_binding__free(a->st_bind);
	replay_binding__free(a->lf_bind);
	free(a->open);
	u64map_free(&a->open_map);
	free(a->sorted);
	free(a->pending);
	free(a->ring);
	free(a->longest);
	free(a->longest_sorted);
	free(a);
}

void tcp_analysis__reset(struct tcp_analysis *a)
{
	memset(&a->totals, 0, sizeof(a->totals));
	a->nopen = 0;
	u64map_clear(&a->open_map);
	a->npending = a->pending_head = 0;
	a->ring_len = a->ring_head = 0;
	a->ring_dropped = 0;
	a->nlongest = 0;
	a->longest_dirty = true;
}

static void longest_sift_down(struct tcp_conn *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && h[l].duration_ns < h[m].duration_ns)
			m = l;
		if (r < n && h[r].duration_ns < h[m].duration_ns)
			m = r;
		if (m == i)
			return;
		struct tcp_conn x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

static void finalize(struct tcp_analysis *a, struct tcp_conn *c)
{
	c->flags |= TCP_CONN_CLOSED;
	c->state = TCP_CLOSE;
	if (c->start_ns && c->end_ns >= c->start_ns)
		c->duration_ns = c->end_ns - c->start_ns;
	a->totals.closed++;
	if (!(c->flags & TCP_CONN_ESTABLISHED))
		a->totals.never_established++;
	a->totals.tx_bytes += c->tx_bytes;
	a->totals.rx_bytes += c->rx_bytes;
	if (c->start_ns)
		a->totals.lifetime_slots[replay_log2_slot(c->duration_ns)]++;

	size_t cap = a->opts.keep_closed;
	if (a->ring_len < cap) {
		a->ring[(a->ring_head + a->ring_len++) % cap] = *c;
	} else {
		a->ring[a->ring_head] = *c;
		a->ring_head = (a->ring_head + 1) % cap;
		a->ring_dropped++;
	}
	if (c->start_ns) {
		size_t n = a->opts.top_longest;
		if (a->nlongest < n) {
			size_t i = a->nlongest++;
			a->longest[i] = *c;
			while (i && a->longest[(i - 1) / 2].duration_ns > a->longest[i].duration_ns) {
				struct tcp_conn x = a->longest[i];
				a->longest[i] = a->longest[(i - 1) / 2];
				a->longest[(i - 1) / 2] = x;
				i = (i - 1) / 2;
			}
		} else if (c->duration_ns > a->longest[0].duration_ns) {
			a->longest[0] = *c;
			longest_sift_down(a->longest, n, 0);
		}
		a->longest_dirty = true;
	}
	if (a->opts.on_close)
		a->opts.on_close(c, a->opts.ctx);
}

static void open_remove(struct tcp_analysis *a, size_t idx)
{
	u64map_del(&a->open_map, a->open[idx].skaddr);
	if (idx != a->nopen - 1) {
		a->open[idx] = a->open[a->nopen - 1];
		u64map_put(&a->open_map, a->open[idx].skaddr, (uint32_t)idx);
	}
	a->nopen--;
	a->totals.open = a->nopen;
}

static struct tcp_conn *pending_at(struct tcp_analysis *a, size_t i)
{
	return &a->pending[(a->pending_head + i) % a->cap_pending];
}

static int pending_push(struct tcp_analysis *a, const struct tcp_conn *c)
{
	if (a->npending == a->cap_pending) {
		size_t ncap = a->cap_pending ? a->cap_pending * 2 : 16;
		struct tcp_conn *np = malloc(ncap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		for (size_t i = 0; i < a->npending; i++)
			np[i] = *pending_at(a, i);
		free(a->pending);
		a->pending = np;
		a->cap_pending = ncap;
		a->pending_head = 0;
	}
	a->pending[(a->pending_head + a->npending++) % a->cap_pending] = *c;
	return 0;
}

static void pending_pop(struct tcp_analysis *a)
{
	a->pending_head = (a->pending_head + 1) % a->cap_pending;
	a->npending--;
}

/* Closes whose tcp_life record did not come within PENDING_NS. */
static void pending_expire(struct tcp_analysis *a, uint64_t now)
{
	while (a->npending) {
		struct tcp_conn *c = pending_at(a, 0);
		if (c->end_ns + PENDING_NS >= now)
			break;
		if (c->skaddr) /* 0: taken by a tcp_life record */
			finalize(a, c);
		pending_pop(a);
	}
}

static void fill_endpoints(struct tcp_conn *c, const struct trace_field_desc *family,
			   const struct trace_field_desc *sport, const struct trace_field_desc *dport,
			   const struct trace_field_desc *saddr, const struct trace_field_desc *daddr,
			   const void *r)
{
	c->family = (uint16_t)replay_field_u64(family, r);
	c->sport = (uint16_t)replay_field_u64(sport, r);
	c->dport = (uint16_t)replay_field_u64(dport, r);
	if (saddr && saddr->size >= 16)
		memcpy(c->saddr, trace_field__bytes(saddr, r), 16);
	if (daddr && daddr->size >= 16)
		memcpy(c->daddr, trace_field__bytes(daddr, r), 16);
}

static int feed_state(struct tcp_analysis *a, const struct trace_event *ev,
		      const struct trace_field_desc *const *fd)
{
	const void *r = ev->data;
	uint64_t sk = replay_field_u64(fd[ST_SKADDR], r);
	unsigned oldstate = (unsigned)replay_field_u64(fd[ST_OLD], r);
	unsigned newstate = (unsigned)replay_field_u64(fd[ST_NEW], r);
	uint32_t idx = u64map_get(&a->open_map, sk);

	a->totals.state_changes++;
	/* Listening sockets are not connections (tcplife skips them too). */
	if (newstate == TCP_LISTEN || oldstate == TCP_LISTEN) {
		if (idx != U64MAP_NONE)
			open_remove(a, idx);
		return 0;
	}
	if (idx == U64MAP_NONE) {
		if (newstate == TCP_CLOSE) {
			/* Already closed by its tcp_life record (same instant)? */
			for (size_t i = 0; i < a->ring_len && i < 64; i++) {
				size_t j = (a->ring_head + a->ring_len - 1 - i) % a->opts.keep_closed;
				if (a->ring[j].skaddr == sk && a->ring[j].end_ns + PENDING_NS >= ev->ts)
					return 0;
			}
		}
		struct tcp_conn c = { .skaddr = sk, .file = ev->file };
		if (oldstate == TCP_CLOSE && newstate != TCP_CLOSE) {
			c.start_ns = ev->ts;
			c.flags |= TCP_CONN_START_SEEN;
		}
		if (newstate == TCP_SYN_SENT)
			c.flags |= TCP_CONN_ACTIVE;
		if (a->nopen == a->cap_open) {
			size_t ncap = a->cap_open ? a->cap_open * 2 : 64;
			struct tcp_conn *np = realloc(a->open, ncap * sizeof(*np));
			if (!np)
				return -ENOMEM;
			a->open = np;
			a->cap_open = ncap;
		}
		idx = (uint32_t)a->nopen;
		if (u64map_put(&a->open_map, sk, idx))
			return -ENOMEM;
		a->open[a->nopen++] = c;
		a->totals.open = a->nopen;
	}
	struct tcp_conn *c = &a->open[idx];
	uint32_t pid = (uint32_t)replay_field_u64(fd[ST_PID], r);
	if (pid && !c->pid) {
		c->pid = pid;
		replay_field_str(fd[ST_COMM], r, c->comm, sizeof(c->comm));
	}
	fill_endpoints(c, fd[ST_FAMILY], fd[ST_SPORT], fd[ST_DPORT], fd[ST_SADDR], fd[ST_DADDR], r);
	if (newstate == TCP_ESTABLISHED)
		c->flags |= TCP_CONN_ESTABLISHED;
	c->state = (uint8_t)newstate;
	c->end_ns = ev->ts;
	if (newstate == TCP_CLOSE) {
		struct tcp_conn done = *c;
		open_remove(a, idx);
		return pending_push(a, &done);
	}
	return 0;
}

static int feed_life(struct tcp_analysis *a, const struct trace_event *ev,
		     const struct trace_field_desc *const *fd)
{
	const void *r = ev->data;
	uint64_t sk = replay_field_u64(fd[LF_SKADDR], r);
	struct tcp_conn c = { .skaddr = sk, .file = ev->file };
	uint32_t idx = u64map_get(&a->open_map, sk);

	if (idx != U64MAP_NONE) {
		c = a->open[idx];
		open_remove(a, idx);
	} else {
		for (size_t i = a->npending; i-- > 0;) {
			struct tcp_conn *p = pending_at(a, i);
			if (p->skaddr == sk) {
				c = *p;
				p->skaddr = 0; /* consumed; expires silently */
				break;
			}
		}
	}
	uint32_t pid = (uint32_t)replay_field_u64(fd[LF_PID], r);
	if (pid) {
		c.pid = pid;
		replay_field_str(fd[LF_COMM], r, c.comm, sizeof(c.comm));
	}
	fill_endpoints(&c, fd[LF_FAMILY], fd[LF_SPORT], fd[LF_DPORT], fd[LF_SADDR], fd[LF_DADDR], r);
	uint64_t start = replay_field_u64(fd[LF_START], r);
	uint8_t flags = (uint8_t)replay_field_u64(fd[LF_FLAGS], r);
	if (start) {
		c.start_ns = start;
		c.flags |= TCP_CONN_START_SEEN;
	}
	c.flags |= flags & (TCP_CONN_ESTABLISHED | TCP_CONN_ACTIVE | TCP_CONN_START_SEEN);
	if (!(c.flags & TCP_CONN_START_SEEN))
		c.start_ns = 0;
	c.end_ns = ev->ts;
	c.tx_bytes = replay_field_u64(fd[LF_TX], r);
	c.rx_bytes = replay_field_u64(fd[LF_RX], r);
	c.segs_out = (uint32_t)replay_field_u64(fd[LF_SEGS_OUT], r);
	c.segs_in = (uint32_t)replay_field_u64(fd[LF_SEGS_IN], r);
	c.flags |= TCP_CONN_LIFE;
	finalize(a, &c);
	return 0;
}

int tcp_analysis__feed(struct tcp_analysis *a, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd;
	int err = 0;

	if (a->npending)
		pending_expire(a, ev->ts);
	if ((fd = replay_binding__resolve(a->st_bind, ev->schema)))
		err = feed_state(a, ev, fd);
	else if ((fd = replay_binding__resolve(a->lf_bind, ev->schema)))
		err = feed_life(a, ev, fd);
	return err;
}

void tcp_analysis__totals(const struct tcp_analysis *a, struct tcp_totals *t)
{
	*t = a->totals;
}

static int cmp_start(const void *x, const void *y)
{
	const struct tcp_conn *a = x, *b = y;

	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	return a->skaddr < b->skaddr ? -1 : a->skaddr > b->skaddr;
}

void tcp_analysis__finish(struct tcp_analysis *a)
{
	while (a->npending) {
		struct tcp_conn *c = pending_at(a, 0);
		if (c->skaddr)
			finalize(a, c);
		pending_pop(a);
	}
}

size_t tcp_analysis__nopen(struct tcp_analysis *a)
{
	if (a->cap_sorted < a->nopen) {
		struct tcp_conn *np = realloc(a->sorted, a->nopen * sizeof(*np));
		if (!np)
			return 0;
		a->sorted = np;
		a->cap_sorted = a->nopen;
	}
	if (a->nopen) {
		memcpy(a->sorted, a->open, a->nopen * sizeof(*a->open));
		qsort(a->sorted, a->nopen, sizeof(*a->sorted), cmp_start);
	}
	return a->nopen;
}

const struct tcp_conn *tcp_analysis__open_at(struct tcp_analysis *a, size_t i)
{
	return i < a->nopen && a->sorted ? &a->sorted[i] : NULL;
}

size_t tcp_analysis__nclosed(const struct tcp_analysis *a, uint64_t *dropped)
{
	if (dropped)
		*dropped = a->ring_dropped;
	return a->ring_len;
}

const struct tcp_conn *tcp_analysis__closed_at(const struct tcp_analysis *a, size_t i)
{
	if (i >= a->ring_len)
		return NULL;
	return &a->ring[(a->ring_head + i) % a->opts.keep_closed];
}

static int cmp_duration(const void *x, const void *y)
{
	const struct tcp_conn *a = x, *b = y;

	if (a->duration_ns != b->duration_ns)
		return a->duration_ns > b->duration_ns ? -1 : 1;
	return cmp_start(x, y);
}

size_t tcp_analysis__nlongest(struct tcp_analysis *a)
{
	if (a->longest_dirty) {
		memcpy(a->longest_sorted, a->longest, a->nlongest * sizeof(*a->longest));
		qsort(a->longest_sorted, a->nlongest, sizeof(*a->longest_sorted), cmp_duration);
		a->longest_dirty = false;
	}
	return a->nlongest;
}

const struct tcp_conn *tcp_analysis__longest_at(struct tcp_analysis *a, size_t i)
{
	return i < a->nlongest ? &a->longest_sorted[i] : NULL;
}
