/* Under load, handshake messages with a valid cookie are still limited per source address
 * (the kernel's rule: 20 per second, bursts of 5), so one host cannot fill the handshake
 * work. A fixed-size table: nothing is allocated per packet, old entries are reused. */
#ifndef ADIT_WG_RATELIMITER_H
#define ADIT_WG_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RATELIMITER_PACKETS_PER_SECOND 20
#define RATELIMITER_BURST 5
#define RATELIMITER_SLOTS 4096

struct ratelimiter_entry {
	uint8_t key[16]; /* IPv4 address, or the /64 of an IPv6 address */
	uint8_t family;
	uint64_t last_ms;
	uint64_t tokens; /* in ms-scaled units */
};

struct ratelimiter {
	uint8_t hash_key[16]; /* random, so a sender cannot aim at one slot */
	struct ratelimiter_entry slots[RATELIMITER_SLOTS];
};

void ratelimiter_init(struct ratelimiter *rl);
/* True if a packet from src at time now_ms (monotonic) may be processed. */
bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ms);

#endif
