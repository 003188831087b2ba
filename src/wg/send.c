/* Sending: handshake messages, keepalives, and packets from the TUN, each encrypted for the
 * peer whose allowed IPs hold its destination. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/log.h"
#include "wg/device.h"
#include "wg/send.h"

static void send_authenticated(struct wg_peer *peer, const void *msg, size_t len)
{
	timers_any_authenticated_packet_traversal(&peer->timers,
						  peer->persistent_keepalive_interval);
	timers_any_authenticated_packet_sent(&peer->timers);
	if (socket_send(peer, msg, len) == 0)
		peer->tx_bytes += len;
}

void send_handshake_initiation(struct wg_peer *peer, bool is_retry)
{
	struct wg_device *dev = peer->dev;
	struct wg_msg_initiation msg;
	uint64_t now = clock_now();
	uint32_t index;

	if (!is_retry)
		peer->timers.handshake_attempts = 0;
	/* At most one initiation per REKEY_TIMEOUT, whatever asks for it. */
	if (peer->last_sent_handshake && now < peer->last_sent_handshake + WG_REKEY_TIMEOUT)
		return;
	/* Without an endpoint the initiation goes nowhere, but its timers run as if it went,
	 * so an endpoint set a moment later is used at the next retry (kernel behaviour). */
	if (!dev->identity.has_identity)
		return;
	peer->last_sent_handshake = now;
	index = index_table_add(&dev->index, peer);
	if (!index)
		return;
	if (!noise_create_initiation(&msg, &peer->handshake, &dev->identity, index)) {
		index_table_remove(&dev->index, index);
		return;
	}
	cookie_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	send_authenticated(peer, &msg, sizeof(msg));
	timers_handshake_initiated(&peer->timers);
}

/* Answers the initiation just consumed and derives the responder's keypair. */
void send_handshake_response(struct wg_peer *peer)
{
	struct wg_device *dev = peer->dev;
	struct wg_msg_response msg;
	struct noise_keypair *kp;
	uint64_t now = clock_now();
	uint32_t index = index_table_add(&dev->index, peer);

	/* Our own initiation would compete with the session this response makes. */
	peer->last_sent_handshake = now;
	if (!index)
		return;
	if (!noise_create_response(&msg, &peer->handshake, index)) {
		index_table_remove(&dev->index, index);
		return;
	}
	cookie_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	kp = noise_keypair_create(&peer->handshake, now);
	if (!kp) {
		index_table_remove(&dev->index, index);
		return;
	}
	index_table_set_keypair(&dev->index, index, kp);
	peer_add_keypair(peer, kp);
	timers_session_derived(&peer->timers);
	send_authenticated(peer, &msg, sizeof(msg));
}

/* A rekey before the keys get old: the initiator of the session starts it after
 * REKEY_AFTER_TIME, and anyone after REKEY_AFTER_MESSAGES. */
static void keep_key_fresh(struct wg_peer *peer, const struct noise_keypair *kp, uint64_t now)
{
	if (kp->send_counter > WG_REKEY_AFTER_MESSAGES ||
	    (kp->is_initiator && now > kp->birthdate + WG_REKEY_AFTER_TIME))
		send_handshake_initiation(peer, false);
}

/* Zero padding to a multiple of 16, but never past the MTU: a full-size packet stays full
 * size, so its datagram still fits the path it was sized for (kernel's rule). */
static size_t padded_length(size_t len, unsigned int mtu)
{
	size_t last = len, padded;

	if (!mtu)
		return (len + WG_PADDING - 1) & ~(size_t)(WG_PADDING - 1);
	if (last > mtu)
		last %= mtu;
	padded = (last + WG_PADDING - 1) & ~(size_t)(WG_PADDING - 1);
	if (padded > mtu)
		padded = mtu;
	return len + (padded - last);
}

/* A run of packets for one peer, as the crypto lanes see it. */
struct seal_run {
	struct noise_keypair *kp;
	uint8_t *const *pkts;
	const size_t *lens;
	size_t *out;        /* the data message's length, or 0 if sealing failed */
	uint64_t counter;   /* the first packet's */
	unsigned int mtu;
};

/* Packet i of a run, on any crypto lane: padded, sealed in place, and given the data header
 * that goes sizeof(struct wg_msg_data) in front of it (the buffer has room for both). */
static void seal_one(void *ctx, unsigned int i, unsigned int lane)
{
	const struct seal_run *run = ctx;
	uint8_t *pkt = run->pkts[i];
	size_t len = run->lens[i], padded = padded_length(len, run->mtu);
	uint64_t counter = run->counter + i;
	struct wg_msg_data hdr;

	memset(pkt + len, 0, padded - len);
	run->out[i] = 0;
	if (!crypto_aead_ctx_seal(&run->kp->send, lane, pkt, pkt, padded, counter))
		return;
	hdr.type = htole32(WG_MSG_DATA);
	hdr.receiver = htole32(run->kp->remote_index);
	hdr.counter = htole64(counter);
	memcpy(pkt - sizeof(hdr), &hdr, sizeof(hdr));
	run->out[i] = sizeof(hdr) + padded + WG_TAG_LEN;
}

/* Runs worth sharing out: a run of small packets (ACKs) costs more to hand over than to
 * seal here. */
#define SEAL_SHARE_BYTES 16384

/* Seals n packets for peer under one keypair and queues them: the decisions (which keypair,
 * whether to rekey, the timers) are taken once for the run, the sealing is shared among
 * the crypto lanes, and the messages are queued in order. False, with nothing queued, if
 * there is no session. */
static bool queue_packets(struct wg_peer *peer, uint8_t *const *pkts, const size_t *lens,
			  unsigned int n, uint64_t now)
{
	struct noise_keypair *kp = peer_sending_keypair(peer, now);
	struct wg_device *dev = peer->dev;
	size_t out[IO_BATCH], bytes = 0;
	struct seal_run run = { kp, pkts, lens, out, 0, dev->mtu };
	bool data = false;

	if (!kp || !peer->has_endpoint)
		return false;
	/* The limit is checked once for the run, not per packet: a run is at most IO_BATCH
	 * packets, and REJECT_AFTER_MESSAGES lies 2^13 below the counter's end, so a run that
	 * starts under it cannot wrap the counter; and a keypair reaches it only after 2^64
	 * messages, which REJECT_AFTER_TIME (180 s) makes unreachable. */
	run.counter = kp->send_counter;
	kp->send_counter += n;
	for (unsigned int i = 0; i < n; i++)
		bytes += lens[i];
	workers_run(&dev->workers, seal_one, &run, n, bytes >= SEAL_SHARE_BYTES);
	for (unsigned int i = 0; i < n; i++) {
		if (!out[i])
			continue;
		socket_queue(peer, pkts[i] - sizeof(struct wg_msg_data), out[i]);
		peer->tx_bytes += out[i];
		data |= lens[i] != 0;
	}
	timers_any_authenticated_packet_traversal(&peer->timers,
						  peer->persistent_keepalive_interval);
	timers_any_authenticated_packet_sent(&peer->timers);
	if (data)
		timers_data_sent(&peer->timers);
	keep_key_fresh(peer, kp, now);
	return true;
}

/* Staged packets make the best keepalive; without a session, a keepalive asks for one
 * (that is how a persistent keepalive brings a tunnel up with no traffic). */
void send_keepalive(struct wg_peer *peer)
{
	uint8_t buf[sizeof(struct wg_msg_data) + WG_TAG_LEN];
	uint8_t *pkt = buf + sizeof(struct wg_msg_data);
	size_t len = 0;

	if (peer->staged.count) {
		send_staged(peer);
		return;
	}
	if (queue_packets(peer, &pkt, &len, 1, clock_now()))
		socket_flush(peer->dev);
	else
		send_handshake_initiation(peer, false);
}

/* The staged packets go out in order, through the TUN side of the pool: nothing else uses it
 * outside send_tun_packets, which flushes before it returns. */
void send_staged(struct wg_peer *peer)
{
	struct staged_packets *s = &peer->staged;
	struct wg_device *dev = peer->dev;
	uint8_t *pkts[IO_BATCH];
	size_t lens[IO_BATCH], off = 0;
	uint64_t now = clock_now();
	unsigned int n = 0;

	if (!s->count)
		return;
	if (!peer_sending_keypair(peer, now)) {
		send_handshake_initiation(peer, false);
		return;
	}
	socket_flush(dev);
	for (unsigned int i = 0; i < s->count; i++) {
		pkts[n] = io_pool_buf(&dev->pool, n) + IO_HEADROOM;
		memcpy(pkts[n], s->buf + off, s->len[i]);
		lens[n++] = s->len[i];
		off += s->len[i];
		if (n == IO_BATCH || i + 1 == s->count) {
			queue_packets(peer, pkts, lens, n, now);
			socket_flush(dev);
			n = 0;
		}
	}
	peer_drop_staged(peer);
}

unsigned int send_probes(struct wg_peer *peer, uint8_t *const *pkts, const size_t *lens,
			 unsigned int n, uint64_t now)
{
	struct wg_device *dev = peer->dev;
	struct io_stats *stats = dev->tx.stats, probe_stats = { 0 };
	unsigned int sent = 0;

	if (!peer->has_endpoint)
		return 0;
	socket_flush(dev);
	/* A probe the kernel refuses as too big for the first link is an answer, not a drop:
	 * it is not counted with the data path's. */
	dev->tx.stats = &probe_stats;
	socket_dont_fragment(peer, true);
	for (unsigned int i = 0; i < n; i++) {
		if (!queue_packets(peer, &pkts[i], &lens[i], 1, now))
			break;
		/* One at a time: GSO would refuse the whole set for one size over the link's. */
		socket_flush(dev);
		sent++;
	}
	socket_dont_fragment(peer, false);
	dev->tx.stats = stats;
	stats->udp_sends += probe_stats.udp_sends;
	return sent;
}

/* The peer for a packet's destination; NULL when it is not IP or no peer has it. */
static struct wg_peer *route(struct wg_device *dev, const uint8_t *pkt, size_t len)
{
	if (len >= sizeof(struct ip) && pkt[0] >> 4 == 4)
		return allowedips_lookup(&dev->allowedips, AF_INET,
					 pkt + offsetof(struct ip, ip_dst));
	if (len >= sizeof(struct ip6_hdr) && pkt[0] >> 4 == 6)
		return allowedips_lookup(&dev->allowedips, AF_INET6,
					 pkt + offsetof(struct ip6_hdr, ip6_dst));
	return NULL;
}

unsigned int send_path_mtu(void *ctx, const uint8_t *pkt, size_t len)
{
	struct wg_device *dev = ctx;
	struct wg_peer *peer;

	if (!dev->pmtu_limited) /* the common case: no lookup */
		return 0;
	peer = route(dev, pkt, len);
	return peer ? pmtu_of(&peer->pmtu) : 0;
}

/* A run of packets for one peer: sealed and queued, or, without a session, staged while the
 * handshake it starts completes. */
static void send_run(struct wg_device *dev, struct wg_peer *peer, uint8_t *const *pkts,
		     const size_t *lens, unsigned int n, uint64_t now)
{
	if (!peer || !peer->has_endpoint) {
		for (unsigned int i = 0; i < n; i++)
			drops_count(&dev->drops, peer ? WG_DROP_NO_ENDPOINT : WG_DROP_NO_ROUTE,
				    peer, NULL);
		return;
	}
	if (queue_packets(peer, pkts, lens, n, now))
		return;
	for (unsigned int i = 0; i < n; i++)
		peer_stage(peer, pkts[i], lens[i]);
	send_handshake_initiation(peer, false);
}

/* What a peer's timers decided, done in the order enum timer_action gives. */
void send_timer_actions(struct wg_peer *peer, unsigned int actions)
{
	char name[PEER_NAME_LEN];

	if (actions & TIMER_GIVE_UP) {
		log_info("%s: handshake did not complete after %d attempts, giving up",
			 peer_name(peer, name), WG_MAX_TIMER_HANDSHAKES + 2);
		peer_drop_staged(peer);
	}
	if (actions & TIMER_RETRANSMIT) {
		/* The peer may have moved or our route to it changed: choose the source anew. */
		peer_clear_source(peer);
		send_handshake_initiation(peer, true);
	}
	if (actions & TIMER_SEND_KEEPALIVE)
		send_keepalive(peer);
	if (actions & TIMER_NEW_HANDSHAKE) {
		peer_clear_source(peer);
		send_handshake_initiation(peer, false);
	}
	if (actions & TIMER_PATH_MTU)
		pmtu_timer(peer, clock_now());
	if (actions & TIMER_ZERO_KEYS) {
		log_info("%s: no new session for %d s, keys zeroed", peer_name(peer, name),
			 WG_REJECT_AFTER_TIME * 3 / 1000);
		peer_zero_keys(peer);
	}
	if ((actions & TIMER_PERSISTENT_KEEPALIVE) && peer->persistent_keepalive_interval)
		send_keepalive(peer);
}

/* --trace, --pcap: each packet of the batch, MTU-sized as the peer will see it, with the
 * peer it goes to, or why it goes nowhere. */
static void trace_batch(struct wg_device *dev, struct wg_peer *const *peer,
			uint8_t *const *pkts, const size_t *lens, int n)
{
	char where[96], name[PEER_NAME_LEN];

	for (int i = 0; i < n; i++) {
		if (!peer[i])
			snprintf(where, sizeof(where), "tun ==> no peer (dropped)");
		else
			snprintf(where, sizeof(where), "tun ==> %s%s", peer_name(peer[i], name),
				 peer[i]->has_endpoint ? "" : " (no endpoint: dropped)");
		trace_packet(&dev->trace, where, pkts[i], lens[i]);
	}
}

/* Each packet against its peer's path MTU (pmtu.c): one too big for it is answered with an
 * ICMP error and taken out of the batch, the rest keeping their order. Returns how many
 * remain. */
static int fit_paths(struct wg_device *dev, struct wg_peer **peer, uint8_t **pkts,
		     size_t *lens, int n, uint64_t now)
{
	int kept = 0;

	for (int i = 0; i < n; i++) {
		if (peer[i] && !pmtu_sending(peer[i], pkts[i], lens[i], now)) {
			drops_count(&dev->drops, WG_DROP_TOO_BIG, peer[i], NULL);
			continue;
		}
		peer[kept] = peer[i];
		pkts[kept] = pkts[i];
		lens[kept++] = lens[i];
	}
	return kept;
}

/* Each peer remembers its run (batch_run) while the batch is grouped; a number left from an
 * earlier batch is told apart by the run not being the peer's. */
unsigned int send_group_by_peer(struct wg_peer *const *peer, uint8_t *const *pkts,
				const size_t *lens, unsigned int n, struct wg_peer **to_peer,
				uint8_t **to_pkts, size_t *to_lens, unsigned int *run_len)
{
	struct wg_peer *run_peer[IO_BATCH];
	unsigned int run_of[IO_BATCH], at[IO_BATCH], runs = 0, no_peer = IO_BATCH, r;

	for (unsigned int i = 0; i < n; i++) {
		struct wg_peer *p = peer[i];

		r = p ? p->batch_run : no_peer;
		if (r >= runs || run_peer[r] != p) {
			r = runs++;
			run_peer[r] = p;
			run_len[r] = 0;
			if (p)
				p->batch_run = (uint16_t)r;
			else
				no_peer = r;
		}
		run_of[i] = r;
		run_len[r]++;
	}
	for (r = 0, at[0] = 0; r + 1 < runs; r++)
		at[r + 1] = at[r] + run_len[r];
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = at[run_of[i]]++;

		to_peer[k] = peer[i];
		to_pkts[k] = pkts[i];
		to_lens[k] = lens[i];
	}
	return runs;
}

/* One batch from the TUN (super-packets already split), grouped into runs by peer, and sent
 * with as few system calls as GSO allows. */
static int send_batch(struct wg_device *dev, uint64_t now)
{
	uint8_t *pkts[IO_BATCH], *grouped[IO_BATCH];
	size_t lens[IO_BATCH], grouped_lens[IO_BATCH];
	struct wg_peer *peer[IO_BATCH], *grouped_peer[IO_BATCH];
	unsigned int runs, run_len[IO_BATCH];
	int n;

	for (unsigned int i = 0; i < IO_BATCH; i++)
		pkts[i] = io_pool_buf(&dev->pool, i) + IO_HEADROOM;
	n = tun_read_batch(&dev->tun, pkts, lens, IO_BATCH, SEND_TUN_ROOM);
	if (n <= 0)
		return n;
	for (int i = 0; i < n; i++)
		peer[i] = route(dev, pkts[i], lens[i]);
	n = fit_paths(dev, peer, pkts, lens, n, now);
	if (dev->trace.on)
		trace_batch(dev, peer, pkts, lens, n);
	runs = send_group_by_peer(peer, pkts, lens, (unsigned int)n, grouped_peer, grouped,
				  grouped_lens, run_len);
	for (unsigned int r = 0, start = 0; r < runs; start += run_len[r], r++)
		send_run(dev, grouped_peer[start], grouped + start, grouped_lens + start,
			 run_len[r], now);
	socket_flush(dev);
	return n;
}

/* wg-quick and ip(8) change the MTU after we start; padding must follow. Checked as a batch
 * from the TUN starts, at most once a second. When the interface has moved to another
 * namespace, the last value we saw stays. */
static void refresh_mtu(struct wg_device *dev, uint64_t now)
{
	struct ifreq ifr = { 0 };
	int fd = dev->sock4.fd >= 0 ? dev->sock4.fd : dev->sock6.fd;

	if (now < dev->mtu_checked + 1000 || fd < 0)
		return;
	dev->mtu_checked = now;
	memcpy(ifr.ifr_name, dev->tun.name, IFNAMSIZ);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu <= 0 ||
	    (unsigned int)ifr.ifr_mtu == dev->mtu)
		return;
	dev->mtu = (unsigned int)ifr.ifr_mtu;
	/* Every path was measured against the old MTU. */
	for (struct wg_peer *peer = dev->peers; peer; peer = peer->next)
		pmtu_restart(peer, now);
}

/* A few batches per wake-up, so the other direction is not starved; a super-packet that did
 * not fit the last batch is never left waiting for a wake-up that may not come. */
int send_tun_packets(struct wg_device *dev)
{
	uint64_t now = clock_now();
	int n, rounds = 0;

	refresh_mtu(dev, now);
	do
		n = send_batch(dev, now);
	while (n > 0 && (dev->tun.pending || (n == IO_BATCH && ++rounds < 4)));
	if (dev->trace.on)
		trace_flush(&dev->trace);
	/* Any other error is one read's: the next wake-up tries again. */
	return n == -ENODEV ? -ENODEV : 0;
}
