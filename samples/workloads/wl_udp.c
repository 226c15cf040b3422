// SPDX-License-Identifier: MIT
/*
 * wl_udp SIZE...: sends one datagram of each SIZE from a connected UDP
 * socket to a receiver on 127.0.0.1, which receives each one. Prints the
 * sender's and the receiver's ports on stdout.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[65536];

int main(int argc, char **argv)
{
	struct sockaddr_in ra = { .sin_family = AF_INET }, sa;
	socklen_t len = sizeof(ra);
	int rfd, sfd;

	if (argc < 2) {
		fprintf(stderr, "usage: wl_udp SIZE...\n");
		return 2;
	}
	ra.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rfd < 0 || sfd < 0 || bind(rfd, (struct sockaddr *)&ra, sizeof(ra)) ||
	    getsockname(rfd, (struct sockaddr *)&ra, &len) ||
	    connect(sfd, (struct sockaddr *)&ra, sizeof(ra))) {
		perror("socket");
		return 1;
	}
	len = sizeof(sa);
	getsockname(sfd, (struct sockaddr *)&sa, &len);
	printf("%u %u\n", ntohs(sa.sin_port), ntohs(ra.sin_port));
	fflush(stdout);
	for (int i = 1; i < argc; i++) {
		size_t n = (size_t)atol(argv[i]);

		if (n > sizeof(buf) || send(sfd, buf, n, 0) != (ssize_t)n ||
		    recv(rfd, buf, sizeof(buf), 0) != (ssize_t)n) {
			perror("datagram");
			return 1;
		}
	}
	return 0;
}
