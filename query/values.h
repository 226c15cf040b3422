/* SPDX-License-Identifier: MIT */
/*
 * Internal: matching values the way SQLite does, so that a query scanned
 * from a trace and the same query run as SQL on the index agree: GLOB
 * patterns, NULLs, text compared bytewise; and the one text form of an
 * address that both store and compare.
 */
#ifndef EBPFQUERY_VALUES_H
#define EBPFQUERY_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/ast.h"
#include "query/result.h"

/* SQLite's GLOB: * any run, ? one UTF-8 character, [...] a set of
 * characters (ranges a-z, ^ negates, ] first is literal); case-sensitive;
 * no escape character. */
bool qglob_match(const char *pattern, const char *s);

/* The text form of a 16-byte address: dotted IPv4 (also for IPv4-mapped
 * IPv6), or RFC 5952 IPv6. NULL when the family is neither 2 nor 10. */
const char *qaddr_format(uint16_t family, const uint8_t *addr, char *buf, size_t size);

/* Does v satisfy c (col's dimension decides text or integer)? NULL never
 * does, as in SQL. */
bool qcond_match(const struct qcond *c, const struct qcol *col, const struct qrval *v);

#endif
