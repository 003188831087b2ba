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
};

/* One peer's prefixes, in the order they were given, threaded through the trie's nodes as
 * the kernel's peer->allowedips_list is: showing or removing them costs what the peer has,
 * not what the table has. Each peer embeds one, with peer pointing back at it. */
struct allowedips_list {
	struct wg_peer *peer;
	struct allowedips_node *first, *last;
};

void allowedips_init(struct allowedips *t);
void allowedips_free(struct allowedips *t);

/* Adds addr/cidr (addr: 4 or 16 bytes, network order; bits past cidr are ignored) to the
 * list's peer, at the end of its list. A prefix already present moves there, from whichever
 * peer had it. Returns 0, -EINVAL (family, cidr, or a list with no peer) or -ENOMEM. */
int allowedips_insert(struct allowedips *t, int family, const void *addr, uint8_t cidr,
		      struct allowedips_list *list);
/* Removes every prefix of the list's peer. */
void allowedips_remove_list(struct allowedips *t, struct allowedips_list *list);
/* The peer of the longest prefix holding addr, or NULL. No allocation, no recursion. */
struct wg_peer *allowedips_lookup(const struct allowedips *t, int family, const void *addr);

/* A peer's prefixes one at a time, in the order they were given: allowedips_first, then
 * allowedips_next until NULL. The table must not change between two steps. */
const struct allowedips_node *allowedips_first(const struct allowedips_list *list);
const struct allowedips_node *allowedips_next(const struct allowedips_node *node);
/* node's prefix: its family (AF_INET or AF_INET6), address (4 or 16 bytes into addr, masked
 * to the prefix) and length. */
int allowedips_prefix(const struct allowedips_node *node, uint8_t addr[16], uint8_t *cidr);

#endif
