// SPDX-License-Identifier: MIT
/*
 * A recording session (record/session.h): the probes and their live
 * configuration, the drain, the histogram snapshots and the records the
 * recorder makes itself (calibration, syscall table, /proc snapshot),
 * delivered to a writer and/or a consumer.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "format/trace.h"
#include "record/record.h"

#define DEFAULT_RING_SIZE (64ULL << 20)
#define GRACE_NS (20 * 1000 * 1000)

struct record_session {
	struct record_session_opts o;
	char *name;
	struct probes *probes;
	struct record_sink sink;
	struct drain *drain;
	struct hist_snap *hist;
	struct trace_calibration cal;
	bool hist_all; /* a new segment: snapshot every histogram */
	bool started, detached, stopped;
};

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Root, or CAP_BPF and CAP_PERFMON in the effective set. */
static bool privileged(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	const int cap_perfmon = 38, cap_bpf = 39;

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return (data[cap_perfmon / 32].effective & (1u << (cap_perfmon % 32))) &&
	       (data[cap_bpf / 32].effective & (1u << (cap_bpf % 32)));
}

int record_session__preflight(const char *name, bool quiet, char *err, size_t errlen)
{
	if (!privileged()) {
		say(err, errlen, "need root, or CAP_BPF and CAP_PERFMON, to load BPF programs: run it "
		    "with sudo");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		say(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): it "
		    "needs CONFIG_DEBUG_INFO_BTF=y");
		return -ENOTSUP;
	}
	if (access("/sys/kernel/tracing/events", F_OK)) {
		if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
			int e = errno;

			say(err, errlen, "tracefs is not mounted at /sys/kernel/tracing and mounting it "
			    "failed (%s): mount it with 'mount -t tracefs nodev /sys/kernel/tracing'",
			    strerror(e));
			return -e;
		}
		if (!quiet)
			fprintf(stderr, "%s: mounted tracefs at /sys/kernel/tracing (it stays mounted)\n",
				name ? name : RECORD_NAME);
	}
	return 0;
}

struct record_session *record_session__open(const struct record_session_opts *opts, char *err,
					    size_t errlen)
{
	struct record_session *s = calloc(1, sizeof(*s));
	struct probes_opts po = { 0 };
	struct ebt_config *c;
	uint64_t ring = 4096;
	int e;

	if (!s) {
		say(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (opts)
		memcpy(&s->o, opts, opts->sz < sizeof(s->o) ? opts->sz : sizeof(s->o));
	s->o.sz = sizeof(s->o);
	s->name = strdup(s->o.name ? s->o.name : RECORD_NAME);
	if (!s->name) {
		e = ENOMEM;
		say(err, errlen, "out of memory");
		goto fail;
	}
	if (!s->o.probes)
		s->o.probes = (1u << EBT_NPROBES) - 1;
	if (s->o.probes >> EBT_NPROBES) {
		e = EINVAL;
		say(err, errlen, "unknown probes (bits 0x%x)", s->o.probes);
		goto fail;
	}
	if (!s->o.ring_size)
		s->o.ring_size = DEFAULT_RING_SIZE;
	while (ring < s->o.ring_size)
		ring <<= 1;
	s->o.ring_size = ring;
	/* Nothing of the caller's is kept past open. */
	s->o.pids = NULL;
	s->o.comm = NULL;
	memset(s->o.force, 0, sizeof(s->o.force));

	po.enabled = s->o.probes;
	po.ring_size = s->o.ring_size;
	po.follow = s->o.follow || (opts && opts->npids);
	po.quiet = s->o.quiet;
	po.verbose = s->o.verbose;
	po.name = s->name;
	for (int i = 0; opts && i < EBT_NPROBES; i++) {
		if (!opts->force[i])
			continue;
		po.force[i] = probe__strategy_kind(opts->force[i]);
		if (!po.force[i]) {
			e = EINVAL;
			say(err, errlen, "unknown strategy '%s': valid ones are tracepoint, tp_btf, "
			    "fentry, kprobe", opts->force[i]);
			goto fail;
		}
	}
	s->o.follow = po.follow;
	s->probes = probes__open(&po, err, errlen);
	if (!s->probes) {
		e = errno;
		goto fail;
	}
	c = probes__config(s->probes);
	memset(c, 0, sizeof(*c));
	c->self_tgid = (uint32_t)getpid();
	c->filter_port = s->o.port;
	c->syscall_events = s->o.syscall_events;
	c->min_latency_ns = s->o.min_latency_ns;
	c->wakeup_bytes = s->o.ring_size / 4;
	if (opts && opts->comm && *opts->comm) {
		strncpy(c->comm, opts->comm, sizeof(c->comm) - 1);
		c->filter_comm = 1;
	}
	for (size_t i = 0; opts && i < opts->npids; i++) {
		int rc = probes__pid_add(s->probes, opts->pids[i]);

		if (rc) {
			e = -rc;
			say(err, errlen, "cannot add pid %u to the pid filter: %s", opts->pids[i],
			    strerror(e));
			goto fail;
		}
	}
	c->filter_pid = opts && opts->npids;
	s->sink.fn = s->o.consumer;
	s->sink.ctx = s->o.ctx;
	calibrate__sample(&s->cal);
	return s;
fail:
	record_session__close(s);
	errno = e;
	return NULL;
}

int record_session__attach(struct record_session *s, char *err, size_t errlen)
{
	return probes__attach(s->probes, err, errlen);
}

int record_session__set_writer(struct record_session *s, struct trace_writer *w)
{
	if (s->started)
		return -EBUSY;
	s->sink.w = w;
	return w ? schemas__register(w, s->sink.ids) : 0;
}

int record_session__type_id(const struct record_session *s, int type)
{
	if (!s->sink.w || type <= 0 || type >= RECORD_NTYPES)
		return -ENOENT;
	return s->sink.ids[type];
}

int record_session__set_consumer(struct record_session *s, record_consumer_fn fn, void *ctx)
{
	s->sink.fn = fn;
	s->sink.ctx = ctx;
	if (s->drain)
		drain__set_consumer(s->drain, fn, ctx);
	return 0;
}

static int emit_syscall_names(struct record_session *s, uint64_t ts)
{
	const struct syscall_entry *tab;
	struct ebt_syscall_name r;
	size_t n;
	int err;

	tab = syscalls__table(&n);
	for (size_t i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.ts = ts;
		r.nr = tab[i].nr;
		strncpy(r.name, tab[i].name, sizeof(r.name) - 1);
		err = drain__emit(s->drain, RECORD_SYSCALL_NAME, &r, ts);
		if (err)
			return err;
	}
	return 0;
}

static int calibrate(struct record_session *s)
{
	calibrate__sample(&s->cal);
	return s->sink.w ? trace_writer__calibrate(s->sink.w, &s->cal) : 0;
}

int record_session__segment_start(struct record_session *s)
{
	int err;

	if (!s->drain)
		return -EINVAL;
	err = calibrate(s);
	if (!err)
		err = emit_syscall_names(s, clock__boot_ns());
	if (!err) {
		err = procscan__write(s->drain);
		err = err < 0 ? err : 0;
	}
	s->hist_all = true;
	return err;
}

int record_session__start(struct record_session *s, char *err, size_t errlen)
{
	int hist_fd = probes__hist_fd(s->probes), rc;

	if (s->started)
		return -EBUSY;
	s->drain = drain__new(probes__ring_fd(s->probes), s->o.ring_size,
			      probes__counters_fd(s->probes), &s->sink);
	if (!s->drain) {
		rc = -errno;
		say(err, errlen, "cannot read the ring buffer: %s", strerror(-rc));
		return rc;
	}
	if (hist_fd >= 0) {
		s->hist = hist__new(hist_fd);
		if (!s->hist) {
			rc = -errno;
			say(err, errlen, "cannot read the syscall histograms: %s", strerror(-rc));
			return rc;
		}
	}
	s->started = true;
	return record_session__segment_start(s);
}

int record_session__poll(struct record_session *s, int timeout_ms)
{
	if (!s->drain)
		return -EINVAL;
	return drain__poll(s->drain, timeout_ms);
}

int record_session__drain(struct record_session *s, uint64_t max)
{
	if (!s->drain)
		return -EINVAL;
	return drain__consume(s->drain, max);
}

int record_session__fd(const struct record_session *s)
{
	return s->drain ? drain__fd(s->drain) : -1;
}

int record_session__tick(struct record_session *s)
{
	int err;

	if (!s->drain)
		return -EINVAL;
	err = calibrate(s);
	if (!err && s->hist) {
		err = hist__write(s->hist, s->drain, s->hist_all);
		s->hist_all = false;
	}
	if (!err)
		err = drain__sample_lost(s->drain);
	return err;
}

void record_session__calibration(const struct record_session *s, struct trace_calibration *out)
{
	*out = s->cal;
}

void record_session__detach(struct record_session *s)
{
	struct timespec grace = { 0, GRACE_NS };

	if (s->detached)
		return;
	s->detached = true;
	/* Programs still running when their link goes are done within a
	 * grace period: then every event they submitted is in the ring. */
	probes__detach(s->probes);
	nanosleep(&grace, NULL);
}

int record_session__stop(struct record_session *s)
{
	int err;

	if (!s->drain || s->stopped)
		return s->drain ? 0 : -EINVAL;
	s->stopped = true;
	record_session__detach(s);
	do
		err = drain__consume(s->drain, 0);
	while (err > 0);
	if (err < 0)
		return err;
	return record_session__tick(s);
}

void record_session__close(struct record_session *s)
{
	if (!s)
		return;
	hist__free(s->hist);
	drain__free(s->drain);
	probes__close(s->probes);
	free(s->name);
	free(s);
}

/* ---- filters ------------------------------------------------------------ */

int record_session__set_comm(struct record_session *s, const char *comm)
{
	struct ebt_config *c = probes__config(s->probes);

	if (!comm || !*comm) {
		c->filter_comm = 0;
		__sync_synchronize();
		return 0;
	}
	/* Off while the name changes: no event is filtered by half of it. */
	c->filter_comm = 0;
	__sync_synchronize();
	memset(c->comm, 0, sizeof(c->comm));
	strncpy(c->comm, comm, sizeof(c->comm) - 1);
	__sync_synchronize();
	c->filter_comm = 1;
	__sync_synchronize();
	return 0;
}

const char *record_session__comm(const struct record_session *s)
{
	const struct ebt_config *c = probes__config(s->probes);

	return c->filter_comm ? c->comm : NULL;
}

int record_session__set_port(struct record_session *s, uint16_t port)
{
	probes__config(s->probes)->filter_port = port;
	__sync_synchronize();
	return 0;
}

int record_session__set_min_latency(struct record_session *s, bool events, uint64_t ns)
{
	struct ebt_config *c = probes__config(s->probes);

	c->min_latency_ns = ns;
	__sync_synchronize();
	c->syscall_events = events;
	__sync_synchronize();
	return 0;
}

int record_session__set_pid_filter(struct record_session *s, bool on)
{
	probes__config(s->probes)->filter_pid = on;
	__sync_synchronize();
	return 0;
}

bool record_session__pid_filter(const struct record_session *s)
{
	return probes__config(s->probes)->filter_pid;
}

int record_session__pid_add(struct record_session *s, uint32_t pid)
{
	return probes__pid_add(s->probes, pid);
}

int record_session__pid_remove(struct record_session *s, uint32_t pid)
{
	return probes__pid_remove(s->probes, pid);
}

int record_session__pid_clear(struct record_session *s)
{
	return probes__pid_clear(s->probes);
}

bool record_session__follows(const struct record_session *s)
{
	return s->o.follow;
}

/* ---- what it did -------------------------------------------------------- */

int record_session__counts(struct record_session *s, int probe, struct record_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (probe < 0 || probe >= EBT_NPROBES)
		return -EINVAL;
	if (!s->drain)
		return -EINVAL;
	return drain__counts(s->drain, probe, &out->seen, &out->recorded, &out->lost);
}

uint64_t record_session__recorded(const struct record_session *s)
{
	return s->drain ? drain__recorded(s->drain) : 0;
}

uint64_t record_session__lost(const struct record_session *s)
{
	return s->drain ? drain__lost(s->drain) : 0;
}

bool record_session__attached(const struct record_session *s, int probe)
{
	return probes__attached(s->probes, probe);
}

const char *record_session__strategy(const struct record_session *s, int probe)
{
	return probes__strategy(s->probes, probe);
}

uint64_t record_session__ring_size(const struct record_session *s)
{
	return s->o.ring_size;
}

uint32_t record_session__probes(const struct record_session *s)
{
	return s->o.probes;
}

const char *record_probe__name(int probe)
{
	return probe__name(probe);
}

int record_probe__by_name(const char *name)
{
	return probe__by_name(name);
}
