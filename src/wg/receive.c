/* Receiving: every datagram is checked before it may cost anything. Handshake messages must
 * carry a valid mac1 (else silence) and, under load, a cookie; data messages must name a
 * session, decrypt, be new to the replay window, and come from an inner source the peer is
 * allowed. Only then does the peer's endpoint move to where the datagram came from. */
#include <endian.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/log.h"
#include "wg/device.h"
#include "wg/receive.h"
#include "wg/send.h"

static struct noise_handshake *lookup_handshake(void *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_device *dev = ctx;
	struct wg_peer *peer = pubkey_table_find(&dev->peers_by_key, pub);

	return peer ? &peer->handshake : NULL;
}

static struct wg_peer *peer_of(struct noise_handshake *hs)
{
	return (struct wg_peer *)((char *)hs - offsetof(struct wg_peer, handshake));
}

/* Roaming: the peer is wherever its latest authenticated datagram came from. */
static void update_endpoint(struct wg_peer *peer, const struct udp_endpoint *ep)
{
	bool moved;

	if (peer->has_endpoint && !memcmp(&peer->endpoint, ep, sizeof(*ep)))
		return; /* every packet but the first after a move: one compare, as before */
	moved = !peer->has_endpoint || memcmp(&peer->endpoint.addr, &ep->addr, sizeof(ep->addr));
	peer->endpoint = *ep;
	peer->has_endpoint = true;
	if (moved) /* a new path, maybe of another MTU */
		pmtu_restart(peer, clock_now());
}

static void authenticated(struct wg_peer *peer, const struct udp_endpoint *ep, size_t len)
{
	timers_any_authenticated_packet_received(&peer->timers);
	timers_any_authenticated_packet_traversal(&peer->timers,
						  peer->persistent_keepalive_interval);
	update_endpoint(peer, ep);
	peer->rx_bytes += len;
}

static uint32_t sender_of(const uint8_t *msg)
{
	uint32_t sender;

	memcpy(&sender, msg + offsetof(struct wg_msg_initiation, sender), sizeof(sender));
	return le32toh(sender);
}

/* The peer initiates again although we answered its last initiation, and no data came under
 * the session that answer made (a responder's keypair waits in next until data confirms it,
 * and an initiator confirms with data or a keepalive at once): it could not use our answer.
 * As initiator we see why (the response does not decrypt); as responder only this. */
#define UNUSED_ANSWER_SAY_MS 60000

static void hint_unused_answer(struct wg_peer *peer, const struct udp_endpoint *ep,
			       uint64_t now)
{
	char where[80], name[PEER_NAME_LEN];

	if (peer->unused_answer_said && now - peer->unused_answer_said < UNUSED_ANSWER_SAY_MS)
		return;
	peer->unused_answer_said = now;
	log_verbose("%s: initiates again from %s although we answered, and sent no data with "
		    "the session we answered: its preshared key may differ from ours (compare "
		    "both ends' PresharedKey), or our answers do not reach it (a firewall, or "
		    "its endpoint for us is wrong)", peer_name(peer, name),
		    addr_format_endpoint(&ep->addr, where, sizeof(where)));
}

static void receive_initiation(struct wg_device *dev, const uint8_t *buf,
			       const struct udp_endpoint *ep, uint64_t now)
{
	struct wg_msg_initiation msg;
	struct noise_handshake *hs;
	struct wg_peer *peer;

	memcpy(&msg, buf, sizeof(msg));
	hs = noise_consume_initiation(&msg, &dev->identity, lookup_handshake, dev, now);
	if (!hs) {
		drops_count(&dev->drops, WG_DROP_INITIATION, NULL, ep);
		return;
	}
	peer = peer_of(hs);
	authenticated(peer, ep, sizeof(msg));
	if (peer->keypairs.next)
		hint_unused_answer(peer, ep, now);
	send_handshake_response(peer);
}

static void receive_response(struct wg_device *dev, const uint8_t *buf,
			     const struct udp_endpoint *ep, uint64_t now)
{
	struct wg_msg_response msg;
	struct index_entry *e;
	struct noise_keypair *kp;
	struct wg_peer *peer;

	memcpy(&msg, buf, sizeof(msg));
	e = index_table_find(&dev->index, le32toh(msg.receiver));
	if (!e || e->keypair || e->peer->handshake.local_index != e->index) {
		drops_count(&dev->drops, e ? WG_DROP_RESPONSE : WG_DROP_UNKNOWN_INDEX,
			    e ? e->peer : NULL, ep);
		return;
	}
	peer = e->peer;
	if (!noise_consume_response(&msg, &peer->handshake, &dev->identity)) {
		drops_count(&dev->drops, WG_DROP_RESPONSE, peer, ep);
		return;
	}
	kp = noise_keypair_create(&peer->handshake, now);
	if (!kp) {
		index_table_remove(&dev->index, e->index);
		return;
	}
	index_table_set_keypair(&dev->index, kp->local_index, kp);
	peer_add_keypair(peer, kp);
	authenticated(peer, ep, sizeof(msg));
	timers_session_derived(&peer->timers);
	peer_handshake_complete(peer);
	/* Staged packets confirm the session; with none, a keepalive does. */
	send_keepalive(peer);
}

static void receive_handshake(struct wg_device *dev, const uint8_t *buf, size_t len,
			      const struct udp_endpoint *ep, uint64_t now)
{
	bool under_load = ratelimiter_under_load(&dev->ratelimiter, now);
	enum cookie_mac_state mac;

	if (!dev->identity.has_identity) {
		drops_count(&dev->drops, WG_DROP_NO_IDENTITY, NULL, ep);
		return;
	}
	mac = cookie_validate(&dev->cookie_checker, buf, len, &ep->addr.sa, under_load, now);
	if (mac == COOKIE_INVALID_MAC) {
		drops_count(&dev->drops, WG_DROP_MAC1, NULL, ep);
		return;
	}
	ratelimiter_count_handshake(&dev->ratelimiter, now);
	if (under_load && mac != COOKIE_VALID_MAC_WITH_COOKIE) {
		struct wg_msg_cookie reply;

		cookie_reply_create(&reply, &dev->cookie_checker, buf, len, sender_of(buf),
				    &ep->addr.sa, now);
		socket_send_to(dev, ep, &reply, sizeof(reply));
		return;
	}
	if (under_load && !ratelimiter_allow(&dev->ratelimiter, &ep->addr.sa, now)) {
		drops_count(&dev->drops, WG_DROP_RATELIMITED, NULL, ep);
		return;
	}
	if (len == sizeof(struct wg_msg_initiation))
		receive_initiation(dev, buf, ep, now);
	else
		receive_response(dev, buf, ep, now);
}

static void receive_cookie(struct wg_device *dev, const uint8_t *buf, uint64_t now)
{
	struct wg_msg_cookie msg;
	struct index_entry *e;

	memcpy(&msg, buf, sizeof(msg));
	e = index_table_find(&dev->index, le32toh(msg.receiver));
	if (e)
		cookie_reply_consume(&e->peer->cookie, &msg, now);
	else
		drops_count(&dev->drops, WG_DROP_UNKNOWN_INDEX, NULL, NULL);
}

/* The initiator of a session rekeys before it must stop receiving on it. */
static void keep_key_fresh(struct wg_peer *peer, uint64_t now)
{
	struct noise_keypair *kp = peer->keypairs.current;

	if (kp && kp->is_initiator && !peer->timers.sent_lastminute_handshake &&
	    now > kp->birthdate + WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT) {
		peer->timers.sent_lastminute_handshake = true;
		send_handshake_initiation(peer, false);
	}
}

/* The length of the IP packet at the start of plain (of len bytes, with padding after it)
 * and its source address; 0 when it is not a whole IPv4 or IPv6 packet. */
static size_t inner_packet(const uint8_t *plain, size_t len, int *family, const uint8_t **src)
{
	size_t total;

	if (len >= sizeof(struct ip) && plain[0] >> 4 == 4) {
		total = (size_t)plain[2] << 8 | plain[3];
		*family = AF_INET;
		*src = plain + offsetof(struct ip, ip_src);
		return total >= sizeof(struct ip) && total <= len ? total : 0;
	}
	if (len >= sizeof(struct ip6_hdr) && plain[0] >> 4 == 6) {
		total = sizeof(struct ip6_hdr) + ((size_t)plain[4] << 8 | plain[5]);
		*family = AF_INET6;
		*src = plain + offsetof(struct ip6_hdr, ip6_src);
		return total <= len ? total : 0;
	}
	return 0;
}

/* --trace, --pcap: a packet for the TUN, before it is coalesced with others. */
static void trace_received(struct wg_device *dev, const struct wg_peer *peer,
			   const uint8_t *pkt, size_t len)
{
	char where[96], name[PEER_NAME_LEN];

	snprintf(where, sizeof(where), "tun <== %s", peer_name(peer, name));
	trace_packet(&dev->trace, where, pkt, len);
}

#define DROP_NONE WG_DROP_COUNT

static bool is_data(const uint8_t *buf, size_t len)
{
	uint32_t type;

	if (len < WG_DATA_MIN_LEN)
		return false;
	memcpy(&type, buf, sizeof(type));
	return le32toh(type) == WG_MSG_DATA;
}

/* A data message's session, before anything is decrypted: the keypair its receiver index
 * names, if it is still young enough to receive on; else the drop. */
static enum wg_drop lookup_data(struct wg_device *dev, const uint8_t *buf, uint64_t now,
				struct data_open *o)
{
	struct wg_msg_data hdr;
	struct index_entry *e;

	memcpy(&hdr, buf, sizeof(hdr));
	o->counter = le64toh(hdr.counter);
	o->kp = NULL;
	e = index_table_find(&dev->index, le32toh(hdr.receiver));
	o->peer = e ? e->peer : NULL;
	if (!e || !e->keypair)
		return WG_DROP_UNKNOWN_INDEX;
	if (now >= e->keypair->birthdate + WG_REJECT_AFTER_TIME)
		return WG_DROP_EXPIRED;
	o->kp = e->keypair;
	return DROP_NONE;
}

struct open_run {
	struct data_open *open;
	uint8_t *const *bufs;
	uint8_t *const *homes;
	const size_t *lens;
};

/* One message of a run, on any crypto lane: decrypted into its home buffer (where it lies,
 * or from a GRO message's buffer into one of its own), or marked. */
static void open_one(void *ctx, unsigned int i, unsigned int lane)
{
	const struct open_run *run = ctx;
	struct data_open *o = &run->open[i];
	size_t len = run->lens[i] - sizeof(struct wg_msg_data);

	if (o->drop == DROP_NONE &&
	    !crypto_aead_ctx_open(&o->kp->recv, lane, run->homes[i] + sizeof(struct wg_msg_data),
				  run->bufs[i] + sizeof(struct wg_msg_data), len, o->counter))
		o->drop = WG_DROP_DECRYPT;
}

/* Messages worth sharing out: a run of small ones (ACKs) costs more to hand over than to
 * open here. */
#define OPEN_SHARE_BYTES 16384

/* Looks up n data messages and decrypts each from bufs[i] into homes[i] (the same buffer, or
 * one of its own), the decryption shared among the crypto lanes; open[i] says what became
 * of message i. Nothing is accepted yet: that happens in order,
 * one message at a time, in accept_data. The keypairs found here are still there when
 * their messages are accepted: no data message frees a keypair (peer_received_with_keypair
 * says why), and a run holds nothing but data messages. */
static void open_data(struct wg_device *dev, uint8_t *const *bufs, uint8_t *const *homes,
		      const size_t *lens, unsigned int n, uint64_t now, struct data_open *open)
{
	struct open_run run = { open, bufs, homes, lens };
	size_t bytes = 0;

	for (unsigned int i = 0; i < n; i++) {
		open[i].drop = lookup_data(dev, bufs[i], now, &open[i]);
		bytes += lens[i];
	}
	workers_run(&dev->workers, open_one, &run, n, bytes >= OPEN_SHARE_BYTES);
}

/* A data message opened by open_data into buf (its home), taken in the order it came:
 * replay, then what the session and the inner packet must satisfy. */
static void accept_data(struct wg_device *dev, uint8_t *buf, size_t len,
			const struct udp_endpoint *ep, uint64_t now, const struct data_open *o)
{
	struct noise_keypair *kp = o->kp;
	struct wg_peer *peer = o->peer;
	uint8_t *plain = buf + sizeof(struct wg_msg_data);
	size_t plain_len = len - sizeof(struct wg_msg_data) - WG_TAG_LEN, total;
	const uint8_t *src;
	int family;

	if (o->drop != DROP_NONE) {
		drops_count(&dev->drops, o->drop, peer, ep);
		return;
	}
	if (!replay_check(&kp->replay, o->counter)) {
		drops_count(&dev->drops, WG_DROP_REPLAY, peer, ep);
		return;
	}

	/* Authenticated from here: first learn where the peer is, so that what we send next
	 * (staged packets, a rekey) goes there. */
	update_endpoint(peer, ep);
	if (peer_received_with_keypair(peer, kp)) {
		peer_handshake_complete(peer);
		send_staged(peer);
	}
	keep_key_fresh(peer, now);
	authenticated(peer, ep, len);
	if (!plain_len)
		return; /* a keepalive */
	timers_data_received(&peer->timers);
	total = inner_packet(plain, plain_len, &family, &src);
	if (!total || allowedips_lookup(&dev->allowedips, family, src) != peer) {
		drops_count(&dev->drops, total ? WG_DROP_SOURCE : WG_DROP_NOT_IP, peer, ep);
		return;
	}
	/* A probe's answer is ours alone; a SYN gets an MSS that fits our path to the peer. */
	if (pmtu_received(peer, plain, total, now))
		return;
	if (dev->trace.on)
		trace_received(dev, peer, plain, total);
	if (dev->to_tun_count == IO_BATCH)
		receive_flush(dev);
	dev->to_tun[dev->to_tun_count] = plain;
	dev->to_tun_len[dev->to_tun_count++] = total;
}

int receive_flush(struct wg_device *dev)
{
	unsigned int n = dev->to_tun_count;

	dev->to_tun_count = 0;
	/* Every packet here opened under a session's key: the AEAD authenticated it whole, so
	 * its checksums need no second check before coalescing (the kernel module marks them
	 * CHECKSUM_UNNECESSARY). */
	return tun_write_batch(&dev->tun, dev->to_tun, dev->to_tun_len, n,
			       IO_BUF_SIZE - IO_HEADROOM - sizeof(struct wg_msg_data), true);
}

void receive_datagram(struct wg_device *dev, uint8_t *buf, size_t len,
		      const struct udp_endpoint *ep, uint64_t now)
{
	struct data_open open;
	uint32_t type = 0;

	if (len >= sizeof(type))
		memcpy(&type, buf, sizeof(type));
	switch (len >= sizeof(type) ? le32toh(type) : 0) {
	case WG_MSG_INITIATION:
		if (len != sizeof(struct wg_msg_initiation))
			break;
		receive_handshake(dev, buf, len, ep, now);
		return;
	case WG_MSG_RESPONSE:
		if (len != sizeof(struct wg_msg_response))
			break;
		receive_handshake(dev, buf, len, ep, now);
		return;
	case WG_MSG_COOKIE:
		if (len != sizeof(struct wg_msg_cookie))
			break;
		receive_cookie(dev, buf, now);
		return;
	case WG_MSG_DATA:
		if (len < WG_DATA_MIN_LEN)
			break;
		open_data(dev, &buf, &buf, &len, 1, now, &open);
		accept_data(dev, buf, len, ep, now, &open);
		return;
	}
	drops_count(&dev->drops, WG_DROP_MALFORMED, NULL, ep);
}

/* A batch of datagrams (a GRO message's share one source, parsed once), then one batched
 * write of what they carried to the TUN. Each run of data messages is decrypted first, on
 * every crypto lane, then taken in order; other messages are taken one by one between the
 * runs, so the batch means what its datagrams mean in the order they came. */
int receive_datagrams(struct wg_device *dev, struct udp_sock *s)
{
	uint8_t *bufs[IO_BATCH];
	struct udp_rx *rx = &dev->rx;
	struct udp_endpoint ep;
	uint64_t now = clock_now();
	unsigned int msg = ~0U, end;
	int n;

	for (unsigned int i = 0; i < IO_BATCH; i++)
		bufs[i] = io_pool_buf(&dev->pool, IO_BATCH + i);
	n = udp_rx_receive(rx, s, &dev->udp_stats, bufs, IO_BATCH);
	/* An error here is the network's word on an earlier datagram (an ICMP error queued on
	 * the socket), which reading it cleared: the tunnel goes on, with nothing received. */
	if (n < 0)
		n = 0;
	for (unsigned int i = 0; i < (unsigned int)n; i = end) {
		bool data = is_data(rx->data[i], rx->len[i]);

		for (end = i + 1; data && end < (unsigned int)n && is_data(rx->data[end], rx->len[end]);
		     end++)
			;
		if (data)
			open_data(dev, rx->data + i, rx->home + i, rx->len + i, end - i, now,
				  dev->opened);
		for (unsigned int j = i; j < end; j++) {
			if (rx->msg_of[j] != msg) {
				msg = rx->msg_of[j];
				udp_rx_endpoint(rx, j, &ep);
			}
			if (data)
				accept_data(dev, rx->home[j], rx->len[j], &ep, now,
					    &dev->opened[j - i]);
			else
				receive_datagram(dev, rx->data[j], rx->len[j], &ep, now);
		}
	}
	n = receive_flush(dev);
	if (dev->trace.on)
		trace_flush(&dev->trace);
	return n == -ENODEV ? -ENODEV : 0;
}
