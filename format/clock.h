/* SPDX-License-Identifier: MIT */
/*
 * Boottime to wall-clock conversion from calibration records (FORMAT.md,
 * "Time"). Internal to the format library.
 */
#ifndef EBPFTRACE_CLOCK_H
#define EBPFTRACE_CLOCK_H

#include <stdint.h>

#include "trace.h"

/* Frequency error a disciplined clock may show between calibrations
 * (NTP's maximum slew), on top of the two samples' uncertainties. */
#define CLOCK_DRIFT_PPM 500
#define CLOCK_STEP_SLACK_NS 1000

struct clock {
	struct trace_calibration *cals; /* sorted by boot_ns, one per instant */
	uint32_t n;
	uint32_t steps; /* realtime jumps between consecutive calibrations */
};

/* Builds from n calibrations in any order (copied). 0 or -ENOMEM. */
int clock__build(struct clock *c, const struct trace_calibration *cals, uint32_t n);
void clock__free(struct clock *c);

/* Wall-clock ns of boot_ns from the nearest calibration; -ENODATA when
 * there is none. *hint (start it at 0) speeds up nearby lookups. */
int clock__realtime(const struct clock *c, uint64_t boot_ns, int64_t *real_ns, uint32_t *hint);

/* The inverse of clock__realtime: the earliest boot_ns whose conversion is
 * real_ns, or the first instant after a forward step that skipped it.
 * -ENODATA without calibrations, -ERANGE when before boottime 0. */
int clock__boottime(const struct clock *c, int64_t real_ns, uint64_t *boot_ns);

#endif /* EBPFTRACE_CLOCK_H */
