/* Reassembly of fragmented IPv4 datagrams for the responder (lab task 2.d): `ping -s 3000`
 * sends its echo request in fragments, and the echo reply needs the whole of it. Bounded:
 * REASM_SLOTS datagrams at once, each up to 65,535 bytes, in memory given once; a datagram
 * not complete within REASM_TIMEOUT_SEC gives its slot up, and a new one takes the slot of
 * the oldest when all are in use. Every fragment's lengths are checked against the buffer it
 * came in and the 65,535 bytes a datagram may have. */
#ifndef ADIT_REASM_H
#define ADIT_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REASM_SLOTS 4
#define REASM_TIMEOUT_SEC 30 /* Linux's ipfrag_time */
#define REASM_MAX 65535

struct reasm_slot {
	bool used, have_first, have_last;
	uint8_t src[4], dst[4], id[2], proto;
	uint64_t started; /* seconds */
	size_t payload_len;   /* known once the last fragment came */
	uint8_t header[60];   /* the first fragment's, options included */
	size_t hlen;
	uint8_t blocks[REASM_MAX / 8 / 8 + 1]; /* which 8-byte blocks of the payload came */
	uint8_t payload[REASM_MAX];
};

struct reasm {
	struct reasm_slot slot[REASM_SLOTS];
};

/* True when pkt (len bytes) is an IPv4 fragment (more fragments, or an offset). */
bool reasm_is_fragment(const uint8_t *pkt, size_t len);
/* Takes one fragment at time now (seconds). When it completes its datagram, writes the whole
 * datagram (the first fragment's header, unfragmented) into out and returns its length; else
 * 0 (kept, or dropped: malformed, or beyond 65,535 bytes, or out too small). */
size_t reasm_add(struct reasm *r, const uint8_t *pkt, size_t len, uint64_t now, uint8_t *out,
		 size_t out_size);

#endif
