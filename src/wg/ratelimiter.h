/* Under load, handshake messages with a valid cookie are still limited per source address
 * (the kernel's rule: 20 per second, bursts of 5), so one host cannot fill the handshake
 * work. The table fails closed: it tracks at most RATELIMITER_ENTRIES sources, each in its
 * own entry however the hash falls, and refuses a newcomer while it is full. An entry idle
 * for RATELIMITER_IDLE_MS is reclaimed, so new sources get in again once a flood ends.
 * All memory is in the struct: nothing is allocated, per packet or at all. */
#ifndef ADIT_WG_RATELIMITER_H
#define ADIT_WG_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RATELIMITER_PACKETS_PER_SECOND 20
#define RATELIMITER_BURST 5
#define RATELIMITER_CHAINS 16384  /* hash chains; a power of two */
/* Sources tracked at once: as many as the kernel's table holds on a machine past 1 GiB. */
#define RATELIMITER_ENTRIES 65536
#define RATELIMITER_IDLE_MS 1000  /* an entry idle longer is reclaimed (and GC runs this often) */

struct ratelimiter_entry {
	uint64_t last_ms;
	uint32_t tokens; /* ms of credit */
	uint32_t next;   /* 1 + index of the next entry in its chain or the free list; 0 ends */
	uint8_t key[8];  /* IPv4 address, or the /64 of an IPv6 address */
	uint8_t family;
};

struct ratelimiter {
	/* Whether the device is under load: it then demands cookies, and limits what passes. */
	bool force_under_load; /* ADIT_FORCE_UNDER_LOAD=1: always */
	uint64_t under_load_until; /* ms, monotonic */
	unsigned int handshakes_this_second;
	uint64_t handshake_second;
	uint8_t hash_key[16]; /* random, so a sender cannot aim at one chain */
	uint64_t last_gc_ms;
	uint32_t free; /* 1 + index of the first free entry; 0 when the table is full */
	uint32_t used;
	uint32_t chains[RATELIMITER_CHAINS]; /* 1 + index of each chain's first entry */
	struct ratelimiter_entry entries[RATELIMITER_ENTRIES];
};

void ratelimiter_init(struct ratelimiter *rl);
/* The handshake path counts the messages that passed mac1, and asks whether to demand
 * cookies: under load for a second after too many in one second. */
void ratelimiter_count_handshake(struct ratelimiter *rl, uint64_t now_ms);
bool ratelimiter_under_load(const struct ratelimiter *rl, uint64_t now_ms);
/* True if a packet from src at time now_ms (monotonic) may be processed. */
bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ms);

#endif
