// SPDX-License-Identifier: MIT
/* File opens: totals and latency histogram, top paths and comms, the
 * slowest calls, failures by errno. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "replay/topk.h"

enum { OP_LAT, OP_PID, OP_TID, OP_UID, OP_RET, OP_DIRFD, OP_FLAGS, OP_MODE, OP_CALL, OP_COMM,
       OP_PATH, OP_N };
static const char *const open_fields[OP_N] = { "latency_ns", "pid", "tid",   "uid",
					       "ret",	     "dirfd", "flags", "mode",
					       "call",	     "comm",  "path" };

#define ERRNO_MAX 4096

struct opens_analysis {
	struct opens_analysis_opts opts;
	struct replay_binding *bind;
	struct opens_totals totals;
	struct topk paths, comms;
	struct opens_key *keys; /* accessor scratch, one per topk cap */
	struct opens_call *slow; /* min-heap by latency, top_slowest */
	size_t nslow;
	struct opens_call *slow_sorted;
	bool slow_dirty;
	struct opens_errno *errs; /* count > 0 ones are live, indexed by errno */
	size_t *err_order;
	size_t nerr_order;
	bool err_dirty;
};

struct opens_analysis *opens_analysis__new(const struct opens_analysis_opts *opts)
{
	struct opens_analysis *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(a->opts) ? opts->sz : sizeof(a->opts);
		memcpy(&a->opts, opts, n);
	}
	if (!a->opts.top_paths)
		a->opts.top_paths = 1024;
	if (!a->opts.top_slowest)
		a->opts.top_slowest = 20;
	a->bind = replay_binding__new("open", open_fields, OP_N);
	size_t nkeys = a->opts.top_paths > 256 ? a->opts.top_paths : 256;
	a->keys = calloc(nkeys, sizeof(*a->keys));
	a->slow = calloc(a->opts.top_slowest, sizeof(*a->slow));
	a->slow_sorted = calloc(a->opts.top_slowest, sizeof(*a->slow_sorted));
	a->errs = calloc(ERRNO_MAX, sizeof(*a->errs));
	a->err_order = calloc(ERRNO_MAX, sizeof(*a->err_order));
	if (!a->bind || !a->keys || !a->slow || !a->slow_sorted || !a->errs || !a->err_order ||
	    topk_init(&a->paths, a->opts.top_paths) || topk_init(&a->comms, 256)) {
		opens_analysis__free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

void opens_analysis__free(struct opens_analysis *a)
{
	if (!a)
		return;
	replay_binding__free(a->bind);
	topk_free(&a->paths);
	topk_free(&a->comms);
	free(a->keys);
	free(a->slow);
	free(a->slow_sorted);
	free(a->errs);
	free(a->err_order);
	free(a);
}

void opens_analysis__reset(struct opens_analysis *a)
{
	memset(&a->totals, 0, sizeof(a->totals));
	topk_clear(&a->paths);
	topk_clear(&a->comms);
	a->nslow = 0;
	memset(a->errs, 0, ERRNO_MAX * sizeof(*a->errs));
	a->nerr_order = 0;
	a->slow_dirty = a->err_dirty = true;
}

static void slow_sift_down(struct opens_call *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && h[l].latency_ns < h[m].latency_ns)
			m = l;
		if (r < n && h[r].latency_ns < h[m].latency_ns)
			m = r;
		if (m == i)
			return;
		struct opens_call x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

static void slow_sift_up(struct opens_call *h, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		if (h[p].latency_ns <= h[i].latency_ns)
			return;
		struct opens_call x = h[i];
		h[i] = h[p];
		h[p] = x;
		i = p;
	}
}

static void fill_call(struct opens_call *c, const struct trace_event *ev,
		      const struct trace_field_desc *const *fd, uint64_t lat)
{
	const void *r = ev->data;

	c->ts = ev->ts;
	c->latency_ns = lat;
	c->pid = (uint32_t)replay_field_u64(fd[OP_PID], r);
	c->tid = (uint32_t)replay_field_u64(fd[OP_TID], r);
	c->uid = (uint32_t)replay_field_u64(fd[OP_UID], r);
	c->ret = (int32_t)replay_field_i64(fd[OP_RET], r);
	c->dirfd = fd[OP_DIRFD] ? (int32_t)replay_field_i64(fd[OP_DIRFD], r) : -100;
	c->flags = (uint32_t)replay_field_u64(fd[OP_FLAGS], r);
	c->mode = (uint32_t)replay_field_u64(fd[OP_MODE], r);
	c->file = ev->file;
	replay_field_str(fd[OP_CALL], r, c->call, sizeof(c->call));
	replay_field_str(fd[OP_COMM], r, c->comm, sizeof(c->comm));
	replay_field_str(fd[OP_PATH], r, c->path, sizeof(c->path));
}

static void account(struct topk_entry *e, bool failed, uint64_t lat)
{
	if (!e)
		return;
	e->failures += failed;
	e->total_ns += lat;
	if (lat > e->max_ns)
		e->max_ns = lat;
}

int opens_analysis__feed(struct opens_analysis *a, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd = replay_binding__resolve(a->bind, ev->schema);

	if (!fd)
		return 0;
	const void *r = ev->data;
	uint64_t lat = replay_field_u64(fd[OP_LAT], r);
	int64_t ret = replay_field_i64(fd[OP_RET], r);
	bool failed = ret < 0;
	char path[256], comm[16];

	a->totals.count++;
	a->totals.failures += failed;
	a->totals.total_ns += lat;
	if (lat > a->totals.max_ns)
		a->totals.max_ns = lat;
	a->totals.slots[replay_log2_slot(lat)]++;

	replay_field_str(fd[OP_PATH], r, path, sizeof(path));
	replay_field_str(fd[OP_COMM], r, comm, sizeof(comm));
	struct topk_entry *pe = topk_add(&a->paths, path);
	struct topk_entry *ce = topk_add(&a->comms, comm);
	if (!pe || !ce)
		return -ENOMEM;
	account(pe, failed, lat);
	account(ce, failed, lat);

	if (failed && -ret < ERRNO_MAX) {
		struct opens_errno *e = &a->errs[-ret];
		e->err = (int)-ret;
		e->count++;
		memcpy(e->path, path, sizeof(e->path));
		a->err_dirty = true;
	}

	if (a->nslow < a->opts.top_slowest) {
		fill_call(&a->slow[a->nslow], ev, fd, lat);
		slow_sift_up(a->slow, a->nslow++);
		a->slow_dirty = true;
	} else if (lat > a->slow[0].latency_ns) {
		fill_call(&a->slow[0], ev, fd, lat);
		slow_sift_down(a->slow, a->nslow, 0);
		a->slow_dirty = true;
	}
	return 0;
}

void opens_analysis__totals(const struct opens_analysis *a, struct opens_totals *t)
{
	*t = a->totals;
}

static const struct opens_key *key_at(struct opens_analysis *a, struct topk *t, size_t i)
{
	const struct topk_entry *e = topk_at(t, i);

	if (!e)
		return NULL;
	struct opens_key *k = &a->keys[i];
	*k = (struct opens_key){ .key = e->key, .count = e->count, .failures = e->failures,
				 .total_ns = e->total_ns, .max_ns = e->max_ns, .error = e->error };
	return k;
}

size_t opens_analysis__npaths(struct opens_analysis *a)
{
	return topk_count(&a->paths);
}

const struct opens_key *opens_analysis__path_at(struct opens_analysis *a, size_t i)
{
	return key_at(a, &a->paths, i);
}

size_t opens_analysis__ncomms(struct opens_analysis *a)
{
	return topk_count(&a->comms);
}

const struct opens_key *opens_analysis__comm_at(struct opens_analysis *a, size_t i)
{
	return key_at(a, &a->comms, i);
}

static int cmp_slow(const void *x, const void *y)
{
	const struct opens_call *a = x, *b = y;

	if (a->latency_ns != b->latency_ns)
		return a->latency_ns > b->latency_ns ? -1 : 1;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

size_t opens_analysis__nslowest(struct opens_analysis *a)
{
	if (a->slow_dirty) {
		memcpy(a->slow_sorted, a->slow, a->nslow * sizeof(*a->slow));
		qsort(a->slow_sorted, a->nslow, sizeof(*a->slow_sorted), cmp_slow);
		a->slow_dirty = false;
	}
	return a->nslow;
}

const struct opens_call *opens_analysis__slowest_at(struct opens_analysis *a, size_t i)
{
	return i < opens_analysis__nslowest(a) ? &a->slow_sorted[i] : NULL;
}

static int cmp_err(const void *x, const void *y, void *ctx)
{
	const struct opens_errno *errs = ctx;
	const struct opens_errno *a = &errs[*(const size_t *)x], *b = &errs[*(const size_t *)y];

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->err - b->err;
}

size_t opens_analysis__nerrnos(struct opens_analysis *a)
{
	if (a->err_dirty) {
		a->nerr_order = 0;
		for (size_t i = 0; i < ERRNO_MAX; i++)
			if (a->errs[i].count)
				a->err_order[a->nerr_order++] = i;
		qsort_r(a->err_order, a->nerr_order, sizeof(*a->err_order), cmp_err, a->errs);
		a->err_dirty = false;
	}
	return a->nerr_order;
}

const struct opens_errno *opens_analysis__errno_at(struct opens_analysis *a, size_t i)
{
	return i < opens_analysis__nerrnos(a) ? &a->errs[a->err_order[i]] : NULL;
}
