// SPDX-License-Identifier: MIT
/* Framing: file header, block headers, full I/O, resynchronisation. */
#include "block.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire.h"
#include "trace.h"

void file_header__encode(uint8_t out[FILE_HEADER_SIZE], const struct file_header *h)
{
	memset(out, 0, FILE_HEADER_SIZE);
	memcpy(out, FILE_MAGIC, FILE_MAGIC_LEN);
	put_le16(out + 8, h->major);
	put_le16(out + 10, h->minor);
	put_le32(out + 12, h->flags);
	put_le32(out + 60, trace_crc32(out, 60));
}

int file_header__decode(const uint8_t in[FILE_HEADER_SIZE], struct file_header *h)
{
	if (memcmp(in, FILE_MAGIC, FILE_MAGIC_LEN) != 0)
		return -EPROTO;
	if (!crc_ok(get_le32(in + 60), trace_crc32(in, 60))) {
		h->major = TRACE_FORMAT_MAJOR;
		h->minor = TRACE_FORMAT_MINOR;
		h->flags = 0;
		return -EBADMSG;
	}
	h->major = get_le16(in + 8);
	h->minor = get_le16(in + 10);
	h->flags = get_le32(in + 12);
	return 0;
}

void block_header__encode(uint8_t out[BLOCK_HEADER_SIZE], uint16_t kind, const void *payload,
			  uint32_t length)
{
	put_le32(out, BLOCK_SYNC);
	put_le16(out + 4, kind);
	put_le16(out + 6, 0);
	put_le32(out + 8, length);
	put_le32(out + 12, trace_crc32(payload, length));
	put_le32(out + 16, trace_crc32(out, 16));
}

bool block_header__decode(const uint8_t in[BLOCK_HEADER_SIZE], struct block_header *h)
{
	if (get_le32(in) != BLOCK_SYNC || !crc_ok(get_le32(in + 16), trace_crc32(in, 16)))
		return false;
	h->kind = get_le16(in + 4);
	h->flags = get_le16(in + 6);
	h->length = get_le32(in + 8);
	h->payload_crc = get_le32(in + 12);
	return h->length <= MAX_BLOCK_PAYLOAD && h->kind != 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

#define RESYNC_WINDOW (64u << 10)

uint64_t block__resync(int fd, uint64_t from, uint64_t limit)
{
	/* Windows overlap by a header so that a header straddling two
	 * windows is seen whole. */
	uint8_t *buf = malloc(RESYNC_WINDOW + BLOCK_HEADER_SIZE);
	uint64_t pos = from, found = limit;

	if (!buf)
		return limit;
	while (pos + BLOCK_HEADER_SIZE <= limit) {
		uint64_t want = limit - pos;

		if (want > RESYNC_WINDOW + BLOCK_HEADER_SIZE)
			want = RESYNC_WINDOW + BLOCK_HEADER_SIZE;
		if (pread_full(fd, buf, (size_t)want, pos) < 0)
			break;
		size_t last = (size_t)want - BLOCK_HEADER_SIZE;

		for (size_t i = 0; i <= last; i++) {
			struct block_header h;

			if (buf[i] != 0x42 || get_le32(buf + i) != BLOCK_SYNC)
				continue;
			if (block_header__decode(buf + i, &h)) {
				found = pos + i;
				goto out;
			}
		}
		pos += last + 1;
	}
out:
	free(buf);
	return found;
}

int block__walk(int fd, uint64_t *pos, uint64_t limit, struct block_step *st)
{
	uint64_t p = *pos;

	memset(st, 0, sizeof(*st));
	for (;;) {
		uint8_t b[BLOCK_HEADER_SIZE];
		int err;

		if (p >= limit || limit - p < BLOCK_HEADER_SIZE) {
			st->torn = p < limit;
			st->skipped = limit - *pos;
			*pos = limit;
			return 1;
		}
		err = pread_full(fd, b, sizeof(b), p);
		if (err)
			return err;
		if (!block_header__decode(b, &st->h)) {
			p = block__resync(fd, p + 1, limit);
			continue;
		}
		st->off = p;
		st->skipped = p - *pos;
		if (st->h.length > limit - p - BLOCK_HEADER_SIZE) {
			st->torn = true;
			*pos = limit;
		} else {
			*pos = p + BLOCK_HEADER_SIZE + st->h.length;
		}
		return 0;
	}
}

int block__crc(int fd, uint64_t off, uint64_t len, uint8_t *buf, size_t cap, uint32_t *crc)
{
	/* The first half of buf keeps the payload's start; the rest of the
	 * payload streams through the second half. */
	size_t keep = cap / 2, n = len < keep ? (size_t)len : keep;
	int err = pread_full(fd, buf, n, off);
	uint32_t c;

	if (err)
		return err;
	c = trace_crc32(buf, n);
	off += n;
	len -= n;
	while (len > 0) {
		n = len < cap - keep ? (size_t)len : cap - keep;
		err = pread_full(fd, buf + keep, n, off);
		if (err)
			return err;
		c = trace_crc32_more(c, buf + keep, n);
		off += n;
		len -= n;
	}
	*crc = c;
	return 0;
}
