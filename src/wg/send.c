/* Sending: handshake messages, keepalives, and packets from the TUN, each encrypted for the
 * peer whose allowed IPs hold its destination. */
#include <endian.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "wg/device.h"

static void send_authenticated(struct wg_peer *peer, const void *msg, size_t len)
{
	timers_any_authenticated_packet_traversal(peer);
	timers_any_authenticated_packet_sent(peer);
	if (socket_send(peer, msg, len) == 0)
		peer->tx_bytes += len;
}

void peer_send_handshake_initiation(struct wg_peer *peer, bool is_retry)
{
	struct wg_device *dev = peer->dev;
	struct wg_msg_initiation msg;
	uint64_t now = device_now();
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
	index = device_index_add(dev, peer);
	if (!index)
		return;
	if (!noise_create_initiation(&msg, &peer->handshake, &dev->identity, index)) {
		device_index_remove(dev, index);
		return;
	}
	cookie_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	send_authenticated(peer, &msg, sizeof(msg));
	timers_handshake_initiated(peer);
}

/* Answers the initiation just consumed and derives the responder's keypair. */
void send_handshake_response(struct wg_peer *peer)
{
	struct wg_device *dev = peer->dev;
	struct wg_msg_response msg;
	struct noise_keypair *kp;
	uint64_t now = device_now();
	uint32_t index = device_index_add(dev, peer);

	/* Our own initiation would compete with the session this response makes. */
	peer->last_sent_handshake = now;
	if (!index)
		return;
	if (!noise_create_response(&msg, &peer->handshake, index)) {
		device_index_remove(dev, index);
		return;
	}
	cookie_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	kp = noise_keypair_create(&peer->handshake, now);
	if (!kp) {
		device_index_remove(dev, index);
		return;
	}
	device_index_set_keypair(dev, index, kp);
	peer_add_keypair(peer, kp);
	timers_session_derived(peer);
	send_authenticated(peer, &msg, sizeof(msg));
}

/* A rekey before the keys get old: the initiator of the session starts it after
 * REKEY_AFTER_TIME, and anyone after REKEY_AFTER_MESSAGES. */
static void keep_key_fresh(struct wg_peer *peer, const struct noise_keypair *kp, uint64_t now)
{
	if (kp->send_counter > WG_REKEY_AFTER_MESSAGES ||
	    (kp->is_initiator && now > kp->birthdate + WG_REKEY_AFTER_TIME))
		peer_send_handshake_initiation(peer, false);
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

/* Encrypts the inner packet at buf + DEVICE_HEADROOM (len bytes, the buffer has room for
 * padding and the tag) into a data message starting at buf; returns its length. */
static size_t encrypt_packet(struct noise_keypair *kp, uint8_t *buf, size_t len,
			     unsigned int mtu)
{
	struct wg_msg_data hdr;
	size_t padded = padded_length(len, mtu);
	uint64_t counter = kp->send_counter++;

	memset(buf + DEVICE_HEADROOM + len, 0, padded - len);
	if (!crypto_aead_ctx_seal(&kp->send, buf + DEVICE_HEADROOM, buf + DEVICE_HEADROOM, padded,
				  counter))
		return 0;
	hdr.type = htole32(WG_MSG_DATA);
	hdr.receiver = htole32(kp->remote_index);
	hdr.counter = htole64(counter);
	memcpy(buf, &hdr, sizeof(hdr));
	return sizeof(hdr) + padded + WG_TAG_LEN;
}

/* Queues one packet (in buf at DEVICE_HEADROOM) for peer; false if there is no session. */
static bool queue_packet(struct wg_peer *peer, uint8_t *buf, size_t len, uint64_t now)
{
	struct noise_keypair *kp = peer_sending_keypair(peer, now);
	size_t out;

	if (!kp || !peer->has_endpoint)
		return false;
	out = encrypt_packet(kp, buf, len, peer->dev->mtu);
	if (!out)
		return false;
	socket_queue(peer->dev, &peer->dev->tx, peer, buf, out);
	peer->tx_bytes += out;
	timers_any_authenticated_packet_traversal(peer);
	timers_any_authenticated_packet_sent(peer);
	if (len)
		timers_data_sent(peer);
	keep_key_fresh(peer, kp, now);
	return true;
}

/* Staged packets make the best keepalive; without a session, a keepalive asks for one
 * (that is how a persistent keepalive brings a tunnel up with no traffic). */
void peer_send_keepalive(struct wg_peer *peer)
{
	uint8_t buf[DEVICE_HEADROOM + WG_TAG_LEN];

	if (peer->staged.count) {
		peer_send_staged(peer);
		return;
	}
	if (queue_packet(peer, buf, 0, device_now()))
		socket_flush(peer->dev, &peer->dev->tx);
	else
		peer_send_handshake_initiation(peer, false);
}

/* The staged packets go through one scratch buffer each, in order. */
void peer_send_staged(struct wg_peer *peer)
{
	struct staged_packets *s = &peer->staged;
	struct wg_device *dev = peer->dev;
	uint64_t now = device_now();
	size_t off = 0;

	if (!s->count)
		return;
	if (!peer_sending_keypair(peer, now)) {
		peer_send_handshake_initiation(peer, false);
		return;
	}
	socket_flush(dev, &dev->tx);
	for (unsigned int i = 0; i < s->count; i++) {
		uint8_t *buf = device_tx_buf(dev, i % LOOP_BATCH);

		if (i && i % LOOP_BATCH == 0)
			socket_flush(dev, &dev->tx);
		memcpy(buf + DEVICE_HEADROOM, s->buf + off, s->len[i]);
		queue_packet(peer, buf, s->len[i], now);
		off += s->len[i];
	}
	socket_flush(dev, &dev->tx);
	peer_drop_staged(peer);
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

/* Up to a batch of packets from the TUN, each encrypted into its own buffer, all sent with
 * one sendmmsg per socket. A packet for a peer without a session waits for the handshake
 * it starts. */
int send_tun_packets(struct wg_device *dev)
{
	uint64_t now = device_now();
	unsigned int i;

	device_refresh_mtu(dev, now);
	for (i = 0; i < LOOP_BATCH; i++) {
		uint8_t *buf = device_tx_buf(dev, i);
		ssize_t n = read(dev->tun.fd, buf + DEVICE_HEADROOM,
				 DEVICE_BUF_SIZE - DEVICE_HEADROOM - WG_PADDING - WG_TAG_LEN);
		struct wg_peer *peer;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			/* The interface is gone (deleted, or its namespace removed). */
			if (errno == EBADFD || errno == EIO || errno == ENXIO) {
				socket_flush(dev, &dev->tx);
				return -ENODEV;
			}
			break;
		}
		peer = route(dev, buf + DEVICE_HEADROOM, (size_t)n);
		if (!peer || !peer->has_endpoint)
			continue;
		if (!queue_packet(peer, buf, (size_t)n, now)) {
			peer_stage(peer, buf + DEVICE_HEADROOM, (size_t)n);
			peer_send_handshake_initiation(peer, false);
		}
	}
	socket_flush(dev, &dev->tx);
	return 0;
}
