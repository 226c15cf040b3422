// SPDX-License-Identifier: MIT
/* Block checksums: the folded CRC32 equals zlib's at every length,
 * alignment and split, and the format's check value. */
#include <zlib.h>

#include "test_format_util.h"

static uint32_t zlib_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

Test(format_crc, check_value)
{
	cr_assert_eq(trace_crc32("123456789", 9), 0xCBF43926u);
	cr_assert_eq(trace_crc32("", 0), 0);
}

Test(format_crc, equals_zlib_at_every_length_and_alignment)
{
	const size_t max = 1100;
	uint8_t *buf = malloc(max + 16);
	uint64_t x = 0x9E3779B97F4A7C15ull;

	for (size_t i = 0; i < max + 16; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	for (size_t align = 0; align < 16; align += 3)
		for (size_t n = 0; n <= max; n++)
			cr_assert_eq(trace_crc32(buf + align, n), zlib_crc(buf + align, n),
				     "length %zu at +%zu", n, align);
	free(buf);
}

Test(format_crc, large_and_split)
{
	const size_t n = (3u << 20) + 77;
	uint8_t *buf = malloc(n);
	uint32_t whole;

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	whole = trace_crc32(buf, n);
	cr_assert_eq(whole, zlib_crc(buf, n));
	/* continued over pieces of any size, as payloads stream through a
	 * buffer */
	static const size_t cuts[] = { 1, 15, 16, 63, 64, 65, 1000, 65536, 131071 };

	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		uint32_t c = trace_crc32(buf, cuts[k]);

		for (size_t off = cuts[k]; off < n;) {
			size_t m = n - off < 262147 ? n - off : 262147;

			c = trace_crc32_more(c, buf + off, m);
			off += m;
		}
		cr_assert_eq(c, whole, "first piece %zu", cuts[k]);
	}
	free(buf);
}
