// SPDX-License-Identifier: MIT
/* Keyed hashing of trace contents: the values and the records (redact.h
 * says what becomes of what). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "replay/redact.h"

/* The largest field a record can have, and a metadata value. */
#define FIELD_MAX 65536
#define META_VALUE_MAX (1u << 20)

enum redact_act {
	ACT_PATH = 1,
	ACT_CMDLINE,
	ACT_TOKEN, /* a string the rules do not know: a path when it has a '/' */
	ACT_ADDR,
	ACT_BYTES,
	ACT_ID64, /* an identity (kernel address): another non-zero value */
};

struct redact_action {
	uint8_t act;
	uint16_t off, size;
	int32_t fam_off; /* ACT_ADDR: the type's family field, or -1 */
	uint16_t fam_size;
};

struct redact_plan {
	char *type;
	uint16_t size;
	size_t nfields;
	struct trace_field_desc *fields; /* names owned, to recognise the layout */
	size_t nact;
	struct redact_action *acts;
};

struct redactor {
	uint8_t key[REDACT_KEY_SIZE];
	char key_id[17];
	struct redact_plan **plans;
	size_t nplans;
	char *in;  /* FIELD_MAX + 1: a field's value, NUL-terminated */
	char *out; /* FIELD_MAX + 1: its replacement */
	char *word; /* FIELD_MAX + 1: one word of a command line */
};

/* ---- SipHash-2-4 ----------------------------------------------------------- */

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                              \
	do {                                                                  \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);     \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                        \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                        \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);     \
	} while (0)

uint64_t redact_siphash(const uint8_t key[REDACT_KEY_SIZE], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = get_le64(key), k1 = get_le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = get_le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- keys -------------------------------------------------------------------- */

int redact_key__random(uint8_t key[REDACT_KEY_SIZE])
{
	size_t got = 0;

	while (got < REDACT_KEY_SIZE) {
		ssize_t n = getrandom(key + got, REDACT_KEY_SIZE - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static const char hexdigits[] = "0123456789abcdef";

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int create_key(const char *path, uint8_t key[REDACT_KEY_SIZE])
{
	char text[2 * REDACT_KEY_SIZE + 1];
	int fd, err;

	err = redact_key__random(key);
	if (err)
		return err;
	for (int i = 0; i < REDACT_KEY_SIZE; i++) {
		text[2 * i] = hexdigits[key[i] >> 4];
		text[2 * i + 1] = hexdigits[key[i] & 15];
	}
	text[2 * REDACT_KEY_SIZE] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, text, sizeof(text));
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

int redact_key__load(const char *path, uint8_t key[REDACT_KEY_SIZE], bool *created)
{
	char buf[128];
	ssize_t n;
	size_t len = 0;
	int fd, err = 0;

	*created = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		err = create_key(path, key);
		*created = err == 0;
		return err;
	}
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (err)
		return err;
	if (len == sizeof(buf))
		return -EINVAL;
	size_t end = len;
	while (end > 0 && isspace((unsigned char)buf[end - 1]))
		end--;
	if (end == 2 * REDACT_KEY_SIZE) {
		bool ok = true;

		for (int i = 0; i < REDACT_KEY_SIZE && ok; i++) {
			int hi = hexval((unsigned char)buf[2 * i]), lo = hexval((unsigned char)buf[2 * i + 1]);

			ok = hi >= 0 && lo >= 0;
			key[i] = (uint8_t)(hi << 4 | lo);
		}
		if (ok)
			return 0;
	}
	if (len == REDACT_KEY_SIZE) {
		memcpy(key, buf, REDACT_KEY_SIZE);
		return 0;
	}
	return -EINVAL;
}

/* ---- the redactor ------------------------------------------------------------ */

struct redactor *redactor__new(const uint8_t key[REDACT_KEY_SIZE])
{
	static const char id_text[] = "ebpf-trace redaction key id";
	struct redactor *r = calloc(1, sizeof(*r));
	uint64_t id;

	if (!r)
		return NULL;
	r->in = malloc(FIELD_MAX + 1);
	r->out = malloc(FIELD_MAX + 1);
	r->word = malloc(FIELD_MAX + 1);
	if (!r->in || !r->out || !r->word) {
		redactor__free(r);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(r->key, key, REDACT_KEY_SIZE);
	id = redact_siphash(key, id_text, sizeof(id_text) - 1);
	for (int i = 0; i < 16; i++)
		r->key_id[i] = hexdigits[(id >> (60 - 4 * i)) & 15];
	r->key_id[16] = 0;
	return r;
}

static void plan_free(struct redact_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfields; i++)
		free((char *)p->fields[i].name);
	free(p->fields);
	free(p->acts);
	free(p->type);
	free(p);
}

void redactor__free(struct redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nplans; i++)
		plan_free(r->plans[i]);
	free(r->plans);
	free(r->in);
	free(r->out);
	free(r->word);
	/* the key does not outlive its use in freed memory */
	memset(r->key, 0, sizeof(r->key));
	free(r);
}

const char *redactor__key_id(const struct redactor *r)
{
	return r->key_id;
}

/* ---- values -------------------------------------------------------------------- */

/* Output of at most cap bytes (the NUL goes after). */
struct sink {
	char *buf;
	size_t len, cap;
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (n > s->cap - s->len)
		n = s->cap - s->len;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void put_token(struct redactor *r, struct sink *s, const char *p, size_t n)
{
	char t[REDACT_TOKEN_LEN];
	uint64_t h;

	if (!n)
		return;
	h = redact_siphash(r->key, p, n);
	for (int i = 0; i < REDACT_TOKEN_LEN; i++)
		t[i] = hexdigits[(h >> (60 - 4 * i)) & 15];
	put(s, t, sizeof(t));
}

/* The standard top-level directories: a path under one says little. */
static bool fhs_root(const char *c, size_t n)
{
	static const char *const roots[] = { "bin", "boot", "dev", "etc", "home", "lib", "lib32",
					     "lib64", "libx32", "media", "mnt", "opt", "proc",
					     "root", "run", "sbin", "srv", "sys", "tmp", "usr",
					     "var", NULL };

	for (const char *const *r = roots; *r; r++)
		if (strlen(*r) == n && !memcmp(*r, c, n))
			return true;
	return false;
}

/* A path component stays as it is ('.', '..', empty, a standard root). */
static bool component_kept(const char *c, size_t n, bool first_of_absolute)
{
	if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
		return true;
	return first_of_absolute && fhs_root(c, n);
}

static void render_path(struct redactor *r, const char *in, size_t n, struct sink *s)
{
	bool absolute = n > 0 && in[0] == '/', fits;
	size_t i = absolute, total = absolute;

	/* The whole length first: each component is kept or one token. */
	for (size_t k = i; k <= n;) {
		size_t j = k;

		while (j < n && in[j] != '/')
			j++;
		total += component_kept(in + k, j - k, absolute && k == 1) ? j - k : REDACT_TOKEN_LEN;
		total += j < n; /* the '/' after it */
		k = j + 1;
	}
	fits = s->len + total <= s->cap;
	if (absolute)
		put(s, "/", 1);
	while (i <= n) {
		size_t j = i, piece;
		bool kept;

		while (j < n && in[j] != '/')
			j++;
		kept = component_kept(in + i, j - i, absolute && i == 1);
		piece = kept ? j - i : REDACT_TOKEN_LEN;
		/* Too long: the components that fit, then one token for the rest. */
		if (!fits && s->len + piece + (j < n ? 1 + REDACT_TOKEN_LEN : 0) > s->cap) {
			put_token(r, s, in + i, n - i);
			return;
		}
		if (kept)
			put(s, in + i, j - i);
		else
			put_token(r, s, in + i, j - i);
		if (j < n)
			put(s, "/", 1);
		i = j + 1;
	}
}

const char *redactor__path(struct redactor *r, const char *in, char *out, size_t size)
{
	struct sink s = { out, 0, size - 1 };

	render_path(r, in, strlen(in), &s);
	out[s.len] = 0;
	return out;
}

const char *redactor__token(struct redactor *r, const char *in, char *out, size_t size)
{
	struct sink s = { out, 0, size - 1 };

	put_token(r, &s, in, strlen(in));
	out[s.len] = 0;
	return out;
}

/* --name, -x, -, --: option names say how a program was run, not on what. */
static size_t option_name_len(const char *w, size_t n)
{
	size_t k;

	if (n == 0 || w[0] != '-')
		return 0;
	if (n == 1 || (n == 2 && w[1] == '-'))
		return n;
	if (n == 2 && isalpha((unsigned char)w[1]))
		return 2;
	if (w[1] != '-' || !isalpha((unsigned char)w[2]))
		return 0;
	for (k = 3; k < n && w[k] != '='; k++)
		if (!isalnum((unsigned char)w[k]) && w[k] != '-')
			return 0;
	return k;
}

static bool has_slash(const char *p, size_t n)
{
	return memchr(p, '/', n) != NULL;
}

/* A path when it has a '/', else one token. */
static void render_value(struct redactor *r, const char *p, size_t n, struct sink *s)
{
	if (has_slash(p, n))
		render_path(r, p, n, s);
	else
		put_token(r, s, p, n);
}

static void render_word(struct redactor *r, const char *w, size_t n, struct sink *s)
{
	size_t opt = option_name_len(w, n);

	if (opt == n) {
		put(s, w, n);
	} else if (opt) {
		put(s, w, opt + 1); /* --name= */
		render_value(r, w + opt + 1, n - opt - 1, s);
	} else {
		render_value(r, w, n, s);
	}
}

static void render_cmdline_with(struct redactor *r, const char *in, size_t n, struct sink *s,
				char *scratch)
{
	size_t total = 0;
	bool fits;

	for (size_t i = 0; i <= n;) {
		size_t j = i;
		struct sink ws = { scratch, 0, s->cap };

		while (j < n && in[j] != ' ')
			j++;
		render_word(r, in + i, j - i, &ws);
		total += ws.len + (j < n);
		i = j + 1;
	}
	fits = s->len + total <= s->cap;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		struct sink ws = { scratch, 0, s->cap };

		while (j < n && in[j] != ' ')
			j++;
		render_word(r, in + i, j - i, &ws);
		if (!fits && s->len + ws.len + (j < n ? 1 + REDACT_TOKEN_LEN : 0) > s->cap) {
			put_token(r, s, in + i, n - i);
			return;
		}
		put(s, scratch, ws.len);
		if (j < n)
			put(s, " ", 1);
		i = j + 1;
	}
}

static void render_cmdline(struct redactor *r, const char *in, size_t n, struct sink *s)
{
	char *scratch = s->cap <= FIELD_MAX ? r->word : malloc(s->cap + 1);

	if (scratch)
		render_cmdline_with(r, in, n, s, scratch);
	else
		put_token(r, s, in, n); /* no memory for the words: one token */
	if (scratch != r->word)
		free(scratch);
}

const char *redactor__cmdline(struct redactor *r, const char *in, char *out, size_t size)
{
	struct sink s = { out, 0, size - 1 };

	render_cmdline(r, in, strlen(in), &s);
	out[s.len] = 0;
	return out;
}
static void map_ipv4(struct redactor *r, const uint8_t in[4], uint8_t out[4])
{
	uint32_t a = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
	uint8_t tagged[5] = { '4', in[0], in[1], in[2], in[3] };
	uint64_t h;
	uint32_t v;

	if (a == 0 || a == 0xffffffffu) {
		memcpy(out, in, 4);
		return;
	}
	h = redact_siphash(r->key, tagged, sizeof(tagged));
	if (in[0] == 127) {
		v = 0x7f000000u | (uint32_t)(h & 0xffffff);
	} else {
		v = 0xf0000000u | (uint32_t)(h & 0x0fffffff);
		if (v == 0xffffffffu)
			v--;
	}
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Keyed pseudo-random bytes of the same length; zeros stay zeros. */
static void hash_bytes(struct redactor *r, const uint8_t *in, uint8_t *out, size_t n)
{
	uint8_t ctr[16];
	uint64_t seed, h;

	if (all_zero(in, n)) {
		memmove(out, in, n);
		return;
	}
	seed = redact_siphash(r->key, in, n);
	for (int i = 0; i < 8; i++)
		ctr[i] = (uint8_t)(seed >> (8 * i));
	for (size_t off = 0; off < n; off += 8) {
		uint64_t c = off / 8;

		for (int i = 0; i < 8; i++)
			ctr[8 + i] = (uint8_t)(c >> (8 * i));
		h = redact_siphash(r->key, ctr, sizeof(ctr));
		for (size_t i = 0; i < 8 && off + i < n; i++)
			out[off + i] = (uint8_t)(h >> (8 * i));
	}
}

void redactor__addr(struct redactor *r, uint16_t family, const uint8_t in[16], uint8_t out[16])
{
	static const uint8_t loop6[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint8_t src[16], tagged[17];
	uint64_t h1, h2;

	memcpy(src, in, 16); /* out may be in */
	if (family == 2) {
		map_ipv4(r, src, out);
		hash_bytes(r, src + 4, out + 4, 12);
		return;
	}
	if (family != 10) {
		hash_bytes(r, src, out, 16);
		return;
	}
	if (all_zero(src, 16) || !memcmp(src, loop6, 16)) {
		memcpy(out, src, 16);
		return;
	}
	if (!memcmp(src, mapped, 12)) {
		memcpy(out, src, 12);
		map_ipv4(r, src + 12, out + 12);
		return;
	}
	tagged[0] = '6';
	memcpy(tagged + 1, src, 16);
	h1 = redact_siphash(r->key, tagged, sizeof(tagged));
	tagged[0] = '7';
	h2 = redact_siphash(r->key, tagged, sizeof(tagged));
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	for (int i = 0; i < 8; i++)
		out[4 + i] = (uint8_t)(h1 >> (8 * i));
	for (int i = 0; i < 4; i++)
		out[12 + i] = (uint8_t)(h2 >> (8 * i));
}

/* ---- metadata ------------------------------------------------------------------ */

static bool meta_kept(const char *key)
{
	static const char *const exact[] = { "session.id", "segment.index", "host.kernel_release",
					     "host.machine", "host.cpus", "host.page_size", "probes",
					     "record.version", "record.ring_size", "record.exit_status",
					     "redact.key_id", NULL };

	for (const char *const *k = exact; *k; k++)
		if (!strcmp(*k, key))
			return true;
	/* the probes' strategies and counts, the recording's filters */
	return !strncmp(key, "probe.", 6) || !strncmp(key, "filter.", 7);
}

char *redactor__meta(struct redactor *r, const char *key, const char *value)
{
	size_t n = strlen(value), size;
	char *out;

	if (meta_kept(key))
		return strdup(value);
	if (!strcmp(key, "host.boot_id")) {
		/* still a UUID, the same for every file of one boot */
		uint8_t tagged[64];
		size_t len = n < sizeof(tagged) - 1 ? n : sizeof(tagged) - 1;
		uint64_t h[2];
		char *p;

		if (!n)
			return strdup("");
		out = malloc(37);
		if (!out)
			return NULL;
		memcpy(tagged + 1, value, len);
		for (int k = 0; k < 2; k++) {
			tagged[0] = (uint8_t)('b' + k);
			h[k] = redact_siphash(r->key, tagged, len + 1);
		}
		p = out;
		for (int i = 0; i < 32; i++) {
			if (i == 8 || i == 12 || i == 16 || i == 20)
				*p++ = '-';
			*p++ = hexdigits[(h[i / 16] >> (60 - 4 * (i % 16))) & 15];
		}
		*p = 0;
		return out;
	}
	/* Room for every word hashed (a token is 12 bytes for at least 2 of
	 * input with its separator), within the format's limit. */
	size = n <= (META_VALUE_MAX - 64) / 13 ? 13 * n + 64 : META_VALUE_MAX + 1;
	out = malloc(size);
	if (!out)
		return NULL;
	if (!strcmp(key, "host.hostname"))
		return (char *)redactor__token(r, value, out, size);
	return (char *)redactor__cmdline(r, value, out, size);
}

/* ---- records ------------------------------------------------------------------- */

static bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static bool is_int(uint8_t type)
{
	return type >= TRACE_FIELD_U8 && type <= TRACE_FIELD_S64;
}

/* What happens to one field; 0 when it stays. */
static int field_act(const char *type, const struct trace_field_desc *f)
{
	static const char *const kept_str[] = { "comm", "call", "probe", NULL };
	static const char *const paths[] = { "path", "filename", "file", "exe", "cwd", "dir",
					     "oldpath", "newpath", "target", NULL };
	static const char *const cmdlines[] = { "args", "cmdline", "argv", "command", "cmd", NULL };

	if (f->hint == TRACE_HINT_IPADDR && f->type == TRACE_FIELD_BYTES)
		return ACT_ADDR;
	if (f->type == TRACE_FIELD_STR) {
		if (name_in(f->name, kept_str) ||
		    (!strcmp(type, "syscall_name") && !strcmp(f->name, "name")))
			return 0;
		if (name_in(f->name, paths))
			return ACT_PATH;
		if (name_in(f->name, cmdlines))
			return ACT_CMDLINE;
		return ACT_TOKEN;
	}
	if (f->type == TRACE_FIELD_BYTES)
		return ACT_BYTES;
	if (is_int(f->type) && f->count == 1 && !strcmp(f->name, "skaddr"))
		return ACT_ID64;
	return 0;
}

static bool same_layout(const struct redact_plan *p, const char *type,
			const struct trace_field_desc *fields, size_t nfields, uint16_t size)
{
	if (p->size != size || p->nfields != nfields || strcmp(p->type, type))
		return false;
	for (size_t i = 0; i < nfields; i++) {
		const struct trace_field_desc *a = &p->fields[i], *b = &fields[i];

		if (strcmp(a->name, b->name) || a->type != b->type || a->hint != b->hint ||
		    a->offset != b->offset || a->size != b->size || a->count != b->count)
			return false;
	}
	return true;
}

static struct redact_plan *make_plan(const char *type, const struct trace_field_desc *fields,
				     size_t nfields, uint16_t size)
{
	struct redact_plan *p = calloc(1, sizeof(*p));
	const struct trace_field_desc *fam = NULL;

	if (!p)
		return NULL;
	p->type = strdup(type);
	p->size = size;
	p->fields = calloc(nfields ? nfields : 1, sizeof(*p->fields));
	p->acts = calloc(nfields ? nfields : 1, sizeof(*p->acts));
	if (!p->type || !p->fields || !p->acts)
		goto fail;
	for (size_t i = 0; i < nfields; i++) {
		p->fields[i] = fields[i];
		p->fields[i].name = strdup(fields[i].name);
		p->nfields = i + 1;
		if (!p->fields[i].name)
			goto fail;
		if (is_int(fields[i].type) && fields[i].count == 1 &&
		    (fields[i].hint == TRACE_HINT_FAMILY || (!fam && !strcmp(fields[i].name, "family"))))
			fam = &fields[i];
	}
	for (size_t i = 0; i < nfields; i++) {
		const struct trace_field_desc *f = &fields[i];
		int act = field_act(type, f);

		/* A field outside the record is the reader's to refuse; never
		 * touch bytes that are not the record's. */
		if (!act || (size_t)f->offset + f->size > size || !f->size)
			continue;
		p->acts[p->nact++] = (struct redact_action){
			.act = (uint8_t)act, .off = f->offset, .size = f->size,
			.fam_off = fam && (size_t)fam->offset + fam->size <= size ? fam->offset : -1,
			.fam_size = fam ? fam->size : 0,
		};
	}
	return p;
fail:
	plan_free(p);
	return NULL;
}

const struct redact_plan *redactor__plan(struct redactor *r, const char *type,
					 const struct trace_field_desc *fields, size_t nfields,
					 uint16_t size)
{
	struct redact_plan *p, **grown;

	for (size_t i = 0; i < r->nplans; i++)
		if (same_layout(r->plans[i], type, fields, nfields, size))
			return r->plans[i];
	p = make_plan(type, fields, nfields, size);
	grown = p ? realloc(r->plans, (r->nplans + 1) * sizeof(*r->plans)) : NULL;
	if (!grown) {
		plan_free(p);
		errno = ENOMEM;
		return NULL;
	}
	r->plans = grown;
	r->plans[r->nplans++] = p;
	return p;
}

const struct redact_plan *redactor__plan_schema(struct redactor *r, const struct trace_schema *s)
{
	size_t n = trace_schema__nfields(s);
	struct trace_field_desc *fields = calloc(n ? n : 1, sizeof(*fields));
	const struct redact_plan *p;

	if (!fields) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		fields[i] = *trace_schema__field(s, i);
	p = redactor__plan(r, trace_schema__name(s), fields, n, trace_schema__size(s));
	free(fields);
	return p;
}

static uint64_t load_uint(const uint8_t *p, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	case 8: memcpy(&u64, p, 8); return u64;
	default: return 0;
	}
}

static void store_uint(uint8_t *p, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &u8, 1); break;
	case 2: memcpy(p, &u16, 2); break;
	case 4: memcpy(p, &u32, 4); break;
	case 8: memcpy(p, &v, 8); break;
	}
}

static void apply_str(struct redactor *r, int act, char *field, size_t size)
{
	size_t n = strnlen(field, size - 1);
	struct sink s = { r->out, 0, size - 1 };

	if (!n)
		return;
	memcpy(r->in, field, n);
	r->in[n] = 0;
	if (act == ACT_PATH)
		render_path(r, r->in, n, &s);
	else if (act == ACT_CMDLINE)
		render_cmdline(r, r->in, n, &s);
	else
		render_value(r, r->in, n, &s);
	memset(field, 0, size);
	memcpy(field, r->out, s.len);
}

void redactor__apply(struct redactor *r, const struct redact_plan *p, void *rec)
{
	uint8_t *b = rec;

	for (size_t i = 0; i < p->nact; i++) {
		const struct redact_action *a = &p->acts[i];
		uint8_t *f = b + a->off;

		switch (a->act) {
		case ACT_PATH:
		case ACT_CMDLINE:
		case ACT_TOKEN:
			apply_str(r, a->act, (char *)f, a->size);
			break;
		case ACT_ADDR: {
			uint16_t fam = a->fam_off >= 0 ? (uint16_t)load_uint(b + a->fam_off, a->fam_size) : 0;

			if (a->size == 16)
				redactor__addr(r, fam, f, f);
			else if (a->size == 4)
				map_ipv4(r, f, f);
			else
				hash_bytes(r, f, f, a->size);
			break;
		}
		case ACT_BYTES:
			hash_bytes(r, f, f, a->size);
			break;
		case ACT_ID64: {
			uint64_t v = load_uint(f, a->size), mask, h;
			uint8_t tagged[9] = { 'k' };

			if (!v)
				break;
			for (int k = 0; k < 8; k++)
				tagged[1 + k] = (uint8_t)(v >> (8 * k));
			mask = a->size >= 8 ? ~0ULL : (1ULL << (8 * a->size)) - 1;
			h = redact_siphash(r->key, tagged, sizeof(tagged)) & mask;
			store_uint(f, a->size, h ? h : 1);
			break;
		}
		}
	}
}

void redactor__process(struct redactor *r, struct trace_process *p)
{
	char *field = p->cmdline;

	apply_str(r, ACT_CMDLINE, field, sizeof(p->cmdline));
}
