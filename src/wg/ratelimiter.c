/* A token bucket per source, as the kernel's ratelimiter.c: tokens are milliseconds of
 * credit, a packet costs 1000 / 20 of them and a bucket holds at most five packets' worth.
 * Sources hash (SipHash with a random key, libsodium's crypto_shorthash) into chains of
 * entries taken from a fixed pool. Two sources never share a bucket: a colliding newcomer
 * gets an entry of its own, or nothing when the pool is empty. Once a second the table is
 * swept and entries idle for a second go back to the pool; their bucket would have refilled
 * to the brim by then, so forgetting one gives its source nothing it would not have had. */
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <sodium/crypto_shorthash.h>

#include "wg/ratelimiter.h"

/* More handshake messages with a valid mac1 than this in a second and we ask for cookies
 * (wireguard-go's threshold is an eighth of its handshake queue). */
#define UNDER_LOAD_HANDSHAKES 128
#define UNDER_LOAD_HOLD 1000
#define PACKET_COST (1000 / RATELIMITER_PACKETS_PER_SECOND)
#define TOKEN_MAX (PACKET_COST * RATELIMITER_BURST)

_Static_assert((RATELIMITER_CHAINS & (RATELIMITER_CHAINS - 1)) == 0, "chains: a power of two");
_Static_assert(RATELIMITER_IDLE_MS >= TOKEN_MAX, "an entry must not expire before it refills");
_Static_assert(sizeof(((struct ratelimiter *)0)->hash_key) == crypto_shorthash_KEYBYTES,
	       "hash_key is a SipHash key");

void ratelimiter_init(struct ratelimiter *rl)
{
	memset(rl, 0, sizeof(*rl));
	if (getrandom(rl->hash_key, sizeof(rl->hash_key), 0) != (ssize_t)sizeof(rl->hash_key)) {
		/* Only the spread across chains depends on this key, and every source gets an
		 * entry of its own however they spread. */
		struct timespec ts;
		uint64_t seed[2];

		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed[0] = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32;
		seed[1] = (uint64_t)getpid() * UINT64_C(0x9e3779b97f4a7c15);
		memcpy(rl->hash_key, seed, sizeof(rl->hash_key));
	}
	for (uint32_t i = 0; i + 1 < RATELIMITER_ENTRIES; ++i)
		rl->entries[i].next = i + 2;
	rl->free = 1;
}

/* Only messages that passed mac1 count: they are the ones that cost a DH, and a flood from
 * someone who does not know our public key is dropped for the price of a hash. */
void ratelimiter_count_handshake(struct ratelimiter *rl, uint64_t now)
{
	if (now / 1000 != rl->handshake_second) {
		rl->handshake_second = now / 1000;
		rl->handshakes_this_second = 0;
	}
	if (++rl->handshakes_this_second > UNDER_LOAD_HANDSHAKES)
		rl->under_load_until = now + UNDER_LOAD_HOLD;
}

bool ratelimiter_under_load(const struct ratelimiter *rl, uint64_t now)
{
	return rl->force_under_load || now < rl->under_load_until;
}

static uint32_t *chain_of(struct ratelimiter *rl, const uint8_t key[8], uint8_t family)
{
	uint8_t in[9], h[crypto_shorthash_BYTES];
	uint64_t v;

	in[0] = family;
	memcpy(in + 1, key, 8);
	crypto_shorthash(h, in, sizeof(in), rl->hash_key);
	memcpy(&v, h, sizeof(v));
	return &rl->chains[v & (RATELIMITER_CHAINS - 1)];
}

/* The key of src: an IPv4 address (also one mapped into IPv6, as a dual-stack socket
 * reports it), or the /64 of an IPv6 address, since one host may hold a whole /64. */
static uint8_t source_key(const struct sockaddr *src, uint8_t key[8])
{
	memset(key, 0, 8);
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

static bool idle(const struct ratelimiter_entry *e, uint64_t now_ms)
{
	return now_ms > e->last_ms && now_ms - e->last_ms > RATELIMITER_IDLE_MS;
}

/* Returns every idle entry to the pool: RATELIMITER_CHAINS + used steps, once a second. */
static void collect(struct ratelimiter *rl, uint64_t now_ms)
{
	for (size_t c = 0; c < RATELIMITER_CHAINS; ++c) {
		uint32_t *link = &rl->chains[c];

		while (*link) {
			struct ratelimiter_entry *e = &rl->entries[*link - 1];
			uint32_t self = *link;

			if (!idle(e, now_ms)) {
				link = &e->next;
				continue;
			}
			*link = e->next;
			memset(e, 0, sizeof(*e));
			e->next = rl->free;
			rl->free = self;
			rl->used--;
		}
	}
	rl->last_gc_ms = now_ms;
}

static struct ratelimiter_entry *find(struct ratelimiter *rl, uint32_t head, const uint8_t key[8],
				      uint8_t family)
{
	while (head) {
		struct ratelimiter_entry *e = &rl->entries[head - 1];

		if (e->family == family && !memcmp(e->key, key, 8))
			return e;
		head = e->next;
	}
	return NULL;
}

/* A newcomer's entry, at the head of its chain, with a full bucket less this packet; or
 * false when the pool is empty. */
static bool admit(struct ratelimiter *rl, uint32_t *chain, const uint8_t key[8], uint8_t family,
		  uint64_t now_ms)
{
	uint32_t self = rl->free;
	struct ratelimiter_entry *e;

	if (!self)
		return false;
	e = &rl->entries[self - 1];
	rl->free = e->next;
	rl->used++;
	memcpy(e->key, key, 8);
	e->family = family;
	e->last_ms = now_ms;
	e->tokens = TOKEN_MAX - PACKET_COST;
	e->next = *chain;
	*chain = self;
	return true;
}

bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ms)
{
	struct ratelimiter_entry *e;
	uint8_t key[8], family = source_key(src, key);
	uint32_t *chain;
	uint64_t tokens;

	if (!family)
		return false;
	/* A clock that stepped back also sweeps, once, and restarts the period. */
	if (now_ms < rl->last_gc_ms || now_ms - rl->last_gc_ms >= RATELIMITER_IDLE_MS)
		collect(rl, now_ms);
	chain = chain_of(rl, key, family);
	e = find(rl, *chain, key, family);
	if (!e)
		return admit(rl, chain, key, family, now_ms);
	/* A clock that steps back refills nothing; a long idle refills to the brim. */
	tokens = e->tokens;
	if (now_ms > e->last_ms) {
		tokens += now_ms - e->last_ms < TOKEN_MAX ? now_ms - e->last_ms : TOKEN_MAX;
		e->last_ms = now_ms;
	}
	if (tokens > TOKEN_MAX)
		tokens = TOKEN_MAX;
	if (tokens < PACKET_COST) {
		e->tokens = (uint32_t)tokens;
		return false;
	}
	e->tokens = (uint32_t)(tokens - PACKET_COST);
	return true;
}
