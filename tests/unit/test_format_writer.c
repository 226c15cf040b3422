// SPDX-License-Identifier: MIT
/* The writer's contract: schema validation, argument checks, file mode and
 * owner, symlinks, sorting, periodic flush, metadata. */
#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>

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

TestSuite(format_writer, .init = setup, .fini = teardown);

struct t_pair {
	uint64_t ts;
	uint32_t a;
	uint32_t b;
};

static int add(struct trace_writer *w, const char *name, const struct trace_field_desc *f,
	       uint16_t n, uint16_t size)
{
	struct trace_schema_desc d = { name, size, n, f };

	return trace_writer__add_type(w, &d);
}

Test(format_writer, schemas_are_validated)
{
	char *path = t_path(dir, "s.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	const struct trace_field_desc ok[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 8, 4, 1 },
	};
	const struct trace_field_desc overlap[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 6, 4, 1 },
	};
	const struct trace_field_desc outside[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 14, 4, 1 },
	};
	const struct trace_field_desc notime[] = {
		{ "ts", TRACE_FIELD_U64, 0, 0, 8, 1 },
	};
	const struct trace_field_desc twotime[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "t2", TRACE_FIELD_U64, TRACE_HINT_TIME, 8, 8, 1 },
	};
	const struct trace_field_desc badarray[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 8, 8, 3 },
	};
	const struct trace_field_desc badname[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a b", TRACE_FIELD_U32, 0, 8, 4, 1 },
	};
	const struct trace_field_desc dupname[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "ts", TRACE_FIELD_U32, 0, 8, 4, 1 },
	};
	const struct trace_field_desc badtype[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", 42, 0, 8, 4, 1 },
	};

	cr_assert_not_null(w);
	cr_assert_eq(add(w, "pair", ok, 2, 16), TRACE_TYPE_FIRST_USER);
	cr_assert_eq(add(w, "pair", ok, 2, 16), -EEXIST);
	cr_assert_eq(add(w, "lost", ok, 2, 16), -EEXIST, "built-in names are taken");
	cr_assert_eq(add(w, "x1", overlap, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "x2", outside, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "x3", notime, 1, 8), -EINVAL);
	cr_assert_eq(add(w, "x4", twotime, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "x5", badarray, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "x6", badname, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "x7", dupname, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "x8", badtype, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "bad name", ok, 2, 16), -EINVAL);
	cr_assert_eq(add(w, "pair2", ok, 2, 16), TRACE_TYPE_FIRST_USER + 1);

	struct t_pair p = { 1, 2, 3 };

	cr_assert_eq(trace_writer__append(w, TRACE_TYPE_FIRST_USER, &p, sizeof(p) - 1), -EINVAL);
	cr_assert_eq(trace_writer__append(w, 3, &p, sizeof(p)), -EINVAL);
	cr_assert_eq(trace_writer__append(w, TRACE_TYPE_FIRST_USER + 2, &p, sizeof(p)), -EINVAL);
	cr_assert_eq(trace_writer__append(w, TRACE_TYPE_FIRST_USER, &p, sizeof(p)), 0);
	cr_assert_eq(trace_writer__set_meta(w, "", "x"), -EINVAL);
	struct trace_calibration bad = { .flags = 1 };

	cr_assert_eq(trace_writer__calibrate(w, &bad), -EINVAL);
	cr_assert_eq(trace_writer__close(w), 0);
	cr_assert_eq(trace_writer__close(NULL), 0);
	free(path);
}

Test(format_writer, mode_owner_and_symlinks)
{
	char *path = t_path(dir, "m.trace"), *link = t_path(dir, "link.trace");
	char *target = t_path(dir, "target");
	struct trace_writer_opts o = { .sz = sizeof(o), .uid = -1, .gid = -1 };
	struct trace_writer *w;
	struct stat st;

	umask(022);
	w = t_open_writer(path, NULL);
	cr_assert_not_null(w);
	cr_assert_str_eq(trace_writer__path(w), path);
	cr_assert_eq(trace_writer__close(w), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "default mode 0600, got %o", st.st_mode & 07777);
	o.mode = 0640;
	/* as root, give it away; otherwise to ourselves (a no-op) */
	o.uid = geteuid() == 0 ? 1234 : (int64_t)geteuid();
	o.gid = geteuid() == 0 ? 5678 : (int64_t)getegid();
	w = t_open_writer(path, &o);
	cr_assert_not_null(w, "%s", trace_strerror(-errno));
	cr_assert_eq(trace_writer__close(w), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0640);
	cr_assert_eq(st.st_uid, (uid_t)o.uid);
	cr_assert_eq(st.st_gid, (gid_t)o.gid);
	/* a link planted where the trace goes is not followed */
	t_spit(target, (const uint8_t *)"keep", 4);
	cr_assert_eq(symlink(target, link), 0);
	errno = 0;
	cr_assert_null(t_open_writer(link, NULL));
	cr_assert_eq(errno, ELOOP);
	cr_assert(strstr(trace_strerror(-ELOOP), "symbolic link"));
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_size, 4, "the link's target is untouched");
	/* not a regular file */
	cr_assert_null(t_open_writer(dir, NULL));
	free(path);
	free(link);
	free(target);
}

Test(format_writer, out_of_order_events_come_back_sorted)
{
	char *path = t_path(dir, "sort.trace");
	const struct trace_field_desc f[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 8, 4, 1 },
		{ "b", TRACE_FIELD_U32, 0, 12, 4, 1 },
	};
	struct trace_writer *w = t_open_writer(path, NULL);
	struct trace_event ev;
	int t;
	uint64_t last = 0, n = 0;

	cr_assert_not_null(w);
	t = add(w, "pair", f, 3, 16);
	/* per-CPU streams interleaved by a ring buffer: nearly sorted, plus
	 * some events far out of place, and ties */
	for (uint32_t i = 0; i < 20000; i++) {
		uint64_t ts = 1000ull * i + (i % 7) * 300;
		struct t_pair p;

		if (i % 1000 == 999)
			ts = 500ull * i; /* very late */
		p = (struct t_pair){ ts, i, (uint32_t)(ts & 0xffff) };
		cr_assert_eq(trace_writer__append(w, t, &p, sizeof(p)), 0);
		if (i % 5000 == 4999)
			cr_assert_eq(trace_writer__flush(w), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);
	uint64_t chunk_start = 0;

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct t_pair *p = ev.data;

		/* sorted within each chunk (chunks of 5000 here) */
		if (n % 5000 == 0)
			chunk_start = n;
		if (n > chunk_start)
			cr_assert_geq(ev.ts, last, "event %llu", (unsigned long long)n);
		cr_assert_eq(p->b, (uint32_t)(p->ts & 0xffff), "rows stay with their timestamps");
		last = ev.ts;
		n++;
	}
	cr_assert_eq(n, 20000);
	trace_reader__close(r);
	free(path);
}

/* Far out of order (here reversed), past the insertion sort's budget: the
 * fallback must sort every event exactly once, rows staying with their
 * types. This once duplicated one event and lost another. */
Test(format_writer, reversed_events_of_two_types_sort_exactly)
{
	char *path = t_path(dir, "reverse.trace");
	const struct trace_field_desc f[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 8, 4, 1 },
		{ "b", TRACE_FIELD_U32, 0, 12, 4, 1 },
	};
	struct trace_writer *w = t_open_writer(path, NULL);
	struct trace_event ev;
	uint64_t last = 0, n = 0, sum = 0;
	int t1, t2;

	cr_assert_not_null(w);
	t1 = add(w, "one", f, 3, 16);
	t2 = add(w, "two", f, 3, 16);
	cr_assert_gt(t1, 0);
	cr_assert_gt(t2, 0);
	for (uint32_t i = 0; i < 3000; i++) {
		struct t_pair p = { 1000000ull - 100ull * i, i, i % 3 ? 1u : 2u };

		cr_assert_eq(trace_writer__append(w, p.b == 1 ? t1 : t2, &p, sizeof(p)), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct t_pair *p = ev.data;

		cr_assert_geq(ev.ts, last);
		cr_assert_eq(ev.ts, 1000000ull - 100ull * p->a, "rows stay with their timestamps");
		cr_assert_str_eq(trace_schema__name(ev.schema), p->b == 1 ? "one" : "two");
		last = ev.ts;
		sum += p->a;
		n++;
	}
	cr_assert_eq(n, 3000);
	cr_assert_eq(sum, 2999ull * 3000 / 2, "every event once");
	trace_reader__close(r);
	free(path);
}

/* Input far from sorted (whole batches delivered late, as a stalled
 * CPU's ring buffer would): the sort's fallback keeps every event once,
 * with its own data. */
Test(format_writer, badly_unsorted_events_stay_whole)
{
	char *path = t_path(dir, "unsorted.trace");
	const struct trace_field_desc f[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 8, 4, 1 },
		{ "b", TRACE_FIELD_U32, 0, 12, 4, 1 },
	};
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 4096, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	const uint32_t n = 4096 * 5;
	uint8_t *seen = calloc(n, 1);
	struct trace_event ev;
	int t, t2;

	cr_assert_not_null(w);
	t = add(w, "pair", f, 3, 16);
	t2 = trace_writer__add_type(w, &t_open_desc);
	for (uint32_t i = 0; i < n; i++) {
		/* each chunk: its second half first, then the first half, and
		 * every 7th event of another type */
		uint32_t c = i / 4096, k = i % 4096, j = c * 4096 + (k + 2048) % 4096;
		struct t_pair p = { 1000ull * j, j, j * 7 };
		struct t_open e;

		if (j % 7 == 0) {
			t_open_make(&e, j);
			e.ts = 1000ull * j;
			e.pid = j;
			cr_assert_eq(trace_writer__append(w, t2, &e, sizeof(e)), 0);
		} else {
			cr_assert_eq(trace_writer__append(w, t, &p, sizeof(p)), 0);
		}
	}
	cr_assert_eq(trace_writer__close(w), 0);
	struct t_damage td = { 0 };
	struct trace_reader *r = t_open_reader(path, &td);
	uint64_t last = 0, count = 0;

	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		uint32_t j = (uint32_t)(ev.ts / 1000);

		cr_assert_geq(ev.ts, last);
		last = ev.ts;
		cr_assert_lt(j, n);
		cr_assert_eq(seen[j], 0, "event %u twice", j);
		seen[j] = 1;
		if (strcmp(trace_schema__name(ev.schema), "pair") == 0) {
			const struct t_pair *p = ev.data;

			cr_assert_eq(p->a, j);
			cr_assert_eq(p->b, j * 7);
		} else {
			const struct t_open *e = ev.data;
			struct t_open want;

			t_open_make(&want, j);
			want.ts = 1000ull * j;
			want.pid = j;
			cr_assert_eq(memcmp(e, &want, sizeof(want)), 0, "open %u", j);
		}
		count++;
	}
	cr_assert_eq(count, n);
	cr_assert_eq(td.count, 0, "%s", td.last_what);
	trace_reader__close(r);
	free(seen);
	free(path);
}

Test(format_writer, poll_flushes_old_chunks)
{
	char *path = t_path(dir, "poll.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .flush_interval_ms = 20, .uid = -1, .gid = -1 };
	struct trace_writer *w = t_open_writer(path, &o);
	struct trace_writer_stats st;
	struct t_open e;
	int t;

	cr_assert_not_null(w);
	t = trace_writer__add_type(w, &t_open_desc);
	t_open_make(&e, 1);
	cr_assert_eq(trace_writer__append(w, t, &e, sizeof(e)), 0);
	cr_assert_eq(trace_writer__poll(w), 0);
	trace_writer__stats(w, &st);
	cr_assert_eq(st.chunks, 0, "too young to flush");
	usleep(40000);
	cr_assert_eq(trace_writer__poll(w), 0);
	trace_writer__stats(w, &st);
	cr_assert_eq(st.chunks, 1);
	cr_assert_eq(st.events, 1);
	cr_assert_eq(st.bytes_raw, sizeof(e));
	/* a reader sees it before the writer closes: kill -9 loses nothing
	 * flushed */
	cr_assert_eq(t_count(path, NULL), 1);
	cr_assert_eq(trace_writer__close(w), 0);
	free(path);
}

Test(format_writer, metadata_later_values_win)
{
	char *path = t_path(dir, "meta.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	const char *k, *v;
	char big[5000];

	cr_assert_not_null(w);
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	cr_assert_eq(trace_writer__set_meta(w, "a", "1"), 0);
	cr_assert_eq(trace_writer__set_meta(w, "b", big), 0);
	cr_assert_eq(trace_writer__set_meta(w, "a", "2"), 0);
	cr_assert_eq(trace_writer__flush(w), 0);
	cr_assert_eq(trace_writer__set_meta(w, "c", ""), 0);
	cr_assert_eq(trace_writer__set_meta(w, "a", "3"), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	struct trace_reader *r = t_open_reader(path, NULL);

	cr_assert_not_null(r);
	cr_assert_str_eq(trace_reader__meta(r, 0, "a"), "3");
	cr_assert_str_eq(trace_reader__meta(r, 0, "b"), big);
	cr_assert_str_eq(trace_reader__meta(r, 0, "c"), "");
	cr_assert_eq(trace_reader__meta_at(r, 0, 0, &k, &v), 0);
	cr_assert_str_eq(k, "session.id");
	/* the library's host keys, then ours in order of first setting */
	size_t i, n;

	for (n = 0; trace_reader__meta_at(r, 0, n, &k, &v) == 0; n++)
		;
	cr_assert_eq(n, 1 + 6 + 3);
	cr_assert_eq(trace_reader__meta_at(r, 0, 7, &k, &v), 0);
	cr_assert_str_eq(k, "a");
	cr_assert_str_eq(v, "3");
	for (i = 0; i < 6; i++) {
		cr_assert_eq(trace_reader__meta_at(r, 0, 1 + i, &k, &v), 0);
		cr_assert_eq(strncmp(k, "host.", 5), 0, "%s", k);
	}
	struct utsname u;
	char boot[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	cr_assert_eq(uname(&u), 0);
	cr_assert_str_eq(trace_reader__meta(r, 0, "host.hostname"), u.nodename);
	cr_assert_str_eq(trace_reader__meta(r, 0, "host.kernel_release"), u.release);
	cr_assert_str_eq(trace_reader__meta(r, 0, "host.machine"), u.machine);
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(boot, sizeof(boot), f));
	fclose(f);
	boot[strcspn(boot, "\n")] = 0;
	cr_assert_str_eq(trace_reader__meta(r, 0, "host.boot_id"), boot);
	cr_assert_gt(atoi(trace_reader__meta(r, 0, "host.cpus")), 0);
	cr_assert_eq(atoi(trace_reader__meta(r, 0, "host.page_size")), (int)sysconf(_SC_PAGESIZE));
	trace_reader__close(r);
	free(path);
}

/* A file size limit (ulimit -f): the append that hits it fails with EFBIG,
 * the file is cut back to its last complete chunk and reads cleanly. */
Test(format_writer, file_size_limit_leaves_a_readable_file)
{
	char *path = t_path(dir, "limit.trace");
	struct trace_writer_opts o = { .sz = sizeof(o), .chunk_events = 100, .uid = -1, .gid = -1 };
	struct rlimit rl = { 20000, 20000 };
	struct trace_writer *w;
	struct trace_writer_stats ws;
	struct t_damage td = { 0 };
	struct stat st;
	int t, err = 0;
	uint64_t i;

	cr_assert_neq(signal(SIGXFSZ, SIG_IGN), SIG_ERR);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	w = t_open_writer(path, &o);
	cr_assert_not_null(w);
	t = trace_writer__add_type(w, &t_open_desc);
	for (i = 0; i < 100000 && !err; i++) {
		struct t_open e;

		t_open_make(&e, i);
		/* unique paths: about 40 bytes an event, so the limit comes soon */
		snprintf(e.path, sizeof(e.path), "/data/%llu/%llx", (unsigned long long)i,
			 (unsigned long long)(i * 0x9E3779B97F4A7C15ull));
		err = trace_writer__append(w, t, &e, sizeof(e));
	}
	cr_assert_eq(err, -EFBIG, "append: %s", trace_strerror(err));
	cr_assert(strstr(trace_strerror(err), "file size limit"));
	struct t_open e;

	t_open_make(&e, 0);
	cr_assert_eq(trace_writer__append(w, t, &e, sizeof(e)), -EFBIG, "the error sticks");
	trace_writer__stats(w, &ws);
	cr_assert_eq(trace_writer__close(w), -EFBIG);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_leq(st.st_size, 20000);
	long n = t_count(path, &td);

	cr_assert_eq(n, (long)ws.chunks * 100, "every complete chunk reads: %ld", n);
	cr_assert_gt(n, 0);
	cr_assert_eq(td.count, 0, "no torn tail: %s", td.last_what);
	free(path);
}

/* trace_writer__schema: what a program showing its records as it writes
 * them (ebpf-record --tui) binds fields with. */
Test(format_writer, registered_schemas_are_given_out)
{
	char *path = t_path(dir, "sch.trace");
	struct trace_writer *w = t_open_writer(path, NULL);
	const struct trace_field_desc f[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "a", TRACE_FIELD_U32, 0, 8, 4, 1 },
	};
	const struct trace_schema *s;
	int id = add(w, "pair", f, 2, 16);

	cr_assert_geq(id, TRACE_TYPE_FIRST_USER);
	s = trace_writer__schema(w, id);
	cr_assert_not_null(s);
	cr_assert_str_eq(trace_schema__name(s), "pair");
	cr_assert_eq(trace_schema__id(s), id);
	cr_assert_eq(trace_schema__size(s), 16);
	cr_assert_eq(trace_schema__find_field(s, "a")->offset, 8);
	s = trace_writer__schema(w, TRACE_TYPE_LOST);
	cr_assert_not_null(s);
	cr_assert_str_eq(trace_schema__name(s), "lost");
	cr_assert_str_eq(trace_schema__name(trace_writer__schema(w, TRACE_TYPE_PROCESS)), "process");
	errno = 0;
	cr_assert_null(trace_writer__schema(w, id + 1));
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(trace_writer__schema(w, 3));
	cr_assert_null(trace_writer__schema(NULL, id));
	cr_assert_eq(trace_writer__close(w), 0);
}
