// SPDX-License-Identifier: MIT
/* The once-a-second progress line, for a terminal. */
#include <stdio.h>

#include "record/record.h"

static const char *count(uint64_t n, char *buf, size_t len)
{
	if (n >= 10000000ULL)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else if (n >= 10000ULL)
		snprintf(buf, len, "%.1fk", (double)n / 1e3);
	else
		snprintf(buf, len, "%llu", (unsigned long long)n);
	return buf;
}

void progress__line(const struct progress_sample *now, const struct progress_sample *prev)
{
	uint64_t dt = now->elapsed_ns - prev->elapsed_ns;
	double rate = dt ? (double)(now->events - prev->events) * 1e9 / (double)dt : 0;
	char ev[32], lost[32], rt[32], disk[32];

	fprintf(stderr, "\r\033[K" RECORD_NAME ": %6.1fs  %s events/s  %s events  %s lost  %s on disk  %.1fx",
		(double)now->elapsed_ns / 1e9, count((uint64_t)rate, rt, sizeof(rt)),
		count(now->events, ev, sizeof(ev)), count(now->lost, lost, sizeof(lost)),
		units__format_size(now->bytes_written, disk, sizeof(disk)),
		now->bytes_written ? (double)now->bytes_raw / (double)now->bytes_written : 0.0);
	fflush(stderr);
}

void progress__clear_line(void)
{
	fprintf(stderr, "\r\033[K");
}
