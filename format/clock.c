// SPDX-License-Identifier: MIT
/* Calibrations: nearest-sample conversion and clock step detection. */
#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_cal(const void *a, const void *b)
{
	const struct trace_calibration *x = a, *y = b;

	return x->boot_ns < y->boot_ns ? -1 : x->boot_ns > y->boot_ns;
}

/* |a - b| of two offsets, in wrapping arithmetic: calibrations come from
 * files, and any values must be safe. */
static uint64_t abs_diff(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;

	return (int64_t)d < 0 ? -d : d;
}

int clock__build(struct clock *c, const struct trace_calibration *cals, uint32_t n)
{
	uint32_t out = 0;

	memset(c, 0, sizeof(*c));
	if (!n)
		return 0;
	c->cals = malloc((size_t)n * sizeof(*cals));
	if (!c->cals)
		return -ENOMEM;
	memcpy(c->cals, cals, (size_t)n * sizeof(*cals));
	qsort(c->cals, n, sizeof(*cals), cmp_cal);
	/* Of samples at the same instant, keep the most certain. */
	for (uint32_t i = 0; i < n; i++) {
		if (out && c->cals[out - 1].boot_ns == c->cals[i].boot_ns) {
			if (c->cals[i].uncertainty_ns < c->cals[out - 1].uncertainty_ns)
				c->cals[out - 1] = c->cals[i];
			continue;
		}
		c->cals[out++] = c->cals[i];
	}
	c->n = out;
	for (uint32_t i = 1; i < c->n; i++) {
		const struct trace_calibration *a = &c->cals[i - 1], *b = &c->cals[i];
		uint64_t off_a = (uint64_t)a->real_ns - a->boot_ns;
		uint64_t off_b = (uint64_t)b->real_ns - b->boot_ns;
		uint64_t allowed = (uint64_t)a->uncertainty_ns + b->uncertainty_ns +
				   (b->boot_ns - a->boot_ns) / (1000000 / CLOCK_DRIFT_PPM) +
				   CLOCK_STEP_SLACK_NS;

		if (abs_diff(off_a, off_b) > allowed)
			c->steps++;
	}
	return 0;
}

void clock__free(struct clock *c)
{
	free(c->cals);
	memset(c, 0, sizeof(*c));
}

int clock__realtime(const struct clock *c, uint64_t boot_ns, int64_t *real_ns, uint32_t *hint)
{
	uint32_t i = *hint < c->n ? *hint : 0;

	if (!c->n)
		return -ENODATA;
	/* i: the last calibration at or before boot_ns (or 0), found by
	 * stepping from the hint when close, else by bisection. */
	if (!(c->cals[i].boot_ns <= boot_ns && (i + 1 == c->n || c->cals[i + 1].boot_ns > boot_ns))) {
		uint32_t lo = 0, hi = c->n;

		while (hi - lo > 1) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (c->cals[mid].boot_ns <= boot_ns)
				lo = mid;
			else
				hi = mid;
		}
		i = lo;
	}
	*hint = i;
	if (i + 1 < c->n && c->cals[i].boot_ns <= boot_ns &&
	    c->cals[i + 1].boot_ns - boot_ns < boot_ns - c->cals[i].boot_ns)
		i++;
	*real_ns = (int64_t)((uint64_t)c->cals[i].real_ns + (boot_ns - c->cals[i].boot_ns));
	return 0;
}

/*
 * Calibration i converts the boottime instants nearest to it: those b with
 * 2b > boot[i-1] + boot[i] (from 0 for the first) and
 * 2b <= boot[i] + boot[i+1] (no end for the last), ties going to the
 * earlier one as in clock__realtime. Within that span realtime is
 * real[i] + (b - boot[i]), so the inverse there is a subtraction; spans
 * are tried in boottime order and the first that holds real_ns wins.
 * Sums are taken in 128 bits: the values come from files.
 */
int clock__boottime(const struct clock *c, int64_t real_ns, uint64_t *boot_ns)
{
	__int128 best = -1;

	*boot_ns = 0;
	if (!c->n)
		return -ENODATA;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct trace_calibration *k = &c->cals[i];
		/* first and last instants the span holds, in 128 bits */
		__int128 lo = i ? ((__int128)c->cals[i - 1].boot_ns + k->boot_ns) / 2 + 1 : 0;
		__int128 hi = i + 1 < c->n ? ((__int128)k->boot_ns + c->cals[i + 1].boot_ns) / 2
					   : (__int128)1 << 100;
		__int128 b = (__int128)k->boot_ns + ((__int128)real_ns - k->real_ns);

		if (b >= lo && b <= hi) {
			best = b;
			break;
		}
		/* real_ns falls before this span's first wall-clock time but
		 * after the previous span's last: a forward step skipped it */
		if (b < lo && i > 0) {
			const struct trace_calibration *p = &c->cals[i - 1];
			__int128 prev_last = (__int128)p->real_ns + ((lo - 1) - (__int128)p->boot_ns);

			if ((__int128)real_ns > prev_last) {
				best = lo;
				break;
			}
		}
	}
	if (best < 0)
		return -ERANGE;
	if (best > (__int128)UINT64_MAX)
		best = (__int128)UINT64_MAX;
	*boot_ns = (uint64_t)best;
	return 0;
}
