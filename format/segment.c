// SPDX-License-Identifier: MIT
/* Segment names and discovery. */
#include "segment.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *segment__name(const char *base, uint32_t n)
{
	size_t len = strlen(base) + 16;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "%s.%04u", base, n);
	return s;
}

struct found {
	char *path;
	uint32_t n;
};

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

int segment__list(const char *base, char ***paths_out, uint32_t **numbers_out, size_t *n_out)
{
	const char *slash = strrchr(base, '/');
	char *dir = slash ? strndup(base, (size_t)(slash - base) + 1) : strdup(".");
	const char *name = slash ? slash + 1 : base;
	size_t nlen = strlen(name), n = 0, cap = 0;
	struct found *f = NULL;
	struct dirent *de;
	DIR *d = NULL;
	int err = 0;

	*paths_out = NULL;
	*numbers_out = NULL;
	*n_out = 0;
	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		err = -errno;
		goto cleanup;
	}
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		unsigned long v;
		char *end;

		/* NAME.DDDD: four or more digits and nothing else. */
		if (strncmp(s, name, nlen) != 0 || s[nlen] != '.' || strlen(s + nlen + 1) < 4 ||
		    strspn(s + nlen + 1, "0123456789") != strlen(s + nlen + 1))
			continue;
		errno = 0;
		v = strtoul(s + nlen + 1, &end, 10);
		if (errno || v > UINT32_MAX)
			continue;
		if (n == cap) {
			struct found *g = realloc(f, (cap = cap ? cap * 2 : 16) * sizeof(*f));

			if (!g) {
				err = -ENOMEM;
				goto cleanup;
			}
			f = g;
		}
		size_t plen = strlen(slash ? dir : "") + strlen(s) + 1;

		f[n].path = malloc(plen);
		if (!f[n].path) {
			err = -ENOMEM;
			goto cleanup;
		}
		snprintf(f[n].path, plen, "%s%s", slash ? dir : "", s);
		f[n].n = (uint32_t)v;
		n++;
	}
	if (!n) {
		err = -ENOENT;
		goto cleanup;
	}
	qsort(f, n, sizeof(*f), cmp_found);
	*paths_out = malloc(n * sizeof(char *));
	*numbers_out = malloc(n * sizeof(uint32_t));
	if (!*paths_out || !*numbers_out) {
		free(*paths_out);
		free(*numbers_out);
		*paths_out = NULL;
		*numbers_out = NULL;
		err = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		(*paths_out)[i] = f[i].path;
		(*numbers_out)[i] = f[i].n;
	}
	*n_out = n;
	n = 0; /* ownership moved */
cleanup:
	for (size_t i = 0; i < n; i++)
		free(f[i].path);
	free(f);
	if (d)
		closedir(d);
	free(dir);
	return err;
}
