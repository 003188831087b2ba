/* Cryptokey routing: which peer owns an inner address. One binary trie per family; a lookup
 * is a longest-prefix match. Sending asks "which peer gets a packet to this destination";
 * receiving asks "may this peer send from this source". */
#ifndef ADIT_WG_ALLOWEDIPS_H
#define ADIT_WG_ALLOWEDIPS_H

#include <stdint.h>

struct wg_peer;
struct allowedips_node;

struct allowedips {
	struct allowedips_node *root4;
	struct allowedips_node *root6;
	uint64_t seq; /* insertion order, so a peer's prefixes come back as they were given */
};

void allowedips_init(struct allowedips *t);
void allowedips_free(struct allowedips *t);

/* Adds addr/cidr (addr: 4 or 16 bytes, network order; bits past cidr are ignored) for peer.
 * A prefix already present moves to peer. Returns 0, -EINVAL (family or cidr) or -ENOMEM. */
int allowedips_insert(struct allowedips *t, int family, const void *addr, uint8_t cidr,
		      struct wg_peer *peer);
/* Removes every prefix of peer. */
void allowedips_remove_by_peer(struct allowedips *t, const struct wg_peer *peer);
/* The peer of the longest prefix holding addr, or NULL. No allocation, no recursion. */
struct wg_peer *allowedips_lookup(const struct allowedips *t, int family, const void *addr);

/* Calls fn for each prefix of peer (addr masked to cidr) in the order they were inserted;
 * stops early and returns fn's value when it is not 0. */
typedef int (*allowedips_fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr);
int allowedips_walk_peer(const struct allowedips *t, const struct wg_peer *peer, allowedips_fn fn,
			 void *ctx);

#endif
