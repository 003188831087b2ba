/* Peers: creation, configuration, their sessions and the packets waiting for one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/secmem.h"
#include "wg/device.h"
#include "wg/peer.h"

/* A peer holds its preshared key and its handshake's secrets: its memory stays out of core
 * dumps, and is wiped when the peer goes. Every device's peers share it (one thread). */
static struct secmem_pool peers = SECMEM_POOL(sizeof(struct wg_peer));

struct wg_peer *peer_create(struct wg_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_peer *peer = secmem_alloc(&peers);

	if (!peer)
		return NULL;
	peer->dev = dev;
	peer->allowed_ips.peer = peer;
	noise_handshake_init(&peer->handshake, pub);
	cookie_init(&peer->cookie, pub);
	timers_init(&peer->timers, &dev->timer_queue);
	pmtu_init(&peer->pmtu, dev->pmtu_off);
	return peer;
}

static void drop_keypair(struct wg_peer *peer, struct noise_keypair **slot)
{
	if (!*slot)
		return;
	index_table_remove(&peer->dev->index, (*slot)->local_index);
	noise_keypair_free(*slot);
	*slot = NULL;
}

static void drop_handshake(struct wg_peer *peer)
{
	if (peer->handshake.state != HANDSHAKE_ZEROED && peer->handshake.local_index)
		index_table_remove(&peer->dev->index, peer->handshake.local_index);
	noise_handshake_clear(&peer->handshake);
}

void peer_zero_keys(struct wg_peer *peer)
{
	drop_keypair(peer, &peer->keypairs.previous);
	drop_keypair(peer, &peer->keypairs.current);
	drop_keypair(peer, &peer->keypairs.next);
	drop_handshake(peer);
}

void peer_free(struct wg_peer *peer)
{
	peer_zero_keys(peer);
	timers_stop(&peer->timers);
	pmtu_stop(peer);
	peer_drop_staged(peer);
	secmem_unmap(peer->staged.buf, PEER_STAGED_BYTES);
	cookie_wipe(&peer->cookie);
	secmem_free(&peers, peer);
}

void peer_add_keypair(struct wg_peer *peer, struct noise_keypair *kp)
{
	struct noise_keypairs *k = &peer->keypairs;

	kp->peer = peer;
	if (kp->is_initiator) {
		/* A responder keypair nobody confirmed still decrypts what the other side sends
		 * with it, so it becomes previous; else the old current does. */
		if (k->next) {
			drop_keypair(peer, &k->previous);
			k->previous = k->next;
			k->next = NULL;
			drop_keypair(peer, &k->current);
		} else {
			drop_keypair(peer, &k->previous);
			k->previous = k->current;
		}
		k->current = kp;
	} else {
		drop_keypair(peer, &k->next);
		k->next = kp;
		drop_keypair(peer, &k->previous);
	}
}

bool peer_received_with_keypair(struct wg_peer *peer, struct noise_keypair *kp)
{
	struct noise_keypairs *k = &peer->keypairs;

	if (kp != k->next)
		return false;
	/* Always NULL here: next is only ever set by peer_add_keypair's responder branch,
	 * which drops previous, and nothing sets previous while next stays. So receiving
	 * frees no keypair, and receive.c may hold a batch's keypairs across its messages. */
	drop_keypair(peer, &k->previous);
	k->previous = k->current;
	k->current = kp;
	k->next = NULL;
	return true;
}

struct noise_keypair *peer_sending_keypair(struct wg_peer *peer, uint64_t now)
{
	struct noise_keypair *kp = peer->keypairs.current;

	if (!kp || kp->send_counter >= WG_REJECT_AFTER_MESSAGES ||
	    now >= kp->birthdate + WG_REJECT_AFTER_TIME)
		return NULL;
	return kp;
}

static void drop_oldest(struct staged_packets *s)
{
	uint32_t first = s->len[0];

	memmove(s->buf, s->buf + first, s->used - first);
	memmove(s->len, s->len + 1, (s->count - 1) * sizeof(s->len[0]));
	s->used -= first;
	crypto_wipe(s->buf + s->used, first); /* the copy the move left behind */
	s->count--;
}

/* The buffer is allocated the first time a peer needs it, and kept: a peer that always has
 * a session never pays for it. It holds plaintext, so it is mapped out of core dumps too.
 * When full, the oldest packets make room (kernel's rule); each counts as a drop. */
void peer_stage(struct wg_peer *peer, const uint8_t *pkt, size_t len)
{
	struct staged_packets *s = &peer->staged;

	if (!s->buf && len <= PEER_STAGED_BYTES)
		s->buf = secmem_map(PEER_STAGED_BYTES);
	if (!s->buf || len > PEER_STAGED_BYTES) {
		drops_count(&peer->dev->drops, WG_DROP_STAGED, peer, NULL);
		return;
	}
	while (s->count == PEER_STAGED_MAX || s->used + len > PEER_STAGED_BYTES) {
		drop_oldest(s);
		drops_count(&peer->dev->drops, WG_DROP_STAGED, peer, NULL);
	}
	memcpy(s->buf + s->used, pkt, len);
	s->used += len;
	s->len[s->count++] = (uint32_t)len;
}

/* Staged packets are plaintext: wiped, not just forgotten. */
void peer_drop_staged(struct wg_peer *peer)
{
	if (peer->staged.buf)
		crypto_wipe(peer->staged.buf, peer->staged.used);
	peer->staged.used = 0;
	peer->staged.count = 0;
}

void peer_clear_source(struct wg_peer *peer)
{
	memset(&peer->endpoint.src6, 0, sizeof(peer->endpoint.src6));
	peer->endpoint.src_ifindex = 0;
}

const char *peer_name(const struct wg_peer *peer, char name[PEER_NAME_LEN])
{
	char key[WG_KEY_BASE64_LEN + 1];

	crypto_key_to_base64(key, peer->handshake.remote_static);
	snprintf(name, PEER_NAME_LEN, "peer %.4s…%.4s", key, key + WG_KEY_BASE64_LEN - 5);
	return name;
}

void peer_set_preshared_key(struct wg_peer *peer, const uint8_t psk[WG_KEY_LEN])
{
	memcpy(peer->handshake.preshared_key, psk, WG_KEY_LEN);
}

int peer_set_endpoint(struct wg_peer *peer, const struct sockaddr *sa, socklen_t len)
{
	struct udp_endpoint *e = &peer->endpoint, before = *e;
	bool had = peer->has_endpoint;

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memset(e, 0, sizeof(*e));
		memcpy(&e->addr.in4, sa, sizeof(struct sockaddr_in));
	} else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memset(e, 0, sizeof(*e));
		memcpy(&e->addr.in6, sa, sizeof(struct sockaddr_in6));
	} else {
		return -EINVAL;
	}
	peer->has_endpoint = true;
	if (!had || memcmp(&before.addr, &e->addr, sizeof(e->addr)))
		pmtu_restart(peer, clock_now()); /* a new path */
	return 0;
}

bool peer_set_persistent_keepalive(struct wg_peer *peer, uint16_t interval)
{
	bool changed = peer->persistent_keepalive_interval != interval;

	peer->persistent_keepalive_interval = interval;
	if (!interval)
		timers_persistent_keepalive_off(&peer->timers);
	return interval && changed && peer->dev->identity.has_identity;
}

void peer_handshake_complete(struct wg_peer *peer)
{
	char name[PEER_NAME_LEN];

	log_info("%s: handshake complete, session up", peer_name(peer, name));
	timers_handshake_complete(&peer->timers);
	clock_gettime(CLOCK_REALTIME, &peer->last_handshake);
	pmtu_session_up(peer, clock_now());
}

int peer_add_allowed_ip(struct wg_peer *peer, int family, const void *addr, uint8_t cidr)
{
	return allowedips_insert(&peer->dev->allowedips, family, addr, cidr, &peer->allowed_ips);
}

void peer_clear_allowed_ips(struct wg_peer *peer)
{
	allowedips_remove_list(&peer->dev->allowedips, &peer->allowed_ips);
}
