/* The lab-mode server's client table: which client (UDP endpoint) owns an inner address.
 * Keys are inner source IP addresses (TUN) or source MACs (TAP), learned from datagrams; a
 * packet from the TUN goes to the client that owns its destination. Allocated once, at start:
 * learning and lookup never allocate. Both lookups are hashed with a secret key (SipHash), so
 * no sender can pick addresses that collide.
 *
 * Lab mode has no authentication: any sender can claim any address, and the table cannot
 * stop that. What it stops is one sender taking room from the others:
 * - a client holds at most LAB_CLIENT_ADDRS inner addresses; a new one takes the place of its
 *   own least recently seen address if that one is stale, and is refused otherwise;
 * - a host (an outer IPv4 address, or an IPv6 /64: one machine may hold a whole /64) holds
 *   at most LAB_HOST_CLIENTS places; a new port of a host at its limit takes the place of
 *   that host's least recently seen one, so a flood of ports churns only its own host's
 *   places, and a client restarted on any host gets in;
 * - a new client takes a free place, else the place of a client of its own host that owns
 *   the address it sends from (the same client, restarted on a new port), else the least
 *   recently seen stale client's place, else the least recently seen unconfirmed client's
 *   (forged sources that sent once give way to anyone); when every place is held by a
 *   fresh confirmed client the newcomer is refused and counted: clients that have kept
 *   talking are kept over one not seen yet.
 *
 * A client is confirmed once it has sent datagrams at least LAB_CONFIRM_SEC apart. One
 * datagram, which anyone can send from a forged source address, confirms nothing; a client
 * that keeps talking has at least shown it keeps sending. It is no proof (a forger can send
 * twice), but it makes filling the table with forged sources cost a stream, not a burst,
 * and it is what lab.c asks before flooding frames to a client.
 *
 * Addresses and clients unseen for the idle time are stale. A stale entry still routes — a
 * client quiet for an hour still gets its packets, and never another client's — but it is the
 * first to give way when room is needed, and a stale client does not count as "the only
 * client" while a fresh one exists. */
#ifndef ADIT_LAB_CLIENTS_H
#define ADIT_LAB_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/addr.h"
#include "pkt/packet.h"

#define LAB_IDLE_SEC 300      /* a client or an address unseen this long is stale */
#define LAB_CLIENTS_MAX 1024  /* clients (UDP endpoints) at once */
#define LAB_CLIENT_ADDRS 8    /* inner addresses (or MACs) one client may own */
#define LAB_HOST_CLIENTS 32   /* places one host may hold, whatever its ports */
#define LAB_CONFIRM_SEC 2     /* seconds (of the table's clock) between the datagrams that
			       * confirm a client: at least one whole second */

struct lab_key {
	uint8_t len; /* 4 (IPv4), 16 (IPv6) or 6 (MAC) */
	uint8_t bytes[16];
};

/* What the table lets its caller read of a client. */
struct lab_client {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t first_seen, last_seen;
	bool confirmed; /* it has sent datagrams LAB_CONFIRM_SEC apart */
	uint64_t refused; /* inner addresses it sent from that were not learned: over its cap */
	/* Datagrams and their bytes: received from it, sent to it (adit show's counters). */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

/* The table's own counters, for the log and the counters printed at exit. */
struct lab_clients_counts {
	unsigned int clients;   /* held now */
	uint64_t refused;       /* newcomers refused: every place held by a fresh confirmed one */
	uint64_t addrs_refused; /* inner addresses refused to clients at their cap */
	uint64_t host_replaced; /* places given up to a new port of the same host */
	uint64_t expired;       /* stale clients whose place went to a newcomer */
	uint64_t unconfirmed_replaced; /* unconfirmed clients whose place went to a newcomer */
};

enum lab_learned {
	LAB_FULL = -2,         /* a new client, and no place for it: counts.refused */
	LAB_ADDR_REFUSED = -1, /* the client holds its cap of fresh addresses: client->refused */
	LAB_KNOWN = 0,         /* key already owned by this client */
	LAB_NEW = 1,           /* key seen for the first time */
	LAB_MOVED = 2,         /* key taken over by another client (a client restarted) */
};

/* What a learn did, beyond its result. */
struct lab_learning {
	const struct lab_client *client; /* the sender, NULL when it was refused a place */
	bool first_refusal; /* the sender's first refused address, or the first newcomer refused
			     * since the table last had room: the one refusal worth saying */
};

struct lab_clients;

/* A table whose entries go stale after idle_sec; NULL (errno set) when memory or the random
 * hash key cannot be had. */
struct lab_clients *lab_clients_new(unsigned int idle_sec);
void lab_clients_free(struct lab_clients *t);

/* The inner address that owns a packet: its source (to learn from) or its destination (to
 * route by). False when the packet is too short to have one. */
bool lab_key_of(const uint8_t *pkt, size_t len, enum link_type link, bool source,
		struct lab_key *key);
/* Task 8's site behind a client: an IP key inside one of nets (the networks the server routes
 * into its TUN, its -r) becomes that network's address (the longest match), so a whole site
 * is one entry of the client that last sent from it and none of its hosts is refused at the
 * client's cap. Keys in no such network, and MACs, are left alone. */
void lab_key_to_site(struct lab_key *key, const struct prefix *nets, unsigned int n);
/* Records that key was the inner source of a datagram from addr at time now (seconds, never
 * going back). out, if not NULL, says who sent it and whether a refusal is to be said. */
enum lab_learned lab_clients_learn(struct lab_clients *t, const struct lab_key *key,
				   const struct sockaddr *addr, socklen_t addrlen, uint64_t now,
				   struct lab_learning *out);
/* The client owning key, stale or not, or NULL. */
const struct lab_client *lab_clients_lookup(const struct lab_clients *t,
					    const struct lab_key *key);
/* The one client to send to when no one owns a destination: the only fresh client, or with
 * none fresh, the only client at all; NULL when there are several or none. */
const struct lab_client *lab_clients_sole(const struct lab_clients *t, uint64_t now);
/* Every client, most recently seen first: NULL gives the first, NULL comes after the last. */
const struct lab_client *lab_clients_next(const struct lab_clients *t,
					  const struct lab_client *prev);
const struct lab_clients_counts *lab_clients_counts(const struct lab_clients *t);
/* Counts a datagram of len bytes received from c (sent: false) or sent to it; c is one of t's. */
void lab_clients_count(struct lab_clients *t, const struct lab_client *c, bool sent, size_t len);
/* The inner addresses c owns (at most LAB_CLIENT_ADDRS) into keys; returns how many. */
unsigned int lab_clients_addrs(const struct lab_clients *t, const struct lab_client *c,
			       struct lab_key keys[LAB_CLIENT_ADDRS]);

#endif
