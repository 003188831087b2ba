/* The Internet checksum (RFC 1071), declared in packet.h: responder.c fills in the checksums
 * of its replies with it, packet_is_whole() checks IPv4 headers. */
#include "packet.h"

/* Sums 16-bit big-endian words, the last byte of an odd length padded with zero (RFC 1071).
 * Carries are folded back whenever they leave 32 bits, which keeps the one's complement sum;
 * only the last chunk summed may have an odd length. Reads bytes, so any alignment works. */
uint32_t packet_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/* The checksum field's value as a host-order number: store it big-endian (p[0] = c >> 8,
 * p[1] = c & 0xff, or htons then memcpy). Folding a sum over data that includes its correct
 * checksum gives 0. */
uint16_t packet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
