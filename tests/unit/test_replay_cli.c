// SPDX-License-Identifier: MIT
/* ebpf-replay end to end on generated traces: every output parses (JSON
 * and Perfetto through Python's strict json module, CSV through its csv
 * module), filters and time ranges select what they should, damaged
 * traces replay what is intact and never crash, the HTML renders. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/replay_testlib.h"

#define S 1000000000ULL
#define MS 1000000ULL

static char *trace;

/* 2024-05-01 12:00:00 UTC is boottime 1 s. Events from 2 s to 4 s. */
static void make_trace(void)
{
	struct tw t;

	trace = tmp_path(".trace");
	tw_open(&t, trace, 16);
	tw_name(&t, 0, "read");
	for (int i = 0; i < 40; i++)
		tw_opn(&t, 2 * S + i * 10 * MS, 100 + i % 2, i % 2 ? "cat" : "grep",
		       i % 4 == 3 ? "/missing \"quoted\", path" : "/etc/hosts", i % 4 == 3 ? -2 : 3,
		       1000 + i * 100);
	for (int i = 0; i < 10; i++)
		tw_sys(&t, 3 * S + i * MS, 100, 0, 2000);
	tw_state(&t, 3 * S, 0xa, 100, 7, 2, 40000, 80);
	tw_state(&t, 3 * S + 1, 0xa, 100, 2, 1, 40000, 80);
	tw_life(&t, 3 * S + 500 * MS, 0xa, 3 * S, 100, 1234, 5678, 0x7, 40000, 80);
	tw_state(&t, 3 * S + 500 * MS, 0xa, 100, 1, 7, 40000, 80);
	tw_udp(&t, 3 * S + 600 * MS, 0x1, 101, 64, 0, 53);
	tw_fork(&t, 3 * S + 700 * MS, 100, 300);
	tw_exec(&t, 3 * S + 710 * MS, 300, 100, "sh", "/bin/sh");
	tw_exit(&t, 4 * S, 300, 2 << 8);
	struct trace_lost l = { .ts = 3 * S + 800 * MS, .since_ns = 3 * S, .count = 3, .cpu = 1 };
	snprintf(l.probe, sizeof(l.probe), "opens");
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	tw_close(&t);
}

static void drop_trace(void)
{
	unlink(trace);
	free(trace);
}

TestSuite(replay_cli, .init = make_trace, .fini = drop_trace, .timeout = 120);

/* Runs ebpf-replay with args, output to a file; returns the exit status. */
static int replay(const char *args, char **out)
{
	char *o = tmp_path(".out");
	int rc = run_cmd("%s %s >%s 2>%s.err", REPLAY_BIN, args, o, o);
	if (out)
		*out = o;
	else
		free(o);
	return rc;
}

static int python(const char *script, const char *file)
{
	char *py = tmp_path(".py");
	FILE *f = fopen(py, "w");
	cr_assert_not_null(f);
	fputs(script, f);
	fclose(f);
	int rc = run_cmd("python3 %s %s", py, file);
	unlink(py);
	free(py);
	return rc;
}

/* Strict NDJSON: every line one object with a "kind"; NaN/Infinity refused. */
static const char ndjson_check[] =
	"import json, sys\n"
	"def bad(x): raise ValueError(x)\n"
	"n = 0\n"
	"for line in open(sys.argv[1], encoding='utf-8'):\n"
	"    o = json.loads(line, parse_constant=bad)\n"
	"    assert isinstance(o, dict) and 'kind' in o, line\n"
	"    n += 1\n"
	"assert n > 0\n";

Test(replay_cli, text_report)
{
	char *o;
	cr_assert_eq(replay(trace, &o), 0);
	char *s = slurp(o, NULL);
	cr_assert(strstr(s, "Summary"));
	/* the syscall table record at boottime 1 s begins the trace */
	cr_assert(strstr(s, "2024-05-01 12:00:00.000000"), "start in local time / UTC:\n%s", s);
	cr_assert(strstr(s, "Duration    3.000 s"));
	cr_assert(strstr(s, "40 opens, 10 failed"), "%s", s);
	cr_assert(strstr(s, "nsecs               : count    distribution"));
	cr_assert(strstr(s, "read: 10 calls"));
	cr_assert(strstr(s, "/etc/hosts"));
	cr_assert(strstr(s, "ENOENT"));
	cr_assert(strstr(s, "10.0.0.1:40000"));
	cr_assert(strstr(s, "1234"));
	cr_assert(strstr(s, "5678"));
	cr_assert(strstr(s, "code 2"));
	cr_assert(strstr(s, "opens                   3"), "lost by probe:\n%s", s);
	free(s);
	unlink(o);
	free(o);
}

Test(replay_cli, events_in_time_order_with_wall_clock)
{
	char *o;
	cr_assert_eq(replay("--events --utc", &o), 1, "no trace: usage error");
	free(o);
	char args[512];
	snprintf(args, sizeof(args), "--events --utc %s", trace);
	cr_assert_eq(replay(args, &o), 0);
	char *s = slurp(o, NULL);
	cr_assert(strstr(s, "12:00:01.000000 grep             100     open       openat AT_FDCWD "
			    "\"/etc/hosts\" flags=0x80000 = 3 <1.000 us>"), "%s", s);
	cr_assert(strstr(s, "read() = 0 <2.000 us>"));
	cr_assert(strstr(s, "= -2 ENOENT"));
	cr_assert(strstr(s, "probe=opens cpu=1 lost=3"));
	size_t lines = 0;
	for (char *p = s; *p; p++)
		lines += *p == '\n';
	/* header + 40 opens + 10 syscalls + 4 tcp + udp + fork exec exit + lost */
	cr_assert_eq(lines, 1 + 40 + 10 + 4 + 1 + 3 + 1, "%zu lines", lines);
	free(s);
	unlink(o);
	free(o);
}

Test(replay_cli, json_outputs_parse)
{
	const char *modes[] = { "", "--events", "--events --all", "--hist", "--opens", "--tcp",
				"--udp", "--procs", "--lost", "--rates" };
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char args[512], *o;
		snprintf(args, sizeof(args), "--json %s %s", modes[i], trace);
		cr_assert_eq(replay(args, &o), 0, "%s", args);
		cr_assert_eq(python(ndjson_check, o), 0, "NDJSON of %s", args);
		unlink(o);
		free(o);
	}
	char args[512], *o;
	snprintf(args, sizeof(args), "--json --tcp %s", trace);
	cr_assert_eq(replay(args, &o), 0);
	cr_assert_eq(python("import json,sys\n"
			    "rows=[json.loads(l) for l in open(sys.argv[1])]\n"
			    "t=[r for r in rows if r['kind']=='tcp']\n"
			    "assert len(t)==1 and t[0]['tx_bytes']==1234 and t[0]['rx_bytes']==5678, t\n"
			    "assert t[0]['duration_ns']==500000000 and t[0]['daddr']=='10.0.0.2', t\n"
			    "assert t[0]['start']=='2024-05-01T12:00:02.000000000Z', t\n", o), 0);
	unlink(o);
	free(o);
}

Test(replay_cli, csv_outputs_parse)
{
	const char *modes[] = { "", "--events", "--opens", "--tcp", "--procs" };
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char args[512], *o;
		snprintf(args, sizeof(args), "--csv %s %s", modes[i], trace);
		cr_assert_eq(replay(args, &o), 0, "%s", args);
		/* Tables separated by one empty line; each row as wide as its header. */
		cr_assert_eq(python("import csv,sys\n"
				    "text=open(sys.argv[1]).read()\n"
				    "for table in text.strip('\\n').split('\\n\\n'):\n"
				    "    rows=list(csv.reader(table.splitlines()))\n"
				    "    assert all(len(r)==len(rows[0]) for r in rows), rows\n", o),
			     0, "CSV of %s", args);
		unlink(o);
		free(o);
	}
}

Test(replay_cli, perfetto_is_trace_event_json)
{
	char *pf = tmp_path(".json"), args[512];
	snprintf(args, sizeof(args), "--export perfetto %s %s", pf, trace);
	cr_assert_eq(replay(args, NULL), 0);
	cr_assert_eq(python("import json,sys\n"
			    "def bad(x): raise ValueError(x)\n"
			    "d=json.load(open(sys.argv[1]), parse_constant=bad)\n"
			    "ev=d['traceEvents']\n"
			    "ph={'X','b','e','i','C','M'}\n"
			    "for e in ev:\n"
			    "    assert e['ph'] in ph, e\n"
			    "    assert isinstance(e['pid'], int) and isinstance(e.get('tid',0), int), e\n"
			    "    if e['ph']!='M': assert isinstance(e['ts'], (int,float)), e\n"
			    "    if e['ph']=='X': assert e['dur']>=0, e\n"
			    "x=[e for e in ev if e['ph']=='X' and e['cat']=='open']\n"
			    "assert len(x)==40, len(x)\n"
			    "b=[e for e in ev if e['ph']=='b']; en=[e for e in ev if e['ph']=='e']\n"
			    "assert len(b)==1 and len(en)==1 and b[0]['id']==en[0]['id']\n"
			    "assert abs(en[0]['ts']-b[0]['ts']-500000)<1e-6, (b, en)\n"
			    "assert any(e['ph']=='C' for e in ev)\n"
			    "assert any(e['ph']=='M' and e['name']=='process_name' for e in ev)\n", pf),
		     0);
	unlink(pf);
	free(pf);
}

Test(replay_cli, filters_and_time_range)
{
	char args[512], *o;

	snprintf(args, sizeof(args), "--json --opens -p 101 %s", trace);
	cr_assert_eq(replay(args, &o), 0);
	cr_assert_eq(python("import json,sys\n"
			    "r=[json.loads(l) for l in open(sys.argv[1])]\n"
			    "t=[x for x in r if x['kind']=='opens'][0]\n"
			    "assert t['opens']==20, t\n", o), 0);
	unlink(o);
	free(o);
	/* opens every 10 ms from 2 s: [2.1 s, 2.2 s] from a trace start of 1 s holds 11 */
	snprintf(args, sizeof(args), "--json --opens --since 1100ms --until 1.2s %s", trace);
	cr_assert_eq(replay(args, &o), 0);
	cr_assert_eq(python("import json,sys\n"
			    "r=[json.loads(l) for l in open(sys.argv[1])]\n"
			    "t=[x for x in r if x['kind']=='opens'][0]\n"
			    "assert t['opens']==11, t\n", o), 0);
	unlink(o);
	free(o);
	/* the same by wall clock */
	snprintf(args, sizeof(args), "--utc --json --opens --since 12:00:01.1 --until "
		 "'2024-05-01 12:00:01.2' %s", trace);
	cr_assert_eq(replay(args, &o), 0);
	cr_assert_eq(python("import json,sys\n"
			    "r=[json.loads(l) for l in open(sys.argv[1])]\n"
			    "t=[x for x in r if x['kind']=='opens'][0]\n"
			    "assert t['opens']==11, t\n", o), 0);
	unlink(o);
	free(o);
	snprintf(args, sizeof(args), "--since yesterday %s", trace);
	cr_assert_eq(replay(args, &o), 1, "a time it cannot read is an error");
	unlink(o);
	free(o);
}

Test(replay_cli, several_traces_merge)
{
	char args[1024], *o;

	snprintf(args, sizeof(args), "--json --summary %s %s", trace, trace);
	cr_assert_eq(replay(args, &o), 0);
	cr_assert_eq(python("import json,sys\n"
			    "r=[json.loads(l) for l in open(sys.argv[1])]\n"
			    "s=[x for x in r if x['kind']=='summary'][0]\n"
			    "one=[x for x in r if x['kind']=='type' and x['type']=='open'][0]\n"
			    "assert len(s['files'])==2 and one['events']==80, (s, one)\n", o), 0);
	unlink(o);
	free(o);
}

Test(replay_cli, errors_are_one_line)
{
	char *o;
	cr_assert_eq(replay("/nonexistent/trace", &o), 1);
	char err[600];
	snprintf(err, sizeof(err), "%s.err", o);
	char *s = slurp(err, NULL);
	cr_assert(strstr(s, "ebpf-replay: /nonexistent/trace: "), "%s", s);
	cr_assert_eq(strchr(s, '\n'), s + strlen(s) - 1, "one line: %s", s);
	free(s);
	unlink(err);
	unlink(o);
	free(o);
}

static void damage(const char *from, const char *to, long cut, long flip)
{
	size_t n;
	char *buf = slurp(from, &n);
	if (flip >= 0 && (size_t)flip < n)
		buf[flip] ^= 0x5a;
	if (cut >= 0 && (size_t)cut < n)
		n = (size_t)cut;
	FILE *f = fopen(to, "wb");
	cr_assert_not_null(f);
	fwrite(buf, 1, n, f);
	fclose(f);
	free(buf);
}

Test(replay_cli, damaged_traces_replay_what_is_intact)
{
	struct stat st;
	char *bad = tmp_path(".trace"), args[1024];

	cr_assert_eq(stat(trace, &st), 0);
	/* Truncations at many points and flipped bytes all through the file:
	 * never a crash (exit status 0 or 1, never a signal). */
	for (long off = 0; off < st.st_size; off += st.st_size / 23 + 1) {
		damage(trace, bad, off, -1);
		snprintf(args, sizeof(args), "%s", bad);
		int rc = replay(args, NULL);
		cr_assert(rc == 0 || rc == 1, "truncated at %ld: status %d", off, rc);
		snprintf(args, sizeof(args), "--json --events --all %s", bad);
		rc = replay(args, NULL);
		cr_assert(rc == 0 || rc == 1, "truncated at %ld: status %d", off, rc);
		damage(trace, bad, -1, off);
		snprintf(args, sizeof(args), "%s", bad);
		rc = replay(args, NULL);
		cr_assert(rc == 0 || rc == 1, "flipped at %ld: status %d", off, rc);
		snprintf(args, sizeof(args), "--html /dev/null %s", bad);
		rc = replay(args, NULL);
		cr_assert(rc == 0 || rc == 1, "flipped at %ld: status %d (html)", off, rc);
	}
	/* A flipped byte in the middle: verify says so, recover keeps the rest. */
	damage(trace, bad, -1, st.st_size / 2);
	snprintf(args, sizeof(args), "--verify %s", bad);
	cr_assert_eq(replay(args, NULL), 2, "--verify: damaged");
	snprintf(args, sizeof(args), "--verify %s", trace);
	cr_assert_eq(replay(args, NULL), 0, "--verify: intact");
	char *rec = tmp_path(".trace"), *o;
	snprintf(args, sizeof(args), "--recover -o %s %s", rec, bad);
	cr_assert_eq(replay(args, &o), 0);
	char *s = slurp(o, NULL);
	cr_assert(strstr(s, "intact events written"), "%s", s);
	free(s);
	snprintf(args, sizeof(args), "--verify %s", rec);
	cr_assert_eq(replay(args, NULL), 0, "the recovered copy is intact");
	snprintf(args, sizeof(args), "--json --summary %s", rec);
	unlink(o);
	free(o);
	cr_assert_eq(replay(args, &o), 0);
	cr_assert_eq(python("import json,sys\n"
			    "s=[json.loads(l) for l in open(sys.argv[1])][0]\n"
			    "assert 0 < s['events'] <= 62 and s['start'], s\n", o), 0);
	unlink(o);
	free(o);
	unlink(rec);
	free(rec);
	unlink(bad);
	free(bad);
}

Test(replay_cli, html_renders_in_chromium)
{
	char *html = tmp_path(".html"), *png = tmp_path(".png"), args[1024];

	snprintf(args, sizeof(args), "--html %s %s", html, trace);
	cr_assert_eq(replay(args, NULL), 0);
	char *s = slurp(html, NULL);
	cr_assert(strstr(s, "<svg"));
	cr_assert(strstr(s, "Event rate"));
	cr_assert(strstr(s, "TCP connections"));
	cr_assert_null(strstr(s, "http://"), "self-contained: no network");
	cr_assert_null(strstr(s, "https://"), "self-contained: no network");
	cr_assert_null(strstr(s, "<script"));
	free(s);
	int rc = run_cmd("d=$(mktemp -d) && chromium --headless --no-sandbox --disable-gpu "
			 "--disable-background-networking --no-first-run --user-data-dir=$d "
			 "--screenshot=%s --window-size=1400,2000 file://%s >/dev/null 2>&1; "
			 "rm -rf $d", png, html);
	cr_assert_eq(rc, 0, "chromium failed");
	struct stat st;
	cr_assert_eq(stat(png, &st), 0, "no screenshot");
	cr_assert_gt(st.st_size, 20000, "a blank page? %ld bytes", (long)st.st_size);
	unlink(html);
	unlink(png);
	free(html);
	free(png);
}
