// SPDX-License-Identifier: MIT
/*
 * Privacy. A workload that does identifying work (opens of files in a
 * secret directory, a program run with secret arguments, TCP and UDP over
 * 127.0.0.1, a connection attempt to 192.0.2.77) is recorded in a UTS
 * namespace whose hostname is a secret too. The trace is redacted with
 * `ebpf-replay --redact`, and recorded redacted with `ebpf-record
 * --redact`. In neither may any original appear: not in the file's bytes,
 * not in what ebpf-replay and ebpf-query print of it (text, JSON, HTML,
 * --info), not in any field or metadata value the library decodes. And the
 * redacted trace must analyse as the original did: the same events of
 * each type, the same times and latencies, ports, sizes, the same
 * grouping by path (top paths by count) and by connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/reliability/rel.h"

#define MAXS 16
#define MAXOPENS 4096

/* What a trace holds, decoded. */
struct content {
	char *text;     /* every value, as text */
	size_t len, cap;
	uint64_t per_type[32];
	char type_names[32][32];
	size_t ntypes;
	struct {
		char path[256];
		uint64_t ts, lat;
	} opens[MAXOPENS];
	size_t nopens;
	char tcp[8192], udp[8192]; /* ports, sizes, durations in order */
	int err;
};

static void add_text(struct content *c, const char *s, size_t n)
{
	if (c->len + n + 2 > c->cap) {
		c->cap = (c->len + n + 2) * 2;
		c->text = realloc(c->text, c->cap);
		if (!c->text)
			abort();
	}
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = 0;
}

static void field_text(struct content *c, const struct trace_event *ev,
		       const struct trace_field_desc *f, uint16_t family)
{
	char buf[1200];

	if (f->type == TRACE_FIELD_STR) {
		add_text(c, trace_field__str(f, ev->data), strlen(trace_field__str(f, ev->data)));
	} else if (f->type == TRACE_FIELD_BYTES) {
		const uint8_t *b = trace_field__bytes(f, ev->data);
		size_t n = 0;

		if (f->hint == TRACE_HINT_IPADDR && f->size == 16 && (family == 2 || family == 10))
			inet_ntop(family == 2 ? AF_INET : AF_INET6, b, buf, sizeof(buf));
		else
			for (size_t i = 0; i < f->size && n + 3 < sizeof(buf); i++)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%02x", b[i]);
		add_text(c, buf, strlen(buf));
	}
}

static uint64_t fu(const struct trace_event *ev, const char *name)
{
	const struct trace_field_desc *f = trace_schema__find_field(ev->schema, name);

	return f ? trace_field__u64(f, ev->data, 0) : 0;
}

static void decode(const char *path, struct content *c)
{
	struct trace_reader *r = trace_reader__open(path, NULL);
	struct trace_event ev;
	const char *k, *v;
	int err;

	memset(c, 0, sizeof(*c));
	if (!r) {
		c->err = -errno;
		return;
	}
	for (size_t f = 0; f < trace_reader__nfiles(r); f++)
		for (size_t i = 0; trace_reader__meta_at(r, (uint16_t)f, i, &k, &v) == 0; i++) {
			add_text(c, k, strlen(k));
			add_text(c, v, strlen(v));
		}
	while ((err = trace_reader__next(r, &ev)) == 0) {
		const char *type = trace_schema__name(ev.schema);
		size_t t;
		uint16_t family = (uint16_t)fu(&ev, "family");

		for (t = 0; t < c->ntypes && strcmp(c->type_names[t], type); t++)
			;
		if (t == c->ntypes && t < 32)
			snprintf(c->type_names[c->ntypes++], 32, "%s", type);
		if (t < 32)
			c->per_type[t]++;
		for (size_t i = 0; i < trace_schema__nfields(ev.schema); i++)
			field_text(c, &ev, trace_schema__field(ev.schema, i), family);
		if (!strcmp(type, "open") && c->nopens < MAXOPENS) {
			const struct trace_field_desc *f = trace_schema__find_field(ev.schema, "path");

			snprintf(c->opens[c->nopens].path, 256, "%s", f ? trace_field__str(f, ev.data) : "");
			c->opens[c->nopens].ts = ev.ts;
			c->opens[c->nopens++].lat = fu(&ev, "latency_ns");
		} else if (!strcmp(type, "tcp_life") || !strcmp(type, "tcp_state")) {
			size_t n = strlen(c->tcp);
			snprintf(c->tcp + n, sizeof(c->tcp) - n, "%s %llu %llu %llu %llu %llu %llu;", type,
				 (unsigned long long)fu(&ev, "sport"), (unsigned long long)fu(&ev, "dport"),
				 (unsigned long long)fu(&ev, "tx_bytes"), (unsigned long long)fu(&ev, "rx_bytes"),
				 (unsigned long long)fu(&ev, "duration_ns"), (unsigned long long)fu(&ev, "newstate"));
		} else if (!strcmp(type, "udp")) {
			size_t n = strlen(c->udp);
			snprintf(c->udp + n, sizeof(c->udp) - n, "%llu %llu %llu %llu;",
				 (unsigned long long)fu(&ev, "sport"), (unsigned long long)fu(&ev, "dport"),
				 (unsigned long long)fu(&ev, "bytes"), (unsigned long long)fu(&ev, "dir"));
		}
	}
	c->err = err == -ENOENT ? 0 : err;
	trace_reader__close(r);
}

/* Everything the tools print of a trace, and the file's own bytes. */
struct blob {
	char *p;
	size_t len;
};

static void blob_add(struct blob *b, const char *path)
{
	size_t n;
	char *s = slurp(path, &n);

	if (!s)
		return;
	b->p = realloc(b->p, b->len + n + 1);
	if (!b->p)
		abort();
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	free(s);
}

/* Blanks the names the tools were given (they print them back: "File 0:
 * PATH"), which are not what the trace holds. */
static void blank(struct blob *b, const char *name)
{
	size_t n = strlen(name);

	for (char *p = b->p; p && (p = memmem(p, b->len - (size_t)(p - b->p), name, n)); p += n)
		memset(p, '*', n);
}

static void printed(const char *trace, const char *dir, struct blob *b)
{
	char out[700], html[700];
	struct proc_result r;

	memset(b, 0, sizeof(*b));
	snprintf(out, sizeof(out), "%s/printed", dir);
	snprintf(html, sizeof(html), "%s/report.html", dir);
	const char *runs[][8] = {
		{ env.replay, "--events", "--all", trace },
		{ env.replay, "--events", "--all", "--json", trace },
		{ env.replay, "--info", trace },
		{ env.replay, trace },
		{ env.replay, "--json", trace },
		{ env.replay, "--html", html, trace },
		{ env.query, "top 100 paths by opens", trace },
		{ env.query, "--json", "tcp connections", trace },
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct spawn_opts o = { .in_fd = -1, .out = out, .err = out };

		run(runs[i], &o, 120000, &r);
		blob_add(b, out);
		blob_add(b, html);
		unlink(html);
	}
	blank(b, trace);
	blank(b, html);
	blob_add(b, trace);
}

static bool has(const struct blob *b, const char *needle)
{
	return b->p && memmem(b->p, b->len, needle, strlen(needle)) != NULL;
}

static bool pcheck(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool pcheck(bool ok, const char *fmt, ...)
{
	char msg[1000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fig.privacy_checks++;
	fig.privacy_ok += ok;
	return check(ok, "%s", msg);
}

#define NSECRETS 12

struct secrets {
	char s[NSECRETS][400];
	int n;
};

/* No original in what a redacted trace holds or prints. */
static void no_originals(const char *tag, const char *trace, const char *dir,
			 const struct secrets *sec)
{
	struct content *c = malloc(sizeof(*c));
	struct blob b;
	char found[500] = "";

	decode(trace, c);
	printed(trace, dir, &b);
	for (int i = 0; i < sec->n && !found[0]; i++) {
		if (c->text && strstr(c->text, sec->s[i]))
			snprintf(found, sizeof(found), ": '%s' is in a decoded value", sec->s[i]);
		else if (has(&b, sec->s[i]))
			snprintf(found, sizeof(found), ": '%s' is in the file or in what the tools print",
				 sec->s[i]);
	}
	pcheck(c->err == 0 && !found[0], "%s: none of %d originals in the file, in any value the "
	       "library decodes, or in what ebpf-replay and ebpf-query print (%zu bytes)%s", tag,
	       sec->n, b.len, found);
	free(b.p);
	free(c->text);
	free(c);
}

/* The paths of the opens, grouped: each count with how often it occurs. */
static void path_counts(const struct content *c, uint64_t *counts, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < c->nopens; i++) {
		bool first = true;
		uint64_t k = 0;

		for (size_t j = 0; j < c->nopens; j++) {
			if (!strcmp(c->opens[i].path, c->opens[j].path)) {
				first &= j >= i;
				k++;
			}
		}
		if (first)
			counts[(*n)++] = k;
	}
}

/* The redacted trace analyses as the original. */
static void same_structure(const char *tag, const struct content *a, const struct content *b)
{
	bool types = a->ntypes == b->ntypes, seq = a->nopens == b->nopens, group = seq;
	static uint64_t ca[MAXOPENS], cb[MAXOPENS];
	size_t na, nb;

	for (size_t t = 0; types && t < a->ntypes; t++)
		types = !strcmp(a->type_names[t], b->type_names[t]) && a->per_type[t] == b->per_type[t];
	pcheck(types, "%s: the same events of every type (%zu types)", tag, a->ntypes);
	for (size_t i = 0; seq && i < a->nopens; i++)
		seq = a->opens[i].ts == b->opens[i].ts && a->opens[i].lat == b->opens[i].lat;
	/* equal paths stay equal, different ones stay different */
	for (size_t i = 0; group && i < a->nopens; i++)
		for (size_t j = i + 1; group && j < a->nopens; j++)
			group = !strcmp(a->opens[i].path, a->opens[j].path) ==
				!strcmp(b->opens[i].path, b->opens[j].path);
	pcheck(seq, "%s: every open at the same time with the same latency (%zu opens)", tag, a->nopens);
	path_counts(a, ca, &na);
	path_counts(b, cb, &nb);
	pcheck(group && na == nb && !memcmp(ca, cb, na * sizeof(ca[0])),
	       "%s: the same grouping by path: %zu paths, counts alike", tag, na);
	pcheck(!strcmp(a->tcp, b->tcp) && !strcmp(a->udp, b->udp) && a->tcp[0] && a->udp[0],
	       "%s: TCP and UDP: the same ports, bytes, durations and states", tag);
}

/* ebpf-query's top paths, counts only (the first column is the path). */
static char *top_counts(const char *trace, const char *dir)
{
	char out[700];
	struct proc_result r;
	const char *argv[] = { env.query, "--csv", "top 10 paths by opens", trace, NULL };
	struct spawn_opts o = { .in_fd = -1, .out = out };

	snprintf(out, sizeof(out), "%s/top.csv", dir);
	run(argv, &o, 60000, &r);
	char *s = slurp(out, NULL), *w = s;
	for (char *p = s; p && *p;) {
		char *comma = strchr(p, ','), *nl = strchr(p, '\n');

		if (!nl)
			break;
		if (comma && comma < nl) {
			memmove(w, comma, (size_t)(nl - comma + 1));
			w += nl - comma + 1;
		}
		p = nl + 1;
	}
	if (w)
		*w = 0;
	return s;
}

static void write_key(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char hex[34];

	for (int i = 0; i < 32; i++)
		hex[i] = "0123456789abcdef"[(unsigned)rand() % 16];
	hex[32] = '\n';
	if (fd < 0 || write(fd, hex, 33) != 33)
		abort();
	close(fd);
}

/* Records the privacy workload; redact: with --redact. */
static bool record(const char *trace, const char *secret_dir, const char *host, const char *key,
		   bool redact, const char *dir)
{
	char err[700];
	struct proc_result r;
	const char *argv[16] = { env.record, "-q", "-o", trace };
	int n = 4;

	snprintf(err, sizeof(err), "%s/record.stderr", dir);
	if (redact) {
		argv[n++] = "--redact";
		argv[n++] = "--redact-key";
		argv[n++] = key;
	}
	argv[n++] = "--";
	argv[n++] = env.self;
	argv[n++] = "--helper";
	argv[n++] = "privacy";
	argv[n++] = secret_dir;
	argv[n++] = "192.0.2.77";
	argv[n] = NULL;
	struct spawn_opts o = { .in_fd = -1, .err = err, .hostname = host };
	run(argv, &o, 120000, &r);
	if (!(r.exited && r.code == 0)) {
		char *e = slurp(err, NULL);

		note("ebpf-record%s: %s: %.300s", redact ? " --redact" : "", proc_status(&r), e ? e : "");
		free(e);
	}
	return r.exited && r.code == 0;
}

void section_privacy(void)
{
	char *dir = scratch_dir("privacy"), secret_dir[600], host[64], key[600];
	char t0[700], t1[700], t2[700];
	struct secrets sec = { .n = 0 };
	struct content *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	unsigned tag = (unsigned)rand();
	struct proc_result r;

	snprintf(secret_dir, sizeof(secret_dir), "%s/secret-project-%08x", dir, tag);
	mkdir(secret_dir, 0700);
	snprintf(host, sizeof(host), "secret-host-%08x", tag);
	snprintf(key, sizeof(key), "%s/key", dir);
	snprintf(t0, sizeof(t0), "%s/plain.trace", dir);
	snprintf(t1, sizeof(t1), "%s/replay-redacted.trace", dir);
	snprintf(t2, sizeof(t2), "%s/record-redacted.trace", dir);
	write_key(key);

	if (!pcheck(record(t0, secret_dir, host, key, false, dir), "the workload is recorded")) {
		rm_rf(dir);
		free(dir);
		return;
	}
	/* The originals, each checked to be in the plain trace (else the
	 * search for it in the redacted one would prove nothing). */
	char arg[700];
	snprintf(arg, sizeof(arg), "--secret-file=%s/confidential-beta.txt", secret_dir);
	const char *candidates[] = { secret_dir, strrchr(secret_dir, '/') + 1, "confidential-alpha.txt",
				     "confidential-beta.txt", "topsecret-argument", arg,
				     host, "192.0.2.77", "127.0.0.1", env.self, env.tmp };
	decode(t0, a);
	char missing[300] = "";
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		bool in = a->text && strstr(a->text, candidates[i]);

		if (in && sec.n < NSECRETS)
			snprintf(sec.s[sec.n++], sizeof(sec.s[0]), "%s", candidates[i]);
		else if (!in && strlen(missing) < 200)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), " %s",
				 candidates[i]);
	}
	pcheck(sec.n >= 9, "the plain trace holds %d of the originals to look for (not:%s)", sec.n,
	       missing[0] ? missing : " none");

	const char *red[] = { env.replay, "--redact", "--redact-key", key, "-o", t1, t0, NULL };
	run(red, NULL, 120000, &r);
	if (pcheck(r.exited && r.code == 0, "ebpf-replay --redact (%s)", proc_status(&r))) {
		no_originals("ebpf-replay --redact", t1, dir, &sec);
		decode(t1, b);
		same_structure("ebpf-replay --redact", a, b);
		char *ca = top_counts(t0, dir), *cb = top_counts(t1, dir);
		pcheck(ca && cb && ca[0] && !strcmp(ca, cb),
		       "ebpf-query 'top 10 paths by opens': the same counts, latencies and failures");
		free(ca);
		free(cb);
		free(b->text);
	}

	/* the recorder, redacting as it records */
	char help[700];
	snprintf(help, sizeof(help), "%s/help", dir);
	const char *h[] = { env.record, "--help", NULL };
	struct spawn_opts ho = { .in_fd = -1, .out = help };
	run(h, &ho, 10000, &r);
	if (pcheck(file_has(help, "--redact"), "ebpf-record has --redact") &&
	    pcheck(record(t2, secret_dir, host, key, true, dir), "ebpf-record --redact records")) {
		no_originals("ebpf-record --redact", t2, dir, &sec);
		decode(t2, b);
		/* the same key gives the same hashes as ebpf-replay --redact: the
		 * redacted paths of the two files are where the plain trace had
		 * them, in the same order */
		struct content *c1 = malloc(sizeof(*c1));
		char alpha_red[256] = "", beta_red[256] = "";
		uint64_t alpha_plain = 0, beta_plain = 0;
		decode(t1, c1);
		for (size_t i = 0; i < a->nopens && i < c1->nopens; i++) {
			if (strstr(a->opens[i].path, "confidential-alpha.txt")) {
				snprintf(alpha_red, sizeof(alpha_red), "%s", c1->opens[i].path);
				alpha_plain++;
			}
			if (strstr(a->opens[i].path, "confidential-beta.txt")) {
				snprintf(beta_red, sizeof(beta_red), "%s", c1->opens[i].path);
				beta_plain++;
			}
		}
		uint64_t alpha = 0, beta = 0;
		for (size_t i = 0; i < b->nopens; i++) {
			alpha += alpha_red[0] && !strcmp(b->opens[i].path, alpha_red);
			beta += beta_red[0] && !strcmp(b->opens[i].path, beta_red);
		}
		/* the helper's 30 and 20, each after the open that created it */
		pcheck(alpha == 31 && beta == 21 && alpha_plain == 31 && beta_plain == 21,
		       "ebpf-record --redact hashes paths as ebpf-replay --redact does with the same key: "
		       "%llu and %llu opens of the two files (plain: %llu, %llu; the helper: 31, 21)",
		       (unsigned long long)alpha, (unsigned long long)beta,
		       (unsigned long long)alpha_plain, (unsigned long long)beta_plain);
		free(c1->text);
		free(c1);
		free(b->text);
	}
	free(a->text);
	free(a);
	free(b);
	rm_rf(dir);
	free(dir);
}
