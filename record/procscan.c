// SPDX-License-Identifier: MIT
/*
 * The /proc snapshot a recording and each of its segments begins with: one
 * `process` record per process, so that every pid in the trace has a name,
 * a command line and a start time.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/trace.h"
#include "record/record.h"

static ssize_t read_file(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = 0;
	return total;
}

/* /proc/PID/stat: "pid (comm) state ppid ... starttime(22nd)". The name may
 * hold spaces and parentheses: it ends at the last ')'. */
static int parse_stat(const char *stat, struct trace_process *p, long ticks)
{
	const char *open = strchr(stat, '('), *close = strrchr(stat, ')');
	unsigned long long start = 0;
	int ppid = 0;
	size_t n;

	if (!open || !close || close < open)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	if (sscanf(close + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &ppid, &start) != 2)
		return -EINVAL;
	p->ppid = (uint32_t)ppid;
	/* Clock ticks since boot, counted in CLOCK_BOOTTIME. */
	p->start_ns = start * (1000000000ULL / (unsigned long long)ticks);
	return 0;
}

static void parse_ids(const char *status, struct trace_process *p)
{
	const char *u = strstr(status, "\nUid:"), *g = strstr(status, "\nGid:");

	if (u)
		p->uid = (uint32_t)strtoul(u + 5, NULL, 10);
	if (g)
		p->gid = (uint32_t)strtoul(g + 5, NULL, 10);
}

static void join_cmdline(char *buf, ssize_t n)
{
	while (n > 0 && buf[n - 1] == 0)
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
}

int procscan__write(struct drain *d)
{
	static char buf[4096];
	long ticks = sysconf(_SC_CLK_TCK);
	uint64_t now = clock__boot_ns();
	struct trace_process p;
	struct dirent *de;
	int count = 0, err = 0, pfd;
	DIR *proc;

	if (ticks <= 0)
		ticks = 100;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pfd = openat(dirfd(proc), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue; /* exited meanwhile */
		memset(&p, 0, sizeof(p));
		p.ts = now;
		p.pid = (uint32_t)strtoul(de->d_name, NULL, 10);
		if (read_file(pfd, "stat", buf, sizeof(buf)) <= 0 || parse_stat(buf, &p, ticks)) {
			close(pfd);
			continue;
		}
		if (read_file(pfd, "status", buf, sizeof(buf)) > 0)
			parse_ids(buf, &p);
		ssize_t n = read_file(pfd, "cmdline", p.cmdline, sizeof(p.cmdline));
		if (n > 0)
			join_cmdline(p.cmdline, n);
		close(pfd);
		err = drain__emit(d, RECORD_PROCESS, &p, now);
		if (err)
			break;
		count++;
	}
	closedir(proc);
	return err ? err : count;
}
