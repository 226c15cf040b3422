// SPDX-License-Identifier: MIT
/*
 * Least privilege. Under sudo the trace (every segment of it) belongs to
 * the invoking user, mode 0600; copies ebpf-replay writes are 0600. In a
 * world-writable sticky directory (/tmp), another user can plant things
 * where the recorder, running as root, is about to write: a symbolic link
 * to a file of root's (or to where root would create one), a FIFO, or a
 * regular file of their own. The recorder must write through none of them:
 * it refuses with one line and leaves what is there as it was (the links,
 * like fs.protected_symlinks; a file of another user, like
 * fs.protected_regular, which this machine may not have set).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#define NOBODY 65534

static bool vcheck(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool vcheck(bool ok, const char *fmt, ...)
{
	char msg[1000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fig.priv_checks++;
	fig.priv_ok += ok;
	return check(ok, "%s", msg);
}

/* As another user: a symbolic link, a file of theirs, or a FIFO. */
enum plant { SYMLINK, REGULAR, FIFO };

static bool plant_as_nobody(enum plant what, const char *path, const char *target)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(1);
		if (what == SYMLINK)
			_exit(symlink(target, path) ? 2 : 0);
		if (what == FIFO)
			_exit(mkfifo(path, 0666) ? 2 : 0);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		_exit(fd < 0 || write(fd, target, strlen(target)) != (ssize_t)strlen(target) ? 2 : 0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static bool same_content(const char *path, const char *want)
{
	char *s = slurp(path, NULL);
	bool same = s && !strcmp(s, want);

	free(s);
	return same;
}

/* Records -o path (extra args) as root; returns the exit code, stderr in err. */
static int record_to(const char *path, const char *const *extra, const char *err,
		     const char *const *setenv)
{
	const char *argv[24] = { env.record, "-o", path };
	int n = 3;
	struct proc_result r;

	for (int i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	struct spawn_opts o = { .in_fd = -1, .err = err, .setenv = setenv };
	run(argv, &o, 120000, &r);
	return r.timed_out ? -2 : r.sig ? -1 : r.code;
}

static bool one_line_refusal(const char *err, const char *path, char *line, size_t len)
{
	char *e = slurp(err, NULL);
	unsigned lines = 0;

	for (char *p = e; p && *p; p++)
		lines += *p == '\n';
	bool ok = line_with(e, "cannot write", line, len) && strstr(line, path) && lines == 1;
	if (!ok && e)
		snprintf(line, len, "%.*s", (int)strcspn(e, "\0"), e);
	free(e);
	return ok;
}

static void owner_and_mode(const char *dir)
{
	static const char *const sudo[] = { "SUDO_UID=65534", "SUDO_GID=65534", NULL };
	char path[600], err[600], wl[600], target[600], pattern[700];
	struct stat st;
	glob_t g;

	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(path, sizeof(path), "%s/own.trace", dir);
	const char *a1[] = { "-q", "--probes", "proc", "--", "/bin/true", NULL };
	int rc = record_to(path, a1, err, sudo);
	vcheck(rc == 0 && stat(path, &st) == 0 && st.st_uid == NOBODY && st.st_gid == NOBODY &&
		       (st.st_mode & 07777) == 0600,
	       "under sudo (SUDO_UID=SUDO_GID=65534) the trace is the user's, mode 0600 (exit %d, "
	       "uid %u gid %u mode %o)", rc, st.st_uid, st.st_gid, st.st_mode & 07777);

	snprintf(path, sizeof(path), "%s/seg.trace", dir);
	snprintf(wl, sizeof(wl), "%s/wl_opens", env.workloads);
	snprintf(target, sizeof(target), "%s/target", dir);
	close(open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	const char *a2[] = { "-q", "--probes", "opens", "--segment-size", "64K", "--flush-interval",
			     "20ms", "--", wl, target, "300000", NULL };
	rc = record_to(path, a2, err, sudo);
	snprintf(pattern, sizeof(pattern), "%s.[0-9][0-9][0-9][0-9]", path);
	bool all = rc == 0 && glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc >= 2;
	size_t nseg = all ? g.gl_pathc : 0;
	for (size_t i = 0; all && i < g.gl_pathc; i++)
		all = stat(g.gl_pathv[i], &st) == 0 && st.st_uid == NOBODY && st.st_gid == NOBODY &&
		      (st.st_mode & 07777) == 0600;
	if (nseg)
		globfree(&g);
	vcheck(all, "every segment (%zu) is the user's, mode 0600 (exit %d)", nseg, rc);

	/* copies ebpf-replay writes */
	char copy[700], src[700];
	struct proc_result r;
	snprintf(src, sizeof(src), "%s/samples/replay/opens.trace", env.src);
	for (int k = 0; k < 2; k++) {
		snprintf(copy, sizeof(copy), "%s/copy%d.trace", dir, k);
		const char *rec[] = { env.replay, k ? "--redact" : "--recover", "-o", copy, src, NULL };
		run(rec, NULL, 60000, &r);
		vcheck(r.exited && r.code == 0 && stat(copy, &st) == 0 && (st.st_mode & 07777) == 0600,
		       "ebpf-replay %s -o writes mode 0600 (%s, mode %o)", k ? "--redact" : "--recover",
		       proc_status(&r), st.st_mode & 07777);
	}
}

static void planted(const char *dir)
{
	char *sticky = scratch_dir("sticky"), victim[600], err[600], path[700], line[400], absent[600];
	static const char content[] = "root's file\n";
	const char *proc_true[] = { "--probes", "proc", "--", "/bin/true", NULL };
	struct stat st;
	int rc;

	chmod(sticky, 01777);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(absent, sizeof(absent), "%s/created-through-a-link", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	int fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, content, sizeof(content) - 1) < 0)
		abort();
	close(fd);

	/* a link to root's file */
	snprintf(path, sizeof(path), "%s/run.trace", sticky);
	if (vcheck(plant_as_nobody(SYMLINK, path, victim), "another user plants %s -> root's file",
		   path)) {
		rc = record_to(path, proc_true, err, NULL);
		bool said = one_line_refusal(err, path, line, sizeof(line));
		vcheck(rc == 1 && said && same_content(victim, content) && lstat(path, &st) == 0 &&
			       S_ISLNK(st.st_mode),
		       "the recorder refuses to write through it (exit %d), root's file is as it was: %s",
		       rc, line);
	}
	/* a dangling link: where root would create a file */
	snprintf(path, sizeof(path), "%s/dangling.trace", sticky);
	if (plant_as_nobody(SYMLINK, path, absent)) {
		rc = record_to(path, proc_true, err, NULL);
		vcheck(rc == 1 && access(absent, F_OK) != 0,
		       "a dangling link: refused (exit %d), nothing created where it points", rc);
	}
	/* the first segment a link */
	snprintf(path, sizeof(path), "%s/seg.trace.0000", sticky);
	if (plant_as_nobody(SYMLINK, path, victim)) {
		char base[700];
		const char *a[] = { "--probes", "proc", "--segment-size", "64K", "--", "/bin/true", NULL };

		snprintf(base, sizeof(base), "%s/seg.trace", sticky);
		rc = record_to(base, a, err, NULL);
		vcheck(rc == 1 && same_content(victim, content),
		       "segments: a link at the first segment: refused (exit %d), root's file as it was",
		       rc);
	}
	/* a link where the next segment goes: rotation stops there */
	snprintf(path, sizeof(path), "%s/rot.trace.0001", sticky);
	if (plant_as_nobody(SYMLINK, path, victim)) {
		char base[700], wl[700], target[700], first[800];
		snprintf(base, sizeof(base), "%s/rot.trace", sticky);
		snprintf(first, sizeof(first), "%s.0000", base);
		snprintf(wl, sizeof(wl), "%s/wl_opens", env.workloads);
		snprintf(target, sizeof(target), "%s/target", dir);
		close(open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		const char *a[] = { "--probes", "opens", "--segment-size", "64K", "--flush-interval",
				    "20ms", "--", wl, target, "300000", NULL };
		rc = record_to(base, a, err, NULL);
		char *e = slurp(err, NULL);
		bool said = line_with(e, "cannot write", line, sizeof(line)) && strstr(line, path);
		free(e);
		vcheck(rc == 1 && said && same_content(victim, content) && replay_verify(first) == 0,
		       "segments: a link where the next one goes: the recorder stops there (exit %d), "
		       "root's file as it was, the segment before intact: %s", rc, line);
	}
	/* a FIFO: no blocking on it */
	snprintf(path, sizeof(path), "%s/fifo.trace", sticky);
	if (plant_as_nobody(FIFO, path, NULL)) {
		rc = record_to(path, proc_true, err, NULL);
		vcheck(rc == 1, "a FIFO planted there: refused at once, no hang (exit %d)", rc);
	}
	/* a regular file of another user: not truncated (fs.protected_regular) */
	snprintf(path, sizeof(path), "%s/theirs.trace", sticky);
	if (plant_as_nobody(REGULAR, path, "their own file\n")) {
		rc = record_to(path, proc_true, err, NULL);
		bool said = one_line_refusal(err, path, line, sizeof(line));
		vcheck(rc == 1 && said && same_content(path, "their own file\n"),
		       "a file of another user there: refused, not truncated (exit %d): %s", rc,
		       rc == 0 ? "it was overwritten" : line);
		/* ebpf-replay's copies open files the same way */
		char src[700];
		struct proc_result r;
		snprintf(src, sizeof(src), "%s/samples/replay/opens.trace", env.src);
		const char *red[] = { env.replay, "--redact", "-o", path, src, NULL };
		run(red, NULL, 60000, &r);
		vcheck(r.code == 1 && same_content(path, "their own file\n"),
		       "ebpf-replay --redact -o onto it (as root): refused, not truncated (%s)",
		       proc_status(&r));
	}
	rm_rf(sticky);
	free(sticky);
}

void section_privilege(void)
{
	char *dir = scratch_dir("privilege");

	chmod(dir, 0755);
	owner_and_mode(dir);
	planted(dir);
	const char *left = bpf_leftover(5000);
	vcheck(!left, "nothing of ours left in the kernel%s%s", left ? ": " : "", left ? left : "");
	rm_rf(dir);
	free(dir);
}
