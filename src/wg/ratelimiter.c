/* A token bucket per source, as the kernel's ratelimiter.c: tokens are milliseconds of
 * credit, a packet costs 1000 / 20 of them and a bucket holds at most five packets' worth.
 * Sources hash into a fixed table with a random key; a newcomer takes a colliding slot, which
 * can only ever give a source a fresh (full less one) bucket, never starve it of one. An idle
 * bucket refills by arithmetic, so there is nothing to expire. */
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "wg/ratelimiter.h"

#define PACKET_COST (1000 / RATELIMITER_PACKETS_PER_SECOND)
#define TOKEN_MAX (PACKET_COST * RATELIMITER_BURST)

void ratelimiter_init(struct ratelimiter *rl)
{
	memset(rl, 0, sizeof(*rl));
	if (getrandom(rl->hash_key, sizeof(rl->hash_key), 0) != (ssize_t)sizeof(rl->hash_key)) {
		/* Only the spread across slots depends on this key, not any secret. */
		struct timespec ts;
		uint64_t seed[2];

		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed[0] = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32;
		seed[1] = (uint64_t)getpid() * UINT64_C(0x9e3779b97f4a7c15);
		memcpy(rl->hash_key, seed, sizeof(rl->hash_key));
	}
}

/* Keyed FNV-1a with a final avalanche: not cryptographic, it only spreads slots. */
static size_t slot_index(const struct ratelimiter *rl, const uint8_t key[16], uint8_t family)
{
	uint64_t k[2], h;

	memcpy(k, rl->hash_key, sizeof(k));
	h = k[0] ^ family;
	for (unsigned int i = 0; i < 16; ++i) {
		h ^= key[i];
		h *= UINT64_C(0x100000001b3);
	}
	h ^= k[1];
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)(h & (RATELIMITER_SLOTS - 1));
}

/* The key of src: an IPv4 address (also one mapped into IPv6, as a dual-stack socket
 * reports it), or the /64 of an IPv6 address, since one host may hold a whole /64. */
static uint8_t source_key(const struct sockaddr *src, uint8_t key[16])
{
	memset(key, 0, 16);
	if (src->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)src)->sin_addr, 4);
		return AF_INET;
	}
	if (src->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)src)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(key, a->s6_addr + 12, 4);
			return AF_INET;
		}
		memcpy(key, a->s6_addr, 8);
		return AF_INET6;
	}
	return 0;
}

bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ms)
{
	struct ratelimiter_entry *e;
	uint8_t key[16], family = source_key(src, key);
	uint64_t elapsed;

	if (!family)
		return false;
	e = &rl->slots[slot_index(rl, key, family)];
	if (e->family != family || memcmp(e->key, key, sizeof(key))) {
		memcpy(e->key, key, sizeof(key));
		e->family = family;
		e->last_ms = now_ms;
		e->tokens = TOKEN_MAX - PACKET_COST;
		return true;
	}
	/* A clock that steps back refills nothing; a long idle refills to the brim. */
	elapsed = now_ms > e->last_ms ? now_ms - e->last_ms : 0;
	if (elapsed > TOKEN_MAX)
		elapsed = TOKEN_MAX;
	e->tokens = e->tokens + elapsed < TOKEN_MAX ? e->tokens + elapsed : TOKEN_MAX;
	if (now_ms > e->last_ms)
		e->last_ms = now_ms;
	if (e->tokens < PACKET_COST)
		return false;
	e->tokens -= PACKET_COST;
	return true;
}
