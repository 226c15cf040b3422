// SPDX-License-Identifier: MIT
/* The user's default session index: where it lives, and creating it owned
 * by the user who asked, also under sudo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "query/index.h"

int query_db__default_path(char *buf, size_t size, int64_t *uid, int64_t *gid)
{
	const char *sudo_uid = getenv("SUDO_UID");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = NULL;
	int n;

	*uid = -1;
	*gid = -1;
	if (geteuid() == 0 && sudo_uid && *sudo_uid) {
		/* The invoking user's: their home, their ownership. root's
		 * XDG_DATA_HOME, if sudo kept one, is not theirs. */
		char *end;
		errno = 0;
		long u = strtol(sudo_uid, &end, 10);
		struct passwd *pw = errno || *end || u < 0 ? NULL : getpwuid((uid_t)u);
		/* Only below a home that exists: never make one. */
		if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/' || access(pw->pw_dir, F_OK))
			return -ENOENT;
		const char *sudo_gid = getenv("SUDO_GID");
		*uid = u;
		*gid = sudo_gid && *sudo_gid ? strtol(sudo_gid, NULL, 10) : (int64_t)pw->pw_gid;
		n = snprintf(buf, size, "%s/.local/share/ebpf-trace/sessions.db", pw->pw_dir);
	} else if (xdg && xdg[0] == '/') {
		n = snprintf(buf, size, "%s/ebpf-trace/sessions.db", xdg);
	} else {
		home = getenv("HOME");
		if (!home || home[0] != '/') {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (!home || home[0] != '/' || access(home, F_OK))
			return -ENOENT;
		n = snprintf(buf, size, "%s/.local/share/ebpf-trace/sessions.db", home);
	}
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* mkdir -p of path's directory; what it creates goes to uid/gid. */
static int make_parents(const char *path, int64_t uid, int64_t gid)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) == 0) {
			if (uid >= 0 && chown(dir, (uid_t)uid, (gid_t)gid))
				return -errno;
		} else if (errno != EEXIST) {
			return -errno;
		}
		if (!c)
			return 0;
		*p = c;
	}
}

struct query_db *query_db__open_default(bool create, struct query_error *err)
{
	char path[PATH_MAX];
	int64_t uid, gid;
	int ret;

	if (err)
		memset(err, 0, sizeof(*err));
	ret = query_db__default_path(path, sizeof(path), &uid, &gid);
	if (ret) {
		if (err) {
			err->code = ret;
			snprintf(err->msg, sizeof(err->msg),
				 "cannot tell where your session index lives (no home directory); "
				 "give --db FILE");
		}
		errno = -ret;
		return NULL;
	}
	if (!create && access(path, F_OK) != 0) {
		if (err) {
			err->code = -ENOENT;
			snprintf(err->msg, sizeof(err->msg),
				 "no trace named, and no sessions indexed yet (%.300s does not exist): "
				 "record one with ebpf-record, name a trace, or give --db FILE", path);
		}
		errno = ENOENT;
		return NULL;
	}
	if (create) {
		ret = make_parents(path, uid, gid);
		int fd = ret ? -1 : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			/* Made here: the invoking user's, not root's. */
			if (uid >= 0 && fchown(fd, (uid_t)uid, (gid_t)gid))
				ret = -errno;
			close(fd);
		} else if (!ret && errno != EEXIST) {
			ret = -errno;
		}
		if (ret) {
			if (err) {
				err->code = ret;
				snprintf(err->msg, sizeof(err->msg), "cannot create %.300s: %s", path,
					 strerror(-ret));
			}
			errno = -ret;
			return NULL;
		}
	}
	return query_db__open(path, create, err);
}
