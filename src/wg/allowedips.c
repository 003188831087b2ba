/* Cryptokey routing as a path-compressed binary trie, after the kernel's allowedips.c.
 *
 * A node is a prefix: its bits past cidr are zero, and a child's prefix always extends its
 * parent's, one level per differing bit rather than one per address bit. A node holding no
 * peer exists only to join two children; removal prunes any that would be left with fewer.
 * An address is kept as two host-order 64-bit words, an IPv4 address in the top 32 bits of
 * the first, so both families share the bit arithmetic: bit 0 is the most significant.
 *
 * A node that holds a peer is also on that peer's list, so that a peer's prefixes are found
 * without searching the tries: showing a peer and removing one cost only what it owns. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wg/allowedips.h"

struct key {
	uint64_t hi, lo;
};

struct allowedips_node {
	struct allowedips_node *bit[2];
	struct allowedips_node *parent;
	struct allowedips_list *list; /* the peer's list; NULL for a junction */
	struct allowedips_node *list_prev, *list_next;
	struct key key;
	uint8_t cidr;
	uint8_t bitlen; /* 32 or 128 */
};

static uint64_t load_be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; ++i)
		v = v << 8 | p[i];
	return v;
}

static void store_be(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

/* The key and bit length of addr, or 0 for a family other than IPv4 and IPv6. */
static uint8_t load_key(int family, const void *addr, struct key *k)
{
	const uint8_t *p = addr;

	if (family == AF_INET) {
		k->hi = load_be(p, 4) << 32;
		k->lo = 0;
		return 32;
	}
	if (family == AF_INET6) {
		k->hi = load_be(p, 8);
		k->lo = load_be(p + 8, 8);
		return 128;
	}
	return 0;
}

static void mask_key(struct key *k, uint8_t cidr)
{
	if (cidr == 0) {
		k->hi = k->lo = 0;
	} else if (cidr <= 64) {
		k->hi &= ~UINT64_C(0) << (64 - cidr);
		k->lo = 0;
	} else {
		k->lo &= ~UINT64_C(0) << (128 - cidr);
	}
}

/* Bit b of k (b < 128), which picks the child below a node of cidr b. */
static unsigned int choose(uint8_t b, const struct key *k)
{
	return b < 64 ? (k->hi >> (63 - b)) & 1 : (k->lo >> (127 - b)) & 1;
}

/* How many leading bits node's prefix and k share. */
static unsigned int common_bits(const struct allowedips_node *node, const struct key *k)
{
	uint64_t x = node->key.hi ^ k->hi;

	if (x)
		return (unsigned int)__builtin_clzll(x);
	x = node->key.lo ^ k->lo;
	if (x)
		return 64 + (unsigned int)__builtin_clzll(x);
	return 128;
}

static bool prefix_matches(const struct allowedips_node *node, const struct key *k)
{
	return common_bits(node, k) >= node->cidr;
}

static struct allowedips_node **root_of(struct allowedips *t, int family)
{
	if (family == AF_INET)
		return &t->root4;
	if (family == AF_INET6)
		return &t->root6;
	return NULL;
}

/* The pointer that holds node: its parent's child slot, or the trie's root. */
static struct allowedips_node **slot_of(struct allowedips *t, struct allowedips_node *node)
{
	struct allowedips_node *p = node->parent;

	if (!p)
		return node->bitlen == 32 ? &t->root4 : &t->root6;
	return &p->bit[p->bit[1] == node];
}

static void link_node(struct allowedips_node **slot, struct allowedips_node *parent,
		      struct allowedips_node *child)
{
	*slot = child;
	child->parent = parent;
}

/* The child slot of parent that node belongs in; parent's prefix is a proper prefix of it. */
static struct allowedips_node **child_slot(struct allowedips_node *parent,
					   const struct allowedips_node *node)
{
	return &parent->bit[choose(parent->cidr, &node->key)];
}

/* The first node of a post-order walk of the subtree at n: its leftmost-deepest leaf. */
static struct allowedips_node *first_postorder(struct allowedips_node *n)
{
	while (n->bit[0] || n->bit[1])
		n = n->bit[0] ? n->bit[0] : n->bit[1];
	return n;
}

static struct allowedips_node *next_postorder(struct allowedips_node *n)
{
	struct allowedips_node *p = n->parent;

	if (p && p->bit[0] == n && p->bit[1])
		return first_postorder(p->bit[1]);
	return p;
}

static struct allowedips_node *new_node(const struct key *k, uint8_t cidr, uint8_t bitlen)
{
	struct allowedips_node *node = calloc(1, sizeof(*node));

	if (!node)
		return NULL;
	node->key = *k;
	mask_key(&node->key, cidr);
	node->cidr = cidr;
	node->bitlen = bitlen;
	return node;
}

static void list_unlink(struct allowedips_node *node)
{
	struct allowedips_list *list = node->list;

	if (!list)
		return;
	*(node->list_prev ? &node->list_prev->list_next : &list->first) = node->list_next;
	*(node->list_next ? &node->list_next->list_prev : &list->last) = node->list_prev;
	node->list = NULL;
	node->list_prev = node->list_next = NULL;
}

/* Gives node to list's peer, as the newest of its prefixes. */
static void list_append(struct allowedips_list *list, struct allowedips_node *node)
{
	list_unlink(node);
	node->list = list;
	node->list_prev = list->last;
	*(list->last ? &list->last->list_next : &list->first) = node;
	list->last = node;
}

/* The deepest node whose prefix holds k/cidr; *exact when it is k/cidr itself. */
static struct allowedips_node *placement(struct allowedips_node *node, const struct key *k,
					 uint8_t cidr, bool *exact)
{
	struct allowedips_node *parent = NULL;

	*exact = false;
	while (node && node->cidr <= cidr && prefix_matches(node, k)) {
		parent = node;
		if (node->cidr == cidr) {
			*exact = true;
			break;
		}
		node = node->bit[choose(node->cidr, k)];
	}
	return parent;
}

void allowedips_init(struct allowedips *t)
{
	t->root4 = t->root6 = NULL;
}

static void free_trie(struct allowedips_node *root)
{
	struct allowedips_node *node = root ? first_postorder(root) : NULL, *next;

	for (; node; node = next) {
		next = next_postorder(node);
		free(node);
	}
}

void allowedips_free(struct allowedips *t)
{
	free_trie(t->root4);
	free_trie(t->root6);
	allowedips_init(t);
}

int allowedips_insert(struct allowedips *t, int family, const void *addr, uint8_t cidr,
		      struct allowedips_list *list)
{
	struct allowedips_node **root = root_of(t, family), **slot, *node, *down, *newnode, *mid;
	struct key k;
	uint8_t bitlen = load_key(family, addr, &k), common;
	bool exact;

	if (!root || !list || !list->peer || cidr > bitlen)
		return -EINVAL;
	mask_key(&k, cidr);

	node = placement(*root, &k, cidr, &exact);
	if (exact) {
		list_append(list, node);
		return 0;
	}
	newnode = new_node(&k, cidr, bitlen);
	if (!newnode)
		return -ENOMEM;
	slot = node ? child_slot(node, newnode) : root;
	down = *slot;
	if (!down) {
		link_node(slot, node, newnode);
		goto out;
	}
	/* down is not under newnode's prefix, or newnode is a proper prefix of down. */
	common = (uint8_t)common_bits(down, &k);
	if (common >= cidr) {
		link_node(child_slot(newnode, down), newnode, down);
		link_node(slot, node, newnode);
		goto out;
	}
	mid = new_node(&k, common, bitlen);
	if (!mid) {
		free(newnode);
		return -ENOMEM;
	}
	link_node(child_slot(mid, down), mid, down);
	link_node(child_slot(mid, newnode), mid, newnode);
	link_node(slot, node, mid);
out:
	list_append(list, newnode);
	return 0;
}

/* Drops node if it holds no peer and joins fewer than two children, lifting its one child
 * (whose prefix it holds, so the child sits in the same slot of the grandparent). A parent
 * left as a junction of one child goes the same way. */
static void prune(struct allowedips *t, struct allowedips_node *node)
{
	struct allowedips_node *child = node->bit[0] ? node->bit[0] : node->bit[1];
	struct allowedips_node *parent = node->parent;

	if (node->list || (node->bit[0] && node->bit[1]))
		return;
	*slot_of(t, node) = child;
	if (child)
		child->parent = parent;
	free(node);
	/* A leaf gone leaves its parent one child fewer; a junction had two, now one. */
	if (!child && parent && !parent->list)
		prune(t, parent);
}

void allowedips_remove_list(struct allowedips *t, struct allowedips_list *list)
{
	struct allowedips_node *node;

	while ((node = list->first)) {
		list_unlink(node);
		prune(t, node);
	}
}

struct wg_peer *allowedips_lookup(const struct allowedips *t, int family, const void *addr)
{
	const struct allowedips_node *node = family == AF_INET ? t->root4 : t->root6, *found = NULL;
	struct key k;
	uint8_t bitlen = load_key(family, addr, &k);

	if (!bitlen)
		return NULL;
	while (node && prefix_matches(node, &k)) {
		if (node->list)
			found = node;
		if (node->cidr == bitlen)
			break;
		node = node->bit[choose(node->cidr, &k)];
	}
	return found ? found->list->peer : NULL;
}

const struct allowedips_node *allowedips_first(const struct allowedips_list *list)
{
	return list->first;
}

const struct allowedips_node *allowedips_next(const struct allowedips_node *node)
{
	return node->list_next;
}

int allowedips_prefix(const struct allowedips_node *node, uint8_t addr[16], uint8_t *cidr)
{
	*cidr = node->cidr;
	if (node->bitlen == 32) {
		store_be(addr, node->key.hi >> 32, 4);
		return AF_INET;
	}
	store_be(addr, node->key.hi, 8);
	store_be(addr + 8, node->key.lo, 8);
	return AF_INET6;
}
