/* SPDX-License-Identifier: MIT */
/*
 * Driving a program in a real terminal: a private tmux server per test
 * (its own socket in /tmp, no user configuration), keys sent with send-keys, the
 * screen read with capture-pane, and waits that poll the screen for the
 * text expected (never a fixed sleep). The pane stays after the program
 * exits so its last words and exit status can be read.
 */
#ifndef TESTS_TUI_TMUX_H
#define TESTS_TUI_TMUX_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PANE_MAX (64 * 1024)

struct tmux {
	char sock[64];
	char conf[96];
	char pane[PANE_MAX]; /* the last capture */
};

static inline uint64_t tmux_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs `tmux -L sock ARGS` through the shell; its stdout into out. */
static inline int tmux_cmd(struct tmux *t, char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tmux_cmd(struct tmux *t, char *out, size_t size, const char *fmt, ...)
{
	char args[4096], cmd[4400];
	va_list ap;
	size_t n = 0;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "tmux -u -S %s -f %s %s", t->sock, t->conf, args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	if (out) {
		n = fread(out, 1, size - 1, p);
		out[n] = 0;
	} else {
		char sink[256];
		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The servers started by this test process, for tmux_cleanup(). */
static char tmux_running[8][64];

/* Kills the servers a failed test left behind: a suite's .fini. */
static inline void tmux_cleanup(void)
{
	char cmd[128];

	for (size_t i = 0; i < 8; i++) {
		if (!tmux_running[i][0])
			continue;
		snprintf(cmd, sizeof(cmd), "tmux -S %.63s kill-server 2>/dev/null", tmux_running[i]);
		if (system(cmd) < 0)
			perror("system");
		unlink(tmux_running[i]);
		snprintf(cmd, sizeof(cmd), "%.*s.conf", (int)strlen(tmux_running[i]) - 5,
			 tmux_running[i]);
		unlink(cmd);
		tmux_running[i][0] = 0;
	}
}

/* Starts `sh -c SCRIPT` in a cols x rows terminal (TERM=screen, UTF-8). */
static inline void tmux_start(struct tmux *t, int cols, int rows, const char *script)
{
	static int seq;
	char quoted[4096];
	size_t q = 0;

	memset(t, 0, sizeof(*t));
	snprintf(t->sock, sizeof(t->sock), "/tmp/ebt-dash-%d-%d.sock", (int)getpid(), seq++);
	snprintf(t->conf, sizeof(t->conf), "/tmp/ebt-dash-%d-%d.conf", (int)getpid(), seq - 1);
	FILE *c = fopen(t->conf, "w");
	cr_assert_not_null(c);
	fprintf(c, "set -g remain-on-exit on\nset -g default-terminal screen\n"
		   "set -g history-limit 0\nset -g status off\n");
	fclose(c);
	/* Single quotes for the shell that runs tmux. */
	quoted[q++] = '\'';
	for (const char *s = script; *s && q < sizeof(quoted) - 8; s++) {
		if (*s == '\'') {
			memcpy(quoted + q, "'\\''", 4);
			q += 4;
		} else {
			quoted[q++] = *s;
		}
	}
	quoted[q++] = '\'';
	quoted[q] = 0;
	for (size_t i = 0; i < 8; i++)
		if (!tmux_running[i][0]) {
			snprintf(tmux_running[i], sizeof(tmux_running[i]), "%s", t->sock);
			break;
		}
	setenv("LANG", "C.UTF-8", 1);
	int rc = tmux_cmd(t, NULL, 0,
			  "new-session -d -s dash -x %d -y %d -e LANG=C.UTF-8 -e TERM=screen sh -c %s",
			  cols, rows, quoted);
	cr_assert_eq(rc, 0, "tmux new-session failed (is tmux installed?)");
}

static inline void tmux_stop(struct tmux *t)
{
	tmux_cmd(t, NULL, 0, "kill-server 2>/dev/null");
	unlink(t->sock);
	unlink(t->conf);
	for (size_t i = 0; i < 8; i++)
		if (!strcmp(tmux_running[i], t->sock))
			tmux_running[i][0] = 0;
}

static inline const char *tmux_capture(struct tmux *t)
{
	tmux_cmd(t, t->pane, sizeof(t->pane), "capture-pane -p -t dash");
	return t->pane;
}

/* Keys as send-keys takes them: "q", "Right", "C-c", "Enter", "-l text". */
static inline void tmux_keys(struct tmux *t, const char *keys)
{
	cr_assert_eq(tmux_cmd(t, NULL, 0, "send-keys -t dash %s", keys), 0, "send-keys %s", keys);
}

/* Every piece, in this order, on one line of the screen. */
static inline bool line_has(const char *screen, const char *const *pieces)
{
	const char *line = screen;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = 0;
		const char *at = buf;
		bool all = true;
		for (size_t i = 0; pieces[i]; i++) {
			const char *f = strstr(at, pieces[i]);
			if (!f) {
				all = false;
				break;
			}
			at = f + strlen(pieces[i]);
		}
		if (all)
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* Waits up to timeout_ms for a line holding the pieces (NULL-ended list). */
static inline bool tmux_wait_line(struct tmux *t, int timeout_ms, const char *const *pieces)
{
	uint64_t end = tmux_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		if (line_has(tmux_capture(t), pieces))
			return true;
		if (tmux_now_ms() >= end)
			return false;
		usleep(30000);
	}
}

#define WAIT_LINE(t, ms, ...)                                                              \
	do {                                                                               \
		const char *const pieces_[] = { __VA_ARGS__, NULL };                       \
		cr_assert(tmux_wait_line((t), (ms), pieces_),                              \
			  "no line with " #__VA_ARGS__ " within %d ms; the screen:\n%s", (ms), \
			  (t)->pane);                                                      \
	} while (0)

/* Waits up to timeout_ms for no line to hold the pieces. */
static inline bool tmux_wait_no_line(struct tmux *t, int timeout_ms, const char *const *pieces)
{
	uint64_t end = tmux_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		if (!line_has(tmux_capture(t), pieces))
			return true;
		if (tmux_now_ms() >= end)
			return false;
		usleep(30000);
	}
}

#define WAIT_NO_LINE(t, ms, ...)                                                           \
	do {                                                                               \
		const char *const pieces_[] = { __VA_ARGS__, NULL };                       \
		cr_assert(tmux_wait_no_line((t), (ms), pieces_),                           \
			  "still a line with " #__VA_ARGS__ " after %d ms; the screen:\n%s",  \
			  (ms), (t)->pane);                                                \
	} while (0)

#define EXPECT_LINE(t, ...)                                                                    \
	do {                                                                                   \
		const char *const pieces_[] = { __VA_ARGS__, NULL };                           \
		cr_expect(line_has((t)->pane, pieces_), "no line with " #__VA_ARGS__ "; the screen:\n%s", \
			  (t)->pane);                                                          \
	} while (0)

#define EXPECT_NO_LINE(t, ...)                                                          \
	do {                                                                            \
		const char *const pieces_[] = { __VA_ARGS__, NULL };                    \
		cr_expect(!line_has((t)->pane, pieces_), "a line with " #__VA_ARGS__ "; the screen:\n%s", \
			  (t)->pane);                                                   \
	} while (0)

/* The pid of the program the shell in the pane started (its only child). */
static inline pid_t tmux_child_pid(struct tmux *t, int timeout_ms)
{
	char out[64], path[64];
	uint64_t end = tmux_now_ms() + (uint64_t)timeout_ms;

	tmux_cmd(t, out, sizeof(out), "display -p -t dash '#{pane_pid}'");
	pid_t sh = (pid_t)atoi(out);
	cr_assert_gt(sh, 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)sh, (int)sh);
	for (;;) {
		FILE *f = fopen(path, "r");
		int pid = 0;

		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid > 0)
			return (pid_t)pid;
		cr_assert(tmux_now_ms() < end, "the shell in the pane started nothing");
		usleep(20000);
	}
}

#endif /* TESTS_TUI_TMUX_H */
