// SPDX-License-Identifier: MIT
/* Lost events by probe and CPU, from the format's lost records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"

struct lost_cpu {
	uint32_t probe; /* index in probes */
	uint32_t cpu;
	uint64_t count;
};

struct lost_analysis {
	struct lost_probe *probes;
	size_t nprobes, cap_probes;
	struct lost_cpu *cpus;
	size_t ncpus, cap_cpus;
	uint64_t total;
};

struct lost_analysis *lost_analysis__new(void)
{
	return calloc(1, sizeof(struct lost_analysis));
}

void lost_analysis__free(struct lost_analysis *a)
{
	if (!a)
		return;
	free(a->probes);
	free(a->cpus);
	free(a);
}

void lost_analysis__reset(struct lost_analysis *a)
{
	a->nprobes = a->ncpus = 0;
	a->total = 0;
}

int lost_analysis__feed(struct lost_analysis *a, const struct trace_event *ev)
{
	struct trace_lost l;

	if (ev->type != TRACE_TYPE_LOST || trace_event__lost(ev, &l))
		return 0;
	l.probe[sizeof(l.probe) - 1] = '\0';
	size_t i;
	for (i = 0; i < a->nprobes; i++)
		if (strcmp(a->probes[i].probe, l.probe) == 0)
			break;
	if (i == a->nprobes) {
		if (a->nprobes == a->cap_probes) {
			size_t ncap = a->cap_probes ? a->cap_probes * 2 : 8;
			struct lost_probe *np = realloc(a->probes, ncap * sizeof(*np));
			if (!np)
				return -ENOMEM;
			a->probes = np;
			a->cap_probes = ncap;
		}
		memset(&a->probes[i], 0, sizeof(a->probes[i]));
		memcpy(a->probes[i].probe, l.probe, sizeof(l.probe));
		a->probes[i].first_ns = UINT64_MAX;
		a->nprobes++;
	}
	struct lost_probe *p = &a->probes[i];
	p->count += l.count;
	p->records++;
	uint64_t since = l.since_ns && l.since_ns <= l.ts ? l.since_ns : l.ts;
	if (since < p->first_ns)
		p->first_ns = since;
	if (l.ts > p->last_ns)
		p->last_ns = l.ts;
	a->total += l.count;

	size_t c;
	for (c = 0; c < a->ncpus; c++)
		if (a->cpus[c].probe == i && a->cpus[c].cpu == l.cpu)
			break;
	if (c == a->ncpus) {
		if (a->ncpus == a->cap_cpus) {
			size_t ncap = a->cap_cpus ? a->cap_cpus * 2 : 16;
			struct lost_cpu *nc = realloc(a->cpus, ncap * sizeof(*nc));
			if (!nc)
				return -ENOMEM;
			a->cpus = nc;
			a->cap_cpus = ncap;
		}
		a->cpus[c] = (struct lost_cpu){ .probe = (uint32_t)i, .cpu = l.cpu };
		a->ncpus++;
		p->cpus++;
	}
	a->cpus[c].count += l.count;
	return 0;
}

uint64_t lost_analysis__total(const struct lost_analysis *a)
{
	return a->total;
}

size_t lost_analysis__nprobes(const struct lost_analysis *a)
{
	return a->nprobes;
}

const struct lost_probe *lost_analysis__probe_at(const struct lost_analysis *a, size_t i)
{
	return i < a->nprobes ? &a->probes[i] : NULL;
}

uint64_t lost_analysis__cpu_count(const struct lost_analysis *a, const char *probe, uint32_t cpu)
{
	for (size_t c = 0; c < a->ncpus; c++)
		if (a->cpus[c].cpu == cpu && strcmp(a->probes[a->cpus[c].probe].probe, probe) == 0)
			return a->cpus[c].count;
	return 0;
}
