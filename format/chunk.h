/* SPDX-License-Identifier: MIT */
/*
 * CHUNK payload constants shared by the encoder and the decoder (FORMAT.md,
 * "CHUNK block"). Internal to the format library.
 */
#ifndef EBPFTRACE_CHUNK_H
#define EBPFTRACE_CHUNK_H

#include <stdint.h>

#define CHUNK_HEADER_FIXED 32
#define CHUNK_TYPE_ENTRY 8
#define CHUNK_MAX_TYPES 4096

enum chunk_codec {
	CODEC_NONE = 0,
	CODEC_LZ4 = 1,
};

/* Column encodings. */
enum col_enc {
	ENC_CONST = 0, /* one value for every row */
	ENC_PLAIN = 1, /* one value per row (signed integers zigzagged) */
	ENC_DELTA = 2, /* zigzag(value - previous row's value), first row's previous 0 */
	ENC_TSREL = 3, /* zigzag(value - the row's timestamp); integers only */
	ENC_FIXED = 4, /* base, width, then (value - base) in width bytes per row */
};

/* A type's events in one chunk, as the chunk header lists them. */
struct chunk_type_count {
	uint16_t id;
	uint32_t count;
};

#endif /* EBPFTRACE_CHUNK_H */
