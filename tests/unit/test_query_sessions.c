// SPDX-License-Identifier: MIT
/* The user's default session index: where it is, queries with no trace
 * named, `sessions`, --session latest, re-recording to a path, and the way
 * out of a damaged index (index --rebuild). */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "query/index.h"
#include "query_testlib.h"

static char dir[] = "/tmp/query-sessions-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(mkdir("home", 0700), 0);
	char home[PATH_MAX];
	snprintf(home, sizeof(home), "%s/home", dir);
	setenv("HOME", home, 1);
	unsetenv("XDG_DATA_HOME");
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	setenv("TZ", "UTC", 1);
	qt_example_trace("a.trace");
	struct qt_trace *t = qt_open("b.trace", "b0000000000000000000000000000000", "db2",
				     5000000000000ULL, 1714600000LL * 1000000000 - 5000000000000LL);
	qt_open_ev(t, 5000000000000ULL + 1000000, 3000000, 7, 0, 3, "postgres", "/etc/hosts");
	qt_close(t);
}

static void teardown(void)
{
	cr_assert_eq(system("rm -rf -- \"$PWD\""), 0);
	cr_assert_eq(chdir("/"), 0);
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(query_sessions, default_path)
{
	char path[PATH_MAX];
	int64_t uid, gid;

	unsetenv("SUDO_UID");
	setenv("XDG_DATA_HOME", "/tmp", 1);
	cr_assert_eq(query_db__default_path(path, sizeof(path), &uid, &gid), 0);
	cr_expect_str_eq(path, "/tmp/ebpf-trace/sessions.db");
	cr_expect_eq(uid, -1);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/tmp", 1);
	cr_assert_eq(query_db__default_path(path, sizeof(path), &uid, &gid), 0);
	cr_expect_str_eq(path, "/tmp/.local/share/ebpf-trace/sessions.db");
	setenv("HOME", "/nonexistent-home-of-nobody", 1);
	cr_expect_eq(query_db__default_path(path, sizeof(path), &uid, &gid), -ENOENT);
}

Test(query_sessions, no_trace_named_uses_your_index, .init = setup, .fini = teardown)
{
	struct stat sb;

	/* Nothing indexed yet: a clear error. */
	cr_expect_eq(run(QUERY_BIN " 'opens' >out 2>err"), 1);
	cr_expect_eq(run("grep -q 'no sessions indexed yet' err"), 0);
	cr_expect_eq(run(QUERY_BIN " index a.trace b.trace >out 2>err"), 0);
	cr_assert_eq(stat("home/.local/share/ebpf-trace/sessions.db", &sb), 0);
	cr_expect_eq(sb.st_mode & 0777, 0600);
	cr_expect_eq(sb.st_uid, geteuid());
	/* Rows of both sessions, named by session. */
	cr_expect_eq(run(QUERY_BIN " 'opens of /etc/hosts' >out 2>err"), 0);
	cr_expect_eq(run("grep -c '^1 ' out | grep -qx 2 && grep -c '^2 ' out | grep -qx 1"), 0);
	cr_expect_eq(run(QUERY_BIN " --session latest --csv 'count opens' >out 2>err"), 0);
	cr_expect_eq(run("printf 'count\\r\\n1\\r\\n' | cmp -s - out"), 0);
	cr_expect_eq(run(QUERY_BIN " --session 1 --csv 'count opens' >out 2>err"), 0);
	cr_expect_eq(run("printf 'count\\r\\n8\\r\\n' | cmp -s - out"), 0);
	cr_expect_eq(run(QUERY_BIN " sessions --csv >out 2>err"), 0);
	cr_expect_eq(run("grep -q '^1,web1,2024-05-01 12:00:00,30000000000,49,7,true,.*/a.trace' out"),
		     0);
	cr_expect_eq(run("grep -q '^2,db2,.*,true,.*/b.trace' out"), 0);
	/* A trace that is gone stays listed, marked. */
	cr_assert_eq(unlink("b.trace"), 0);
	cr_expect_eq(run(QUERY_BIN " sessions --csv >out 2>err"), 0);
	cr_expect_eq(run("grep -q '^2,db2,.*,false,.*/b.trace' out"), 0);
}

Test(query_sessions, rerecording_to_a_path_replaces, .init = setup, .fini = teardown)
{
	cr_expect_eq(run(QUERY_BIN " index a.trace b.trace >out 2>err"), 0);
	/* Another recording written to b.trace later. */
	struct qt_trace *t = qt_open("b.trace", "c0000000000000000000000000000000", "db2",
				     7000000000000ULL, 0);
	qt_open_ev(t, 7000000000000ULL + 1000, 1000, 9, 0, 3, "psql", "/etc/hosts");
	qt_open_ev(t, 7000000000000ULL + 2000, 1000, 9, 0, 3, "psql", "/etc/hosts");
	qt_close(t);
	cr_expect_eq(run(QUERY_BIN " index b.trace >out 2>err"), 0);
	cr_expect_eq(run("grep -q '(replaced)' out"), 0);
	cr_expect_eq(run(QUERY_BIN " sessions --csv >out 2>err"), 0);
	cr_expect_eq(run("grep -c '/b.trace' out | grep -qx 1"), 0);
	cr_expect_eq(run(QUERY_BIN " --json 'count opens by comm' >out 2>err"), 0);
	cr_expect_eq(run("grep -q '\"comm\":\"psql\",\"count\":2' out && ! grep -q postgres out"), 0);
}

Test(query_sessions, damaged_index_and_rebuild, .init = setup, .fini = teardown)
{
	cr_expect_eq(run(QUERY_BIN " index a.trace b.trace >out 2>err"), 0);
	cr_assert_eq(run("echo garbage > home/.local/share/ebpf-trace/sessions.db"), 0);
	cr_expect_eq(run(QUERY_BIN " 'opens' >out 2>err"), 1);
	cr_expect_eq(run("grep -q 'damaged' err && grep -q 'index --rebuild' err"), 0);
	cr_expect_eq(run(QUERY_BIN " index --rebuild a.trace >out 2>err"), 0);
	cr_expect_eq(run("ls home/.local/share/ebpf-trace/ | grep -q 'sessions.db.broken-'"), 0);
	cr_expect_eq(run(QUERY_BIN " --csv 'count opens' >out 2>err"), 0);
	cr_expect_eq(run("printf 'count\\r\\n8\\r\\n' | cmp -s - out"), 0);
	/* A readable index rebuilt: its traces come back by themselves. */
	cr_expect_eq(run(QUERY_BIN " index b.trace >out 2>err"), 0);
	cr_expect_eq(run(QUERY_BIN " index --rebuild >out 2>err"), 0);
	cr_expect_eq(run(QUERY_BIN " --csv 'count opens' >out 2>err"), 0);
	cr_expect_eq(run("printf 'count\\r\\n9\\r\\n' | cmp -s - out"), 0);
}
