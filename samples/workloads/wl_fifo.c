// SPDX-License-Identifier: MIT
/*
 * wl_fifo PATH DELAY_MS: a slow open. Creates the FIFO PATH; a child opens
 * it for writing after DELAY_MS; meanwhile the parent's open for reading
 * blocks until the writer arrives, so it takes at least DELAY_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec delay;
	int fd, status;
	long ms;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: wl_fifo PATH DELAY_MS\n");
		return 2;
	}
	ms = atol(argv[2]);
	unlink(argv[1]);
	if (mkfifo(argv[1], 0600)) {
		perror(argv[1]);
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		delay.tv_sec = ms / 1000;
		delay.tv_nsec = (ms % 1000) * 1000000L;
		while (nanosleep(&delay, &delay) && errno == EINTR)
			;
		fd = open(argv[1], O_WRONLY);
		_exit(fd < 0);
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	waitpid(pid, &status, 0);
	unlink(argv[1]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
