// SPDX-License-Identifier: MIT
/*
 * wl_opens PATH N [--wait] [--fork]: exactly N openat(2) calls on PATH
 * (read-only), each followed by close(2).
 *   --wait  read one byte from stdin first (the recorder attaches meanwhile)
 *   --fork  do the opens in a child process, and wait for it
 * Exit status 0, or 1 when an open fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(const char *path, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int wait_stdin = 0, in_child = 0, status;
	char b;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: wl_opens PATH N [--wait] [--fork]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait_stdin = 1;
		else if (!strcmp(argv[i], "--fork"))
			in_child = 1;
	}
	if (wait_stdin && read(0, &b, 1) != 1)
		return 2;
	if (!in_child)
		return run(argv[1], atol(argv[2]));
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(run(argv[1], atol(argv[2])));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}
