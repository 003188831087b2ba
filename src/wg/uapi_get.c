/* The reply to a get (and to adit-show=1), step by step into a buffer that may fill up: the
 * device's lines, then each peer's and each of its allowed IPs, then errno. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/addr.h"
#include "base/clock.h"
#include "io/stats.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/peer.h"
#include "wg/uapi.h"

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

/* Appends s as it is, with put's rule for a full buffer. */
static void put_str(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->full)
		return;
	if (n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n + 1);
	o->len += n;
}

/* Not through put: vsnprintf leaves copies of what it formats in stack memory below ours,
 * which nothing wipes (a core that ignores coredump_filter showed a preshared key there). */
static void put_key(struct out *o, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];

	crypto_key_to_hex(hex, key);
	put_str(o, name);
	put_str(o, "=");
	put_str(o, hex);
	put_str(o, "\n");
	crypto_wipe(hex, sizeof(hex));
}

/* As wg reads it back: A.B.C.D:PORT, or [IPV6]:PORT with %SCOPE (a number) when it has one. */
static void put_endpoint(struct out *o, const struct udp_endpoint *ep)
{
	char s[INET6_ADDRSTRLEN];

	if (ep->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->addr.in4.sin_addr, s, sizeof(s));
		put(o, "endpoint=%s:%u\n", s, ntohs(ep->addr.in4.sin_port));
	} else if (ep->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep->addr.in6.sin6_addr, s, sizeof(s));
		if (ep->addr.in6.sin6_scope_id)
			put(o, "endpoint=[%s%%%u]:%u\n", s, ep->addr.in6.sin6_scope_id,
			    ntohs(ep->addr.in6.sin6_port));
		else
			put(o, "endpoint=[%s]:%u\n", s, ntohs(ep->addr.in6.sin6_port));
	}
}

static void put_allowed_ip(struct out *o, const struct allowedips_node *node)
{
	char s[INET6_ADDRSTRLEN];
	uint8_t addr[16], cidr;
	int family = allowedips_prefix(node, addr, &cidr);

	if (inet_ntop(family, addr, s, sizeof(s)))
		put(o, "allowed_ip=%s/%u\n", s, cidr);
}

static void put_device(struct out *o, const struct wg_device *dev)
{
	if (dev->identity.has_identity)
		put_key(o, "private_key", dev->identity.private_key);
	if (dev->listen_port)
		put(o, "listen_port=%u\n", dev->listen_port);
	if (dev->fwmark)
		put(o, "fwmark=%u\n", dev->fwmark);
}

static const char *udp_offloads(const struct udp_sock *sock)
{
	if (sock->gso)
		return sock->gro ? "gso gro" : "gso";
	return sock->gro ? "gro" : "off";
}

/* adit-show's device lines: what get says, less the private key, plus the device's state. */
static void put_show_device(struct out *o, const struct wg_device *dev)
{
	char names[64];

	if (dev->identity.has_identity)
		put_key(o, "own_public_key", dev->identity.public_key);
	if (dev->listen_port)
		put(o, "listen_port=%u\n", dev->listen_port);
	if (dev->fwmark)
		put(o, "fwmark=%u\n", dev->fwmark);
	put(o, "under_load=%s\n", ratelimiter_under_load(&dev->ratelimiter, clock_now()) ? "true" : "false");
	put(o, "data_crypto=%s\n", crypto_aead_backend());
	if (dev->tun.fd >= 0)
		put(o, "tun_offloads=%s\n", tun_offload_names(&dev->tun, names, sizeof(names)));
	if (dev->tun.fd >= 0) /* the interface may have been moved since it was made */
		put(o, "netns=%s\n", tun_netns_name(&dev->tun, names, sizeof(names)));
	if (dev->sock4.fd >= 0)
		put(o, "udp4_offloads=%s\n", udp_offloads(&dev->sock4));
	if (dev->sock6.fd >= 0)
		put(o, "udp6_offloads=%s\n", udp_offloads(&dev->sock6));
	if (dev->workers.lanes > 1)
		put(o, "crypto_threads=%u\ncrypto_helped=%llu\n", dev->workers.lanes,
		    (unsigned long long)atomic_load_explicit(&dev->workers.helped,
							      memory_order_relaxed));
}

/* The non-zero counters, each on its line: at most 21 lines of 40 bytes, so a step of its
 * own fits UAPI_OUTPUT_MIN. */
static void put_drops(struct out *o, const uint64_t count[WG_DROP_COUNT])
{
	for (int i = 0; i < WG_DROP_COUNT; i++)
		if (count[i])
			put(o, "drop_%s=%llu\n", drops_name((enum wg_drop)i),
			    (unsigned long long)count[i]);
}

static void put_io_drops(struct out *o, const struct wg_device *dev)
{
	uint64_t n;

	for (int i = 0; i < IO_DROP_COUNT; i++) {
		n = dev->tun.stats.drops[i] + dev->udp_stats.drops[i];
		if (n)
			put(o, "io_drop_%s=%llu\n", io_drop_key((enum io_drop)i),
			    (unsigned long long)n);
	}
}

/* What get and adit-show both say of a peer after its keys, in wireguard-go's order. */
static void put_peer_state(struct out *o, const struct wg_peer *peer)
{
	if (peer->has_endpoint)
		put_endpoint(o, &peer->endpoint);
	put(o, "last_handshake_time_sec=%lld\n", (long long)peer->last_handshake.tv_sec);
	put(o, "last_handshake_time_nsec=%ld\n", (long)peer->last_handshake.tv_nsec);
	put(o, "tx_bytes=%llu\n", (unsigned long long)peer->tx_bytes);
	put(o, "rx_bytes=%llu\n", (unsigned long long)peer->rx_bytes);
	put(o, "persistent_keepalive_interval=%u\n", peer->persistent_keepalive_interval);
}

/* What the prober knows of the peer's path (pmtu.h). */
static void put_path_mtu(struct out *o, const struct wg_peer *peer)
{
	const struct peer_pmtu *p = &peer->pmtu;
	char addr[INET6_ADDRSTRLEN];

	put(o, "path_mtu=%u\n", p->how == PMTU_PROBED ? p->found : 0);
	put(o, "path_mtu_how=%s\n", pmtu_how_key(pmtu_state(peer)));
	if (p->found_at)
		put(o, "path_mtu_age=%llu\n",
		    (unsigned long long)((clock_now() - p->found_at) / 1000));
	if ((p->how == PMTU_PROBED || p->how == PMTU_PROBING || p->how == PMTU_NO_ANSWER ||
	     p->how == PMTU_BELOW_FLOOR) && inet_ntop(p->family, p->dst, addr, sizeof(addr)))
		put(o, "path_mtu_probe_address=%s\n", addr);
	if (p->probes_sent)
		put(o, "path_mtu_probes=%llu/%llu\n", (unsigned long long)p->probes_sent,
		    (unsigned long long)p->probes_answered);
	if (p->too_big_sent)
		put(o, "path_mtu_too_big_sent=%llu\n", (unsigned long long)p->too_big_sent);
	if (p->mss_clamped)
		put(o, "path_mtu_mss_clamped=%llu\n", (unsigned long long)p->mss_clamped);
}

/* adit-show's peer lines: get's, with no preshared key but whether there is one. */
static void put_show_peer(struct out *o, const struct wg_peer *peer)
{
	static const uint8_t zero[WG_KEY_LEN];

	put_key(o, "public_key", peer->handshake.remote_static);
	if (!crypto_equal(peer->handshake.preshared_key, zero, WG_KEY_LEN))
		put(o, "has_preshared_key=true\n");
	put_peer_state(o, peer);
	put_path_mtu(o, peer);
}

/* The keys in wireguard-go's order; the preshared key is printed even when it is zero. The
 * allowed IPs follow, one step each. */
static void put_peer(struct out *o, const struct wg_peer *peer)
{
	put_key(o, "public_key", peer->handshake.remote_static);
	put_key(o, "preshared_key", peer->handshake.preshared_key);
	put(o, "protocol_version=1\n");
	put_peer_state(o, peer);
}

/* One step of the reply into o; false when o had no room for it (o is left as it was). */
static bool reply_step(struct uapi_session *s, struct out *o)
{
	size_t mark = o->len;

	switch (s->step) {
	case REPLY_DEVICE:
		if (s->show)
			put_show_device(o, s->dev);
		else
			put_device(o, s->dev);
		break;
	case REPLY_DEVICE_DROPS:
		put_drops(o, s->dev->drops.count);
		put_io_drops(o, s->dev);
		break;
	case REPLY_PEER:
		if (s->show)
			put_show_peer(o, s->reply_peer);
		else
			put_peer(o, s->reply_peer);
		break;
	case REPLY_PEER_DROPS:
		put_drops(o, s->reply_peer->drops.count);
		break;
	case REPLY_ALLOWED_IPS:
		put_allowed_ip(o, s->reply_ip);
		break;
	case REPLY_ERRNO:
		put(o, "errno=%d\n\n", s->reply_err);
		break;
	}
	if (o->full) {
		crypto_wipe(o->buf + mark, o->cap - mark);
		o->len = mark;
		return false;
	}
	return true;
}

/* The step after the one just written. */
static void next_step(struct uapi_session *s)
{
	switch (s->step) {
	case REPLY_DEVICE:
	case REPLY_DEVICE_DROPS:
		if (s->show && s->step == REPLY_DEVICE)
			s->step = REPLY_DEVICE_DROPS;
		else
			s->step = s->reply_peer ? REPLY_PEER : REPLY_ERRNO;
		return;
	case REPLY_PEER:
		if (s->show) {
			s->step = REPLY_PEER_DROPS;
			return;
		}
		s->reply_ip = allowedips_first(&s->reply_peer->allowed_ips);
		break;
	case REPLY_PEER_DROPS:
		s->reply_ip = allowedips_first(&s->reply_peer->allowed_ips);
		break;
	case REPLY_ALLOWED_IPS:
		s->reply_ip = allowedips_next(s->reply_ip);
		break;
	case REPLY_ERRNO:
		s->phase = UAPI_OPERATION;
		s->requests++;
		return;
	}
	if (s->reply_ip) {
		s->step = REPLY_ALLOWED_IPS;
		return;
	}
	s->reply_peer = s->reply_peer->next;
	s->reply_peers++;
	s->step = s->reply_peer ? REPLY_PEER : REPLY_ERRNO;
}

size_t uapi_session_output(struct uapi_session *s, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };

	while (s->phase == UAPI_REPLY && reply_step(s, &o))
		next_step(s);
	return o.len;
}
