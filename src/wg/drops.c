#include <string.h>

#include "base/addr.h"
#include "base/clock.h"
#include "wg/drops.h"
#include "wg/peer.h"

/* The names are adit show's and the UAPI's keys (drop_NAME): they do not change. */
static const struct drop_reason reasons[WG_DROP_COUNT] = {
	[WG_DROP_MALFORMED] = { "malformed",
				"not a WireGuard message (unknown type or wrong length)" },
	[WG_DROP_NO_IDENTITY] = { "no_identity",
				  "a handshake message, and this interface has no private key" },
	[WG_DROP_MAC1] = { "mac1", "invalid mac1: the message was not made for our public key" },
	[WG_DROP_RATELIMITED] = { "ratelimited",
				  "under load, and over its source's handshake rate" },
	[WG_DROP_INITIATION] = { "initiation",
				 "invalid handshake initiation: it does not decrypt, is from an "
				 "unknown peer, replays an old one or comes too fast" },
	[WG_DROP_RESPONSE] = { "response",
			       "invalid handshake response: it does not decrypt (do both sides "
			       "have the same preshared key?) or answers an old initiation" },
	[WG_DROP_UNKNOWN_INDEX] = { "unknown_index",
				    "its receiver index names no session of ours" },
	[WG_DROP_EXPIRED] = { "expired", "its session is past REJECT_AFTER_TIME" },
	[WG_DROP_DECRYPT] = { "decrypt", "a data message that does not decrypt" },
	[WG_DROP_REPLAY] = { "replay", "a replayed data message (counter seen before or too old)" },
	[WG_DROP_NOT_IP] = { "not_ip", "decrypted, but not a whole IP packet" },
	[WG_DROP_SOURCE] = { "source",
			     "decrypted, but its inner source is not in the peer's allowed IPs" },
	[WG_DROP_NO_ROUTE] = { "no_route",
			       "a packet to an address no peer has in its allowed IPs" },
	[WG_DROP_NO_ENDPOINT] = { "no_endpoint", "a packet for a peer that has no endpoint yet" },
	[WG_DROP_STAGED] = { "staged", "a packet waiting for a handshake, pushed out by newer ones "
				       "(or no room to keep it)" },
	[WG_DROP_TOO_BIG] = { "too_big", "a packet larger than the peer's path MTU, with DF set "
					 "(or IPv6): dropped, and its sender told the MTU by ICMP "
					 "(at most 10 a second)" },
};

const struct drop_vocab wg_drop_vocab = { "drop_", reasons, WG_DROP_COUNT };

const char *drops_reason(enum wg_drop why)
{
	return why < WG_DROP_COUNT ? reasons[why].why : "unknown";
}

const char *drops_name(enum wg_drop why)
{
	return why < WG_DROP_COUNT ? reasons[why].name : "unknown";
}

void drops_count(struct wg_drops *d, enum wg_drop why, struct wg_peer *peer,
		 const struct udp_endpoint *from)
{
	char where[80] = "the TUN", name[PEER_NAME_LEN];

	d->count[why]++;
	if (peer)
		peer->drops.count[why]++;
	if (log_level < LEVEL_VERBOSE || !log_ratelimit_allow(&d->said[why], clock_now()))
		return;
	if (from)
		addr_format_endpoint(&from->addr, where, sizeof(where));
	log_verbose("%s%sdropped a packet from %s: %s", peer ? peer_name(peer, name) : "",
		    peer ? ": " : "", where, drops_reason(why));
}
