/* SPDX-License-Identifier: MIT */
/*
 * Framing (FORMAT.md, "File header" and "Blocks"): the file header, block
 * headers, checksums, full writes and the forward scan that resynchronises
 * after damage. Internal to the format library.
 */
#ifndef EBPFTRACE_BLOCK_H
#define EBPFTRACE_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILE_MAGIC "\x89" "ETRACE\n"
#define FILE_MAGIC_LEN 8
#define FILE_HEADER_SIZE 64

#define BLOCK_SYNC 0x9E4B4C42u /* bytes 42 4C 4B 9E: "BLK\x9e" */
#define BLOCK_HEADER_SIZE 20

/* Limits every reader enforces before trusting a length. */
#define MAX_BLOCK_PAYLOAD (32u << 20)
#define MAX_CHUNK_RAW (16u << 20)

enum block_kind {
	BLOCK_META = 1,
	BLOCK_SCHEMA = 2,
	BLOCK_CHUNK = 3,
	BLOCK_CALIBRATION = 4,
	BLOCK_INDEX = 5,
	BLOCK_TRAILER = 6,
};

#define CALIBRATION_PAYLOAD 24
#define TRAILER_PAYLOAD 16
#define TRAILER_BLOCK_SIZE (BLOCK_HEADER_SIZE + TRAILER_PAYLOAD)

struct file_header {
	uint16_t major;
	uint16_t minor;
	uint32_t flags;
};

struct block_header {
	uint16_t kind;
	uint16_t flags;
	uint32_t length;      /* payload bytes */
	uint32_t payload_crc; /* crc32 of the payload */
};

uint32_t trace_crc32(const void *buf, size_t len);
/* Continues a CRC32 over more bytes. */
uint32_t trace_crc32_more(uint32_t crc, const void *buf, size_t len);

/* Whether a stored checksum matches the computed one. A fuzzing build of
 * the reader (TRACE_FUZZ_NO_CRC) accepts any, so that mutated inputs reach
 * the decoders behind the checksums. */
static inline bool crc_ok(uint32_t stored, uint32_t computed)
{
#ifdef TRACE_FUZZ_NO_CRC
	(void)stored;
	(void)computed;
	return true;
#else
	return stored == computed;
#endif
}

void file_header__encode(uint8_t out[FILE_HEADER_SIZE], const struct file_header *h);
/*
 * 0: valid. -EPROTO: not a trace (bad magic). -EBADMSG: the magic is right
 * but the header checksum is not (h holds version 1.0 then).
 */
int file_header__decode(const uint8_t in[FILE_HEADER_SIZE], struct file_header *h);

/* Fills the 20 header bytes for a payload (computes both checksums). */
void block_header__encode(uint8_t out[BLOCK_HEADER_SIZE], uint16_t kind, const void *payload,
			  uint32_t length);
/* true when the sync marker and header checksum are right and the length
 * is within MAX_BLOCK_PAYLOAD. */
bool block_header__decode(const uint8_t in[BLOCK_HEADER_SIZE], struct block_header *h);

/* write(2) until done; 0 or -errno. */
int write_full(int fd, const void *buf, size_t len);
/* pread(2) until done; 0, -EPIPE at end of file, or -errno. */
int pread_full(int fd, void *buf, size_t len, uint64_t off);

/*
 * Looks for the next valid block header in [from, limit) of fd (a sync
 * marker whose header checksum holds and whose length is within limits).
 * Returns its offset, or limit when there is none.
 */
uint64_t block__resync(int fd, uint64_t from, uint64_t limit);

/* One step of a walk over the blocks in [*pos, limit). */
struct block_step {
	uint64_t off;          /* of the block found (its header is valid) */
	struct block_header h;
	uint64_t skipped;      /* bytes before it, from *pos, that hold no valid block header */
	bool torn;             /* the block's payload runs past limit; or, at the end, fewer
				* bytes than a block header were left */
};

/*
 * 0: st describes the next block with a valid header at or after *pos
 * (resynchronising over damage), and *pos is past it (at limit when it is
 * torn). 1: no block is left; st->skipped bytes at the end hold none. A
 * negative errno when reading fails.
 */
int block__walk(int fd, uint64_t *pos, uint64_t limit, struct block_step *st);

/* CRC32 of len bytes at off, read through buf (cap bytes) in pieces; the
 * first min(len, cap / 2) bytes are left in buf. 0, -EPIPE or -errno. */
int block__crc(int fd, uint64_t off, uint64_t len, uint8_t *buf, size_t cap, uint32_t *crc);

#endif /* EBPFTRACE_BLOCK_H */
