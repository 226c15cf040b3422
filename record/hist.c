// SPDX-License-Identifier: MIT
/*
 * Snapshots of the in-kernel syscall latency histograms (per-CPU, summed
 * here) into `syscall_hist` records: cumulative since the start, so the
 * latest snapshot of each syscall is the whole recording.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "format/trace.h"
#include "record/record.h"

struct hist_snap {
	int fd;
	int ncpus;
	uint32_t *keys;
	struct ebt_hist *values;  /* [EBT_MAX_SYSCALLS * ncpus] */
	uint64_t *written_count;  /* count at the last record written, per nr */
};

struct hist_snap *hist__new(int map_fd)
{
	struct hist_snap *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->fd = map_fd;
	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0) {
		free(h);
		errno = EINVAL;
		return NULL;
	}
	h->keys = calloc(EBT_MAX_SYSCALLS, sizeof(*h->keys));
	h->values = calloc((size_t)EBT_MAX_SYSCALLS * (size_t)h->ncpus, sizeof(*h->values));
	h->written_count = calloc(EBT_MAX_SYSCALLS, sizeof(*h->written_count));
	if (!h->keys || !h->values || !h->written_count) {
		hist__free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

void hist__free(struct hist_snap *h)
{
	if (!h)
		return;
	free(h->keys);
	free(h->values);
	free(h->written_count);
	free(h);
}

/* Every element in one system call. */
static int read_all(struct hist_snap *h, uint32_t *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t out_batch = 0, count = EBT_MAX_SYSCALLS;
	int err;

	err = bpf_map_lookup_batch(h->fd, NULL, &out_batch, h->keys, h->values, &count, &opts);
	if (err && errno != ENOENT)
		return -errno;
	*n = count;
	return 0;
}

int hist__write(struct hist_snap *h, struct drain *d, bool all)
{
	uint64_t now = clock__boot_ns();
	struct ebt_syscall_hist r;
	uint32_t n = 0;
	int err;

	err = read_all(h, &n);
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t nr = h->keys[i];

		if (nr >= EBT_MAX_SYSCALLS)
			continue;
		memset(&r, 0, sizeof(r));
		for (int cpu = 0; cpu < h->ncpus; cpu++) {
			const struct ebt_hist *v = &h->values[(size_t)i * (size_t)h->ncpus + (size_t)cpu];

			r.count += v->count;
			r.total_ns += v->total_ns;
			if (v->max_ns > r.max_ns)
				r.max_ns = v->max_ns;
			for (int s = 0; s < EBT_HIST_SLOTS; s++)
				r.slots[s] += v->slots[s];
		}
		if (!r.count || (!all && r.count == h->written_count[nr]))
			continue;
		r.ts = now;
		r.nr = nr;
		err = drain__emit(d, RECORD_SYSCALL_HIST, &r, now);
		if (err)
			return err;
		h->written_count[nr] = r.count;
	}
	return 0;
}
