// SPDX-License-Identifier: MIT
/*
 * The probes: shared maps, and for each probe its ordered attach
 * strategies. A strategy is tried only when the kernel has what it needs
 * (tracepoint in tracefs, BTF type for tp_btf, function for fentry,
 * kprobe_events for kprobes); then its programs alone are loaded and
 * attached, and the first strategy that gets through wins. A probe no
 * strategy can serve is reported with every reason, and the others go on.
 *
 * Each probe is its own BPF object, so one failing to load never takes the
 * others with it; the shared maps are created here and handed to every
 * object with bpf_map__reuse_fd().
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "record/record.h"

#include "bpf/follow.skel.h"
#include "bpf/opens.skel.h"
#include "bpf/proc.skel.h"
#include "bpf/syscalls.skel.h"
#include "bpf/tcp.skel.h"
#include "bpf/udp.skel.h"

#define TRACEFS "/sys/kernel/tracing"
#define MAX_PROGS 8
#define REASON_LEN 512

/* What a strategy needs, and its programs: needs[i] serves progs[i]. */
enum need_kind { NEED_TRACEPOINT, NEED_BTF_TP, NEED_FUNC, NEED_KPROBE };

struct strategy {
	const char *kind; /* "tracepoint", "tp_btf", "fentry", "kprobe" */
	enum need_kind need;
	const char *progs[MAX_PROGS];
	const char *targets[MAX_PROGS]; /* "cat/event", tracepoint name, or function */
	/* A target whose absence only drops its program (open(2) on arm64). */
	const char *optional[MAX_PROGS];
};

struct probe_ops {
	const char *name;
	void *(*open)(void);
	void (*destroy)(void *skel);
	struct bpf_object *(*obj)(void *skel);
	const struct strategy *strategies;
};

#define SKEL_OPS(n)                                                                  \
	static void *n##_open(void) { return n##_bpf__open(); }                     \
	static void n##_destroy(void *s) { n##_bpf__destroy(s); }                   \
	static struct bpf_object *n##_obj(void *s) { return ((struct n##_bpf *)s)->obj; }

SKEL_OPS(opens)
SKEL_OPS(syscalls)
SKEL_OPS(tcp)
SKEL_OPS(udp)
SKEL_OPS(proc)
SKEL_OPS(follow)

static const struct strategy opens_strategies[] = {
	{ "tracepoint", NEED_TRACEPOINT,
	  { "ebt_open_enter_openat", "ebt_open_exit_openat", "ebt_open_enter_openat2",
	    "ebt_open_exit_openat2", "ebt_open_enter_open", "ebt_open_exit_open" },
	  { "syscalls/sys_enter_openat", "syscalls/sys_exit_openat", "syscalls/sys_enter_openat2",
	    "syscalls/sys_exit_openat2", "syscalls/sys_enter_open", "syscalls/sys_exit_open" },
	  { "syscalls/sys_enter_openat2", "syscalls/sys_exit_openat2", "syscalls/sys_enter_open",
	    "syscalls/sys_exit_open" } },
	{ "tp_btf", NEED_BTF_TP, { "ebt_open_enter_btf", "ebt_open_exit_btf" },
	  { "sys_enter", "sys_exit" }, { NULL } },
	{ NULL },
};

static const struct strategy syscalls_strategies[] = {
	{ "tracepoint", NEED_TRACEPOINT, { "ebt_sys_enter", "ebt_sys_exit" },
	  { "raw_syscalls/sys_enter", "raw_syscalls/sys_exit" }, { NULL } },
	{ "tp_btf", NEED_BTF_TP, { "ebt_sys_enter_btf", "ebt_sys_exit_btf" },
	  { "sys_enter", "sys_exit" }, { NULL } },
	{ NULL },
};

static const struct strategy tcp_strategies[] = {
	{ "tracepoint", NEED_TRACEPOINT, { "ebt_tcp_state", "ebt_tcp_accept4", "ebt_tcp_accept" },
	  { "sock/inet_sock_set_state", "syscalls/sys_exit_accept4", "syscalls/sys_exit_accept" },
	  { "syscalls/sys_exit_accept4", "syscalls/sys_exit_accept" } },
	{ "tp_btf", NEED_BTF_TP, { "ebt_tcp_state_btf" }, { "inet_sock_set_state" }, { NULL } },
	{ "fentry", NEED_FUNC, { "ebt_tcp_set_state_fentry" }, { "tcp_set_state" }, { NULL } },
	{ "kprobe", NEED_KPROBE, { "ebt_tcp_set_state_kprobe" }, { "tcp_set_state" }, { NULL } },
	{ NULL },
};

static const struct strategy udp_strategies[] = {
	{ "tracepoint", NEED_TRACEPOINT, { "ebt_udp_send", "ebt_udp_recv" },
	  { "sock/sock_send_length", "sock/sock_recv_length" }, { NULL } },
	{ "tp_btf", NEED_BTF_TP, { "ebt_udp_send_btf", "ebt_udp_recv_btf" },
	  { "sock_send_length", "sock_recv_length" }, { NULL } },
	{ NULL },
};

static const struct strategy proc_strategies[] = {
	{ "tracepoint", NEED_TRACEPOINT, { "ebt_proc_exec", "ebt_proc_fork", "ebt_proc_exit" },
	  { "sched/sched_process_exec", "sched/sched_process_fork", "sched/sched_process_exit" },
	  { NULL } },
	{ "tp_btf", NEED_BTF_TP, { "ebt_proc_exec_btf", "ebt_proc_fork_btf", "ebt_proc_exit_btf" },
	  { "sched_process_exec", "sched_process_fork", "sched_process_exit" }, { NULL } },
	{ NULL },
};

static const struct strategy follow_strategies[] = {
	{ "tracepoint", NEED_TRACEPOINT, { "ebt_follow_fork", "ebt_follow_free" },
	  { "sched/sched_process_fork", "sched/sched_process_free" }, { NULL } },
	{ NULL },
};

#define FOLLOW EBT_NPROBES /* index of the follower after the probes */

static const struct probe_ops probe_ops[EBT_NPROBES + 1] = {
	[EBT_PROBE_OPENS] = { "opens", opens_open, opens_destroy, opens_obj, opens_strategies },
	[EBT_PROBE_SYSCALLS] = { "syscalls", syscalls_open, syscalls_destroy, syscalls_obj,
				 syscalls_strategies },
	[EBT_PROBE_TCP] = { "tcp", tcp_open, tcp_destroy, tcp_obj, tcp_strategies },
	[EBT_PROBE_UDP] = { "udp", udp_open, udp_destroy, udp_obj, udp_strategies },
	[EBT_PROBE_PROC] = { "proc", proc_open, proc_destroy, proc_obj, proc_strategies },
	[FOLLOW] = { "pid-follower", follow_open, follow_destroy, follow_obj, follow_strategies },
};

struct loaded {
	void *skel;
	struct bpf_link *links[MAX_PROGS];
	int nlinks;
	char *strategy; /* metadata value */
	bool attached;
};

struct probes {
	struct probes_opts opts;
	int ring_fd, counters_fd, config_fd, pids_fd;
	struct ebt_config *config;
	size_t config_len;
	struct btf *vmlinux_btf;
	int btf_err;
	int task_storage; /* 1 yes, 0 no, -1 not probed yet */
	struct loaded probe[EBT_NPROBES + 1];
};

/* The last warning libbpf printed, for a one-line reason. */
static char last_libbpf_msg[256];
static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char *nl;

	if (libbpf_verbose && level != LIBBPF_DEBUG) {
		va_list copy;

		va_copy(copy, args);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, args);
	nl = strchr(last_libbpf_msg, '\n');
	if (nl)
		*nl = 0;
	return 0;
}

const char *probe__name(int probe)
{
	return probe >= 0 && probe < EBT_NPROBES ? probe_ops[probe].name : "?";
}

int probe__by_name(const char *name)
{
	for (int i = 0; i < EBT_NPROBES; i++)
		if (!strcmp(name, probe_ops[i].name))
			return i;
	return -1;
}

const char *probe__all_names(void)
{
	return "opens, syscalls, tcp, udp, proc";
}

const char *probe__strategy_kind(const char *kind)
{
	static const char *kinds[] = { "tracepoint", "tp_btf", "fentry", "kprobe" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return kinds[i];
	return NULL;
}

static void fmt_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct probes *probes__open(const struct probes_opts *opts, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, mmapable, .map_flags = BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_map_create_opts, noprealloc, .map_flags = BPF_F_NO_PREALLOC);
	struct probes *p;
	int e;

	libbpf_verbose = opts->verbose;
	libbpf_set_print(libbpf_print);
	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt_err(err, errlen, "out of memory");
		return NULL;
	}
	p->opts = *opts;
	if (!p->opts.name)
		p->opts.name = RECORD_NAME;
	p->ring_fd = p->counters_fd = p->config_fd = p->pids_fd = -1;
	p->config = MAP_FAILED;
	p->task_storage = -1;

	p->ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ebt_events", 0, 0, opts->ring_size, NULL);
	if (p->ring_fd < 0) {
		e = errno;
		fmt_err(err, errlen, "cannot create the %llu-byte ring buffer: %s%s",
			(unsigned long long)opts->ring_size, strerror(e),
			e == EPERM ? " (need root, or CAP_BPF and CAP_PERFMON: run it with sudo)" :
			e == ENOMEM ? " (try a smaller --ring-size)" : "");
		goto fail;
	}
	p->counters_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "ebt_counters", sizeof(uint32_t),
					sizeof(struct ebt_counts), EBT_NPROBES, NULL);
	p->config_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ebt_config", sizeof(uint32_t),
				      sizeof(struct ebt_config), 1, &mmapable);
	p->pids_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ebt_pids", sizeof(uint32_t), sizeof(uint8_t),
				    EBT_MAX_FILTER_PIDS, &noprealloc);
	if (p->counters_fd < 0 || p->config_fd < 0 || p->pids_fd < 0) {
		e = errno;
		fmt_err(err, errlen, "cannot create BPF maps: %s", strerror(e));
		goto fail;
	}
	p->config_len = (sizeof(struct ebt_config) + getpagesize() - 1) & ~((size_t)getpagesize() - 1);
	p->config = mmap(NULL, p->config_len, PROT_READ | PROT_WRITE, MAP_SHARED, p->config_fd, 0);
	if (p->config == MAP_FAILED) {
		e = errno;
		fmt_err(err, errlen, "cannot map the BPF configuration: %s", strerror(e));
		goto fail;
	}
	return p;
fail:
	probes__close(p);
	errno = e;
	return NULL;
}

struct ebt_config *probes__config(struct probes *p)
{
	return p->config;
}

int probes__pid_add(struct probes *p, uint32_t pid)
{
	uint8_t one = 1;

	return bpf_map_update_elem(p->pids_fd, &pid, &one, BPF_ANY) ? -errno : 0;
}

int probes__pid_remove(struct probes *p, uint32_t pid)
{
	return bpf_map_delete_elem(p->pids_fd, &pid) ? -errno : 0;
}

int probes__pid_clear(struct probes *p)
{
	uint32_t key;

	/* The first key each time: deleting while walking would restart the
	 * walk anyway when the deleted key was the cursor. */
	while (!bpf_map_get_next_key(p->pids_fd, NULL, &key))
		if (bpf_map_delete_elem(p->pids_fd, &key) && errno != ENOENT)
			return -errno;
	return errno == ENOENT ? 0 : -errno;
}

static bool tracepoint_exists(const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s", target);
	return access(path, F_OK) == 0;
}

static bool btf_has(struct probes *p, const char *name, int kind)
{
	if (!p->vmlinux_btf && !p->btf_err) {
		p->vmlinux_btf = btf__load_vmlinux_btf();
		if (!p->vmlinux_btf)
			p->btf_err = -errno;
	}
	return p->vmlinux_btf && btf__find_by_name_kind(p->vmlinux_btf, name, kind) >= 0;
}

static bool is_optional(const struct strategy *s, const char *target)
{
	for (int i = 0; i < MAX_PROGS && s->optional[i]; i++)
		if (!strcmp(s->optional[i], target))
			return true;
	return false;
}

/* Whether the kernel has target for strategy s; why not in why. */
static bool target_present(struct probes *p, const struct strategy *s, const char *target,
			   char *why, size_t whylen)
{
	char name[128];

	switch (s->need) {
	case NEED_TRACEPOINT:
		if (tracepoint_exists(target))
			return true;
		snprintf(why, whylen, "no tracepoint %s", target);
		return false;
	case NEED_BTF_TP:
		snprintf(name, sizeof(name), "btf_trace_%s", target);
		if (btf_has(p, name, BTF_KIND_TYPEDEF))
			return true;
		snprintf(why, whylen, "no BTF tracepoint %s", target);
		return false;
	case NEED_FUNC:
		if (btf_has(p, target, BTF_KIND_FUNC))
			return true;
		snprintf(why, whylen, "no kernel function %s in BTF", target);
		return false;
	case NEED_KPROBE:
		if (access(TRACEFS "/kprobe_events", F_OK) != 0) {
			snprintf(why, whylen, "kprobes are not configured in this kernel");
			return false;
		}
		return true;
	}
	return false;
}

static int reuse_shared(struct probes *p, struct bpf_object *obj)
{
	static const char *names[] = { "ebt_events", "ebt_counters", "ebt_config", "ebt_pids" };
	int fds[] = { p->ring_fd, p->counters_fd, p->config_fd, p->pids_fd };
	struct bpf_map *m;
	int err;

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		m = bpf_object__find_map_by_name(obj, names[i]);
		if (!m)
			continue;
		err = bpf_map__reuse_fd(m, fds[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Whether tracing programs can keep per-thread state in task-local storage
 * (the map type, and its helpers in tracepoint programs: 5.12 and later),
 * which opens and syscalls then use instead of a tid-keyed hash map. */
static bool task_storage_ok(struct probes *p)
{
	if (p->task_storage < 0)
		p->task_storage =
			libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1 &&
			libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_storage_get,
						NULL) == 1 &&
			libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
						BPF_FUNC_get_current_task_btf, NULL) == 1;
	return p->task_storage;
}

static void set_rodata(struct probes *p, int probe, void *skel)
{
	bool ts;

	if (probe == EBT_PROBE_OPENS) {
		struct opens_bpf *o = skel;

		ts = task_storage_ok(p);
		o->rodata->nr_open = syscalls__nr("open");
		o->rodata->nr_openat = syscalls__nr("openat");
		o->rodata->nr_openat2 = syscalls__nr("openat2");
		o->rodata->use_task_storage = ts;
		bpf_map__set_autocreate(o->maps.ebt_open_task, ts);
		bpf_map__set_autocreate(o->maps.ebt_open_start, !ts);
	} else if (probe == EBT_PROBE_SYSCALLS) {
		struct syscalls_bpf *o = skel;

		ts = task_storage_ok(p);
		o->rodata->use_task_storage = ts;
		bpf_map__set_autocreate(o->maps.ebt_sys_task, ts);
		bpf_map__set_autocreate(o->maps.ebt_sys_start, !ts);
	}
}

static void unload(struct probes *p, int probe)
{
	struct loaded *l = &p->probe[probe];

	for (int i = 0; i < l->nlinks; i++)
		bpf_link__destroy(l->links[i]);
	l->nlinks = 0;
	if (l->skel)
		probe_ops[probe].destroy(l->skel);
	l->skel = NULL;
	l->attached = false;
}

/* Tries one strategy; 0 when attached, else a reason in why. */
static int try_strategy(struct probes *p, int probe, const struct strategy *s, char *why,
			size_t whylen)
{
	const struct probe_ops *ops = &probe_ops[probe];
	struct loaded *l = &p->probe[probe];
	bool use[MAX_PROGS] = { false };
	char desc[512], miss[160];
	struct bpf_program *prog;
	struct bpf_object *obj;
	size_t dlen;
	int err, n = 0;

	for (int i = 0; i < MAX_PROGS && s->progs[i]; i++) {
		if (target_present(p, s, s->targets[i], miss, sizeof(miss))) {
			use[i] = true;
			n++;
		} else if (!is_optional(s, s->targets[i])) {
			snprintf(why, whylen, "%s", miss);
			return -ENOENT;
		}
	}
	if (!n) {
		snprintf(why, whylen, "nothing to attach to");
		return -ENOENT;
	}

	l->skel = ops->open();
	if (!l->skel) {
		err = -errno;
		snprintf(why, whylen, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	obj = ops->obj(l->skel);
	bpf_object__for_each_program(prog, obj) {
		bool on = false;

		for (int i = 0; i < MAX_PROGS && s->progs[i]; i++)
			if (use[i] && !strcmp(bpf_program__name(prog), s->progs[i]))
				on = true;
		bpf_program__set_autoload(prog, on);
	}
	set_rodata(p, probe, l->skel);
	err = reuse_shared(p, obj);
	if (err) {
		snprintf(why, whylen, "cannot share maps: %s", strerror(-err));
		goto fail;
	}
	last_libbpf_msg[0] = 0;
	err = bpf_object__load(obj);
	if (err) {
		snprintf(why, whylen, "load failed: %s%s%s", strerror(-err),
			 last_libbpf_msg[0] ? ": " : "", last_libbpf_msg);
		goto fail;
	}
	dlen = (size_t)snprintf(desc, sizeof(desc), "%s:", s->kind);
	for (int i = 0; i < MAX_PROGS && s->progs[i]; i++) {
		struct bpf_link *link;

		if (!use[i])
			continue;
		prog = bpf_object__find_program_by_name(obj, s->progs[i]);
		link = prog ? bpf_program__attach(prog) : NULL;
		if (!link) {
			err = prog ? -errno : -ENOENT;
			snprintf(why, whylen, "attach %s failed: %s", s->targets[i], strerror(-err));
			goto fail;
		}
		l->links[l->nlinks++] = link;
		if (dlen < sizeof(desc))
			dlen += (size_t)snprintf(desc + dlen, sizeof(desc) - dlen, "%s%s",
						 l->nlinks > 1 ? "," : "", s->targets[i]);
	}
	/* "syscalls/sys_enter_openat" reads better as "syscalls:sys_enter_openat". */
	for (char *c = strchr(desc, ':') + 1; *c; c++)
		if (*c == '/')
			*c = ':';
	l->strategy = strdup(desc);
	l->attached = true;
	return 0;
fail:
	unload(p, probe);
	return err;
}

static int attach_one(struct probes *p, int probe)
{
	const struct probe_ops *ops = &probe_ops[probe];
	const char *force = probe < EBT_NPROBES ? p->opts.force[probe] : NULL;
	char reasons[REASON_LEN] = "", why[256];
	size_t rlen = 0;
	int err = -ENOENT;

	for (const struct strategy *s = ops->strategies; s->kind; s++) {
		if (force && strcmp(force, s->kind))
			continue;
		why[0] = 0;
		err = try_strategy(p, probe, s, why, sizeof(why));
		if (!err)
			break;
		if (rlen < sizeof(reasons))
			rlen += (size_t)snprintf(reasons + rlen, sizeof(reasons) - rlen, "%s%s: %s",
						 rlen ? "; " : "", s->kind, why);
	}
	if (!err) {
		if (!p->opts.quiet)
			fprintf(stderr, "%s: probe %s: %s\n", p->opts.name, ops->name,
				p->probe[probe].strategy);
		return 0;
	}
	if (!rlen) {
		rlen = (size_t)snprintf(reasons, sizeof(reasons), "--strategy %s: %s has only", force,
					ops->name);
		for (const struct strategy *s = ops->strategies; s->kind && rlen < sizeof(reasons); s++)
			rlen += (size_t)snprintf(reasons + rlen, sizeof(reasons) - rlen, "%s %s",
						 s == ops->strategies ? "" : ",", s->kind);
	}
	if (asprintf(&p->probe[probe].strategy, "unavailable: %s", reasons) < 0)
		p->probe[probe].strategy = NULL;
	fprintf(stderr, "%s: probe %s unavailable: %s\n", p->opts.name, ops->name, reasons);
	return err;
}

int probes__attach(struct probes *p, char *err, size_t errlen)
{
	int n = 0;

	if (access(TRACEFS "/events", F_OK) != 0) {
		fmt_err(err, errlen, "tracefs is not mounted at " TRACEFS);
		return -ENOENT;
	}
	/* The follower first, so no child forked meanwhile escapes the filter. */
	if (p->opts.follow && attach_one(p, FOLLOW)) {
		fmt_err(err, errlen, "cannot follow the recorded processes' children: %s",
			p->probe[FOLLOW].strategy ? p->probe[FOLLOW].strategy : "?");
		return -ENOTSUP;
	}
	for (int i = 0; i < EBT_NPROBES; i++) {
		if (!(p->opts.enabled & (1u << i)))
			continue;
		if (!attach_one(p, i))
			n++;
	}
	return n;
}

const char *probes__strategy(const struct probes *p, int probe)
{
	if (probe < 0 || probe >= EBT_NPROBES || !(p->opts.enabled & (1u << probe)))
		return NULL;
	return p->probe[probe].strategy ? p->probe[probe].strategy : "unavailable: out of memory";
}

bool probes__attached(const struct probes *p, int probe)
{
	return probe >= 0 && probe < EBT_NPROBES && p->probe[probe].attached;
}

int probes__ring_fd(const struct probes *p)
{
	return p->ring_fd;
}

int probes__counters_fd(const struct probes *p)
{
	return p->counters_fd;
}

int probes__hist_fd(const struct probes *p)
{
	const struct loaded *l = &p->probe[EBT_PROBE_SYSCALLS];

	if (!l->attached)
		return -1;
	return bpf_map__fd(((struct syscalls_bpf *)l->skel)->maps.ebt_hist);
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

void probes__detach(struct probes *p)
{
	pthread_t th[(EBT_NPROBES + 1) * MAX_PROGS];
	bool threaded[(EBT_NPROBES + 1) * MAX_PROGS];
	int n = 0;

	/* Closing a tracepoint link waits for an RCU grace period (30-100 ms
	 * here): one at a time, the recorder took a second to stop. The waits
	 * overlap when each link goes in its own thread. */
	for (int i = 0; i <= EBT_NPROBES; i++) {
		struct loaded *l = &p->probe[i];

		for (int j = 0; j < l->nlinks; j++, n++) {
			threaded[n] = pthread_create(&th[n], NULL, destroy_link, l->links[j]) == 0;
			if (!threaded[n])
				bpf_link__destroy(l->links[j]);
		}
		l->nlinks = 0;
	}
	for (int k = 0; k < n; k++)
		if (threaded[k])
			pthread_join(th[k], NULL);
}

void probes__close(struct probes *p)
{
	if (!p)
		return;
	for (int i = 0; i <= EBT_NPROBES; i++) {
		unload(p, i);
		free(p->probe[i].strategy);
	}
	if (p->config != MAP_FAILED)
		munmap(p->config, p->config_len);
	if (p->ring_fd >= 0)
		close(p->ring_fd);
	if (p->counters_fd >= 0)
		close(p->counters_fd);
	if (p->config_fd >= 0)
		close(p->config_fd);
	if (p->pids_fd >= 0)
		close(p->pids_fd);
	btf__free(p->vmlinux_btf);
	free(p);
}
