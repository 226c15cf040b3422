// SPDX-License-Identifier: MIT
/* Time: boottime to wall clock through calibrations, across clock steps. */
#include "test_format_util.h"

static char *dir;

static void setup(void)
{
	dir = t_mkdtemp();
}

static void teardown(void)
{
	t_rmdir(dir);
}

TestSuite(format_clock, .init = setup, .fini = teardown);

#define SEC 1000000000ll
#define EPOCH 1700000000ll

/* Calibrations every second; realtime jumps by `step` ns between boot
 * second 4 and 5 (an NTP step or `date -s`), events every 100 ms. */
static char *write_stepped(const char *name, int64_t step, uint64_t *events)
{
	char *path = t_path(dir, name);
	struct trace_writer *w = t_open_writer(path, NULL);
	int type;

	cr_assert_not_null(w);
	type = trace_writer__add_type(w, &t_open_desc);
	*events = 0;
	for (int64_t ms = 1000; ms <= 9000; ms += 100) {
		if (ms % 1000 == 0) {
			int64_t real = EPOCH * SEC + ms * 1000000 + (ms >= 5000 ? step : 0);
			struct trace_calibration c = { .boot_ns = (uint64_t)ms * 1000000,
						       .real_ns = real, .uncertainty_ns = 2000 };

			cr_assert_eq(trace_writer__calibrate(w, &c), 0);
		}
		struct t_open o;

		t_open_make(&o, (uint64_t)ms);
		o.ts = (uint64_t)ms * 1000000 + 1; /* just after the calibration */
		cr_assert_eq(trace_writer__append(w, type, &o, sizeof(o)), 0);
		(*events)++;
	}
	cr_assert_eq(trace_writer__close(w), 0);
	return path;
}

static void check_stepped(int64_t step, uint32_t want_steps)
{
	uint64_t n;
	char *path = write_stepped("step.trace", step, &n);
	struct trace_reader *r = t_open_reader(path, NULL);
	struct trace_reader_stats st;
	struct trace_event ev;
	uint64_t seen = 0;

	cr_assert_not_null(r);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.clock_steps, want_steps, "steps %u, want %u", st.clock_steps, want_steps);
	while (trace_reader__next(r, &ev) == 0) {
		int64_t real, boot_ms = (int64_t)(ev.ts / 1000000);
		/* the nearest calibration is the one of the same second, or of
		 * the next second from .5 s on */
		int64_t near_s = (boot_ms + 500) / 1000;
		int64_t want = EPOCH * SEC + (int64_t)ev.ts + (near_s >= 5 ? step : 0);

		cr_assert_eq(trace_reader__realtime(r, 0, ev.ts, &real), 0);
		cr_assert_eq(real, want, "boot %lld ms: real %lld, want %lld", (long long)boot_ms,
			     (long long)real, (long long)want);
		seen++;
	}
	cr_assert_eq(seen, n);
	trace_reader__close(r);
	free(path);
}

Test(format_clock, forward_step_mid_trace)
{
	check_stepped(3600 * SEC, 1);
}

Test(format_clock, backward_step_mid_trace)
{
	check_stepped(-90 * SEC, 1);
}

Test(format_clock, no_step)
{
	check_stepped(0, 0);
}

/* A slewing clock (NTP corrects by rate, 100 ppm) is not a step; 5 ms in
 * one second is. */
Test(format_clock, slew_is_not_a_step)
{
	char *path = t_path(dir, "slew.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	struct trace_reader_stats st;

	cr_assert_not_null(w);
	for (int64_t s = 1; s <= 10; s++) {
		struct trace_calibration c = { .boot_ns = (uint64_t)(s * SEC),
					       .real_ns = EPOCH * SEC + s * SEC + s * 100000,
					       .uncertainty_ns = 500 };

		cr_assert_eq(trace_writer__calibrate(w, &c), 0);
	}
	struct trace_calibration jump = { .boot_ns = 11 * SEC,
					  .real_ns = EPOCH * SEC + 11 * SEC + 1100000 + 5000000 };

	cr_assert_eq(trace_writer__calibrate(w, &jump), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.clock_steps, 1);
	trace_reader__close(r);
	free(path);
}

Test(format_clock, conversion_without_index_and_without_calibration)
{
	uint64_t n;
	char *path = write_stepped("noidx.trace", 3600 * SEC, &n);
	size_t len, nb;
	uint8_t *buf = t_slurp(path, &len);
	struct t_block b[256];
	int64_t real;

	/* drop index and trailer: calibrations come from the block walk */
	nb = t_blocks(buf, len, b, 256);
	for (size_t i = 0; i < nb; i++)
		if (b[i].kind == 5)
			len = b[i].off;
	t_spit(path, buf, len);
	struct trace_reader *r = t_open_reader(path, NULL);
	struct trace_reader_stats st;

	cr_assert_not_null(r);
	trace_reader__stats(r, &st);
	cr_assert_eq(st.files_indexed, 0);
	cr_assert_eq(st.clock_steps, 1);
	cr_assert_eq(trace_reader__realtime(r, 0, 8 * SEC, &real), 0);
	cr_assert_eq(real, EPOCH * SEC + 8 * SEC + 3600 * SEC);
	trace_reader__close(r);

	char *bare = t_path(dir, "bare.trace");
	struct trace_writer *w = t_open_writer(bare, NULL);

	cr_assert_eq(trace_writer__close(w), 0);
	r = t_open_reader(bare, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__realtime(r, 0, SEC, &real), -ENODATA);
	cr_assert(strstr(trace_strerror(-ENODATA), "calibration"));
	trace_reader__close(r);
	free(bare);
	free(buf);
	free(path);
}

/*
 * boottime is realtime's inverse: for instants across a step, the instant
 * found converts back to the same wall-clock time and is the earliest
 * that does; wall-clock times a forward step skipped map to the first
 * instant after it.
 */
static void check_inverse(int64_t step)
{
	uint64_t n;
	char *path = write_stepped("inv.trace", step, &n);
	struct trace_reader *r = t_open_reader(path, NULL);
	uint64_t boot;
	int64_t real, back;

	cr_assert_not_null(r);
	for (uint64_t b = 0; b <= 12 * (uint64_t)SEC; b += 7777777) {
		cr_assert_eq(trace_reader__realtime(r, 0, b, &real), 0);
		cr_assert_eq(trace_reader__boottime(r, 0, real, &boot), 0, "boot %llu",
			     (unsigned long long)b);
		cr_assert_eq(trace_reader__realtime(r, 0, boot, &back), 0);
		cr_assert_eq(back, real, "boot %llu -> real %lld -> boot %llu -> real %lld",
			     (unsigned long long)b, (long long)real, (unsigned long long)boot,
			     (long long)back);
		cr_assert_leq(boot, b);
		if (step >= 0)
			cr_assert_eq(boot, b, "without a backward step the inverse is exact");
	}
	if (step > 0) {
		/* the step falls at boot 4.5 s, the midpoint of the calibrations
		 * at 4 and 5 s: wall-clock times in between never happened */
		int64_t before, after;

		cr_assert_eq(trace_reader__realtime(r, 0, 4500 * 1000000ull, &before), 0);
		cr_assert_eq(trace_reader__realtime(r, 0, 4500 * 1000000ull + 1, &after), 0);
		cr_assert_eq(after - before, step + 1);
		cr_assert_eq(trace_reader__boottime(r, 0, before + step / 2, &boot), 0);
		cr_assert_eq(boot, 4500 * 1000000ull + 1);
	}
	if (step < 0) {
		/* after stepping back 90 s, the 30 s before the step happened
		 * twice: the earlier instant wins */
		cr_assert_eq(trace_reader__realtime(r, 0, 4 * SEC, &real), 0);
		cr_assert_eq(trace_reader__boottime(r, 0, real, &boot), 0);
		cr_assert_eq(boot, 4 * SEC);
	}
	/* before the boot */
	cr_assert_eq(trace_reader__realtime(r, 0, 0, &real), 0);
	cr_assert_eq(trace_reader__boottime(r, 0, real - 1, &boot), step < 0 ? 0 : -ERANGE);
	cr_assert_eq(trace_reader__boottime(r, 0, INT64_MIN, &boot), -ERANGE);
	cr_assert_eq(boot, 0);
	cr_assert_eq(trace_reader__boottime(r, 0, INT64_MAX, &boot), 0);
	cr_assert_eq(trace_reader__boottime(r, 1, 0, &boot), -EINVAL);
	trace_reader__close(r);
	free(path);
}

Test(format_clock, boottime_is_the_inverse)
{
	check_inverse(0);
}

Test(format_clock, boottime_across_a_forward_step)
{
	check_inverse(3600 * SEC);
}

Test(format_clock, boottime_across_a_backward_step)
{
	check_inverse(-90 * SEC);
}

Test(format_clock, boottime_without_calibration)
{
	char *bare = t_path(dir, "bare.trace");
	struct trace_writer *w = t_open_writer(bare, NULL);
	struct trace_reader *r;
	uint64_t boot = 5;

	cr_assert_eq(trace_writer__close(w), 0);
	r = t_open_reader(bare, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(trace_reader__boottime(r, 0, EPOCH * SEC, &boot), -ENODATA);
	trace_reader__close(r);
	free(bare);
}
