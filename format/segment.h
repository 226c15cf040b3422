/* SPDX-License-Identifier: MIT */
/*
 * Segment sets (FORMAT.md, "Segments"): naming, and finding and checking
 * the segments of one recording. Internal to the format library.
 */
#ifndef EBPFTRACE_SEGMENT_H
#define EBPFTRACE_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#define SEGMENT_META_SESSION "session.id"
#define SEGMENT_META_INDEX "segment.index"

/* "BASE.NNNN" (at least four digits), malloc'd; NULL on ENOMEM. */
char *segment__name(const char *base, uint32_t n);

/* The files BASE.NNNN that exist, sorted by number: *paths (malloc'd
 * strings in a malloc'd array) and *numbers. 0, -ENOENT when there are
 * none, or another -errno. */
int segment__list(const char *base, char ***paths, uint32_t **numbers, size_t *n);

#endif /* EBPFTRACE_SEGMENT_H */
