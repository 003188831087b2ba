/* Each peer's path MTU, found by probing (adit's own: no WireGuard implementation does it).
 *
 * A probe is an ordinary data message whose plaintext is a small echo request to an address
 * of the peer inside the tunnel, padded with zeros to the size under test (the receiver cuts
 * the plaintext to the IP header's length, so the echo reply is small), sent with the outer
 * datagram not fragmentable. A reply means that size passes. One round sends up to
 * PMTU_PROBES sizes at once; a size counts as too big only when two rounds in a row got no
 * reply for it. The replies never reach the TUN.
 *
 * With a path MTU found below the interface's, the sending side cuts TSO super-packets to
 * segments that fit, clamps the MSS of TCP SYNs crossing the tunnel either way, and answers
 * any other packet too big for the path with "fragmentation needed" or "packet too big"
 * written into the TUN, as a router on the path would. Without an answer (no probe address,
 * or nothing comes back), nothing changes. */
#ifndef ADIT_WG_PMTU_H
#define ADIT_WG_PMTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PMTU_FLOOR 1280 /* the least inner MTU a WireGuard path is taken to have (IPv6's) */
#define PMTU_STEP 16    /* the padding's unit: sizes closer than this make the same datagram */
#define PMTU_PROBES 12  /* the most probes in one round */

enum pmtu_how {
	PMTU_NOT_YET,     /* no session yet, or not probed since the last one came up */
	PMTU_PROBING,     /* a search is running */
	PMTU_PROBED,      /* found holds what the last search found */
	PMTU_NO_ADDRESS,  /* no /32 or /128 among the allowed IPs, and none was named */
	PMTU_NO_SOURCE,   /* the interface has no route or address to send the probe from */
	PMTU_NO_ANSWER,   /* nothing came back, not even the smallest probe */
	PMTU_BELOW_FLOOR, /* the smallest probe came back, none of PMTU_FLOOR bytes did */
	PMTU_OFF,         /* --no-pmtu */
	PMTU_SMALL_LINK,  /* the interface's MTU is below PMTU_FLOOR */
};

struct peer_pmtu {
	unsigned int mtu;   /* what packets must fit when the path is below the interface's MTU;
			     * 0 when nothing lower is known: the interface's MTU applies */
	unsigned int found; /* what the last search found (PMTU_PROBED) */
	enum pmtu_how how;
	enum pmtu_how concluded; /* what the last search found out, for the log */
	uint64_t found_at;  /* ms, when the last search ended */
	uint64_t next_search;
	bool used;           /* something went to the peer since the last search */
	unsigned int backoff; /* searches in a row without an answer */

	/* The search: lo came back (0: nothing yet), hi did not, twice. */
	unsigned int lo, hi;
	unsigned int size[PMTU_PROBES], count;
	uint32_t answered;   /* bit i: size[i] came back */
	int small;           /* index of the smallest probe (echo request alone), or -1 */
	bool small_answered;
	bool second_try;     /* this round repeats the last one's unanswered sizes */
	bool stall_search;   /* started because big packets went unanswered */
	uint16_t seq;        /* size[i] went out with sequence number seq + i */
	uint64_t round_end;
	int family;          /* of the probe's addresses */
	uint8_t dst[16], src[16];

	/* An address to probe that an adit command named (UAPI probe_address). */
	bool named;
	int named_family;
	uint8_t named_addr[16];

	/* When packets above the floor went out and nothing came back: the path may have
	 * shrunk. Each stall search that finds nothing new makes the next wait twice as long. */
	uint64_t big_since;
	unsigned int quiet;
	bool big_v6;
	uint8_t big_dst[16]; /* where the first of them went */

	/* "Too big" answers written to the TUN: a token bucket per peer. */
	uint64_t too_big_refilled;
	unsigned int too_big_tokens;

	uint64_t probes_sent, probes_answered, too_big_sent, mss_clamped;
};

struct wg_peer;

void pmtu_init(struct peer_pmtu *p, bool off);
/* The peer goes away. */
void pmtu_stop(struct wg_peer *peer);
/* A session came up, the endpoint moved, the allowed IPs or the interface's MTU changed:
 * search again at the next timer run. */
void pmtu_restart(struct wg_peer *peer, uint64_t now);
/* A session came up: the first search once packets go to the peer, unless one is
 * scheduled already. */
void pmtu_session_up(struct wg_peer *peer, uint64_t now);
/* The peer's TIMER_PATH_MTU: a round ends, or a search is due. Sends probes. */
void pmtu_timer(struct wg_peer *peer, uint64_t now);
/* An inner packet from the peer (whole, len its own length): true when it answered a probe
 * and must go no further. Otherwise the MSS of a SYN is clamped to the path. */
bool pmtu_received(struct wg_peer *peer, uint8_t *pkt, size_t len, uint64_t now);
/* A packet from the TUN for the peer: the MSS of a SYN clamped; false when it is too big
 * for the path and was answered with an ICMP error instead (the caller drops it). */
bool pmtu_sending(struct wg_peer *peer, uint8_t *pkt, size_t len, uint64_t now);
/* The largest packet the peer's path takes, or 0 for the interface's MTU. */
static inline unsigned int pmtu_of(const struct peer_pmtu *p)
{
	return p->mtu;
}
/* Names the address probes go to (family AF_INET or AF_INET6), or with family 0 goes back
 * to choosing one from the allowed IPs. */
void pmtu_set_address(struct wg_peer *peer, int family, const void *addr);
/* The search alone, as a state machine over p that knows no peer (tests/unit/test_pmtu.c
 * drives it): the sizes of a round are p->size[0..count), the echo request alone at
 * p->small when that is not -1. The MTU of the interface is top. */
/* A new search: false when there is nothing to probe (top below the floor). */
bool pmtu_search_start(struct peer_pmtu *p, unsigned int top);
/* Probe i of the round came back; false when it already had, or there is none. */
bool pmtu_search_answered(struct peer_pmtu *p, unsigned int i);
/* The round is over: true with the next round planned, false when the search is done:
 * p->lo is then the largest size that came back (0: none; small_answered says whether
 * anything did). */
bool pmtu_search_next(struct peer_pmtu *p, unsigned int top);

/* How the path MTU is known now: as p->how says, except that a peer not probed yet with
 * no address to probe says so at once, before any session. */
enum pmtu_how pmtu_state(const struct wg_peer *peer);
/* How the path MTU was found, as adit-show's key ("probed", "no-address", ...), and in
 * words for people, from that key (the key itself when it is unknown). */
const char *pmtu_how_key(enum pmtu_how how);
const char *pmtu_how_words(const char *key);

#endif
