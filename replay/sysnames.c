// SPDX-License-Identifier: MIT
/* Syscall numbers to names, from the recording host's own table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"

/* Syscall numbers stay below this on every architecture Linux has (mips
 * o32 starts at 4000 and ends near 4470). */
#define SYSNAMES_MAX 8192

static const char *const sysname_fields[] = { "nr", "name" };

struct syscall_names {
	struct replay_binding *bind;
	char **names; /* SYSNAMES_MAX, allocated on first use */
};

struct syscall_names *syscall_names__new(void)
{
	struct syscall_names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->bind = replay_binding__new("syscall_name", sysname_fields, 2);
	if (!n->bind) {
		free(n);
		return NULL;
	}
	return n;
}

void syscall_names__free(struct syscall_names *n)
{
	if (!n)
		return;
	if (n->names)
		for (size_t i = 0; i < SYSNAMES_MAX; i++)
			free(n->names[i]);
	free(n->names);
	replay_binding__free(n->bind);
	free(n);
}

int syscall_names__feed(struct syscall_names *n, const struct trace_event *ev)
{
	const struct trace_field_desc *const *fd = replay_binding__resolve(n->bind, ev->schema);

	if (!fd || !fd[0] || !fd[1])
		return 0;
	uint64_t nr = replay_field_u64(fd[0], ev->data);
	if (nr >= SYSNAMES_MAX)
		return 0;
	char name[64];
	replay_field_str(fd[1], ev->data, name, sizeof(name));
	if (!name[0])
		return 0;
	if (!n->names) {
		n->names = calloc(SYSNAMES_MAX, sizeof(*n->names));
		if (!n->names)
			return -ENOMEM;
	}
	if (n->names[nr] && strcmp(n->names[nr], name) == 0)
		return 0;
	char *dup = strdup(name);
	if (!dup)
		return -ENOMEM;
	free(n->names[nr]);
	n->names[nr] = dup;
	return 0;
}

const char *syscall_names__get(const struct syscall_names *n, uint32_t nr)
{
	if (!n || !n->names || nr >= SYSNAMES_MAX)
		return NULL;
	return n->names[nr];
}
