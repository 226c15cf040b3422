// SPDX-License-Identifier: MIT
/* The suite's tools: checks, processes, files, the kernel's BPF objects
 * after a run, and the truth about a trace file from FORMAT.md alone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/reliability/rel.h"

unsigned rel_checks, rel_failures;

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	rel_checks++;
	if (!ok)
		rel_failures++;
	printf("  %-4s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

void note(const char *fmt, ...)
{
	va_list ap;

	printf("       ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- processes ---------------------------------------------------------- */

/* Children running now, so that an interrupted suite ends them too. */
#define MAX_LIVE 64
static volatile pid_t live[MAX_LIVE];

void kill_children(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] > 0) {
			kill(-live[i], SIGKILL);
			kill(live[i], SIGKILL);
		}
}

static void track(pid_t pid, bool on)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (on ? live[i] == 0 : live[i] == pid) {
			live[i] = on ? pid : 0;
			return;
		}
}

pid_t spawn(const char *const *argv, const struct spawn_opts *o)
{
	static const struct spawn_opts none = { .in_fd = -1 };
	pid_t pid;

	if (!o)
		o = &none;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid > 0)
		track(pid, true);
	if (pid != 0)
		return pid;
	int in = o->in_fd >= 0 ? o->in_fd : open("/dev/null", O_RDONLY);
	int out = open(o->out ? o->out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err = open(o->err ? o->err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(125);
	/* a process group of its own: a timeout ends its children too */
	setpgid(0, 0);
	if (o->fsize > 0) {
		struct rlimit rl = { (rlim_t)o->fsize, (rlim_t)o->fsize };

		setrlimit(RLIMIT_FSIZE, &rl);
	}
	if (o->hostname && (unshare(CLONE_NEWUTS) || sethostname(o->hostname, strlen(o->hostname))))
		_exit(124);
	for (const char *const *e = o->setenv; e && *e; e++)
		putenv((char *)*e);
	if (o->uid > 0 && (setgid(o->gid) || setuid(o->uid)))
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

void reap(pid_t pid, unsigned timeout_ms, struct proc_result *r)
{
	uint64_t start = mono_ns(), deadline = start + (uint64_t)timeout_ms * 1000000ULL;
	struct rusage ru;
	int status = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		pid_t got = wait4(pid, &status, timeout_ms ? WNOHANG : 0, &ru);

		if (got == pid) {
			track(pid, false);
			break;
		}
		if (got < 0 && errno != EINTR) {
			r->code = -1;
			return;
		}
		if (timeout_ms && mono_ns() > deadline && !r->timed_out) {
			r->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		if (timeout_ms)
			sleep_ms(2);
	}
	r->seconds = (double)(mono_ns() - start) / 1e9;
	r->maxrss_kib = ru.ru_maxrss;
	if (WIFEXITED(status)) {
		r->exited = true;
		r->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->sig = WTERMSIG(status);
		r->code = 128 + r->sig;
	}
}

void run(const char *const *argv, const struct spawn_opts *o, unsigned timeout_ms,
	 struct proc_result *r)
{
	reap(spawn(argv, o), timeout_ms, r);
}

const char *proc_status(const struct proc_result *r)
{
	static char buf[64];

	if (r->timed_out)
		snprintf(buf, sizeof(buf), "timed out after %.0f s", r->seconds);
	else if (r->sig)
		snprintf(buf, sizeof(buf), "killed by %s", sigabbrev_np(r->sig) ? sigabbrev_np(r->sig) : "?");
	else
		snprintf(buf, sizeof(buf), "exit %d", r->code);
	return buf;
}

/* ---- files and time ---------------------------------------------------------- */

char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, cap = 4096;
	char *buf;

	if (len)
		*len = 0;
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t got;

		if (n == cap) {
			char *b = realloc(buf, (cap *= 2) + 1);

			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (buf) {
		buf[n] = 0;
		if (len)
			*len = n;
	}
	return buf;
}

bool file_has(const char *path, const char *needle)
{
	char *s = slurp(path, NULL);
	bool has = s && strstr(s, needle);

	free(s);
	return has;
}

bool wait_for_text(const char *path, const char *needle, unsigned timeout_ms)
{
	for (unsigned t = 0; t < timeout_ms; t += 20) {
		if (file_has(path, needle))
			return true;
		sleep_ms(20);
	}
	return file_has(path, needle);
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

char *scratch_dir(const char *tag)
{
	char *p = malloc(strlen(env.tmp) + strlen(tag) + 16);

	if (!p)
		abort();
	sprintf(p, "%s/%s-XXXXXX", env.tmp, tag);
	if (!mkdtemp(p)) {
		perror(p);
		abort();
	}
	return p;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool lines_ok(const char *text, const char *prefix, bool need_one, const char **why)
{
	size_t plen = strlen(prefix);
	unsigned lines = 0;

	*why = NULL;
	for (const char *l = text; l && *l;) {
		const char *end = strchr(l, '\n');

		if (!end) {
			*why = "a line without its newline";
			return false;
		}
		if ((size_t)(end - l) < plen || strncmp(l, prefix, plen)) {
			*why = "a line that is not the tool's own message";
			return false;
		}
		if (strstr(l, "Sanitizer") && strstr(l, "Sanitizer") < end) {
			*why = "a sanitizer report";
			return false;
		}
		lines++;
		l = end + 1;
	}
	if (need_one && !lines) {
		*why = "nothing said";
		return false;
	}
	return true;
}

/* ---- BPF objects left behind ---------------------------------------------------- */

struct idset {
	uint8_t *bits;
	size_t n; /* ids covered */
};

static void idset_add(struct idset *s, unsigned id)
{
	if (id >= s->n) {
		size_t n = (id + 1 + 65535) & ~(size_t)65535;
		uint8_t *b = realloc(s->bits, n / 8);

		if (!b)
			abort();
		memset(b + s->n / 8, 0, (n - s->n) / 8);
		s->bits = b;
		s->n = n;
	}
	s->bits[id / 8] |= (uint8_t)(1u << (id % 8));
}

static bool idset_has(const struct idset *s, unsigned id)
{
	return id < s->n && (s->bits[id / 8] >> (id % 8)) & 1;
}

struct held {
	struct idset prog, map, link;
};

/* Ids of the programs, maps and links a live process holds an fd of. */
static void held_scan(struct held *h)
{
	char path[600], line[256];
	struct dirent *p, *f;
	DIR *proc, *fds;
	unsigned id;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			FILE *in;

			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name, f->d_name);
			in = fopen(path, "re");
			if (!in)
				continue;
			while (fgets(line, sizeof(line), in)) {
				if (sscanf(line, "prog_id: %u", &id) == 1)
					idset_add(&h->prog, id);
				if (sscanf(line, "map_id: %u", &id) == 1)
					idset_add(&h->map, id);
				if (sscanf(line, "link_id: %u", &id) == 1)
					idset_add(&h->link, id);
			}
			fclose(in);
		}
		closedir(fds);
	}
	closedir(proc);
}

static char *command_output(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);

	if (!f || !buf)
		abort();
	for (;;) {
		size_t got;

		if (n == cap) {
			buf = realloc(buf, (cap *= 2) + 1);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	buf[n] = 0;
	pclose(f);
	return buf;
}

static const char *leftover_once(void)
{
	static char what[160];
	struct held h = { 0 };
	struct idset ours = { 0 };
	char *out, *line, *save = NULL;
	unsigned id = 0;
	bool cur_ours = false;
	const char *found = NULL;

	held_scan(&h);
	/* Programs: "ID: type  name NAME ..." then "... map_ids a,b,c". A map
	 * of a held program is held through it. */
	out = command_output("bpftool prog show 2>/dev/null");
	for (line = strtok_r(out, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] >= '0' && line[0] <= '9') {
			cur_ours = sscanf(line, "%u:", &id) == 1 && strstr(line, " name ebt_");
			if (cur_ours)
				idset_add(&ours, id);
			if (cur_ours && !idset_has(&h.prog, id)) {
				snprintf(what, sizeof(what), "ebt_ program %u is still loaded", id);
				found = what;
			}
			continue;
		}
		char *ids = strstr(line, "map_ids ");
		if (!ids || !idset_has(&h.prog, id))
			continue;
		for (ids += 8;;) {
			char *end;
			unsigned long m = strtoul(ids, &end, 10);

			if (end == ids)
				break;
			idset_add(&h.map, (unsigned)m);
			if (*end != ',')
				break;
			ids = end + 1;
		}
	}
	free(out);
	if (!found) {
		save = NULL;
		out = command_output("bpftool map show 2>/dev/null");
		for (line = strtok_r(out, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save)) {
			if (line[0] < '0' || line[0] > '9' || sscanf(line, "%u:", &id) != 1)
				continue;
			if (strstr(line, " name ebt_") && !idset_has(&h.map, id)) {
				snprintf(what, sizeof(what), "ebt_ map %u is still there", id);
				found = what;
			}
		}
		free(out);
	}
	if (!found) {
		/* Links: "ID: type  prog PROG ..."; one of an ebt_ program that no
		 * live process holds is ours, left behind. */
		save = NULL;
		out = command_output("bpftool link show 2>/dev/null");
		for (line = strtok_r(out, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save)) {
			char *p = strstr(line, " prog ");
			unsigned prog;

			if (line[0] < '0' || line[0] > '9' || sscanf(line, "%u:", &id) != 1 || !p ||
			    sscanf(p, " prog %u", &prog) != 1)
				continue;
			if (idset_has(&ours, prog) && !idset_has(&h.link, id) && !idset_has(&h.prog, prog)) {
				snprintf(what, sizeof(what), "a link (%u) of ebt_ program %u is still there",
					 id, prog);
				found = what;
			}
		}
		free(out);
	}
	if (!found) {
		/* nothing of ours pinned */
		DIR *d = opendir("/sys/fs/bpf");
		struct dirent *e;

		while (d && (e = readdir(d)) && !found)
			if (!strncmp(e->d_name, "ebt", 3)) {
				snprintf(what, sizeof(what), "/sys/fs/bpf/%.100s is pinned", e->d_name);
				found = what;
			}
		if (d)
			closedir(d);
	}
	free(h.prog.bits);
	free(h.map.bits);
	free(h.link.bits);
	free(ours.bits);
	return found;
}

const char *bpf_leftover(unsigned wait_ms)
{
	const char *what = leftover_once();

	for (unsigned t = 0; what && t < wait_ms; t += 200) {
		sleep_ms(200);
		what = leftover_once();
	}
	return what;
}

/* ---- the truth about a file ------------------------------------------------------- */

#define HDR 64
#define BHDR 20
#define SYNC 0x9E4B4C42u
#define MAX_PAYLOAD (32u << 20)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* A valid block header at p (FORMAT.md, "Blocks"). */
static bool valid_header(const uint8_t *p)
{
	return le32(p) == SYNC && le32(p + 16) == crc(p, 16) && (p[4] | p[5] << 8) != 0 &&
	       le32(p + 8) <= MAX_PAYLOAD;
}

void walk_file(const char *path, struct walk *w)
{
	static const uint8_t magic[8] = { 0x89, 'E', 'T', 'R', 'A', 'C', 'E', '\n' };
	struct stat st;
	uint8_t *m;
	uint64_t pos = HDR, last_start = 0, last_len = 0;
	uint16_t last_kind = 0;
	int fd;

	memset(w, 0, sizeof(*w));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	w->exists = true;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	w->size = (uint64_t)st.st_size;
	if (w->size < HDR) {
		w->torn = w->size > 0;
		close(fd);
		return;
	}
	m = mmap(NULL, w->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return;
	w->header_ok = !memcmp(m, magic, 8) && le32(m + 60) == crc(m, 60);
	while (pos + BHDR <= w->size) {
		const uint8_t *h = m + pos;

		if (!valid_header(h)) {
			/* resynchronise: a damaged stretch, counted once */
			w->damaged++;
			while (pos + BHDR <= w->size && !valid_header(m + pos))
				pos++;
			continue;
		}
		uint32_t len = le32(h + 8);
		uint16_t kind = (uint16_t)(h[4] | h[5] << 8);

		if (pos + BHDR + len > w->size) {
			w->torn = true;
			pos = w->size;
			break;
		}
		if (le32(h + 12) != crc(h + BHDR, len)) {
			w->damaged++;
		} else {
			w->blocks++;
			if (kind == 3 && len >= 8) {
				w->chunks++;
				w->chunk_events += le32(h + BHDR + 4);
			}
			last_start = pos;
			last_len = len;
			last_kind = kind;
		}
		pos += BHDR + len;
	}
	if (pos < w->size)
		w->torn = true; /* fewer than 20 bytes after the last block */
	if (!w->torn && last_kind == 6 && last_len == 16 && last_start + BHDR + 16 == w->size) {
		uint64_t ix = le64(m + last_start + BHDR);

		w->indexed = ix + BHDR <= last_start && valid_header(m + ix) && m[ix + 4] == 5 &&
			     ix + BHDR + le32(m + ix + 8) == last_start;
	}
	w->intact = w->header_ok && !w->damaged && !w->torn;
	munmap(m, w->size);
}

static void count_damage(const struct trace_damage *d, void *ctx)
{
	(void)d;
	(*(uint64_t *)ctx)++;
}

int read_back(const char *path, struct readback *rb)
{
	struct trace_reader_opts o = { .sz = sizeof(o), .on_damage = count_damage };
	struct trace_reader *r;
	struct trace_event ev;
	int err;

	memset(rb, 0, sizeof(*rb));
	o.ctx = &rb->damage_reports;
	r = trace_reader__open(path, &o);
	if (!r)
		return -errno;
	while ((err = trace_reader__next(r, &ev)) == 0)
		rb->events++;
	trace_reader__stats(r, &rb->st);
	trace_reader__close(r);
	return err == -ENOENT ? 0 : err;
}

int replay_verify(const char *path)
{
	const char *argv[] = { env.replay, "--verify", path, NULL };
	struct proc_result r;

	run(argv, NULL, 120000, &r);
	return r.exited ? r.code : -1;
}

bool line_with(const char *text, const char *needle, char *out, size_t len)
{
	const char *p = text ? strstr(text, needle) : NULL, *start, *end;

	out[0] = 0;
	if (!p)
		return false;
	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	snprintf(out, len, "%.*s", (int)(end - start), start);
	return true;
}
