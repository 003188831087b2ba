/* The Internet checksum (RFC 1071), declared in packet.h: responder.c fills in the checksums
 * of its replies with it, packet_is_whole() checks IPv4 headers. */
#include <arpa/inet.h>
#include <string.h>

#include "pkt/packet.h"

/* Sums 16-bit big-endian words, the last byte of an odd length padded with zero (RFC 1071).
 * The data path checksums every segment it makes, so this reads eight bytes at a time in the
 * machine's own order: a one's complement sum does not depend on byte order, except that it
 * comes out byte-swapped, and is swapped back once at the end (RFC 1071 §2(B)). Only the last
 * chunk summed may have an odd length. Any alignment works. */
uint32_t packet_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0, w;
	uint16_t half = 0;

	uint64_t acc2 = 0, w2;

	/* Two independent sums, so that the additions do not wait on each other. */
	for (; len >= 16; p += 16, len -= 16) {
		memcpy(&w, p, sizeof(w));
		memcpy(&w2, p + 8, sizeof(w2));
		acc += (w & 0xffffffff) + (w >> 32);
		acc2 += (w2 & 0xffffffff) + (w2 >> 32);
	}
	acc += (acc2 & 0xffffffff) + (acc2 >> 32);
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, sizeof(w));
		acc += (w & 0xffffffff) + (w >> 32);
	}
	for (; len >= 2; p += 2, len -= 2) {
		memcpy(&half, p, sizeof(half));
		acc += half;
	}
	if (len) {
		half = 0;
		memcpy(&half, p, 1); /* the first byte of a word, the other zero */
		acc += half;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	acc = (uint64_t)sum + ntohs((uint16_t)acc);
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
