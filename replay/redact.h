/* SPDX-License-Identifier: MIT */
/*
 * Redaction: a copy of a trace whose contents no longer say whose machine
 * it came from or what they were working on, for bug reports. Paths,
 * command lines, program arguments, IP addresses, kernel socket addresses,
 * the hostname and the boot id are replaced by stable keyed hashes
 * (SipHash-2-4, 128-bit key): equal inputs give equal outputs under one key,
 * so every analysis still groups, counts and joins as on the original.
 *
 * What a value becomes:
 * - a path keeps its shape: a leading '/', '.', '..', empty components
 *   and a trailing '/' stay; every component becomes 12 hex digits of its
 *   hash, except the first component of an absolute path when it is one
 *   of the standard top-level directories (usr, etc, proc, tmp, home, ...),
 *   which says where a file is without saying which;
 * - a command line keeps its words' separators and its option names
 *   (--probes, -o; the value after '=' is hashed); other words are hashed,
 *   as paths when they contain '/', so an argument naming a file hashes
 *   like the opens of that file;
 * - an IPv4 address stays valid: 0.0.0.0 and 255.255.255.255 stay,
 *   loopback stays in 127.0.0.0/8, any other goes into the reserved
 *   240.0.0.0/4; IPv6 :: and ::1 stay, v4-mapped ones map their IPv4
 *   part, others go into the documentation prefix 2001:db8::/32;
 * - a kernel socket address (skaddr) becomes another non-zero 64-bit
 *   value; other opaque bytes become keyed pseudo-random bytes;
 * - what stays: every number (pids, uids, ports, sizes, counts, times,
 *   latencies, flags, errnos), task names (comm), syscall names, probe
 *   names and the recorder's settings.
 * String and bytes fields the rules do not know (a newer recorder's) are
 * hashed too: what is not known to be harmless goes.
 *
 * A value that would not fit its field once hashed (a path of many short
 * components) keeps as many hashed components as fit and ends in one hash
 * of the rest. Conventions as in replay.h.
 */
#ifndef EBPFREPLAY_REDACT_H
#define EBPFREPLAY_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REDACT_KEY_SIZE 16
/* Hex digits of a hashed path component or word. */
#define REDACT_TOKEN_LEN 12

/* SipHash-2-4 of data under key (Aumasson and Bernstein), as the reference
 * implementation's little-endian output bytes read as a u64. */
uint64_t redact_siphash(const uint8_t key[REDACT_KEY_SIZE], const void *data, size_t len);

/* A fresh random key (getrandom). */
int redact_key__random(uint8_t key[REDACT_KEY_SIZE]);
/* Reads a key from path: 32 hex digits (and optional trailing white
 * space), or exactly 16 raw bytes. When path does not exist, creates it
 * (mode 0600, never through a symbolic link) with a random key and sets
 * *created. -EINVAL: the file holds no key. */
int redact_key__load(const char *path, uint8_t key[REDACT_KEY_SIZE], bool *created);

struct redactor;

struct redactor *redactor__new(const uint8_t key[REDACT_KEY_SIZE]);
void redactor__free(struct redactor *r);
/* 16 hex digits that identify the key without revealing it: traces with
 * the same key id can be compared hash for hash. Lives as long as r. */
const char *redactor__key_id(const struct redactor *r);

/* Values. out receives at most size - 1 bytes and a NUL (size >= 1);
 * each returns out. */
const char *redactor__token(struct redactor *r, const char *in, char *out, size_t size);
const char *redactor__path(struct redactor *r, const char *in, char *out, size_t size);
const char *redactor__cmdline(struct redactor *r, const char *in, char *out, size_t size);
/* A 16-byte address field (IPv4 in its first 4 bytes when family is 2,
 * IPv6 when 10); other families: pseudo-random bytes unless all zero. */
void redactor__addr(struct redactor *r, uint16_t family, const uint8_t in[16], uint8_t out[16]);
/* The value a metadata key gets in a redacted trace, allocated (free it),
 * or NULL with errno ENOMEM. Keys known to be harmless keep their value. */
char *redactor__meta(struct redactor *r, const char *key, const char *value);

/* Records. A plan says what happens to each field of one record type; it
 * is made once per type and layout, owned by r. NULL and errno ENOMEM. */
struct redact_plan;

const struct redact_plan *redactor__plan(struct redactor *r, const char *type,
					 const struct trace_field_desc *fields, size_t nfields,
					 uint16_t size);
/* The plan of a schema as a reader has it. */
const struct redact_plan *redactor__plan_schema(struct redactor *r, const struct trace_schema *s);
/* Redacts rec, a record of the plan's type (its size bytes), in place. */
void redactor__apply(struct redactor *r, const struct redact_plan *p, void *rec);
/* The format's own records: a process keeps its numbers and comm, its
 * command line is hashed; lost records hold nothing to redact. */
void redactor__process(struct redactor *r, struct trace_process *p);

/* ---- a redacted copy of a trace (redact_trace.c) -------------------------- */

struct redact_stats {
	uint64_t events;  /* written */
	uint64_t skipped; /* of types that cannot be written again (unknown field types) */
	uint32_t files;   /* read */
};

/* Writes out: the metadata (merged over the files, later ones winning),
 * every calibration, every record type and every event that rd reads,
 * redacted. The files must come from one boot (-EXDEV otherwise). out
 * must not be one of the inputs (-EEXIST). On failure a message for the
 * user is in err. */
int redact__trace(struct trace_reader *rd, const char *out, struct redactor *r,
		  const struct trace_writer_opts *wo, struct redact_stats *st, char *err,
		  size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* EBPFREPLAY_REDACT_H */
