// SPDX-License-Identifier: MIT
/* -p PID / -c COMM: decided per event from its own pid and comm fields. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"

static const char *const filter_fields[] = { "pid", "comm" };

struct replay_filter {
	struct replay_binding *bind;
	int64_t pid;
	char comm[16];
	bool has_comm;
};

struct replay_filter *replay_filter__new(void)
{
	struct replay_filter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->bind = replay_binding__new(NULL, filter_fields, 2);
	if (!f->bind) {
		free(f);
		return NULL;
	}
	f->pid = -1;
	return f;
}

void replay_filter__free(struct replay_filter *f)
{
	if (!f)
		return;
	replay_binding__free(f->bind);
	free(f);
}

void replay_filter__set_pid(struct replay_filter *f, int64_t pid)
{
	f->pid = pid < 0 ? -1 : pid;
}

int replay_filter__set_comm(struct replay_filter *f, const char *comm)
{
	if (!comm || !*comm) {
		f->has_comm = false;
		return 0;
	}
	if (strlen(comm) >= sizeof(f->comm))
		return -ENAMETOOLONG;
	strcpy(f->comm, comm);
	f->has_comm = true;
	return 0;
}

bool replay_filter__active(const struct replay_filter *f)
{
	return f->pid >= 0 || f->has_comm;
}

bool replay_filter__match(struct replay_filter *f, const struct trace_event *ev)
{
	if (f->pid < 0 && !f->has_comm)
		return true;
	if (ev->type == TRACE_TYPE_LOST)
		return true;
	const struct trace_field_desc *const *fd = replay_binding__resolve(f->bind, ev->schema);
	if (!fd)
		return true;
	if (f->pid >= 0 && fd[0] && replay_field_u64(fd[0], ev->data) != (uint64_t)f->pid)
		return false;
	if (f->has_comm && fd[1]) {
		char comm[32];
		if (strcmp(replay_field_str(fd[1], ev->data, comm, sizeof(comm)), f->comm) != 0)
			return false;
	}
	return true;
}
