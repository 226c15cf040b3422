// SPDX-License-Identifier: MIT
/* Durations and sizes as the options take them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

struct unit {
	const char *suffix;
	uint64_t mult;
};

static int parse(const char *s, const struct unit *units, uint64_t dflt, uint64_t *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	if (!*end) {
		*out = (uint64_t)(v * (double)dflt + 0.5);
		return 0;
	}
	for (const struct unit *u = units; u->suffix; u++) {
		if (!strcmp(end, u->suffix)) {
			if (v * (double)u->mult > 1.8e19)
				return -ERANGE;
			*out = (uint64_t)(v * (double)u->mult + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

int units__parse_duration(const char *s, uint64_t *ns)
{
	static const struct unit units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL }, { NULL, 0 },
	};

	return parse(s, units, 1000000000ULL, ns);
}

int units__parse_size(const char *s, uint64_t *bytes)
{
	static const struct unit units[] = {
		{ "K", 1ULL << 10 }, { "k", 1ULL << 10 }, { "KB", 1ULL << 10 }, { "KiB", 1ULL << 10 },
		{ "M", 1ULL << 20 }, { "MB", 1ULL << 20 }, { "MiB", 1ULL << 20 },
		{ "G", 1ULL << 30 }, { "GB", 1ULL << 30 }, { "GiB", 1ULL << 30 },
		{ "T", 1ULL << 40 }, { "TB", 1ULL << 40 }, { "TiB", 1ULL << 40 },
		{ "B", 1 }, { NULL, 0 },
	};

	return parse(s, units, 1, bytes);
}

const char *units__format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, names[i]);
	return buf;
}
