// SPDX-License-Identifier: MIT
/* Syscall latency histograms: log2 buckets per syscall (and per process on
 * request) from `syscall` events, and from the kernel's own cumulative
 * `syscall_hist` snapshots. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/map.h"
#include "replay/replay.h"

enum { SC_PID, SC_NR, SC_LAT, SC_COMM, SC_N };
static const char *const syscall_fields[SC_N] = { "pid", "nr", "latency_ns", "comm" };
enum { SH_NR, SH_COUNT, SH_TOTAL, SH_MAX, SH_SLOTS, SH_N };
static const char *const snap_fields[SH_N] = { "nr", "count", "total_ns", "max_ns", "slots" };

struct snap {
	uint64_t count, total_ns, max_ns;
	uint64_t slots[REPLAY_HIST_SLOTS];
};

struct kstate {
	uint32_t group, nr;
	bool has_first;
	struct snap first;  /* subtracted in interval mode */
	struct snap latest; /* the newest cumulative snapshot */
	struct snap banked; /* earlier recordings of this group (counters restarted) */
};

struct hist_analysis {
	struct hist_analysis_opts opts;
	struct replay_binding *sc_bind, *sh_bind;
	struct syscall_names *names;
	struct replay_hist *ev;	 /* from events */
	size_t nev, cap_ev;
	struct u64map ev_map;	 /* pid << 32 | nr -> index in ev */
	struct kstate *ks;
	size_t nks, cap_ks;
	struct u64map ks_map;	 /* group << 32 | nr -> index in ks */
	uint32_t *groups;	 /* per file, 65536 entries once set */
	struct replay_hist *out; /* results, rebuilt when dirty */
	size_t nout, cap_out;
	bool dirty;
};

struct hist_analysis *hist_analysis__new(const struct hist_analysis_opts *opts)
{
	struct hist_analysis *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(h->opts) ? opts->sz : sizeof(h->opts);
		memcpy(&h->opts, opts, n);
	}
	h->sc_bind = replay_binding__new("syscall", syscall_fields, SC_N);
	h->sh_bind = replay_binding__new("syscall_hist", snap_fields, SH_N);
	h->names = syscall_names__new();
	if (!h->sc_bind || !h->sh_bind || !h->names) {
		hist_analysis__free(h);
		errno = ENOMEM;
		return NULL;
	}
	h->dirty = true;
	return h;
}

void hist_analysis__free(struct hist_analysis *h)
{
	if (!h)
		return;
	replay_binding__free(h->sc_bind);
	replay_binding__free(h->sh_bind);
	syscall_names__free(h->names);
	free(h->ev);
	u64map_free(&h->ev_map);
	free(h->ks);
	u64map_free(&h->ks_map);
	free(h->groups);
	free(h->out);
	free(h);
}

void hist_analysis__reset(struct hist_analysis *h)
{
	h->nev = 0;
	u64map_clear(&h->ev_map);
	h->nks = 0;
	u64map_clear(&h->ks_map);
	h->dirty = true;
}

void hist_analysis__restart(struct hist_analysis *h)
{
	h->nev = 0;
	u64map_clear(&h->ev_map);
	for (size_t i = 0; i < h->nks; i++) {
		struct kstate *k = &h->ks[i];

		memset(&k->banked, 0, sizeof(k->banked));
		k->first = k->latest;
		k->has_first = true;
	}
	h->dirty = true;
}

void hist_analysis__set_group(struct hist_analysis *h, uint16_t file, uint32_t group)
{
	if (!h->groups) {
		h->groups = calloc(65536, sizeof(*h->groups));
		if (!h->groups)
			return;
	}
	h->groups[file] = group;
}

static void *grow_array(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(p, ncap * elem);
	if (np)
		*cap = ncap;
	return np;
}

static int feed_syscall(struct hist_analysis *h, const struct trace_field_desc *const *fd,
			const void *rec)
{
	uint32_t nr = (uint32_t)replay_field_u64(fd[SC_NR], rec);
	uint32_t pid = h->opts.per_process ? (uint32_t)replay_field_u64(fd[SC_PID], rec) : 0;
	uint64_t lat = replay_field_u64(fd[SC_LAT], rec);
	uint64_t key = (uint64_t)pid << 32 | nr;
	uint32_t idx = u64map_get(&h->ev_map, key);

	if (idx == U64MAP_NONE) {
		struct replay_hist *nev = grow_array(h->ev, &h->cap_ev, h->nev + 1, sizeof(*h->ev));
		if (!nev)
			return -ENOMEM;
		h->ev = nev;
		idx = (uint32_t)h->nev;
		if (u64map_put(&h->ev_map, key, idx))
			return -ENOMEM;
		h->nev++;
		memset(&h->ev[idx], 0, sizeof(h->ev[idx]));
		h->ev[idx].nr = nr;
		h->ev[idx].pid = pid;
		if (h->opts.per_process)
			replay_field_str(fd[SC_COMM], rec, h->ev[idx].comm, sizeof(h->ev[idx].comm));
	}
	struct replay_hist *e = &h->ev[idx];
	e->count++;
	e->total_ns += lat;
	if (lat > e->max_ns)
		e->max_ns = lat;
	e->slots[replay_log2_slot(lat)]++;
	return 0;
}

static void read_snap(const struct trace_field_desc *const *fd, const void *rec, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->count = replay_field_u64(fd[SH_COUNT], rec);
	s->total_ns = replay_field_u64(fd[SH_TOTAL], rec);
	s->max_ns = replay_field_u64(fd[SH_MAX], rec);
	const struct trace_field_desc *sl = fd[SH_SLOTS];
	if (sl && sl->type != TRACE_FIELD_STR && sl->type != TRACE_FIELD_BYTES)
		for (size_t i = 0; i < sl->count && i < REPLAY_HIST_SLOTS; i++)
			s->slots[i] = trace_field__u64(sl, rec, i);
}

static void snap_add(struct snap *to, const struct snap *s, int sign)
{
	to->count += sign * s->count;
	to->total_ns += sign * s->total_ns;
	if (sign > 0 && s->max_ns > to->max_ns)
		to->max_ns = s->max_ns;
	for (size_t i = 0; i < REPLAY_HIST_SLOTS; i++)
		to->slots[i] += sign * s->slots[i];
}

static int feed_snapshot(struct hist_analysis *h, const struct trace_event *ev,
			 const struct trace_field_desc *const *fd)
{
	uint32_t nr = (uint32_t)replay_field_u64(fd[SH_NR], ev->data);
	uint32_t group = h->groups ? h->groups[ev->file] : 0;
	uint64_t key = (uint64_t)group << 32 | nr;
	uint32_t idx = u64map_get(&h->ks_map, key);
	struct snap s;

	read_snap(fd, ev->data, &s);
	if (idx == U64MAP_NONE) {
		struct kstate *nks = grow_array(h->ks, &h->cap_ks, h->nks + 1, sizeof(*h->ks));
		if (!nks)
			return -ENOMEM;
		h->ks = nks;
		idx = (uint32_t)h->nks;
		if (u64map_put(&h->ks_map, key, idx))
			return -ENOMEM;
		h->nks++;
		memset(&h->ks[idx], 0, sizeof(h->ks[idx]));
		h->ks[idx].group = group;
		h->ks[idx].nr = nr;
		if (h->opts.interval) {
			h->ks[idx].first = s;
			h->ks[idx].has_first = true;
		}
	}
	struct kstate *k = &h->ks[idx];
	/* Cumulative counters that go backwards: a new recording began. */
	if (s.count < k->latest.count) {
		snap_add(&k->banked, &k->latest, 1);
		if (k->has_first) {
			snap_add(&k->banked, &k->first, -1);
			memset(&k->first, 0, sizeof(k->first));
		}
	}
	k->latest = s;
	return 0;
}

int hist_analysis__feed(struct hist_analysis *h, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd;

	if ((fd = replay_binding__resolve(h->sc_bind, ev->schema))) {
		h->dirty = true;
		return feed_syscall(h, fd, ev->data);
	}
	if ((fd = replay_binding__resolve(h->sh_bind, ev->schema))) {
		h->dirty = true;
		return feed_snapshot(h, ev, fd);
	}
	if (ev->type >= TRACE_TYPE_FIRST_USER) {
		h->dirty = true; /* names may change */
		return syscall_names__feed(h->names, ev);
	}
	return 0;
}

static int cmp_hist(const void *a, const void *b)
{
	const struct replay_hist *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (int)x->from_kernel - (int)y->from_kernel;
}

static int rebuild(struct hist_analysis *h)
{
	size_t n = 0;

	struct replay_hist *out = grow_array(h->out, &h->cap_out, h->nev + h->nks + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	h->out = out;
	/* A kernel histogram counts every call; events may be only the slow
	 * ones (--min-latency): per syscall, the kernel's wins. */
	for (size_t i = 0; i < h->nev; i++) {
		bool in_kernel = false;
		for (size_t k = 0; k < h->nks && !h->opts.per_process; k++)
			in_kernel |= h->ks[k].nr == h->ev[i].nr;
		if (!in_kernel)
			out[n++] = h->ev[i];
	}
	/* Kernel histograms: one per syscall, all groups summed. */
	for (size_t i = 0; i < h->nks; i++) {
		const struct kstate *k = &h->ks[i];
		struct snap s = k->banked;
		snap_add(&s, &k->latest, 1);
		if (k->has_first)
			snap_add(&s, &k->first, -1);
		size_t j;
		for (j = 0; j < n; j++)
			if (out[j].from_kernel && out[j].nr == k->nr)
				break;
		if (j == n) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].nr = k->nr;
			out[n].from_kernel = true;
			n++;
		}
		out[j].count += s.count;
		out[j].total_ns += s.total_ns;
		if (s.max_ns > out[j].max_ns)
			out[j].max_ns = s.max_ns;
		for (size_t b = 0; b < REPLAY_HIST_SLOTS; b++)
			out[j].slots[b] += s.slots[b];
	}
	for (size_t i = 0; i < n; i++)
		out[i].name = syscall_names__get(h->names, out[i].nr);
	qsort(out, n, sizeof(*out), cmp_hist);
	h->nout = n;
	h->dirty = false;
	return 0;
}

size_t hist_analysis__count(struct hist_analysis *h)
{
	if (h->dirty && rebuild(h))
		return 0;
	return h->nout;
}

const struct replay_hist *hist_analysis__at(struct hist_analysis *h, size_t i)
{
	if (h->dirty && rebuild(h))
		return NULL;
	return i < h->nout ? &h->out[i] : NULL;
}
