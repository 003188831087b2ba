/* Every packet wg mode drops, by reason: counted always, said at verbose level (a few a
 * second per reason), as the kernel's receive.c ends each drop at a label that counts it. */
#ifndef ADIT_WG_DROPS_H
#define ADIT_WG_DROPS_H

#include <stdint.h>

#include "base/drops.h"
#include "base/log.h"
#include "io/udp.h"

enum wg_drop {
	WG_DROP_MALFORMED,     /* not a WireGuard message: unknown type, wrong length */
	WG_DROP_NO_IDENTITY,   /* a handshake message while we have no private key */
	WG_DROP_MAC1,          /* mac1 invalid: not made for our public key */
	WG_DROP_RATELIMITED,   /* under load, over the source's handshake rate */
	WG_DROP_INITIATION,    /* does not decrypt, unknown peer, replayed or too fast */
	WG_DROP_RESPONSE,      /* does not decrypt (preshared keys differ?), or stale */
	WG_DROP_UNKNOWN_INDEX, /* names no session or handshake of ours */
	WG_DROP_EXPIRED,       /* its session is older than REJECT_AFTER_TIME */
	WG_DROP_DECRYPT,       /* data that does not authenticate */
	WG_DROP_REPLAY,        /* a counter seen before, or too old for the window */
	WG_DROP_NOT_IP,        /* decrypted, but not a whole IPv4 or IPv6 packet */
	WG_DROP_SOURCE,        /* decrypted, but its source is not in the peer's allowed IPs */
	WG_DROP_NO_ROUTE,      /* from the TUN, to an address no peer has in its allowed IPs */
	WG_DROP_NO_ENDPOINT,   /* from the TUN, for a peer with no endpoint yet */
	WG_DROP_STAGED,        /* from the TUN, waiting for a handshake: pushed out by newer ones */
	WG_DROP_TOO_BIG,       /* from the TUN, larger than the peer's path MTU and not to be
				* fragmented: answered with an ICMP "too big" (pmtu.c) */
	WG_DROP_COUNT
};

struct wg_drops {
	uint64_t count[WG_DROP_COUNT];
	struct log_ratelimit said[WG_DROP_COUNT];
};

/* A peer's share of the device's drops: those whose packet named it (a session of its, its
 * allowed IPs). 8 bytes a reason, so the peer stays small. */
struct wg_peer_drops {
	uint64_t count[WG_DROP_COUNT];
};

struct wg_peer;

/* Counts a drop, on the device and on the peer (if known); at verbose level says it with the
 * peer and where the packet came from (if it came from the network). */
void drops_count(struct wg_drops *d, enum wg_drop why, struct wg_peer *peer,
		 const struct udp_endpoint *from);
/* wg mode's reasons, for adit show: keys drop_NAME. */
extern const struct drop_vocab wg_drop_vocab;
const char *drops_reason(enum wg_drop why);
/* A reason's short name, for adit show and its UAPI keys: "mac1", "decrypt"... */
const char *drops_name(enum wg_drop why);

#endif
