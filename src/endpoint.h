/* The lab-mode server's endpoint table: which UDP endpoint (client) owns an inner address.
 * Keys are inner source IP addresses (TUN) or source MACs (TAP), learned from datagrams; a
 * packet from the TUN goes to the client that owns its destination. Fixed size, allocated once:
 * learning and lookup never allocate.
 *
 * Addresses and clients unseen for ENDPOINT_IDLE_SEC are stale. A stale entry still routes —
 * a client quiet for an hour still gets its packets, and never another client's — but it is
 * the first to give way when the table needs room, and a stale client does not count as "the
 * only client" while a fresh one exists. */
#ifndef ADIT_ENDPOINT_H
#define ADIT_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "packet.h"

#define ENDPOINT_IDLE_SEC 300 /* a client or an address unseen this long is stale */
#define ENDPOINT_MAX_CLIENTS 64
#define ENDPOINT_SLOTS 4096 /* addresses; a power of two */

struct endpoint_key {
	uint8_t len; /* 4 (IPv4), 16 (IPv6) or 6 (MAC) */
	uint8_t bytes[16];
};

struct endpoint_client {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t last_seen;
	unsigned int refs; /* addresses that point here; none left frees the client */
	unsigned int gen;  /* bumped when the slot is reused, so stale addresses miss */
	bool used;
};

struct endpoint_slot {
	struct endpoint_key key;
	uint64_t last_seen;
	unsigned int gen;
	uint16_t client;
	bool used;
};

struct endpoint_table {
	uint64_t idle;
	unsigned int last; /* the client learned from last: most datagrams come from it again */
	struct endpoint_client clients[ENDPOINT_MAX_CLIENTS];
	struct endpoint_slot slots[ENDPOINT_SLOTS];
};

enum endpoint_learned {
	ENDPOINT_FULL = -1,   /* no room for another client: every one is fresh */
	ENDPOINT_KNOWN = 0,   /* key already owned by this endpoint */
	ENDPOINT_NEW = 1,     /* key seen for the first time */
	ENDPOINT_MOVED = 2,   /* key taken over by a new endpoint (a client restarted) */
};

void endpoint_table_init(struct endpoint_table *t, unsigned int idle_sec);
/* The inner address that owns a packet: its source (to learn from) or its destination (to
 * route by). False when the packet is too short to have one. */
bool endpoint_key_of(const uint8_t *pkt, size_t len, enum link_type link, bool source,
		     struct endpoint_key *key);
/* Records that key was the inner source of a datagram from addr at time now (seconds). */
enum endpoint_learned endpoint_learn(struct endpoint_table *t, const struct endpoint_key *key,
				     const struct sockaddr *addr, socklen_t addrlen, uint64_t now);
/* The client owning key, stale or not, or NULL. */
const struct endpoint_client *endpoint_lookup(const struct endpoint_table *t,
					      const struct endpoint_key *key);
/* The one client to send to when no one owns a destination: the only fresh client, or with
 * none fresh, the only client at all; NULL when there are several or none. */
const struct endpoint_client *endpoint_sole_client(const struct endpoint_table *t, uint64_t now);
/* Fills out with up to max clients and returns how many there are in all. */
unsigned int endpoint_list_clients(const struct endpoint_table *t,
				   const struct endpoint_client **out, unsigned int max);

#endif
