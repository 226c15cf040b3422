// SPDX-License-Identifier: MIT
/*
 * Clock calibration: pairs (CLOCK_BOOTTIME, CLOCK_REALTIME) so that readers
 * turn event timestamps into wall-clock time. Realtime is read between two
 * boottime reads; boot_ns is their midpoint and the uncertainty half their
 * distance; of a few tries the tightest is kept (a preemption between the
 * reads only widens one try). Boot time never comes from /proc/uptime.
 */
#include <time.h>

#include "format/trace.h"
#include "record/record.h"

#define TRIES 8

static uint64_t read_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t clock__boot_ns(void)
{
	return read_ns(CLOCK_BOOTTIME);
}

uint64_t clock__mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

void calibrate__sample(struct trace_calibration *out)
{
	struct trace_calibration best = { 0 };
	uint64_t best_gap = UINT64_MAX;

	for (int i = 0; i < TRIES; i++) {
		uint64_t b0 = read_ns(CLOCK_BOOTTIME);
		struct timespec rt;
		uint64_t b1;

		clock_gettime(CLOCK_REALTIME, &rt);
		b1 = read_ns(CLOCK_BOOTTIME);
		if (b1 - b0 < best_gap) {
			best_gap = b1 - b0;
			best.boot_ns = b0 + (b1 - b0) / 2;
			best.real_ns = (int64_t)rt.tv_sec * 1000000000LL + rt.tv_nsec;
			best.uncertainty_ns = (uint32_t)((b1 - b0 + 1) / 2);
		}
	}
	best.flags = 0;
	*out = best;
}
