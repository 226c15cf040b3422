// SPDX-License-Identifier: MIT
/* Numbers, durations and times in the few columns a panel has. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "replay/dash/model.h"

/* v scaled by unit powers: "1.23k", "45.6M", "789G" (3 significant digits). */
static const char *scaled(char *buf, size_t size, double v, double unit, const char *suffixes)
{
	size_t i = 0;

	while (suffixes[i + 1] && v >= unit * 0.9995) {
		v /= unit;
		i++;
	}
	/* Rounding may carry into the next unit: 999.7k is 1.00M. */
	if (v >= 999.5 && suffixes[i + 1]) {
		v /= unit;
		i++;
	}
	if (v < 9.995)
		snprintf(buf, size, "%.2f%c", v, suffixes[i]);
	else if (v < 99.95)
		snprintf(buf, size, "%.1f%c", v, suffixes[i]);
	else
		snprintf(buf, size, "%.0f%c", v, suffixes[i]);
	return buf;
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

const char *dash_fmt_count(char *buf, size_t size, uint64_t v, int width)
{
	if (digits(v) <= width) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	return scaled(buf, size, (double)v / 1000.0, 1000.0, "kMGTPE");
}

const char *dash_fmt_bytes(char *buf, size_t size, uint64_t v, int width)
{
	if (digits(v) <= width) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	return scaled(buf, size, (double)v / 1024.0, 1024.0, "KMGTPE");
}

const char *dash_fmt_rate(char *buf, size_t size, double per_s)
{
	if (per_s <= 0)
		snprintf(buf, size, "0");
	else if (per_s < 9.95)
		snprintf(buf, size, "%.1f", per_s);
	else if (per_s < 999.5)
		snprintf(buf, size, "%.0f", per_s);
	else
		scaled(buf, size, per_s / 1000.0, 1000.0, "kMGTPE");
	return buf;
}

const char *dash_fmt_duration(char *buf, size_t size, uint64_t ns)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	double v = (double)ns;
	size_t u = 0;

	if (ns < 1000) {
		snprintf(buf, size, "%" PRIu64 "ns", ns);
		return buf;
	}
	if (ns < 59999500000u) {
		while (u < 3 && v >= 999.5) {
			v /= 1000.0;
			u++;
		}
		if (v < 9.995)
			snprintf(buf, size, "%.2f%s", v, units[u]);
		else if (v < 99.95)
			snprintf(buf, size, "%.1f%s", v, units[u]);
		else
			snprintf(buf, size, "%.0f%s", v, units[u]);
		return buf;
	}
	uint64_t s = (ns + 500000000u) / 1000000000u;
	if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else if (s < 100 * 86400)
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
	else
		snprintf(buf, size, "%" PRIu64 "d", s / 86400);
	return buf;
}

const char *dash_fmt_elapsed(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000000000u) {
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "ms", ns / 1000000u, ns / 1000u % 1000);
		return buf;
	}
	if (ns < 60000000000u) {
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", ns / 1000000000u,
			 ns / 1000000u % 1000);
		return buf;
	}
	uint64_t s = ns / 1000000000u;
	snprintf(buf, size, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
	return buf;
}

const char *dash_fmt_clock(char *buf, size_t size, int64_t real_ns)
{
	struct tm tm;
	time_t t;

	if (real_ns <= 0) {
		snprintf(buf, size, "--:--:--");
		return buf;
	}
	t = (time_t)(real_ns / 1000000000);
	localtime_r(&t, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(real_ns / 1000000 % 1000));
	return buf;
}

const char *dash_fmt_slot(char *buf, size_t size, unsigned slot)
{
	if (slot == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	if (slot >= 64)
		slot = 63;
	return dash_fmt_duration(buf, size, (uint64_t)1 << slot);
}

uint64_t dash_nice_ns(uint64_t ns)
{
	uint64_t p = 1;

	if (ns <= 1)
		return 1;
	for (;;) {
		if (p >= ns)
			return p;
		if (2 * p >= ns)
			return 2 * p;
		if (5 * p >= ns)
			return 5 * p;
		if (p > UINT64_MAX / 100)
			return ns;
		p *= 10;
	}
}
