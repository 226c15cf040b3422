// SPDX-License-Identifier: MIT
/*
 * The drain loop's work: consume the shared ring buffer in batches (one
 * epoll_wait per drain interval, no syscall per event), turn each ring
 * record into its trace record, and account for every event: per probe,
 * the kernel's seen and lost counters against what was written here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "format/trace.h"
#include "record/record.h"

struct drain {
	struct trace_writer *w;
	const struct record_types *types;
	struct ring_buffer *rb;
	int counters_fd;
	int ncpus;
	int err; /* first writer error; the drain stops there */
	uint64_t recorded[EBT_NPROBES];
	uint64_t recorded_total;
	uint64_t lost_total;
	uint64_t last_sample_ns;
	struct ebt_counts *percpu;  /* ncpus, scratch for map reads */
	uint64_t *lost_seen;        /* [probe * ncpus + cpu]: lost already written */
	struct ebt_open open_rec;   /* a short `open` made whole */
	uint32_t open_len;          /* bytes of open_rec the last one used */
	struct ebt_exec exec_rec;
};

static const struct {
	int probe;
	uint32_t size;
} kinds[EBT_NKINDS] = {
	[EBT_KIND_OPEN] = { EBT_PROBE_OPENS, sizeof(struct ebt_open) },
	[EBT_KIND_SYSCALL] = { EBT_PROBE_SYSCALLS, sizeof(struct ebt_syscall) },
	[EBT_KIND_TCP_STATE] = { EBT_PROBE_TCP, sizeof(struct ebt_tcp_state) },
	[EBT_KIND_TCP_LIFE] = { EBT_PROBE_TCP, sizeof(struct ebt_tcp_life) },
	[EBT_KIND_UDP] = { EBT_PROBE_UDP, sizeof(struct ebt_udp) },
	[EBT_KIND_EXEC] = { EBT_PROBE_PROC, sizeof(struct ebt_exec) },
	[EBT_KIND_FORK] = { EBT_PROBE_PROC, sizeof(struct ebt_fork) },
	[EBT_KIND_EXIT] = { EBT_PROBE_PROC, sizeof(struct ebt_exit) },
};

/* The ring holds the record up to the path's NUL (opens.bpf.c); the trace
 * record is whole and zero after the NUL. Bytes of open_rec past open_len
 * are kept zero, so only what the previous path used needs clearing. */
static const void *whole_open(struct drain *d, const void *rec, uint32_t len)
{
	struct ebt_open *o = &d->open_rec;

	memcpy(o, rec, len);
	if (len < d->open_len)
		memset((char *)o + len, 0, d->open_len - len);
	d->open_len = len;
	o->path[sizeof(o->path) - 1] = 0;
	return o;
}

/* argv arrives NUL-separated; on disk it is one line joined by spaces. */
static const void *joined_exec(struct drain *d, const void *rec)
{
	struct ebt_exec *e = &d->exec_rec;
	int last = -1;

	memcpy(e, rec, sizeof(*e));
	e->args[sizeof(e->args) - 1] = 0;
	for (int i = 0; i < (int)sizeof(e->args) - 1; i++)
		if (e->args[i])
			last = i;
	for (int i = 0; i < last; i++)
		if (!e->args[i])
			e->args[i] = ' ';
	e->filename[sizeof(e->filename) - 1] = 0;
	return e;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct drain *d = ctx;
	const struct ebt_hdr *h = data;
	const void *rec = h + 1;
	uint32_t kind, len;
	int err;

	if (size < sizeof(*h))
		return 0;
	kind = h->kind;
	len = h->len;
	if (kind == 0 || kind >= EBT_NKINDS || len > size - sizeof(*h) || len > kinds[kind].size)
		return 0; /* cannot come from our programs */
	if (kind == EBT_KIND_OPEN)
		rec = whole_open(d, rec, len);
	else if (len != kinds[kind].size)
		return 0;
	else if (kind == EBT_KIND_EXEC)
		rec = joined_exec(d, rec);
	err = trace_writer__append(d->w, d->types->kind[kind], rec, kinds[kind].size);
	if (err) {
		d->err = err;
		return err;
	}
	d->recorded[kinds[kind].probe]++;
	d->recorded_total++;
	return 0;
}

struct drain *drain__new(struct trace_writer *w, const struct record_types *types,
			 struct probes *p)
{
	struct drain *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return NULL;
	d->w = w;
	d->types = types;
	d->counters_fd = probes__counters_fd(p);
	d->ncpus = libbpf_num_possible_cpus();
	if (d->ncpus <= 0) {
		err = d->ncpus ? d->ncpus : -EINVAL;
		goto fail;
	}
	d->percpu = calloc((size_t)d->ncpus, sizeof(*d->percpu));
	d->lost_seen = calloc((size_t)d->ncpus * EBT_NPROBES, sizeof(*d->lost_seen));
	if (!d->percpu || !d->lost_seen) {
		err = -ENOMEM;
		goto fail;
	}
	d->rb = ring_buffer__new(probes__ring_fd(p), on_record, d, NULL);
	if (!d->rb) {
		err = -errno;
		goto fail;
	}
	d->last_sample_ns = clock__boot_ns();
	return d;
fail:
	drain__free(d);
	errno = -err;
	return NULL;
}

void drain__free(struct drain *d)
{
	if (!d)
		return;
	ring_buffer__free(d->rb);
	free(d->percpu);
	free(d->lost_seen);
	free(d);
}

int drain__poll(struct drain *d, int timeout_ms)
{
	int n;

	if (d->err)
		return d->err;
	/* ring_buffer__poll() consumes only rings epoll reported, and with
	 * BPF_RB_NO_WAKEUP it reports only the forced wake-ups: the timer's
	 * drain is the consume that follows. */
	n = ring_buffer__poll(d->rb, timeout_ms);
	if (n < 0 && n != -EINTR)
		return d->err ? d->err : n;
	n = ring_buffer__consume(d->rb);
	if (d->err)
		return d->err;
	return n;
}

int drain__consume(struct drain *d)
{
	int n;

	if (d->err)
		return d->err;
	n = ring_buffer__consume(d->rb);
	return d->err ? d->err : n;
}

static int read_counters(struct drain *d, int probe)
{
	uint32_t key = (uint32_t)probe;

	return bpf_map_lookup_elem(d->counters_fd, &key, d->percpu) ? -errno : 0;
}

int drain__sample_lost(struct drain *d)
{
	uint64_t now = clock__boot_ns(), total = 0;
	struct trace_lost l;
	int err;

	for (int p = 0; p < EBT_NPROBES; p++) {
		err = read_counters(d, p);
		if (err)
			return err;
		for (int cpu = 0; cpu < d->ncpus; cpu++) {
			uint64_t *seen = &d->lost_seen[p * d->ncpus + cpu];
			uint64_t lost = d->percpu[cpu].lost;

			total += lost;
			if (lost <= *seen)
				continue;
			memset(&l, 0, sizeof(l));
			l.ts = now;
			l.since_ns = d->last_sample_ns;
			l.count = lost - *seen;
			l.cpu = (uint32_t)cpu;
			strncpy(l.probe, probe__name(p), sizeof(l.probe) - 1);
			err = trace_writer__lost(d->w, &l);
			if (err)
				return err;
			*seen = lost;
		}
	}
	d->lost_total = total;
	d->last_sample_ns = now;
	return 0;
}

int drain__counts(struct drain *d, int probe, uint64_t *seen, uint64_t *recorded,
		  uint64_t *lost)
{
	int err = read_counters(d, probe);

	*seen = *lost = 0;
	*recorded = d->recorded[probe];
	if (err)
		return err;
	for (int cpu = 0; cpu < d->ncpus; cpu++) {
		*seen += d->percpu[cpu].seen;
		*lost += d->percpu[cpu].lost;
	}
	return 0;
}

uint64_t drain__recorded(const struct drain *d)
{
	return d->recorded_total;
}

uint64_t drain__lost(const struct drain *d)
{
	return d->lost_total;
}
