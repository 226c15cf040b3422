// SPDX-License-Identifier: MIT
/*
 * wl_exec CODE: forks a child that execs this program again as
 * "wl_exec --child CODE ARG", which exits with CODE (or, when CODE is
 * "kill", kills itself with SIGKILL). The parent waits and exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "--child", NULL, "marker-arg", NULL };
	int status;
	pid_t pid;

	if (argc == 4 && !strcmp(argv[1], "--child")) {
		if (!strcmp(argv[2], "kill"))
			raise(SIGKILL);
		return atoi(argv[2]);
	}
	if (argc != 2) {
		fprintf(stderr, "usage: wl_exec CODE|kill\n");
		return 2;
	}
	args[2] = argv[1];
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execv("/proc/self/exe", args);
		_exit(127);
	}
	printf("%d\n", (int)pid);
	return waitpid(pid, &status, 0) == pid ? 0 : 1;
}
