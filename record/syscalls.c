// SPDX-License-Identifier: MIT
/*
 * The syscall table of the build host (generated from <asm/unistd.h> into
 * $(BUILD)/record/syscall_table.h): numbers in the trace are the recording
 * host's, and the `syscall_name` records make them readable elsewhere.
 */
#include <string.h>

#include "record/record.h"

static const struct syscall_entry table[] = {
#include "record/syscall_table.h"
};

const struct syscall_entry *syscalls__table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

int syscalls__nr(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return (int)table[i].nr;
	return -1;
}
