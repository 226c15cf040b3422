// SPDX-License-Identifier: MIT
/* The process table: the /proc snapshot, then fork, exec and exit, so each
 * pid has a name, a command line, a parent and a lifetime. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/map.h"
#include "replay/replay.h"

enum { EX_PID, EX_PPID, EX_UID, EX_COMM, EX_FILENAME, EX_ARGS, EX_N };
static const char *const exec_fields[EX_N] = { "pid", "ppid", "uid", "comm", "filename", "args" };
enum { FK_PID, FK_CHILD, FK_COMM, FK_N };
static const char *const fork_fields[FK_N] = { "pid", "child_pid", "comm" };
enum { XT_PID, XT_PPID, XT_STATUS, XT_COMM, XT_N };
static const char *const exit_fields[XT_N] = { "pid", "ppid", "status", "comm" };
static const char *const pid_fields[2] = { "pid", "comm" };

struct procs_analysis {
	struct replay_binding *exec_bind, *fork_bind, *exit_bind, *pid_bind;
	struct proc_info *p;
	size_t n, cap;
	struct u64map map; /* pid -> latest entry */
};

struct procs_analysis *procs_analysis__new(void)
{
	struct procs_analysis *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->exec_bind = replay_binding__new("exec", exec_fields, EX_N);
	a->fork_bind = replay_binding__new("fork", fork_fields, FK_N);
	a->exit_bind = replay_binding__new("exit", exit_fields, XT_N);
	a->pid_bind = replay_binding__new(NULL, pid_fields, 2);
	if (!a->exec_bind || !a->fork_bind || !a->exit_bind || !a->pid_bind) {
		procs_analysis__free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

static void free_entries(struct procs_analysis *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free((char *)a->p[i].cmdline);
		free((char *)a->p[i].filename);
	}
	a->n = 0;
	u64map_clear(&a->map);
}

void procs_analysis__free(struct procs_analysis *a)
{
	if (!a)
		return;
	free_entries(a);
	replay_binding__free(a->exec_bind);
	replay_binding__free(a->fork_bind);
	replay_binding__free(a->exit_bind);
	replay_binding__free(a->pid_bind);
	free(a->p);
	u64map_free(&a->map);
	free(a);
}

void procs_analysis__reset(struct procs_analysis *a)
{
	free_entries(a);
}

static int set_str(const char **dst, const char *src)
{
	char *dup = strdup(src);

	if (!dup)
		return -ENOMEM;
	free((char *)*dst);
	*dst = dup;
	return 0;
}

/* The entry for pid; a new one when there is none, or when fresh says the
 * pid now names another process (fork after an exit). */
static struct proc_info *get(struct procs_analysis *a, uint32_t pid, uint16_t file, bool fresh)
{
	uint32_t idx = u64map_get(&a->map, pid);

	if (idx != U64MAP_NONE && !fresh)
		return &a->p[idx];
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 64;
		struct proc_info *np = realloc(a->p, ncap * sizeof(*np));
		if (!np)
			return NULL;
		a->p = np;
		a->cap = ncap;
	}
	struct proc_info *p = &a->p[a->n];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->file = file;
	p->cmdline = strdup("");
	p->filename = strdup("");
	if (!p->cmdline || !p->filename || u64map_put(&a->map, pid, (uint32_t)a->n)) {
		free((char *)p->cmdline);
		free((char *)p->filename);
		return NULL;
	}
	a->n++;
	return p;
}

static int feed_process(struct procs_analysis *a, const struct trace_event *ev)
{
	struct trace_process tp;
	int err = trace_event__process(ev, &tp);

	if (err)
		return 0; /* undecodable: nothing to learn */
	uint32_t idx = u64map_get(&a->map, tp.pid);
	/* Each segment repeats the snapshot: the same process again. */
	bool fresh = idx != U64MAP_NONE && (a->p[idx].flags & PROC_EXITED);
	struct proc_info *p = get(a, tp.pid, ev->file, fresh);
	if (!p)
		return -ENOMEM;
	p->flags |= PROC_SNAPSHOT;
	p->ppid = tp.ppid;
	p->uid = tp.uid;
	if (tp.start_ns && !p->start_ns)
		p->start_ns = tp.start_ns;
	tp.comm[sizeof(tp.comm) - 1] = '\0';
	tp.cmdline[sizeof(tp.cmdline) - 1] = '\0';
	memcpy(p->comm, tp.comm, sizeof(p->comm));
	if (tp.cmdline[0] && !(p->flags & PROC_EXECED))
		return set_str(&p->cmdline, tp.cmdline);
	return 0;
}

int procs_analysis__feed(struct procs_analysis *a, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd;
	const void *r = ev->data;
	char buf[256];

	if (ev->type == TRACE_TYPE_PROCESS)
		return feed_process(a, ev);
	if ((fd = replay_binding__resolve(a->fork_bind, ev->schema))) {
		uint32_t parent = (uint32_t)replay_field_u64(fd[FK_PID], r);
		uint32_t child = (uint32_t)replay_field_u64(fd[FK_CHILD], r);
		const struct proc_info *pp = procs_analysis__find(a, parent);
		bool known_parent = pp != NULL;
		char pcomm[16] = "";
		const char *pcmd = "";
		if (pp) {
			memcpy(pcomm, pp->comm, sizeof(pcomm));
			pcmd = pp->cmdline;
		}
		char *cmd = strdup(pcmd); /* pp may move when the table grows */
		if (!cmd)
			return -ENOMEM;
		struct proc_info *p = get(a, child, ev->file, true);
		if (!p) {
			free(cmd);
			return -ENOMEM;
		}
		p->flags |= PROC_FORKED;
		p->ppid = parent;
		p->start_ns = ev->ts;
		if (pcomm[0])
			memcpy(p->comm, pcomm, sizeof(p->comm));
		else
			replay_field_str(fd[FK_COMM], r, p->comm, sizeof(p->comm));
		free((char *)p->cmdline);
		p->cmdline = cmd;
		if (!known_parent && !get(a, parent, ev->file, false))
			return -ENOMEM;
		return 0;
	}
	if ((fd = replay_binding__resolve(a->exec_bind, ev->schema))) {
		struct proc_info *p = get(a, (uint32_t)replay_field_u64(fd[EX_PID], r), ev->file, false);
		if (!p)
			return -ENOMEM;
		p->flags |= PROC_EXECED;
		p->exec_ns = ev->ts;
		if (fd[EX_PPID])
			p->ppid = (uint32_t)replay_field_u64(fd[EX_PPID], r);
		p->uid = (uint32_t)replay_field_u64(fd[EX_UID], r);
		replay_field_str(fd[EX_COMM], r, p->comm, sizeof(p->comm));
		p->events++;
		if (set_str(&p->filename, replay_field_str(fd[EX_FILENAME], r, buf, sizeof(buf))))
			return -ENOMEM;
		replay_field_str(fd[EX_ARGS], r, buf, sizeof(buf));
		return set_str(&p->cmdline, buf[0] ? buf : p->filename);
	}
	if ((fd = replay_binding__resolve(a->exit_bind, ev->schema))) {
		struct proc_info *p = get(a, (uint32_t)replay_field_u64(fd[XT_PID], r), ev->file, false);
		if (!p)
			return -ENOMEM;
		p->flags |= PROC_EXITED;
		p->exit_ns = ev->ts;
		p->exit_status = (int32_t)replay_field_i64(fd[XT_STATUS], r);
		if (fd[XT_PPID] && !p->ppid)
			p->ppid = (uint32_t)replay_field_u64(fd[XT_PPID], r);
		if (!p->comm[0])
			replay_field_str(fd[XT_COMM], r, p->comm, sizeof(p->comm));
		p->events++;
		return 0;
	}
	if (ev->type >= TRACE_TYPE_FIRST_USER &&
	    (fd = replay_binding__resolve(a->pid_bind, ev->schema)) && fd[0]) {
		uint32_t pid = (uint32_t)replay_field_u64(fd[0], r);
		uint32_t idx = u64map_get(&a->map, pid);
		if (idx != U64MAP_NONE) {
			a->p[idx].events++;
		} else if (pid) {
			struct proc_info *p = get(a, pid, ev->file, false);
			if (!p)
				return -ENOMEM;
			p->events++;
			replay_field_str(fd[1], r, p->comm, sizeof(p->comm));
		}
	}
	return 0;
}

size_t procs_analysis__count(const struct procs_analysis *a)
{
	return a->n;
}

const struct proc_info *procs_analysis__at(const struct procs_analysis *a, size_t i)
{
	return i < a->n ? &a->p[i] : NULL;
}

const struct proc_info *procs_analysis__find(const struct procs_analysis *a, uint32_t pid)
{
	uint32_t idx = u64map_get(&a->map, pid);

	return idx == U64MAP_NONE ? NULL : &a->p[idx];
}
