// SPDX-License-Identifier: MIT
/*
 * Workloads of the suite, run as `reliability --helper NAME ARGS...` so
 * that each is a process of its own (the recorder follows it with -p):
 *   seq DIR             openat(2) of DIR/seq-0000000000, -0000000001, ...
 *                       (absent: each fails with ENOENT), as fast as it
 *                       can, until killed: a trace shows which it saw.
 *   steady              a steady mix until killed: 20k opens/s, a child
 *                       process, a UDP datagram and a TCP connection over
 *                       loopback every 100 ms.
 *   privacy DIR ADDR    known, identifying work: 30 opens of
 *                       DIR/confidential-alpha.txt and 20 of
 *                       DIR/confidential-beta.txt, a child exec'ing
 *                       /bin/true with secret arguments, a TCP connection
 *                       and a UDP datagram over 127.0.0.1, and a connection
 *                       attempt to ADDR (a TEST-NET address, port 9).
 * Each names itself rel_<name> (its comm).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

static int seq(const char *dir)
{
	char path[600];

	for (unsigned long n = 0;; n++) {
		snprintf(path, sizeof(path), "%s/seq-%010lu", dir, n);
		int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* One TCP connection over loopback: connect, 1 KiB each way, close. */
static void tcp_once(int lfd, const struct sockaddr_in *a)
{
	static char buf[1024];
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s;

	if (c < 0)
		return;
	if (connect(c, (const struct sockaddr *)a, sizeof(*a)) == 0 &&
	    (s = accept(lfd, NULL, NULL)) >= 0) {
		if (write(c, buf, sizeof(buf)) < 0 || read(s, buf, sizeof(buf)) < 0 ||
		    write(s, buf, sizeof(buf)) < 0 || read(c, buf, sizeof(buf)) < 0)
			perror("tcp");
		close(c);
		c = -1;
		while (read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
	}
	if (c >= 0)
		close(c);
}

static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)a, &len))
		return -1;
	return fd;
}

/* A connected pair of UDP sockets over loopback. */
static int udp_pair(int fds[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	fds[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fds[1] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fds[0] < 0 || fds[1] < 0 || bind(fds[0], (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fds[0], (struct sockaddr *)&a, &len) ||
	    connect(fds[1], (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return 0;
}

static int steady(void)
{
	struct sockaddr_in a;
	int lfd = listener(&a), u[2];
	uint64_t next = mono_ns(), tick = 0;
	char buf[512] = { 0 };

	if (lfd < 0 || udp_pair(u)) {
		perror("steady: sockets");
		return 1;
	}
	signal(SIGCHLD, SIG_IGN); /* children reap themselves */
	for (;; tick++) {
		for (int i = 0; i < 200; i++) {
			int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

			if (fd >= 0)
				close(fd);
		}
		if (tick % 10 == 0) {
			if (fork() == 0)
				_exit(0);
			if (send(u[1], buf, sizeof(buf), 0) > 0)
				(void)recv(u[0], buf, sizeof(buf), 0);
			tcp_once(lfd, &a);
		}
		next += 10 * 1000000ULL; /* 10 ms ticks */
		uint64_t now = mono_ns();
		if (next > now)
			sleep_ms((unsigned)((next - now) / 1000000ULL));
		else
			next = now;
	}
	return 0;
}

static int opens_of(const char *path, int n)
{
	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int privacy(const char *dir, const char *addr)
{
	char alpha[600], beta[600], arg[700];
	struct sockaddr_in a, t = { .sin_family = AF_INET, .sin_port = htons(9) };
	int lfd, u[2], status, s;
	char buf[64] = { 0 };
	pid_t pid;

	snprintf(alpha, sizeof(alpha), "%s/confidential-alpha.txt", dir);
	snprintf(beta, sizeof(beta), "%s/confidential-beta.txt", dir);
	close(open(alpha, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	close(open(beta, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	if (opens_of(alpha, 30) || opens_of(beta, 20)) {
		perror("privacy: opens");
		return 1;
	}
	snprintf(arg, sizeof(arg), "--secret-file=%s", beta);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", "topsecret-argument", arg, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	lfd = listener(&a);
	if (lfd < 0 || udp_pair(u)) {
		perror("privacy: sockets");
		return 1;
	}
	tcp_once(lfd, &a);
	if (send(u[1], buf, sizeof(buf), 0) < 0 || recv(u[0], buf, sizeof(buf), 0) < 0)
		perror("privacy: udp");
	/* An attempt to a TEST-NET address: SYN_SENT, then closed. */
	if (inet_pton(AF_INET, addr, &t.sin_addr) == 1 &&
	    (s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) >= 0) {
		(void)connect(s, (struct sockaddr *)&t, sizeof(t));
		sleep_ms(50);
		close(s);
	}
	sleep_ms(100);
	return 0;
}

int helper_main(int argc, char **argv)
{
	char comm[16];

	if (argc < 1)
		return 2;
	snprintf(comm, sizeof(comm), "rel_%s", argv[0]);
	prctl(PR_SET_NAME, comm);
	if (!strcmp(argv[0], "seq") && argc == 2)
		return seq(argv[1]);
	if (!strcmp(argv[0], "steady") && argc == 1)
		return steady();
	if (!strcmp(argv[0], "privacy") && argc == 3)
		return privacy(argv[1], argv[2]);
	fprintf(stderr, "reliability --helper: unknown helper or arguments\n");
	return 2;
}
