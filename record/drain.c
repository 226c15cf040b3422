// SPDX-License-Identifier: MIT
/*
 * The drain loop's work: consume the shared ring buffer in batches (one
 * epoll_wait per drain interval, no syscall per event), turn each ring
 * record into its trace record, hand it to the sink (the writer and/or a
 * consumer), and account for every event: per probe, the kernel's seen and
 * lost counters against what was delivered here.
 *
 * The ring is read here rather than through libbpf's ring_buffer, which
 * calls back through a pointer per record and publishes the consumer
 * position after each one: a store to the cache line every producer reads
 * when it reserves. This loop publishes it once per 1/16 of the ring and at
 * the end of a batch, and calls no pointer unless a consumer is attached.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "format/trace.h"
#include "record/record.h"

struct drain {
	struct record_sink sink;
	int err; /* first sink error; the drain stops there */
	/* the ring (linux/bpf.h: BPF_MAP_TYPE_RINGBUF's mmap layout) */
	unsigned long *consumer_pos; /* a writable page */
	const unsigned long *producer_pos; /* a read-only page, then the data twice */
	const uint8_t *data;
	uint64_t mask;
	uint64_t release_bytes; /* publish the consumer position this often */
	size_t page_size, data_map_size;
	int epoll_fd;
	/* accounting */
	int counters_fd;
	int ncpus;
	uint64_t recorded[EBT_NPROBES];
	uint64_t lost_total;
	uint64_t last_sample_ns;
	struct ebt_counts *percpu;  /* ncpus, scratch for map reads */
	uint64_t *lost_seen;        /* [probe * ncpus + cpu]: lost already emitted */
	struct ebt_open open_rec;   /* a short `open` made whole for a consumer */
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

/* The ring holds an `open` up to the path's NUL (opens.bpf.c). A consumer
 * gets it whole, zero after the NUL; bytes of open_rec past open_len are
 * kept zero, so only what the previous path used needs clearing. */
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

static int fail(struct drain *d, int err)
{
	if (!d->err)
		d->err = err;
	return err;
}

/* One ring record (size bytes at p). */
static inline int on_record(struct drain *d, const uint8_t *p, uint32_t size)
{
	const struct ebt_hdr *h = (const struct ebt_hdr *)p;
	const void *rec = h + 1;
	uint32_t kind, len;
	int err;

	if (__builtin_expect(size < sizeof(*h), 0))
		return 0;
	kind = h->kind;
	len = h->len;
	if (__builtin_expect(kind == 0 || kind >= EBT_NKINDS || len > size - sizeof(*h) ||
			     len > kinds[kind].size, 0))
		return 0; /* cannot come from our programs */
	if (kind == EBT_KIND_OPEN) {
		/* The writer reads a string field up to its NUL only, and the
		 * ring's data is mapped twice in a row, so the whole record's
		 * size is readable from here: only a consumer needs a copy. */
		if (d->sink.fn)
			rec = whole_open(d, rec, len);
	} else if (__builtin_expect(len != kinds[kind].size, 0)) {
		return 0;
	} else if (kind == EBT_KIND_EXEC) {
		rec = joined_exec(d, rec);
	}
	if (d->sink.w) {
		err = trace_writer__append(d->sink.w, d->sink.ids[kind], rec, kinds[kind].size);
		if (__builtin_expect(err != 0, 0))
			return fail(d, err);
	}
	if (d->sink.fn) {
		struct record_event ev = { record_type__desc((int)kind), rec,
					   *(const uint64_t *)rec, (int)kind, kinds[kind].probe };

		err = d->sink.fn(d->sink.ctx, &ev);
		if (err < 0)
			return fail(d, err);
	}
	d->recorded[kinds[kind].probe]++;
	return 0;
}

static inline uint64_t load_acquire(const volatile void *p)
{
	return __atomic_load_n((const unsigned long *)p, __ATOMIC_ACQUIRE);
}

/* The ring's protocol (kernel/bpf/ringbuf.c): each record has an 8-byte
 * header whose first word is its length with a busy bit (being written)
 * and a discard bit; records are 8-byte aligned. */
int drain__consume(struct drain *d, uint64_t max)
{
	unsigned long cons, prod, published;
	uint64_t n = 0;
	int err = 0;

	if (d->err)
		return d->err;
	cons = published = *d->consumer_pos;
	for (;;) {
		prod = load_acquire(d->producer_pos);
		if (cons >= prod)
			break;
		while (cons < prod) {
			const uint8_t *hdr = d->data + (cons & d->mask);
			uint32_t len = __atomic_load_n((const uint32_t *)hdr, __ATOMIC_ACQUIRE);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out; /* not committed yet */
			cons += ((len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT)) +
				 BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				err = on_record(d, hdr + BPF_RINGBUF_HDR_SZ, len);
				if (err)
					goto out;
				n++;
			}
			if (cons - published >= d->release_bytes) {
				__atomic_store_n(d->consumer_pos, cons, __ATOMIC_RELEASE);
				published = cons;
			}
			if (max && n >= max)
				goto out;
		}
	}
out:
	if (cons != published)
		__atomic_store_n(d->consumer_pos, cons, __ATOMIC_RELEASE);
	if (err)
		return err;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int drain__poll(struct drain *d, int timeout_ms)
{
	struct epoll_event ev;

	if (d->err)
		return d->err;
	/* With BPF_RB_NO_WAKEUP the kernel wakes this only past the fill
	 * threshold: the wait is the drain interval, and the consume that
	 * follows takes whatever is there. */
	if (epoll_wait(d->epoll_fd, &ev, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return drain__consume(d, 0);
}

void drain__set_consumer(struct drain *d, record_consumer_fn fn, void *ctx)
{
	d->sink.fn = fn;
	d->sink.ctx = ctx;
}

int drain__fd(const struct drain *d)
{
	return d->epoll_fd;
}

int drain__emit(struct drain *d, int type, const void *rec, uint64_t ts)
{
	const struct record_sink *k = &d->sink;
	int err = 0;

	if (d->err)
		return d->err;
	if (k->w) {
		if (type == RECORD_LOST)
			err = trace_writer__lost(k->w, rec);
		else if (type == RECORD_PROCESS)
			err = trace_writer__process(k->w, rec);
		else
			err = trace_writer__append(k->w, k->ids[type], rec,
						   record_type__desc(type)->size);
		if (err)
			return fail(d, err);
	}
	if (k->fn) {
		struct record_event ev = { record_type__desc(type), rec, ts, type, -1 };

		err = k->fn(k->ctx, &ev);
		if (err < 0)
			return fail(d, err);
	}
	return 0;
}

static int map_ring(struct drain *d, int ring_fd, uint64_t ring_size)
{
	struct epoll_event ev = { .events = EPOLLIN };
	void *p;

	d->page_size = (size_t)sysconf(_SC_PAGESIZE);
	p = mmap(NULL, d->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, ring_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	d->consumer_pos = p;
	/* The producer page, then the data mapped twice: a record that wraps
	 * around the end reads on contiguously. */
	d->data_map_size = d->page_size + 2 * ring_size;
	p = mmap(NULL, d->data_map_size, PROT_READ, MAP_SHARED, ring_fd, (off_t)d->page_size);
	if (p == MAP_FAILED)
		return -errno;
	d->producer_pos = p;
	d->data = (const uint8_t *)p + d->page_size;
	d->mask = ring_size - 1;
	d->release_bytes = ring_size / 16 ? ring_size / 16 : 1;
	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epoll_fd < 0)
		return -errno;
	if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, ring_fd, &ev))
		return -errno;
	return 0;
}

struct drain *drain__new(int ring_fd, uint64_t ring_size, int counters_fd,
			 const struct record_sink *sink)
{
	struct drain *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return NULL;
	d->sink = *sink;
	d->consumer_pos = MAP_FAILED;
	d->producer_pos = MAP_FAILED;
	d->epoll_fd = -1;
	d->counters_fd = counters_fd;
	if (!ring_size || (ring_size & (ring_size - 1))) {
		err = -EINVAL;
		goto fail;
	}
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
	err = map_ring(d, ring_fd, ring_size);
	if (err)
		goto fail;
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
	if (d->consumer_pos != MAP_FAILED)
		munmap(d->consumer_pos, d->page_size);
	if (d->producer_pos != MAP_FAILED)
		munmap((void *)d->producer_pos, d->data_map_size);
	if (d->epoll_fd >= 0)
		close(d->epoll_fd);
	free(d->percpu);
	free(d->lost_seen);
	free(d);
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
			err = drain__emit(d, RECORD_LOST, &l, now);
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
	uint64_t n = 0;

	for (int p = 0; p < EBT_NPROBES; p++)
		n += d->recorded[p];
	return n;
}

uint64_t drain__lost(const struct drain *d)
{
	return d->lost_total;
}
