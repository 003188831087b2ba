/* Path-MTU probing per peer, and what a path found smaller than the interface asks of the
 * data path (pmtu.h says how it works and why). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "base/addr.h"
#include "base/log.h"
#include "base/netcfg.h"
#include "pkt/icmp_build.h"
#include "pkt/mss.h"
#include "wg/device.h"
#include "wg/pmtu.h"
#include "wg/send.h"

#define ROUND_MS 1000                  /* how long a round waits for its replies */
#define SEARCH_AGAIN_MS (600 * 1000)   /* a path found is looked at again (RFC 8899's raise
					* timer) */
#define NO_ANSWER_AGAIN_MS (60 * 1000) /* a peer that did not answer is asked again, */
#define NO_ANSWER_BACKOFF_MAX 3        /* ... each time twice as late, up to 8 minutes */
#define STALL_MS 1000                  /* big packets out, nothing back: the path may have
					* shrunk */
#define STALL_QUIET_MAX 6              /* a stall search waits at most 64 times STALL_MS */
#define TOO_BIG_BURST 10               /* ICMP errors per peer at once, then ... */
#define TOO_BIG_PER_S 10               /* ... this many a second */

/* How the prober came to what it says: a key for adit-show, and the words for people. */
static const struct {
	const char *key, *words;
} hows[] = {
	[PMTU_NOT_YET] = { "not-yet", "not probed yet" },
	[PMTU_PROBING] = { "probing", "probing" },
	[PMTU_PROBED] = { "probed", "probed" },
	[PMTU_NO_ADDRESS] = { "no-address", "no address of the peer to probe: no /32 or /128 in "
					    "its allowed IPs; name one with adit probe-address" },
	[PMTU_NO_SOURCE] = { "no-source", "no route to the probe address through this interface, "
					  "or no source address for it (was the interface moved to "
					  "another network namespace?)" },
	[PMTU_NO_ANSWER] = { "no-answer", "the peer did not answer the probes" },
	[PMTU_BELOW_FLOOR] = { "below-floor", "the path carries no packet of 1280 bytes" },
	[PMTU_OFF] = { "off", "off (--no-pmtu)" },
	[PMTU_SMALL_LINK] = { "small-link", "the interface's MTU is below 1280: nothing to probe" },
};

const char *pmtu_how_key(enum pmtu_how how)
{
	return (unsigned int)how < sizeof(hows) / sizeof(hows[0]) ? hows[how].key : "?";
}

const char *pmtu_how_words(const char *key)
{
	for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++)
		if (!strcmp(key, hows[i].key))
			return hows[i].words;
	return key;
}

void pmtu_init(struct peer_pmtu *p, bool off)
{
	enum pmtu_how how = off ? PMTU_OFF : PMTU_NOT_YET;

	*p = (struct peer_pmtu){ .how = how, .concluded = how, .small = -1,
				 .too_big_tokens = TOO_BIG_BURST };
}

/* What packets to the peer must fit: 0 for the interface's MTU. */
static void set_mtu(struct wg_peer *peer, unsigned int mtu)
{
	struct peer_pmtu *p = &peer->pmtu;

	if (!p->mtu != !mtu)
		peer->dev->pmtu_limited += mtu ? 1 : -1;
	p->mtu = mtu;
}

void pmtu_stop(struct wg_peer *peer)
{
	set_mtu(peer, 0);
}

/* The one wake-up the prober has: the round's end, a stall to look at, or the next search.
 * Never at or before now: the timers fire what is due until nothing is, and a wake-up due
 * again at once would keep them firing. */
static void rearm(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	uint64_t when = p->how == PMTU_PROBING ? p->round_end : p->next_search;
	uint64_t stall;

	if (p->how != PMTU_PROBING && p->big_since) {
		stall = p->big_since + ((uint64_t)STALL_MS << p->quiet);
		if (!when || stall < when)
			when = stall;
	}
	if (when && when <= now)
		when = now + 1;
	timers_path_mtu_at(&peer->timers, when);
}

/* Whether large packets that go unanswered may mean the path shrank: only where probing
 * could say so. */
static bool may_probe(enum pmtu_how how)
{
	return how != PMTU_OFF && how != PMTU_NO_ADDRESS && how != PMTU_SMALL_LINK;
}

static unsigned int spread_ms(const struct wg_device *dev)
{
	return dev->peer_count < 60000 ? (unsigned int)dev->peer_count + 1 : 60000;
}

/* A round under way is dropped: its answers would be the old path's, or come under a session
 * that lapsed. False when probing is off. */
static bool drop_round(struct peer_pmtu *p)
{
	if (p->how == PMTU_OFF)
		return false;
	if (p->how == PMTU_PROBING)
		p->how = PMTU_NOT_YET;
	return true;
}

void pmtu_restart(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;

	if (!drop_round(p))
		return;
	p->quiet = 0;
	/* Without a session the probes could not go: the next session starts the search, once
	 * packets go. With one, search even if nothing went since the last search. A change
	 * that restarts every peer at once (the interface's MTU) spreads their searches, a
	 * millisecond apart, over at most a minute. */
	p->next_search = 0;
	if (peer_sending_keypair(peer, now)) {
		p->used = true;
		p->next_search = now + peer->dev->pmtu_restarts++ % spread_ms(peer->dev);
	}
	rearm(peer, now);
}

void pmtu_session_up(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;

	/* A rekey every two minutes changes nothing of the path: a search stays scheduled.
	 * A search under way starts again (the session it ran in may have lapsed). */
	if (p->how != PMTU_PROBING && p->how != PMTU_NOT_YET && p->next_search)
		return;
	if (!drop_round(p))
		return;
	/* Not forced: a tunnel that only keeps its session (persistent keepalives) is never
	 * probed; the first packet to the peer starts the search (pmtu_sending). */
	p->next_search = now;
	rearm(peer, now);
}

void pmtu_set_address(struct wg_peer *peer, int family, const void *addr)
{
	struct peer_pmtu *p = &peer->pmtu;

	p->named = family != 0;
	p->named_family = family;
	if (family)
		memcpy(p->named_addr, addr, family == AF_INET ? 4 : 16);
	pmtu_restart(peer, clock_now());
}

/* The first host route among the peer's allowed IPs, in the order they were given: its
 * family, and the address into addr; 0 when there is none. */
static int host_route(const struct wg_peer *peer, uint8_t addr[16])
{
	const struct allowedips_node *node;
	uint8_t cidr;
	int family;

	for (node = allowedips_first(&peer->allowed_ips); node; node = allowedips_next(node)) {
		family = allowedips_prefix(node, addr, &cidr);
		if ((family == AF_INET && cidr == 32) || (family == AF_INET6 && cidr == 128))
			return family;
	}
	return 0;
}

/* The address probes go to: the one named, else a host route of the allowed IPs. */
static bool probe_destination(struct wg_peer *peer)
{
	struct peer_pmtu *p = &peer->pmtu;

	if (p->named) {
		p->family = p->named_family;
		memcpy(p->dst, p->named_addr, sizeof(p->dst));
		return true;
	}
	p->family = host_route(peer, p->dst);
	return p->family != 0;
}

enum pmtu_how pmtu_state(const struct wg_peer *peer)
{
	uint8_t addr[16];

	if (peer->pmtu.how == PMTU_NOT_YET && !peer->pmtu.named && !host_route(peer, addr))
		return PMTU_NO_ADDRESS;
	return peer->pmtu.how;
}

/* The source: what the kernel would give a packet to the probe address, if that packet
 * would go out through our interface (so the answer comes back to it). */
static bool probe_source(struct wg_peer *peer)
{
	struct peer_pmtu *p = &peer->pmtu;
	struct wg_device *dev = peer->dev;
	struct netcfg_path path;

	if (!dev->pmtu_nc.nl && netcfg_open(&dev->pmtu_nc) < 0)
		return false;
	if (netcfg_find_route(&dev->pmtu_nc, p->family, p->dst, &path) < 0 ||
	    path.ifindex != dev->tun.ifindex || !path.has_src)
		return false;
	memcpy(p->src, path.src, sizeof(p->src));
	return true;
}

/* Sizes a probe can usefully have, below the interface's MTU (top): multiples of PMTU_STEP
 * from the floor, and top itself. These two count the ones in [from, to] and give the j-th. */
static unsigned int first_multiple(unsigned int from)
{
	return (from + PMTU_STEP - 1) / PMTU_STEP * PMTU_STEP;
}

static unsigned int count_sizes(unsigned int from, unsigned int to, unsigned int top)
{
	unsigned int first = first_multiple(from);
	unsigned int last = to / PMTU_STEP * PMTU_STEP;
	unsigned int steps = last >= first ? (last - first) / PMTU_STEP + 1 : 0;

	return steps + (to == top && top % PMTU_STEP && top >= from);
}

static unsigned int nth_size(unsigned int from, unsigned int to, unsigned int top,
			     unsigned int j)
{
	unsigned int size = first_multiple(from) + j * PMTU_STEP;

	return size <= to ? size : top; /* past the multiples: top, the last of them */
}

/* The sizes of the next round, spread over what is still unknown; false when nothing is. */
static bool plan_round(struct peer_pmtu *p, unsigned int top)
{
	unsigned int from = p->lo ? p->lo + 1 : PMTU_FLOOR;
	unsigned int to = p->hi && p->hi - 1 < top ? p->hi - 1 : top;
	unsigned int n, m, j;

	p->count = 0;
	p->answered = 0;
	p->small = -1;
	if (from > to)
		return false;
	n = count_sizes(from, to, top);
	if (!n)
		return false;
	if (!p->lo && !p->second_try) /* the first round: is anyone there at all? */
		p->small = (int)p->count++;
	m = n < PMTU_PROBES - p->count ? n : PMTU_PROBES - p->count;
	for (unsigned int k = 0; k < m; k++) {
		j = m == 1 ? n - 1 : (unsigned int)((uint64_t)k * (n - 1) / (m - 1));
		p->size[p->count++] = nth_size(from, to, top, j);
	}
	return true;
}

bool pmtu_search_start(struct peer_pmtu *p, unsigned int top)
{
	p->lo = p->hi = 0;
	p->small_answered = p->second_try = false;
	return plan_round(p, top);
}

bool pmtu_search_answered(struct peer_pmtu *p, unsigned int i)
{
	if (i >= p->count || (p->answered & (1U << i)))
		return false;
	p->answered |= 1U << i;
	if ((int)i == p->small)
		p->small_answered = true;
	return true;
}

/* What came back raises lo; what did not, twice, lowers hi. */
bool pmtu_search_next(struct peer_pmtu *p, unsigned int top)
{
	unsigned int missed = 0;

	for (unsigned int i = 0; i < p->count; i++)
		if ((int)i != p->small && (p->answered & (1U << i)) && p->size[i] > p->lo)
			p->lo = p->size[i];
	/* The smallest size above everything that came back and did not come back itself
	 * (one below a size that came back was lost, not too big). */
	for (unsigned int i = 0; i < p->count; i++)
		if ((int)i != p->small && !(p->answered & (1U << i)) && p->size[i] > p->lo &&
		    (!missed || p->size[i] < missed))
			missed = p->size[i];
	if (missed && !p->second_try) {
		p->second_try = true; /* once more before a size counts as too big */
	} else {
		if (missed)
			p->hi = missed;
		p->second_try = false;
	}
	return plan_round(p, top);
}

/* The plaintexts of the round, each sealed and sent on its own, not fragmentable. */
static void send_round(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	struct wg_device *dev = peer->dev;
	uint8_t *pkts[PMTU_PROBES];
	size_t lens[PMTU_PROBES];
	unsigned int n = 0, size;

	p->seq = (uint16_t)(p->seq + PMTU_PROBES);
	for (unsigned int i = 0; i < p->count; i++) {
		pkts[n] = io_pool_buf(&dev->pool, i) + IO_HEADROOM;
		size = (int)i == p->small ? 0 : p->size[i];
		if (!size) /* the echo request alone: the builder says how long that is */
			size = p->family == AF_INET ? 36 : 56;
		lens[n] = icmp_echo_probe(pkts[n], size, p->family, p->src, p->dst, dev->pmtu_id,
					  (uint16_t)(p->seq + i), dev->pmtu_token);
		if (lens[n])
			n++;
	}
	p->probes_sent += send_probes(peer, pkts, lens, n, now);
	p->round_end = now + ROUND_MS;
}

/* A search ends, with what it found or why it found nothing: said in the log when that
 * differs from what the last search concluded. */
static void conclude(struct wg_peer *peer, enum pmtu_how how, unsigned int mtu,
		     uint64_t next, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	unsigned int before = p->mtu, top = peer->dev->mtu;
	char name[PEER_NAME_LEN];

	p->how = how;
	p->found_at = now;
	p->next_search = next;
	set_mtu(peer, mtu);
	if (p->stall_search && p->mtu == before && p->quiet < STALL_QUIET_MAX)
		p->quiet++;
	else if (p->mtu != before)
		p->quiet = 0;
	p->stall_search = false;
	p->big_since = 0;
	if (p->mtu == before && how == p->concluded)
		return;
	p->concluded = how;
	if (how == PMTU_PROBED)
		log_info("%s: path MTU %u (probed%s)", peer_name(peer, name), p->found,
			 p->mtu ? "" : ", all of the interface's");
	else
		log_info("%s: path MTU unknown, the interface's %u kept (%s)",
			 peer_name(peer, name), top, pmtu_how_words(pmtu_how_key(how)));
}

/* When to look again at a peer that gave no answer: each time twice as late. */
static uint64_t no_answer_wait(struct peer_pmtu *p)
{
	uint64_t wait = (uint64_t)NO_ANSWER_AGAIN_MS << p->backoff;

	if (p->backoff < NO_ANSWER_BACKOFF_MAX)
		p->backoff++;
	return wait;
}

static void finish(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	unsigned int top = peer->dev->mtu;

	if (p->lo) {
		p->found = p->lo;
		p->backoff = 0;
		conclude(peer, PMTU_PROBED, p->lo < top ? p->lo : 0, now + SEARCH_AGAIN_MS, now);
	} else {
		conclude(peer, p->small_answered ? PMTU_BELOW_FLOOR : PMTU_NO_ANSWER, 0,
			 now + no_answer_wait(p), now);
	}
}

static void start_search(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	char name[PEER_NAME_LEN];

	if (peer->dev->mtu < PMTU_FLOOR) {
		conclude(peer, PMTU_SMALL_LINK, 0, 0, now); /* until the MTU changes */
		return;
	}
	if (!probe_destination(peer)) {
		/* until the allowed IPs change, or a new session comes up */
		conclude(peer, PMTU_NO_ADDRESS, 0, 0, now);
		return;
	}
	if (!probe_source(peer)) {
		conclude(peer, PMTU_NO_SOURCE, 0, now + no_answer_wait(p), now);
		return;
	}
	log_verbose("%s: probing the path MTU%s", peer_name(peer, name),
		    p->stall_search ? " (large packets went out, nothing came back)" : "");
	p->found_at = now;
	p->used = false;
	p->how = PMTU_PROBING;
	if (!pmtu_search_start(p, peer->dev->mtu)) {
		finish(peer, now);
		return;
	}
	send_round(peer, now);
}

void pmtu_timer(struct wg_peer *peer, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;

	if (p->how == PMTU_OFF)
		return;
	if (p->how == PMTU_PROBING) {
		if (now >= p->round_end && pmtu_search_next(p, peer->dev->mtu))
			send_round(peer, now);
		else if (now >= p->round_end)
			finish(peer, now);
	} else if (!peer_sending_keypair(peer, now)) {
		/* No session: the next one that comes up starts a search. */
		p->next_search = 0;
		p->big_since = 0;
	} else if (p->big_since && now >= p->big_since + ((uint64_t)STALL_MS << p->quiet)) {
		p->stall_search = true;
		start_search(peer, now);
	} else if (p->next_search && now >= p->next_search && !p->used) {
		/* Nothing went to the peer since the last search: probes now would keep an idle
		 * tunnel's sessions alive for nothing. Look again later, or, never probed, when
		 * the first packet goes. */
		if (p->how == PMTU_NOT_YET)
			p->next_search = 0;
		else
			p->next_search = now + (p->how == PMTU_PROBED ? SEARCH_AGAIN_MS
								    : no_answer_wait(p));
	} else if (p->next_search && now >= p->next_search) {
		start_search(peer, now);
	}
	rearm(peer, now);
}

/* The address the first unanswered large packet went to: only an answer from there says
 * that large packets still arrive (an ssh session beside a stalled transfer would not). */
static void note_big_dst(struct peer_pmtu *p, const uint8_t *pkt)
{
	p->big_v6 = pkt[0] >> 4 == 6;
	memcpy(p->big_dst, pkt + (p->big_v6 ? 24 : 16), p->big_v6 ? 16 : 4);
}

static bool heard_from_big_dst(const struct peer_pmtu *p, const uint8_t *pkt)
{
	bool v6 = pkt[0] >> 4 == 6;

	return v6 == p->big_v6 && !memcmp(p->big_dst, pkt + (v6 ? 8 : 12), v6 ? 16 : 4);
}

bool pmtu_received(struct wg_peer *peer, uint8_t *pkt, size_t len, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	struct wg_device *dev = peer->dev;
	uint16_t seq;
	unsigned int i;

	if (p->big_since && heard_from_big_dst(p, pkt))
		p->big_since = 0;
	if (p->how == PMTU_OFF)
		return false;
	if (pkt[0] >> 4 == 4 ? pkt[9] == IPPROTO_ICMP : pkt[6] == IPPROTO_ICMPV6) {
		if (!icmp_echo_reply(pkt, len, p->family, p->dst, dev->pmtu_id, dev->pmtu_token,
				     &seq))
			return false;
		i = (uint16_t)(seq - p->seq);
		if (p->how == PMTU_PROBING && pmtu_search_answered(p, i)) {
			p->probes_answered++;
			/* The largest of the round came back: nothing more to wait for. */
			if (i + 1 == p->count && p->count > 1) {
				p->round_end = now;
				timers_path_mtu_at(&peer->timers, now);
			}
		}
		return true; /* a late answer too: it was ours */
	}
	if (p->mtu && mss_clamp(pkt, len, p->mtu - (pkt[0] >> 4 == 4 ? 40 : 60)))
		p->mss_clamped++;
	return false;
}

/* The sender of a packet too big for the path learns the MTU as a router would tell it. */
static void answer_too_big(struct wg_peer *peer, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;
	struct wg_device *dev = peer->dev;
	uint8_t *out = dev->too_big_buf + OFFLOAD_VNET_HDR_LEN;
	size_t n;

	uint64_t add = (now - p->too_big_refilled) * TOO_BIG_PER_S / 1000;

	/* Only the time credited moves the refill on, or calls closer than a token's worth
	 * apart would never earn one. */
	if (add) {
		p->too_big_refilled += add * 1000 / TOO_BIG_PER_S;
		if (p->too_big_tokens + add >= TOO_BIG_BURST) {
			p->too_big_tokens = TOO_BIG_BURST;
			p->too_big_refilled = now;
		} else {
			p->too_big_tokens += (unsigned int)add;
		}
	}
	if (!p->too_big_tokens)
		return;
	n = icmp_too_big(out, ICMP_TOO_BIG_MAX, pkt, len, p->mtu);
	if (!n)
		return;
	p->too_big_tokens--;
	p->too_big_sent++;
	tun_write_batch(&dev->tun, &out, &n, 1, ICMP_TOO_BIG_MAX, true);
}

/* May the packet be cut into fragments on the way? IPv4 without DF only. */
static bool may_fragment(const uint8_t *pkt)
{
	return pkt[0] >> 4 == 4 && !(pkt[6] & 0x40);
}

bool pmtu_sending(struct wg_peer *peer, uint8_t *pkt, size_t len, uint64_t now)
{
	struct peer_pmtu *p = &peer->pmtu;

	if (!p->used) {
		p->used = true;
		/* The first packet since the session came up (without one, the session will) */
		if (p->how == PMTU_NOT_YET && peer_sending_keypair(peer, now)) {
			p->next_search = now;
			rearm(peer, now);
		}
	}
	if (len > PMTU_FLOOR && !p->big_since && may_probe(p->how)) {
		p->big_since = now;
		note_big_dst(p, pkt);
		rearm(peer, now);
	}
	if (!p->mtu)
		return true;
	if (mss_clamp(pkt, len, p->mtu - (pkt[0] >> 4 == 4 ? 40 : 60)))
		p->mss_clamped++;
	if (len <= p->mtu || may_fragment(pkt))
		return true;
	answer_too_big(peer, pkt, len, now);
	return false;
}
