// SPDX-License-Identifier: MIT
/*
 * wl_tcp [-6] M TX RX [PORT]: M TCP connections over 127.0.0.1 (::1 with
 * -6), one after the other.
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
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t alen = sizeof(ss);
	int lfd, status, family = AF_INET;
	unsigned port = 0;
	long m, tx, rx;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-6")) {
		family = AF_INET6;
		argv++;
		argc--;
	}
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: wl_tcp [-6] M TX RX [PORT]\n");
		return 2;
	}
	m = atol(argv[1]);
	tx = atol(argv[2]);
	rx = atol(argv[3]);
	if (argc == 5)
		port = (unsigned)atoi(argv[4]);
	memset(buf, 'x', sizeof(buf));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET6) {
		a6->sin6_addr = in6addr_loopback;
		a6->sin6_port = htons((uint16_t)port);
		alen = sizeof(*a6);
	} else {
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a4->sin_port = htons((uint16_t)port);
		alen = sizeof(*a4);
	}
	lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) ||
	    bind(lfd, (struct sockaddr *)&ss, alen) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &alen)) {
		perror("listen");
		return 1;
	}
	printf("%u\n", ntohs(family == AF_INET6 ? a6->sin6_port : a4->sin_port));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(serve(lfd, m, tx, rx));
	close(lfd);
	for (long i = 0; i < m; i++) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, alen) || xfer(fd, tx, 1) ||
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
