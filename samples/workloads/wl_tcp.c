// SPDX-License-Identifier: MIT
/*
 * wl_tcp M TX RX [PORT]: M TCP connections over 127.0.0.1, one after the other.
 * On each the client sends TX bytes and the server, having read them all,
 * answers RX bytes; then the client closes, and the server closes on EOF.
 * So each client socket ends with TX bytes acked and RX received, and each
 * server socket with RX acked and TX received. The server (a child
 * process) listens on PORT (default: an ephemeral one), printed first on
 * stdout.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[65536];

static int xfer(int fd, long n, int sending)
{
	while (n > 0) {
		size_t chunk = n > (long)sizeof(buf) ? sizeof(buf) : (size_t)n;
		ssize_t r = sending ? write(fd, buf, chunk) : read(fd, buf, chunk);

		if (r <= 0)
			return -1;
		n -= r;
	}
	return 0;
}

static int serve(int lfd, long m, long tx, long rx)
{
	for (long i = 0; i < m; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0 || xfer(fd, tx, 0) || xfer(fd, rx, 1))
			return 1;
		if (read(fd, buf, 1) != 0) /* the client closes first */
			return 1;
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	long m, tx, rx;
	int lfd, status;
	pid_t pid;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: wl_tcp M TX RX [PORT]\n");
		return 2;
	}
	m = atol(argv[1]);
	tx = atol(argv[2]);
	rx = atol(argv[3]);
	memset(buf, 'x', sizeof(buf));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (argc == 5)
		a.sin_port = htons((uint16_t)atoi(argv[4]));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		perror("listen");
		return 1;
	}
	printf("%u\n", ntohs(a.sin_port));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(serve(lfd, m, tx, rx));
	close(lfd);
	for (long i = 0; i < m; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) || xfer(fd, tx, 1) ||
		    xfer(fd, rx, 0)) {
			perror("client");
			return 1;
		}
		close(fd);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}
