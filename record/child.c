// SPDX-License-Identifier: MIT
/*
 * -- COMMAND: the command is forked first and held on a pipe until the
 * probes are attached and its pid is in the filter, so that its exec and
 * everything after are recorded; an exec failure comes back on a
 * close-on-exec pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/record.h"

struct child {
	pid_t pid;
	int go_fd;   /* write end: a byte releases the child */
	int err_fd;  /* read end: errno of a failed exec, or EOF on success */
	bool reaped;
	int status;
	char *cmd;
};

static void write_all(int fd, const void *buf, size_t len)
{
	while (len && (write(fd, buf, len) < 0 && errno == EINTR))
		;
}

struct child *child__start(char *const argv[], char *err, size_t errlen)
{
	int go[2] = { -1, -1 }, ep[2] = { -1, -1 };
	struct child *c = calloc(1, sizeof(*c));
	char b;

	if (!c || pipe2(go, O_CLOEXEC) || pipe2(ep, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
		goto fail;
	}
	c->cmd = strdup(argv[0]);
	c->pid = fork();
	if (c->pid < 0) {
		snprintf(err, errlen, "cannot start %s: fork: %s", argv[0], strerror(errno));
		goto fail;
	}
	if (c->pid == 0) {
		ssize_t n;
		int e;

		close(go[1]);
		close(ep[0]);
		/* The recorder's signal dispositions are not the command's. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		do
			n = read(go[0], &b, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1 || b != 'g')
			_exit(127); /* the recorder gave up */
		execvp(argv[0], argv);
		e = errno;
		write_all(ep[1], &e, sizeof(e));
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	c->go_fd = go[1];
	c->err_fd = ep[0];
	return c;
fail:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	if (c)
		free(c->cmd);
	free(c);
	return NULL;
}

pid_t child__pid(const struct child *c)
{
	return c->pid;
}

int child__go(struct child *c, char *err, size_t errlen)
{
	ssize_t n;
	int e = 0;

	write_all(c->go_fd, "g", 1);
	close(c->go_fd);
	c->go_fd = -1;
	do
		n = read(c->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		snprintf(err, errlen, "cannot run %s: %s", c->cmd, strerror(e));
		return -e;
	}
	return 0;
}

bool child__exited(struct child *c, int *status)
{
	if (!c->reaped && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->reaped = true;
	if (c->reaped)
		*status = c->status;
	return c->reaped;
}

void child__stop(struct child *c, int *status)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (c->go_fd >= 0) {
		close(c->go_fd); /* never released: it exits 127 */
		c->go_fd = -1;
	}
	if (!child__exited(c, status)) {
		kill(c->pid, SIGTERM);
		for (int i = 0; i < 200 && !child__exited(c, status); i++)
			nanosleep(&tick, NULL);
		if (!c->reaped) {
			kill(c->pid, SIGKILL);
			while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
				;
			c->reaped = true;
		}
	}
	*status = c->status;
}

void child__free(struct child *c)
{
	if (!c)
		return;
	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	free(c->cmd);
	free(c);
}
