// SPDX-License-Identifier: MIT
/*
 * bench_format: writer and reader throughput of libebpftrace on realistic
 * synthetic events, next to raw LZ4 on the same record bytes (the ceiling
 * a row-oriented LZ4 format would have) and to copying the records alone
 * (the ceiling of any writer reading them from memory).
 *
 * Workloads: `open` records shaped like the recorder's (repeating paths
 * from a skewed set, bursts per process, latency with jitter and a slow
 * tail), `tcp_state` transitions of a few hundred connections, and a mix.
 * Each figure is the median of RUNS runs. BENCH_EVENTS overrides the event
 * count, BENCH_RUNS the number of runs, BENCH_DIR the scratch directory;
 * BENCH_ONLY=write|read|lz4 runs one part and BENCH_WORKLOAD=NAME one
 * workload (for profiling).
 */
#include <errno.h>
#include <stdbool.h>
#include <lz4.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define F(st, name, type, hint) \
	{ #name, type, hint, offsetof(st, name), sizeof(((st *)0)->name), 1 }

struct b_open {
	uint64_t ts;
	uint64_t latency_ns;
	uint32_t pid;
	uint32_t tid;
	uint32_t uid;
	int32_t ret;
	int32_t dirfd;
	uint32_t flags;
	uint32_t mode;
	char call[8];
	char comm[16];
	char path[256];
};

static const struct trace_field_desc open_fields[] = {
	F(struct b_open, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	F(struct b_open, latency_ns, TRACE_FIELD_U64, TRACE_HINT_DURATION),
	F(struct b_open, pid, TRACE_FIELD_U32, TRACE_HINT_PID),
	F(struct b_open, tid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct b_open, uid, TRACE_FIELD_U32, TRACE_HINT_NONE),
	F(struct b_open, ret, TRACE_FIELD_S32, TRACE_HINT_ERRNO),
	F(struct b_open, dirfd, TRACE_FIELD_S32, TRACE_HINT_NONE),
	F(struct b_open, flags, TRACE_FIELD_U32, TRACE_HINT_HEX),
	F(struct b_open, mode, TRACE_FIELD_U32, TRACE_HINT_HEX),
	F(struct b_open, call, TRACE_FIELD_STR, TRACE_HINT_NONE),
	F(struct b_open, comm, TRACE_FIELD_STR, TRACE_HINT_NONE),
	F(struct b_open, path, TRACE_FIELD_STR, TRACE_HINT_NONE),
};

static const struct trace_schema_desc open_desc = {
	"open", sizeof(struct b_open), sizeof(open_fields) / sizeof(open_fields[0]), open_fields,
};

struct b_tcp {
	uint64_t ts;
	uint64_t skaddr;
	uint32_t pid;
	uint16_t family;
	uint16_t sport;
	uint16_t dport;
	uint8_t oldstate;
	uint8_t newstate;
	char comm[16];
	uint8_t saddr[16];
	uint8_t daddr[16];
};

static const struct trace_field_desc tcp_fields[] = {
	F(struct b_tcp, ts, TRACE_FIELD_U64, TRACE_HINT_TIME),
	F(struct b_tcp, skaddr, TRACE_FIELD_U64, TRACE_HINT_HEX),
	F(struct b_tcp, pid, TRACE_FIELD_U32, TRACE_HINT_PID),
	F(struct b_tcp, family, TRACE_FIELD_U16, TRACE_HINT_FAMILY),
	F(struct b_tcp, sport, TRACE_FIELD_U16, TRACE_HINT_NONE),
	F(struct b_tcp, dport, TRACE_FIELD_U16, TRACE_HINT_NONE),
	F(struct b_tcp, oldstate, TRACE_FIELD_U8, TRACE_HINT_NONE),
	F(struct b_tcp, newstate, TRACE_FIELD_U8, TRACE_HINT_NONE),
	F(struct b_tcp, comm, TRACE_FIELD_STR, TRACE_HINT_NONE),
	F(struct b_tcp, saddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR),
	F(struct b_tcp, daddr, TRACE_FIELD_BYTES, TRACE_HINT_IPADDR),
};

static const struct trace_schema_desc tcp_desc = {
	"tcp_state", sizeof(struct b_tcp), sizeof(tcp_fields) / sizeof(tcp_fields[0]), tcp_fields,
};

/* ---- synthetic events ---------------------------------------------------- */

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static double unif(void)
{
	return rnd() / 2097152.0 / 1024.0; /* [0, 1) from 53-bit-ish */
}

#define NPATHS 300
#define NPROCS 24

static char paths[NPATHS][96];

static const char *const comms[] = {
	"bash", "cat", "python3", "systemd-journal", "sshd", "cc1", "make", "node",
	"postgres", "nginx", "git", "ls",
};

static void make_paths(void)
{
	static const char *const dirs[] = {
		"/usr/lib/x86_64-linux-gnu/", "/etc/", "/proc/self/", "/home/user/src/project/",
		"/usr/share/locale/", "/tmp/", "/var/lib/postgresql/15/main/base/", "",
	};
	static const char *const names[] = {
		"libc.so.6", "passwd", "status", "main.c", "locale.alias", "ld.so.cache",
		"nsswitch.conf", "16384/2619", "build.o", "config.json", "index.lock", "maps",
	};

	for (int i = 0; i < NPATHS; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s%s%s%d", dirs[i % 8], names[(i / 8) % 12],
			 i >= 96 ? "." : "", i >= 96 ? i : 0);
}

struct gen {
	uint64_t ts;
	uint32_t pid, burst;
};

static void gen_open(struct gen *g, struct b_open *o)
{
	double u = unif();

	if (g->burst == 0) {
		g->pid = 1000 + rnd() % NPROCS;
		g->burst = 1 + rnd() % 40;
	}
	g->burst--;
	memset(o, 0, sizeof(*o));
	g->ts += 300 + rnd() % 1500;
	o->ts = g->ts;
	/* log-ish latency: mostly 1-6 us, a 1% tail up to 500 us */
	o->latency_ns = u < 0.01 ? 20000 + rnd() % 480000 : 900 + (uint64_t)(5000 * u * u) + rnd() % 200;
	o->pid = g->pid;
	o->tid = g->pid + (rnd() % 8 == 0 ? 1 + rnd() % 3 : 0);
	o->uid = g->pid % 5 == 0 ? 0 : 1000;
	o->dirfd = -100;
	if (rnd() % 10 == 0) {
		o->ret = -2;
	} else {
		o->ret = 3 + (int32_t)(rnd() % 12);
	}
	if (rnd() % 8 == 0) {
		o->flags = 0x80241;
		o->mode = 0644;
	} else {
		o->flags = 0x80000;
	}
	strcpy(o->call, "openat");
	strcpy(o->comm, comms[g->pid % 12]);
	/* skewed: a few hot paths, a long tail, per-process locality */
	int p = (int)(NPATHS * u * u * u);

	strcpy(o->path, paths[(p + (int)g->pid) % NPATHS]);
}

static void gen_tcp(struct gen *g, struct b_tcp *t)
{
	uint32_t c = rnd() % 200;
	static const uint8_t seq[][2] = { { 7, 2 }, { 2, 1 }, { 1, 4 }, { 4, 5 }, { 5, 7 },
					  { 1, 8 }, { 8, 9 }, { 9, 7 } };
	int s = (int)(rnd() % 8);

	memset(t, 0, sizeof(*t));
	g->ts += 2000 + rnd() % 20000;
	t->ts = g->ts;
	t->skaddr = 0xffff888100000000ull + (uint64_t)c * 0x1c0;
	t->pid = 2000 + c % 16;
	t->family = 2;
	t->sport = (uint16_t)(c % 3 == 0 ? 443 : 40000 + c);
	t->dport = (uint16_t)(c % 3 == 0 ? 50000 + c : 5432);
	t->oldstate = seq[s][0];
	t->newstate = seq[s][1];
	strcpy(t->comm, comms[8 + c % 2]);
	t->saddr[0] = 10;
	t->saddr[3] = 1;
	t->daddr[0] = 10;
	t->daddr[2] = (uint8_t)(c / 50);
	t->daddr[3] = (uint8_t)(c % 50 + 2);
}

/* ---- measurement ------------------------------------------------------- */

/* CPU time of this process: the figures are per core, and other work on
 * the machine does not count against them. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct workload {
	const char *name;
	int open_pct; /* share of opens, the rest tcp_state */
};

struct pool {
	uint8_t *recs;   /* records back to back */
	uint32_t *off;
	uint8_t *kind;   /* 0 open, 1 tcp */
	size_t n;
	size_t bytes;
};

static void pool_make(struct pool *p, const struct workload *wl, size_t n)
{
	struct gen g = { .ts = 1000000000ull };

	p->recs = malloc(n * sizeof(struct b_open));
	p->off = malloc(n * sizeof(*p->off));
	p->kind = malloc(n);
	if (!p->recs || !p->off || !p->kind) {
		fprintf(stderr, "bench_format: out of memory\n");
		exit(1);
	}
	p->n = n;
	p->bytes = 0;
	for (size_t i = 0; i < n; i++) {
		p->off[i] = (uint32_t)p->bytes;
		if ((int)(rnd() % 100) < wl->open_pct) {
			p->kind[i] = 0;
			gen_open(&g, (struct b_open *)(p->recs + p->bytes));
			p->bytes += sizeof(struct b_open);
		} else {
			struct b_tcp t;

			p->kind[i] = 1;
			gen_tcp(&g, &t);
			memcpy(p->recs + p->bytes, &t, sizeof(t));
			p->bytes += sizeof(struct b_tcp);
		}
	}
}

static void pool_free(struct pool *p)
{
	free(p->recs);
	free(p->off);
	free(p->kind);
}

static double write_once(const struct pool *p, const char *path, uint64_t *file_size)
{
	struct trace_writer_opts o = { .sz = sizeof(o), .uid = -1, .gid = -1 };
	struct trace_writer *w;
	struct stat st;
	double t0, t1;
	int types[2];

	t0 = now();
	w = trace_writer__open(path, &o);
	if (!w) {
		fprintf(stderr, "bench_format: %s: %s\n", path, trace_strerror(-errno));
		exit(1);
	}
	types[0] = trace_writer__add_type(w, &open_desc);
	types[1] = trace_writer__add_type(w, &tcp_desc);
	for (size_t i = 0; i < p->n; i++) {
		int k = p->kind[i];
		int err = trace_writer__append(w, types[k], p->recs + p->off[i],
					       k ? sizeof(struct b_tcp) : sizeof(struct b_open));

		if (err) {
			fprintf(stderr, "bench_format: append: %s\n", trace_strerror(err));
			exit(1);
		}
	}
	if (trace_writer__close(w)) {
		fprintf(stderr, "bench_format: close failed\n");
		exit(1);
	}
	t1 = now();
	stat(path, &st);
	*file_size = (uint64_t)st.st_size;
	return t1 - t0;
}

/* Reads every event; with `project`, decodes only what an aggregate (a
 * latency histogram, a state count) needs. */
static double read_once(const char *path, size_t expect, bool project)
{
	static const char *const open_fields[] = { "latency_ns", NULL };
	static const char *const tcp_fields[] = { "skaddr", NULL };
	struct trace_reader *r;
	struct trace_event ev;
	uint64_t sum = 0;
	size_t n = 0;
	double t0 = now();

	r = trace_reader__open(path, NULL);
	if (!r) {
		fprintf(stderr, "bench_format: %s: %s\n", path, trace_strerror(-errno));
		exit(1);
	}
	if (project) {
		trace_reader__set_fields(r, "open", open_fields);
		trace_reader__set_fields(r, "tcp_state", tcp_fields);
	}
	/* Touch each record the way an aggregate would: one field. */
	while (trace_reader__next(r, &ev) == 0) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)ev.data + 8, 8);
		sum += v;
		n++;
	}
	trace_reader__close(r);
	double t = now() - t0;

	if (n != expect) {
		fprintf(stderr, "bench_format: read %zu events, wrote %zu\n", n, expect);
		exit(1);
	}
	if (sum == 42)
		fprintf(stderr, "(unlikely)\n");
	return t;
}

/* Each record copied once into a small buffer, as a writer reads it: the
 * pool is far larger than the caches, so this is memory bandwidth. */
static double copy_once(const struct pool *p)
{
	static uint8_t stage[64 * sizeof(struct b_open)];
	uint64_t acc = 0;
	double t0 = now();

	for (size_t i = 0; i < p->n; i++) {
		size_t sz = p->kind[i] ? sizeof(struct b_tcp) : sizeof(struct b_open);
		uint8_t *dst = stage + (i % 64) * sizeof(struct b_open);

		memcpy(dst, p->recs + p->off[i], sz);
		acc += dst[8];
	}
	if (acc == 42)
		fprintf(stderr, "(unlikely)\n");
	return now() - t0;
}

/* LZ4 on the raw records in 4 MiB blocks: the ceiling for a row format. */
static void lz4_once(const struct pool *p, double *tc, double *td, size_t *csize)
{
	const size_t blk = 4u << 20;
	size_t nblk = (p->bytes + blk - 1) / blk;
	char *dst = malloc(nblk * (size_t)LZ4_compressBound((int)blk));
	int *clen = malloc(nblk * sizeof(int));
	char *back = malloc(blk);
	double t0;
	size_t out = 0;

	if (!dst || !clen || !back)
		exit(1);
	t0 = now();
	for (size_t b = 0; b < nblk; b++) {
		size_t len = b + 1 < nblk ? blk : p->bytes - b * blk;

		clen[b] = LZ4_compress_default((const char *)p->recs + b * blk,
					       dst + b * (size_t)LZ4_compressBound((int)blk), (int)len,
					       LZ4_compressBound((int)blk));
		out += (size_t)clen[b];
	}
	*tc = now() - t0;
	t0 = now();
	for (size_t b = 0; b < nblk; b++) {
		if (LZ4_decompress_safe(dst + b * (size_t)LZ4_compressBound((int)blk), back, clen[b],
					(int)blk) < 0)
			exit(1);
	}
	*td = now() - t0;
	*csize = out;
	free(dst);
	free(clen);
	free(back);
}

int main(void)
{
	static const struct workload wls[] = {
		{ "open", 100 },
		{ "tcp_state", 0 },
		{ "mixed 80/20", 80 },
	};
	size_t n = getenv("BENCH_EVENTS") ? strtoull(getenv("BENCH_EVENTS"), NULL, 10) : 1000000;
	int runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 5;
	const char *dir = getenv("BENCH_DIR") ? getenv("BENCH_DIR") : "/tmp";
	const char *only = getenv("BENCH_ONLY");
	const char *wl_only = getenv("BENCH_WORKLOAD");
	char path[512];

	if (runs < 1 || runs > 101 || n == 0) {
		fprintf(stderr, "bench_format: BENCH_RUNS must be 1-101 and BENCH_EVENTS > 0\n");
		return 1;
	}
	if (wl_only && strcmp(wl_only, "open") && strcmp(wl_only, "tcp_state") &&
	    strcmp(wl_only, "mixed 80/20")) {
		fprintf(stderr, "bench_format: BENCH_WORKLOAD must be open, tcp_state or 'mixed 80/20'\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench_format.%d.trace", dir, (int)getpid());
	make_paths();
	printf("libebpftrace format benchmark: %zu events per run, median of %d runs, file in %s\n",
	       n, runs, dir);
	printf("Rates are per CPU-second of this process (user + system). MB/s are of records\n"
	       "as appended (schema sizes); 'LZ4 rows' compresses those same bytes with\n"
	       "LZ4_compress_default in 4 MiB blocks: the ceiling of a row format; 'copy'\n"
	       "only copies each record out of the pool (larger than the caches): the\n"
	       "ceiling of any writer reading them from memory on this machine.\n\n");
	printf("%-12s %6s | %7s %6s %7s | %7s %6s %7s | %7s | %9s %9s %8s\n", "workload", "rec B",
	       "write", "write", "copy", "read", "read", "read 1f", "on disk", "LZ4 rows", "LZ4 rows",
	       "LZ4 rows");
	printf("%-12s %6s | %7s %6s %7s | %7s %6s %7s | %7s | %9s %9s %8s\n", "", "", "Mev/s", "MB/s",
	       "Mev/s", "Mev/s", "MB/s", "Mev/s", "B/event", "comp MB/s", "dec MB/s", "B/event");
	for (size_t w = 0; w < sizeof(wls) / sizeof(wls[0]); w++) {
		if (wl_only && strcmp(wl_only, wls[w].name) != 0)
			continue;
		struct pool p;
		double *tw = calloc((size_t)runs, sizeof(double)), *tr = calloc((size_t)runs, sizeof(double));
		double *tp = calloc((size_t)runs, sizeof(double));
		double *tc = calloc((size_t)runs, sizeof(double)), *td = calloc((size_t)runs, sizeof(double));
		double *tk = calloc((size_t)runs, sizeof(double));
		uint64_t fsize = 0;
		size_t csize = 0;

		pool_make(&p, &wls[w], n);
		for (int r = 0; r < runs; r++) {
			if (!only || strcmp(only, "lz4") != 0)
				tw[r] = write_once(&p, path, &fsize);
			if (!only || strcmp(only, "write") == 0)
				tk[r] = copy_once(&p);
			if (!only || strcmp(only, "read") == 0) {
				tr[r] = read_once(path, p.n, false);
				tp[r] = read_once(path, p.n, true);
			}
			if (!only || strcmp(only, "lz4") == 0)
				lz4_once(&p, &tc[r], &td[r], &csize);
		}
		double mw = median(tw, runs), mr = median(tr, runs), mp = median(tp, runs);
		double mc = median(tc, runs), md = median(td, runs), mk = median(tk, runs);
		double mb = (double)p.bytes / 1e6;

		printf("%-12s %6.0f | %7.2f %6.0f %7.1f | %7.2f %6.0f %7.2f | %7.2f | %9.0f %9.0f %8.2f\n",
		       wls[w].name, (double)p.bytes / (double)n, (double)n / mw / 1e6, mb / mw,
		       (double)n / mk / 1e6, (double)n / mr / 1e6, mb / mr, (double)n / mp / 1e6,
		       (double)fsize / (double)n, mb / mc, mb / md, (double)csize / (double)n);
		fflush(stdout);
		pool_free(&p);
		free(tw);
		free(tr);
		free(tp);
		free(tc);
		free(td);
		free(tk);
	}
	if (!getenv("BENCH_KEEP"))
		unlink(path);
	printf("\n'read' materialises every field of every record; 'read 1f' decodes one field\n"
	       "per type (trace_reader__set_fields), as an aggregate such as a latency\n"
	       "histogram would.\n"
	       "targets: write >= 10 Mev/s, read >= 30 Mev/s per core, <= 15 B per open on disk\n");
	return 0;
}
