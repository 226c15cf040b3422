// SPDX-License-Identifier: MIT
/* Field binding by name, cached per schema pointer, and the small
 * formatting helpers every output shares. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"

/* Schemas live as long as their reader; a recording has a dozen types per
 * file, so a small cache with round-robin replacement stays bounded even
 * when readers come and go. */
#define BIND_CACHE 64

struct bind_entry {
	const struct trace_schema *schema;
	bool match;
	const struct trace_field_desc **fields;
};

struct replay_binding {
	const char *type;
	const char *const *names;
	size_t nfields;
	struct bind_entry cache[BIND_CACHE];
	size_t used, next, last;
};

struct replay_binding *replay_binding__new(const char *type, const char *const *fields,
					   size_t nfields)
{
	struct replay_binding *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->type = type;
	b->names = fields;
	b->nfields = nfields;
	for (size_t i = 0; i < BIND_CACHE; i++) {
		b->cache[i].fields = calloc(nfields ? nfields : 1, sizeof(*b->cache[i].fields));
		if (!b->cache[i].fields) {
			replay_binding__free(b);
			errno = ENOMEM;
			return NULL;
		}
	}
	return b;
}

void replay_binding__free(struct replay_binding *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < BIND_CACHE; i++)
		free(b->cache[i].fields);
	free(b);
}

const struct trace_field_desc *const *replay_binding__resolve(struct replay_binding *b,
							       const struct trace_schema *s)
{
	struct bind_entry *e = &b->cache[b->last];

	if (e->schema != s || !s) {
		size_t i;
		for (i = 0; i < b->used; i++)
			if (b->cache[i].schema == s)
				break;
		if (i == b->used) {
			if (b->used < BIND_CACHE) {
				i = b->used++;
			} else {
				i = b->next;
				b->next = (b->next + 1) % BIND_CACHE;
			}
			e = &b->cache[i];
			e->schema = s;
			e->match = s && (!b->type || strcmp(trace_schema__name(s), b->type) == 0);
			for (size_t f = 0; f < b->nfields; f++)
				e->fields[f] = e->match ? trace_schema__find_field(s, b->names[f]) : NULL;
		}
		b->last = i;
		e = &b->cache[i];
	}
	return e->match ? e->fields : NULL;
}

/* Records are little-endian (FORMAT.md); on a little-endian host a field
 * is read in place, which the per-event outputs notice. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define READER(name, type)                         \
	static inline type name(const char *p)     \
	{                                          \
		type v;                            \
		memcpy(&v, p, sizeof(v));          \
		return v;                          \
	}
READER(rd_u8, uint8_t)
READER(rd_u16, uint16_t)
READER(rd_u32, uint32_t)
READER(rd_u64, uint64_t)
READER(rd_s8, int8_t)
READER(rd_s16, int16_t)
READER(rd_s32, int32_t)
READER(rd_s64, int64_t)

uint64_t replay_field_u64(const struct trace_field_desc *f, const void *rec)
{
	if (!f)
		return 0;
	const char *p = (const char *)rec + f->offset;
	switch (f->type) {
	case TRACE_FIELD_U8: return rd_u8(p);
	case TRACE_FIELD_U16: return rd_u16(p);
	case TRACE_FIELD_U32: return rd_u32(p);
	case TRACE_FIELD_U64: return rd_u64(p);
	case TRACE_FIELD_S8: return (uint64_t)(int64_t)rd_s8(p);
	case TRACE_FIELD_S16: return (uint64_t)(int64_t)rd_s16(p);
	case TRACE_FIELD_S32: return (uint64_t)(int64_t)rd_s32(p);
	case TRACE_FIELD_S64: return (uint64_t)rd_s64(p);
	default: return 0;
	}
}

int64_t replay_field_i64(const struct trace_field_desc *f, const void *rec)
{
	return (int64_t)replay_field_u64(f, rec);
}
#else
uint64_t replay_field_u64(const struct trace_field_desc *f, const void *rec)
{
	if (!f || f->type == TRACE_FIELD_STR || f->type == TRACE_FIELD_BYTES)
		return 0;
	return trace_field__u64(f, rec, 0);
}

int64_t replay_field_i64(const struct trace_field_desc *f, const void *rec)
{
	if (!f || f->type == TRACE_FIELD_STR || f->type == TRACE_FIELD_BYTES)
		return 0;
	return trace_field__i64(f, rec, 0);
}
#endif

const char *replay_field_str(const struct trace_field_desc *f, const void *rec, char *buf,
			     size_t size)
{
	if (!size)
		return buf;
	buf[0] = '\0';
	if (!f || (f->type != TRACE_FIELD_STR && f->type != TRACE_FIELD_BYTES))
		return buf;
	const char *s = (const char *)rec + f->offset;
	size_t n = f->size < size - 1 ? f->size : size - 1;
	size_t len = strnlen(s, n);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

const char *replay_format_addr(uint16_t family, const uint8_t *addr, char *buf, size_t size)
{
	if (family == AF_INET) {
		if (inet_ntop(AF_INET, addr, buf, size))
			return buf;
	} else if (family == AF_INET6) {
		if (inet_ntop(AF_INET6, addr, buf, size))
			return buf;
	}
	snprintf(buf, size, "-");
	return buf;
}

const char *replay_tcp_state_name(unsigned state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT",	 [3] = "SYN_RECV",   [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2",   [6] = "TIME_WAIT",	 [7] = "CLOSE",	     [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK",    [10] = "LISTEN",	 [11] = "CLOSING",   [12] = "NEW_SYN_RECV",
	};
	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "UNKNOWN";
}

const char *replay_errno_name(int err)
{
	static const char *const names[] = {
		[EPERM] = "EPERM",	 [ENOENT] = "ENOENT",	   [ESRCH] = "ESRCH",
		[EINTR] = "EINTR",	 [EIO] = "EIO",		   [ENXIO] = "ENXIO",
		[E2BIG] = "E2BIG",	 [ENOEXEC] = "ENOEXEC",	   [EBADF] = "EBADF",
		[ECHILD] = "ECHILD",	 [EAGAIN] = "EAGAIN",	   [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES",	 [EFAULT] = "EFAULT",	   [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",	 [EXDEV] = "EXDEV",	   [ENODEV] = "ENODEV",
		[ENOTDIR] = "ENOTDIR",	 [EISDIR] = "EISDIR",	   [EINVAL] = "EINVAL",
		[ENFILE] = "ENFILE",	 [EMFILE] = "EMFILE",	   [ETXTBSY] = "ETXTBSY",
		[EFBIG] = "EFBIG",	 [ENOSPC] = "ENOSPC",	   [ESPIPE] = "ESPIPE",
		[EROFS] = "EROFS",	 [EMLINK] = "EMLINK",	   [EPIPE] = "EPIPE",
		[ERANGE] = "ERANGE",	 [EDEADLK] = "EDEADLK",	   [ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOSYS] = "ENOSYS",	 [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP",
		[ENOTSUP] = "EOPNOTSUPP", [ENODATA] = "ENODATA",   [EOVERFLOW] = "EOVERFLOW",
		[ECONNREFUSED] = "ECONNREFUSED", [ECONNRESET] = "ECONNRESET",
		[ETIMEDOUT] = "ETIMEDOUT", [EHOSTUNREACH] = "EHOSTUNREACH",
		[ENETUNREACH] = "ENETUNREACH", [EADDRINUSE] = "EADDRINUSE",
		[EINPROGRESS] = "EINPROGRESS", [ENOTCONN] = "ENOTCONN", [ESTALE] = "ESTALE",
		[EDQUOT] = "EDQUOT",	 [ENOTSOCK] = "ENOTSOCK",  [ENOTTY] = "ENOTTY",
		[ECANCELED] = "ECANCELED",
	};
	if (err > 0 && (size_t)err < sizeof(names) / sizeof(names[0]))
		return names[err];
	return NULL;
}

unsigned replay_log2_slot(uint64_t v)
{
	if (v < 2)
		return 0;
	return 63 - (unsigned)__builtin_clzll(v);
}

static void print_stars(FILE *out, uint64_t val, uint64_t val_max, int width)
{
	int stars = (int)((val < val_max ? val : val_max) * (uint64_t)width / val_max);
	for (int i = 0; i < stars; i++)
		fputc('*', out);
	for (int i = stars; i < width; i++)
		fputc(' ', out);
	if (val > val_max)
		fputc('+', out);
}

void replay_print_log2_hist(FILE *out, const uint64_t *slots, size_t nslots, const char *unit)
{
	size_t first = nslots, last = 0;
	uint64_t max = 0;

	for (size_t i = 0; i < nslots; i++) {
		if (!slots[i])
			continue;
		if (first == nslots)
			first = i;
		last = i;
		if (slots[i] > max)
			max = slots[i];
	}
	if (first == nslots) {
		fprintf(out, "     (no samples)\n");
		return;
	}
	/* bcc's print_log2_hist: wider columns when values pass 2^32. */
	bool wide = last > 32;
	int vw = wide ? 20 : 10, sw = wide ? 20 : 40;
	fprintf(out, "%*s%-*s : count    distribution\n", wide ? 15 : 5, "", wide ? 29 : 19, unit);
	for (size_t i = first; i <= last; i++) {
		unsigned long long low = i ? 1ULL << i : 0;
		unsigned long long high = i < 63 ? (1ULL << (i + 1)) - 1 : UINT64_MAX;
		fprintf(out, "%*llu -> %-*llu : %-8llu |", vw, low, vw, high,
			(unsigned long long)slots[i]);
		print_stars(out, slots[i], max, sw);
		fputs("|\n", out);
	}
}
