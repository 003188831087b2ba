/* The tests' own Internet checksum, written apart from src/pkt/checksum.c on purpose: a
 * checksum the code under test computed is checked with a sum that shares none of its code.
 * Plain RFC 1071, one word at a time. */
#ifndef ADIT_TESTS_SUM16_H
#define ADIT_TESTS_SUM16_H

#include <stddef.h>
#include <stdint.h>

/* The ones' complement sum of 16-bit big-endian words, folded, not inverted. */
static inline uint16_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

#endif
