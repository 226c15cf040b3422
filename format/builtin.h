/* SPDX-License-Identifier: MIT */
/*
 * The format's own record types, `lost` (id 1) and `process` (id 2)
 * (FORMAT.md, "Built-in record types"). Internal to the format library.
 */
#ifndef EBPFTRACE_BUILTIN_H
#define EBPFTRACE_BUILTIN_H

#include "trace.h"

extern const struct trace_schema_desc builtin_lost_desc;
extern const struct trace_schema_desc builtin_process_desc;

#endif /* EBPFTRACE_BUILTIN_H */
