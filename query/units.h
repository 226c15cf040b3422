/* SPDX-License-Identifier: MIT */
/*
 * Internal: numbers with units as people write them, and back.
 * Durations: ns, us, µs, μs, ms, s, m, min, h, d (and their long names),
 * compounds like 1m30s, fractions like 1.5ms. Sizes: B, K/KB (1000),
 * KiB (1024), M/MB, MiB, G/GB, GiB, T/TB, TiB, case-insensitive.
 */
#ifndef EBPFQUERY_UNITS_H
#define EBPFQUERY_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum qunit_kind {
	QU_DURATION,
	QU_SIZE,
	QU_COUNT, /* a plain integer, maybe negative */
};

/* Parses s as a value of kind; 0, or -EINVAL with a one-line message in
 * msg (which may suggest what to write instead). */
int qunit_parse(const char *s, enum qunit_kind kind, int64_t *out, char *msg, size_t msgsz);

/* Is s a unit name on its own ("ms", "MB", "seconds")? For "5 ms". */
bool qunit_is_unit(const char *s, enum qunit_kind kind);

/* Human forms for tables: "1.50ms", "850ns", "2.00s", "1.25MB". */
void qunit_format_duration(int64_t ns, char *buf, size_t size);
void qunit_format_size(int64_t bytes, char *buf, size_t size);

#endif
