// SPDX-License-Identifier: MIT
/* UDP datagrams folded into flows: one per socket, process and remote
 * endpoint, with bytes and packets each way. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/map.h"
#include "replay/replay.h"

enum { UF_SKADDR, UF_PID, UF_BYTES, UF_FAMILY, UF_SPORT, UF_DPORT, UF_DIR, UF_COMM, UF_SADDR,
       UF_DADDR, UF_N };
static const char *const udp_fields[UF_N] = { "skaddr", "pid", "bytes", "family", "sport",
					      "dport",	"dir", "comm",	"saddr",  "daddr" };

struct udp_analysis {
	struct udp_analysis_opts opts;
	struct replay_binding *bind;
	struct udp_totals totals;
	struct udp_flow *flows;
	size_t nflows, cap;
	struct u64map map; /* key hash (+ probe) -> index */
	size_t *order;
	size_t cap_order;
	bool dirty;
};

struct udp_analysis *udp_analysis__new(const struct udp_analysis_opts *opts)
{
	struct udp_analysis *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(a->opts) ? opts->sz : sizeof(a->opts);
		memcpy(&a->opts, opts, n);
	}
	if (!a->opts.max_flows)
		a->opts.max_flows = 65536;
	a->bind = replay_binding__new("udp", udp_fields, UF_N);
	if (!a->bind) {
		free(a);
		return NULL;
	}
	return a;
}

void udp_analysis__free(struct udp_analysis *a)
{
	if (!a)
		return;
	replay_binding__free(a->bind);
	free(a->flows);
	u64map_free(&a->map);
	free(a->order);
	free(a);
}

void udp_analysis__reset(struct udp_analysis *a)
{
	memset(&a->totals, 0, sizeof(a->totals));
	a->nflows = 0;
	u64map_clear(&a->map);
	a->dirty = true;
}

static bool same_flow(const struct udp_flow *f, const struct udp_flow *k)
{
	return f->skaddr == k->skaddr && f->pid == k->pid && f->family == k->family &&
	       f->sport == k->sport && f->dport == k->dport && f->file == k->file &&
	       !memcmp(f->saddr, k->saddr, 16) && !memcmp(f->daddr, k->daddr, 16);
}

int udp_analysis__feed(struct udp_analysis *a, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd = replay_binding__resolve(a->bind, ev->schema);

	if (!fd)
		return 0;
	const void *r = ev->data;
	struct udp_flow k = { 0 };
	k.skaddr = replay_field_u64(fd[UF_SKADDR], r);
	k.pid = (uint32_t)replay_field_u64(fd[UF_PID], r);
	k.family = (uint16_t)replay_field_u64(fd[UF_FAMILY], r);
	k.sport = (uint16_t)replay_field_u64(fd[UF_SPORT], r);
	k.dport = (uint16_t)replay_field_u64(fd[UF_DPORT], r);
	k.file = ev->file;
	if (fd[UF_SADDR] && fd[UF_SADDR]->size >= 16)
		memcpy(k.saddr, trace_field__bytes(fd[UF_SADDR], r), 16);
	if (fd[UF_DADDR] && fd[UF_DADDR]->size >= 16)
		memcpy(k.daddr, trace_field__bytes(fd[UF_DADDR], r), 16);
	uint64_t bytes = replay_field_u64(fd[UF_BYTES], r);
	bool rx = replay_field_u64(fd[UF_DIR], r) == 1;

	a->totals.packets++;
	if (rx)
		a->totals.rx_bytes += bytes;
	else
		a->totals.tx_bytes += bytes;

	uint64_t h = replay_hash_bytes(&k.skaddr, sizeof(k.skaddr), 0);
	h = replay_hash_bytes(&k.pid, sizeof(k.pid), h);
	h = replay_hash_bytes(&k.family, sizeof(k.family), h);
	h = replay_hash_bytes(&k.sport, sizeof(k.sport), h);
	h = replay_hash_bytes(&k.dport, sizeof(k.dport), h);
	h = replay_hash_bytes(k.saddr, sizeof(k.saddr), h);
	h = replay_hash_bytes(k.daddr, sizeof(k.daddr), h);
	h ^= ev->file;
	uint32_t idx;
	for (;; h++) {
		idx = u64map_get(&a->map, h);
		if (idx == U64MAP_NONE || same_flow(&a->flows[idx], &k))
			break;
	}
	if (idx == U64MAP_NONE) {
		if (a->nflows >= a->opts.max_flows) {
			a->totals.overflow_packets++;
			a->totals.overflow_bytes += bytes;
			return 0;
		}
		if (a->nflows == a->cap) {
			size_t ncap = a->cap ? a->cap * 2 : 64;
			struct udp_flow *nf = realloc(a->flows, ncap * sizeof(*nf));
			if (!nf)
				return -ENOMEM;
			a->flows = nf;
			a->cap = ncap;
		}
		idx = (uint32_t)a->nflows;
		if (u64map_put(&a->map, h, idx))
			return -ENOMEM;
		replay_field_str(fd[UF_COMM], r, k.comm, sizeof(k.comm));
		k.first_ns = ev->ts;
		a->flows[a->nflows++] = k;
		a->totals.flows = a->nflows;
	}
	struct udp_flow *f = &a->flows[idx];
	f->last_ns = ev->ts;
	if (rx) {
		f->rx_bytes += bytes;
		f->rx_packets++;
	} else {
		f->tx_bytes += bytes;
		f->tx_packets++;
	}
	a->dirty = true;
	return 0;
}

void udp_analysis__totals(const struct udp_analysis *a, struct udp_totals *t)
{
	*t = a->totals;
}

static int cmp_flow(const void *x, const void *y, void *ctx)
{
	const struct udp_flow *flows = ctx;
	const struct udp_flow *a = &flows[*(const size_t *)x], *b = &flows[*(const size_t *)y];
	uint64_t ta = a->tx_bytes + a->rx_bytes, tb = b->tx_bytes + b->rx_bytes;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a->first_ns < b->first_ns ? -1 : a->first_ns > b->first_ns;
}

size_t udp_analysis__nflows(struct udp_analysis *a)
{
	if (a->dirty) {
		if (a->cap_order < a->nflows) {
			size_t *no = realloc(a->order, a->nflows * sizeof(*no));
			if (!no)
				return 0;
			a->order = no;
			a->cap_order = a->nflows;
		}
		for (size_t i = 0; i < a->nflows; i++)
			a->order[i] = i;
		if (a->nflows)
			qsort_r(a->order, a->nflows, sizeof(*a->order), cmp_flow, a->flows);
		a->dirty = false;
	}
	return a->nflows;
}

const struct udp_flow *udp_analysis__flow_at(struct udp_analysis *a, size_t i)
{
	return i < udp_analysis__nflows(a) ? &a->flows[a->order[i]] : NULL;
}
