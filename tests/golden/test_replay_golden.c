// SPDX-License-Identifier: MIT
/* Golden tests: ebpf-replay on the real traces under samples/replay/
 * (recorded by samples/make-samples from the bundled workloads) prints
 * exactly the committed outputs, and those hold the counts, bytes and
 * paths the workloads produced. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const modes[][2] = {
	{ "txt", "--utc" },
	{ "json", "--utc --json" },
	{ "csv", "--utc --csv" },
	{ "events", "--utc --events" },
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;

	va_start(ap, fmt);
	cr_assert_geq(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	int st = system(cmd);
	free(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void golden(const char *name)
{
	setenv("TZ", "UTC", 1);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char out[128];
		snprintf(out, sizeof(out), "/tmp/replay-golden-%d.%s", (int)getpid(), modes[i][0]);
		cr_assert_eq(sh("cd %s && %s %s samples/replay/%s.trace >%s", SRCDIR, REPLAY_BIN, modes[i][1],
				name, out), 0, "ebpf-replay %s on %s failed", modes[i][1], name);
		int rc = sh("diff -u %s/tests/golden/expected/%s.%s %s >&2", SRCDIR, name, modes[i][0],
			    out);
		unlink(out);
		cr_assert_eq(rc, 0, "%s %s differs from tests/golden/expected/%s.%s (diff above; "
			     "tests/golden/update regenerates)", name, modes[i][1], name, modes[i][0]);
	}
}

/* Asserts on the JSON rows of a trace with a Python snippet (rows: the
 * parsed objects). */
static void facts(const char *name, const char *args, const char *py)
{
	char script[128], out[128];

	snprintf(script, sizeof(script), "/tmp/replay-golden-%d.py", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/replay-golden-%d.ndjson", (int)getpid());
	FILE *f = fopen(script, "w");
	cr_assert_not_null(f);
	fprintf(f, "import json, sys\nrows = [json.loads(l) for l in open(sys.argv[1])]\n"
		   "def kind(k): return [r for r in rows if r['kind'] == k]\n%s\n", py);
	fclose(f);
	cr_assert_eq(sh("%s --json %s %s/samples/replay/%s.trace >%s", REPLAY_BIN, args, SRCDIR, name,
			out), 0);
	int rc = sh("python3 %s %s", script, out);
	unlink(script);
	unlink(out);
	cr_assert_eq(rc, 0, "facts about %s do not hold", name);
}

Test(replay_golden, opens)
{
	golden("opens");
	/* wl_opens: exactly 100 opens of the file, one failed open of "missing" */
	facts("opens", "--opens --top 50",
	      "p = {r['path']: r for r in kind('open_path')}\n"
	      "h = p['/tmp/ebpf-replay-samples/hostname']\n"
	      "assert h['opens'] == 100 and h['failures'] == 0, h\n"
	      "m = p['/tmp/ebpf-replay-samples/missing']\n"
	      "assert m['opens'] == 1 and m['failures'] == 1, m\n"
	      "e = kind('open_errno')\n"
	      "assert len(e) == 1 and e[0]['name'] == 'ENOENT' and e[0]['count'] == 1, e\n");
	facts("opens", "--hist --top 100",
	      "s = {r['syscall']: r for r in kind('hist')}\n"
	      "assert s['openat']['count'] >= 101, s['openat']\n"
	      "assert s['close']['count'] >= 100, s['close']\n");
}

Test(replay_golden, fifo_slow_open)
{
	golden("fifo");
	facts("fifo", "--opens",
	      "s = kind('open_slow')[0]\n"
	      "assert s['path'] == '/tmp/ebpf-replay-samples/fifo', s\n"
	      "assert s['latency_ns'] >= 50000000, s\n");
}

Test(replay_golden, tcp)
{
	golden("tcp");
	/* wl_tcp 3 1000 2000: 3 client sockets (1000 out, 2000 in), 3 server ones */
	facts("tcp", "--tcp",
	      "t = [r for r in kind('tcp') if r['status'] == 'closed']\n"
	      "assert len(t) == 6, t\n"
	      "c = [r for r in t if r['tx_bytes'] == 1000 and r['rx_bytes'] == 2000]\n"
	      "s = [r for r in t if r['tx_bytes'] == 2000 and r['rx_bytes'] == 1000]\n"
	      "assert len(c) == 3 and len(s) == 3, t\n"
	      "assert all(r['saddr'] == '127.0.0.1' and r['established'] for r in t), t\n"
	      "assert len({r['dport'] for r in c}) == 1, c\n"
	      "tot = kind('tcp_totals')[0]\n"
	      "assert tot['closed'] == 6 and tot['open'] == 0 and tot['never_established'] == 0, tot\n");
}

Test(replay_golden, udp)
{
	golden("udp");
	/* wl_udp 100 200 300 */
	facts("udp", "--udp",
	      "t = kind('udp_totals')[0]\n"
	      "assert t['tx_bytes'] == 600 and t['rx_bytes'] == 600 and t['packets'] == 6, t\n"
	      "tx = [r for r in kind('udp') if r['tx_packets']]\n"
	      "assert len(tx) == 1 and tx[0]['tx_packets'] == 3 and tx[0]['daddr'] == '127.0.0.1', tx\n");
}

Test(replay_golden, exec_exit_status)
{
	golden("exec");
	/* wl_exec 3: the child execs itself with "marker-arg" and exits 3 */
	facts("exec", "--procs",
	      "p = [r for r in kind('process') if 'marker-arg' in r['cmdline']]\n"
	      "assert len(p) == 1 and p[0]['exit_code'] == 3 and p[0]['exit_signal'] == 0, p\n"
	      "assert p[0]['execed'] and p[0]['forked'], p\n");
}

/* The five samples merged: the summary names each recording's command and
 * lists the probes of all of them, each with the sum of its counts in the
 * recordings (not the first file's probes alone). */
Test(replay_golden, samples_merged_summary)
{
	char script[128];

	snprintf(script, sizeof(script), "/tmp/replay-golden-%d.py", (int)getpid());
	FILE *f = fopen(script, "w");
	cr_assert_not_null(f);
	fprintf(f, "import subprocess, sys\n"
		   "names = ['exec', 'fifo', 'opens', 'tcp', 'udp']\n"
		   "def run(*paths):\n"
		   "    return subprocess.run([sys.argv[1], '--utc', '--summary', *paths], check=True,\n"
		   "                          capture_output=True, text=True).stdout.splitlines()\n"
		   "def probes(lines):\n"
		   "    i = next(i for i, l in enumerate(lines) if l.split()[:1] == ['PROBE'])\n"
		   "    rows = {}\n"
		   "    for l in lines[i + 1:]:\n"
		   "        if not l.strip(): break\n"
		   "        w = l.split()\n"
		   "        rows[w[0]] = [int(x) for x in w[1:4]]\n"
		   "    return rows\n"
		   "paths = ['samples/replay/%%s.trace' %% n for n in names]\n"
		   "want = {}\n"
		   "for p in paths:\n"
		   "    for k, v in probes(run(p)).items():\n"
		   "        want[k] = [a + b for a, b in zip(want.get(k, [0, 0, 0]), v)]\n"
		   "merged = run(*paths)\n"
		   "got = probes(merged)\n"
		   "assert got == want, (got, want)\n"
		   "assert set(got) == {'opens', 'syscalls', 'tcp', 'udp', 'proc'}, got\n"
		   "text = '\\n'.join(merged)\n"
		   "for p in paths:\n"
		   "    assert p + ': ' in text, p\n"
		   "assert 'wl_tcp 3 1000 2000 (exit status 0)' in text, text\n");
	fclose(f);
	int rc = sh("cd %s && python3 %s %s", SRCDIR, script, REPLAY_BIN);
	unlink(script);
	cr_assert_eq(rc, 0, "the merged summary does not hold every recording's probes and commands");
}
