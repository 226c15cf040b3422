/* SPDX-License-Identifier: MIT */
/*
 * Internal to api/: what the public API and the compatibility libraries
 * share. Not installed; compiles on its own.
 */
#ifndef EBPFTRACE_API_INTERNAL_H
#define EBPFTRACE_API_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* A 16-byte address field (IPv4 in its first 4 bytes) as inet_ntop writes
 * it; NULL and errno = EAFNOSUPPORT for a family neither AF_INET nor
 * AF_INET6, ENOSPC when buf is too small. */
const char *api_format_addr(uint16_t family, const uint8_t *addr, char *buf, size_t size);

#endif /* EBPFTRACE_API_INTERNAL_H */
