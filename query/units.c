// SPDX-License-Identifier: MIT
/* Durations and sizes as people write them. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "query/qerror.h"
#include "query/units.h"

struct unit {
	const char *name;
	int64_t mult;
};

/* Case matters for durations only between m (minute) and M, which nobody
 * writes for a duration; so all comparisons are case-insensitive, except
 * that "ms"/"MS" are milliseconds and "Ms" is not anything. */
static const struct unit duration_units[] = {
	{ "ns", 1 }, { "nsec", 1 }, { "nsecs", 1 }, { "nanosecond", 1 }, { "nanoseconds", 1 },
	{ "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 }, { "usec", 1000 },
	{ "usecs", 1000 }, { "microsecond", 1000 }, { "microseconds", 1000 },
	{ "ms", 1000000 }, { "msec", 1000000 }, { "msecs", 1000000 },
	{ "millisecond", 1000000 }, { "milliseconds", 1000000 },
	{ "s", 1000000000 }, { "sec", 1000000000 }, { "secs", 1000000000 },
	{ "second", 1000000000 }, { "seconds", 1000000000 },
	{ "m", 60000000000 }, { "min", 60000000000 }, { "mins", 60000000000 },
	{ "minute", 60000000000 }, { "minutes", 60000000000 },
	{ "h", 3600000000000 }, { "hr", 3600000000000 }, { "hrs", 3600000000000 },
	{ "hour", 3600000000000 }, { "hours", 3600000000000 },
	{ "d", 86400000000000 }, { "day", 86400000000000 }, { "days", 86400000000000 },
};

static const struct unit size_units[] = {
	{ "b", 1 }, { "byte", 1 }, { "bytes", 1 },
	{ "k", 1000 }, { "kb", 1000 }, { "kib", 1024 }, { "ki", 1024 },
	{ "m", 1000000 }, { "mb", 1000000 }, { "mib", 1048576 }, { "mi", 1048576 },
	{ "g", 1000000000 }, { "gb", 1000000000 }, { "gib", 1073741824 }, { "gi", 1073741824 },
	{ "t", 1000000000000 }, { "tb", 1000000000000 }, { "tib", 1099511627776 },
	{ "ti", 1099511627776 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct unit *find_unit(const struct unit *u, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(u[i].name) == len && strncasecmp(u[i].name, s, len) == 0)
			return &u[i];
	return NULL;
}

bool qunit_is_unit(const char *s, enum qunit_kind kind)
{
	size_t len = strlen(s);

	if (kind == QU_DURATION)
		return find_unit(duration_units, N(duration_units), s, len);
	if (kind == QU_SIZE)
		return find_unit(size_units, N(size_units), s, len);
	return false;
}

/* Digits with an optional fraction: whole and fraction as integers, the
 * fraction's scale (10^digits). Returns characters used, 0 if none. */
static size_t parse_decimal(const char *s, uint64_t *whole, uint64_t *frac, uint64_t *scale,
			    bool *overflow)
{
	size_t i = 0;

	*whole = 0;
	*frac = 0;
	*scale = 1;
	while (s[i] >= '0' && s[i] <= '9') {
		if (*whole > (UINT64_MAX - 9) / 10)
			*overflow = true;
		else
			*whole = *whole * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	size_t digits = i;
	if (s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			/* Past 18 digits the fraction no longer matters. */
			if (*scale < 1000000000000000000ULL) {
				*frac = *frac * 10 + (uint64_t)(s[i] - '0');
				*scale *= 10;
			}
			i++;
			digits++;
		}
	}
	return digits ? i : 0;
}

static const char *const duration_names[] = { "ns", "us", "ms", "s", "m", "h" };
static const char *const size_names[] = { "B", "KB", "KiB", "MB", "MiB", "GB", "GiB", "TB" };

static int fail(char *msg, size_t msgsz, const char *fmt, const char *a, const char *b)
{
	snprintf(msg, msgsz, fmt, a, b);
	return -EINVAL;
}

int qunit_parse(const char *s, enum qunit_kind kind, int64_t *out, char *msg, size_t msgsz)
{
	const char *p = s;
	bool neg = false, overflow = false;
	uint64_t total = 0;

	if (kind == QU_COUNT) {
		if (*p == '-' || *p == '+')
			neg = *p++ == '-';
		uint64_t w, f, sc;
		size_t n = parse_decimal(p, &w, &f, &sc, &overflow);
		if (!n || p[n] || sc != 1) {
			if (n && p[n] == '.')
				return fail(msg, msgsz, "'%s' must be a whole number%s", s, "");
			return fail(msg, msgsz, "'%s' is not a number%s", s, "");
		}
		if (overflow || w > (uint64_t)INT64_MAX)
			return fail(msg, msgsz, "'%s' is too large%s", s, "");
		*out = neg ? -(int64_t)w : (int64_t)w;
		return 0;
	}

	if (*p == '+')
		p++;
	if (*p == '-')
		return fail(msg, msgsz, "'%s': a %s cannot be negative", s,
			    kind == QU_DURATION ? "duration" : "size");
	bool first = true;
	while (*p || first) {
		uint64_t w, f, sc;
		size_t n = parse_decimal(p, &w, &f, &sc, &overflow);
		if (!n) {
			if (first)
				return fail(msg, msgsz, "'%s' is not a number%s", s,
					    kind == QU_DURATION ? " with a unit, such as 10ms" : "");
			return fail(msg, msgsz, "'%s': expected a number after '%s'", s, "the unit");
		}
		p += n;
		const char *u = p;
		while (*p && !(*p >= '0' && *p <= '9') && *p != '.')
			p++;
		size_t ulen = (size_t)(p - u);
		int64_t mult;
		if (!ulen) {
			if (kind == QU_DURATION) {
				snprintf(msg, msgsz,
					 "'%s' needs a unit: %sns, %sus, %sms, %ss, %sm or %sh", s,
					 s, s, s, s, s, s);
				return -EINVAL;
			}
			mult = 1;
		} else {
			const struct unit *un = kind == QU_DURATION
				? find_unit(duration_units, N(duration_units), u, ulen)
				: find_unit(size_units, N(size_units), u, ulen);
			if (!un) {
				char unit[32], num[48], sugbuf[96];
				snprintf(unit, sizeof(unit), "%.*s", (int)(ulen < 31 ? ulen : 31), u);
				snprintf(num, sizeof(num), "%.*s", (int)((u - s) < 47 ? (u - s) : 47), s);
				/* A size unit where a duration is wanted, or the reverse. */
				bool other = kind == QU_DURATION
					? find_unit(size_units, N(size_units), u, ulen)
					: find_unit(duration_units, N(duration_units), u, ulen);
				const char *sug = kind == QU_DURATION
					? qsuggest(u, ulen, duration_names, N(duration_names))
					: qsuggest(u, ulen, size_names, N(size_names));
				if (sug && p == u + ulen && !*p) {
					snprintf(sugbuf, sizeof(sugbuf), "%s%s", num, sug);
					sug = sugbuf;
				}
				if (other && kind == QU_DURATION)
					snprintf(msg, msgsz,
						 "'%s' is a size, but a duration is wanted here%s%s%s", s,
						 sug ? "; did you mean '" : " (ns, us, ms, s, m, h)",
						 sug ? sug : "", sug ? "'?" : "");
				else if (other)
					snprintf(msg, msgsz,
						 "'%s' is a duration, but a size is wanted here%s%s%s", s,
						 sug ? "; did you mean '" : " (B, KB, KiB, MB, MiB, GB)",
						 sug ? sug : "", sug ? "'?" : "");
				else
					snprintf(msg, msgsz, "unknown unit '%s' in '%s'%s%s%s", unit, s,
						 sug ? ", did you mean '" : "",
						 sug ? sug : (kind == QU_DURATION
							      ? "; use ns, us, ms, s, m or h"
							      : "; use B, KB, KiB, MB, MiB, GB or GiB"),
						 sug ? "'?" : "");
				return -EINVAL;
			}
			mult = un->mult;
		}
		if (!ulen && !first)
			return fail(msg, msgsz, "'%s': the last number has no unit%s", s, "");
		/* whole * mult + frac * mult / scale, in 128 bits. */
		unsigned __int128 v = (unsigned __int128)w * (uint64_t)mult +
				      (unsigned __int128)f * (uint64_t)mult / sc;
		if (kind == QU_SIZE && f && ((unsigned __int128)f * (uint64_t)mult) % sc)
			return fail(msg, msgsz, "'%s' is not a whole number of bytes%s", s, "");
		v += total;
		if (overflow || v > (unsigned __int128)INT64_MAX)
			return fail(msg, msgsz, "'%s' is too large%s", s, "");
		total = (uint64_t)v;
		first = false;
		if (kind == QU_SIZE && *p)
			return fail(msg, msgsz, "'%s' is not a size such as 10MB%s", s, "");
	}
	*out = (int64_t)total;
	return 0;
}

void qunit_format_duration(int64_t ns, char *buf, size_t size)
{
	static const struct {
		int64_t mult;
		const char *name;
	} steps[] = { { 3600000000000, "h" }, { 60000000000, "m" }, { 1000000000, "s" },
		      { 1000000, "ms" }, { 1000, "us" } };
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";

	if (a >= 60000000000ULL * 100) {
		snprintf(buf, size, "%s%.1fh", sign, (double)a / 3600e9);
		return;
	}
	for (size_t i = 1; i < N(steps); i++) {
		if (a >= (uint64_t)steps[i].mult) {
			double v = (double)a / (double)steps[i].mult;
			if (i == 1 || v >= 100)
				snprintf(buf, size, "%s%.1f%s", sign, v, steps[i].name);
			else
				snprintf(buf, size, "%s%.2f%s", sign, v, steps[i].name);
			return;
		}
	}
	snprintf(buf, size, "%s%lluns", sign, (unsigned long long)a);
}

void qunit_format_size(int64_t bytes, char *buf, size_t size)
{
	static const char *const names[] = { "KB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;

	if (bytes < 1000 && bytes > -1000) {
		snprintf(buf, size, "%lldB", (long long)bytes);
		return;
	}
	size_t i = 0;
	v /= 1000;
	while ((v >= 1000 || v <= -1000) && i + 1 < N(names)) {
		v /= 1000;
		i++;
	}
	snprintf(buf, size, v >= 100 || v <= -100 ? "%.0f%s" : "%.2f%s", v, names[i]);
}
