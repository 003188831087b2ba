/* The cross-platform userspace API (wireguard.com/xplatform), served as wireguard-go serves
 * it so that wg(8) cannot tell the two apart:
 *
 *   get=1 \n \n            ->  key=value lines, errno=0, empty line
 *   set=1 \n key=value ... \n  ->  errno=N, empty line
 *
 * A set is applied line by line as it is read. The first bad line stops applying (what came
 * before it stays applied, as in wireguard-go); the rest of the request is read and dropped up
 * to its empty line so that the next request on the connection is read from its start. A set
 * whose client goes idle midway is answered errno=-110 (ETIMEDOUT) when the server hangs up
 * on it (ctlserver.h), the lines before staying applied as after any error.
 *
 * The error number is written negated, errno=-22 for EINVAL, because that is what
 * wireguard-go writes (ipc/uapi_unix.go) and what wg(8) expects of a set: it stores the number
 * read and sets errno to its negation before perror (ipc-uapi.h).
 *
 * adit-show=1 is adit's own get, for `adit show`: the same lines, in the same order, except
 * that the device has own_public_key where get has private_key (no secret leaves), a peer has
 * has_preshared_key=true where get has preshared_key, and both carry their drops by reason
 * (drop_NAME=N, drops.h's names; the device's I/O drops as io_drop_NAME=N) and the device its
 * state (under_load=true|false, tun_offloads=..., udp4_offloads=..., udp6_offloads=...); a
 * zero counter is left out. wg(8) never sends it, and wireguard-go hangs up on it (an
 * unknown operation), which is how adit show tells an adit daemon from another.
 *
 * This file knows bytes, not sockets: uapi_socket.c feeds it what a connection reads and
 * sends what it writes, a buffer at a time. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/addr.h"
#include "base/clock.h"
#include "base/log.h"
#include "io/stats.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/peer.h"
#include "wg/uapi.h"

static bool parse_key(uint8_t key[WG_KEY_LEN], const char *s)
{
	return strlen(s) == WG_KEY_HEX_LEN && crypto_key_from_hex(key, s);
}

/* The interface index of an IPv6 scope: a number, or an interface name. */
static bool parse_scope(const char *s, uint32_t *scope)
{
	uint64_t v;

	if (addr_parse_uint(s, UINT32_MAX, &v)) {
		*scope = (uint32_t)v;
		return true;
	}
	if (!*s || strlen(s) >= IF_NAMESIZE)
		return false;
	*scope = if_nametoindex(s);
	return *scope != 0;
}

/* A.B.C.D:PORT or [IPV6%SCOPE]:PORT, numeric only (wg resolves names before it sends).
 * Edits s in place. */
static bool parse_endpoint(char *s, struct udp_endpoint *ep, socklen_t *len)
{
	char *end, *scope;
	uint32_t scope_id = 0;
	uint64_t port;

	memset(ep, 0, sizeof(*ep));
	if (*s != '[') {
		end = strrchr(s, ':');
		if (!end)
			return false;
		*end = '\0';
		if (!addr_parse_uint(end + 1, UINT16_MAX, &port) ||
		    inet_pton(AF_INET, s, &ep->addr.in4.sin_addr) != 1)
			return false;
		ep->addr.in4.sin_family = AF_INET;
		ep->addr.in4.sin_port = htons((uint16_t)port);
		*len = sizeof(ep->addr.in4);
		return true;
	}
	end = strchr(++s, ']');
	if (!end || end[1] != ':')
		return false;
	*end = '\0';
	scope = strchr(s, '%');
	if (scope)
		*scope++ = '\0';
	if (!addr_parse_uint(end + 2, UINT16_MAX, &port) ||
	    inet_pton(AF_INET6, s, &ep->addr.in6.sin6_addr) != 1 ||
	    (scope && !parse_scope(scope, &scope_id)))
		return false;
	ep->addr.in6.sin6_family = AF_INET6;
	ep->addr.in6.sin6_port = htons((uint16_t)port);
	ep->addr.in6.sin6_scope_id = scope_id;
	*len = sizeof(ep->addr.in6);
	return true;
}

/* ADDR/CIDR, with CIDR at most 32 or 128. Edits s in place. */
static bool parse_allowed_ip(char *s, int *family, uint8_t addr[16], uint8_t *cidr)
{
	char *slash = strchr(s, '/');
	uint64_t c;

	if (!slash)
		return false;
	*slash = '\0';
	*family = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, s, addr) != 1)
		return false;
	if (!addr_parse_uint(slash + 1, *family == AF_INET6 ? 128 : 32, &c))
		return false;
	*cidr = (uint8_t)c;
	return true;
}


/* ---- set ------------------------------------------------------------------------------ */

static int set_device_line(struct wg_device *dev, const char *key, const char *value)
{
	uint8_t priv[WG_KEY_LEN];
	uint64_t v;
	int ret;

	if (!strcmp(key, "private_key")) {
		if (!parse_key(priv, value))
			return -EINVAL;
		ret = device_set_private_key(dev, priv);
		crypto_wipe(priv, sizeof(priv));
		return ret;
	}
	if (!strcmp(key, "listen_port")) {
		if (!addr_parse_uint(value, UINT16_MAX, &v))
			return -EINVAL;
		return device_set_listen_port(dev, (uint16_t)v);
	}
	if (!strcmp(key, "fwmark")) {
		if (*value && !addr_parse_uint(value, UINT32_MAX, &v))
			return -EINVAL;
		return device_set_fwmark(dev, *value ? (uint32_t)v : 0);
	}
	if (!strcmp(key, "replace_peers")) {
		if (strcmp(value, "true"))
			return -EINVAL;
		device_remove_all_peers(dev);
		return 0;
	}
	return -EINVAL;
}

/* Called when a peer's lines end: packets that waited for this peer's configuration (an
 * endpoint, say) can go now, as the kernel and wireguard-go do after a set. */
static void finish_peer(struct uapi_session *s)
{
	if (s->peer && s->peer->has_endpoint && s->peer->staged.count)
		peer_send_staged(s->peer);
	s->peer = NULL;
	s->created = false;
}

static int begin_peer(struct uapi_session *s, const char *value)
{
	struct noise_static_identity *id = &s->dev->identity;
	uint8_t pub[WG_KEY_LEN];

	finish_peer(s);
	s->in_peers = true;
	if (!parse_key(pub, value))
		return -EINVAL;
	/* Our own key names no peer: its lines are ignored, as the kernel and wireguard-go do. */
	if (id->has_identity && crypto_equal(pub, id->public_key, WG_KEY_LEN))
		return 0;
	s->peers++;
	s->peer = device_find_peer(s->dev, pub);
	if (s->peer)
		return 0;
	errno = 0;
	s->peer = device_add_peer(s->dev, pub);
	if (!s->peer)
		return errno ? -errno : -ENOMEM;
	s->created = true;
	return 0;
}

/* remove=true and update_only=true: the peer goes (update_only: only if this request made
 * it), and the rest of its lines are checked but not applied. */
static int drop_peer(struct uapi_session *s, const char *value, bool only_if_created)
{
	if (strcmp(value, "true"))
		return -EINVAL;
	if (s->peer && (s->created || !only_if_created)) {
		device_remove_peer(s->dev, s->peer);
		s->peer = NULL;
		s->created = false;
	}
	return 0;
}

static int set_peer_value(struct wg_peer *peer, const char *key, char *value)
{
	struct udp_endpoint ep;
	uint8_t buf[WG_KEY_LEN], cidr;
	socklen_t len;
	uint64_t v;
	int family;

	if (!strcmp(key, "preshared_key")) {
		if (!parse_key(buf, value))
			return -EINVAL;
		if (peer)
			peer_set_preshared_key(peer, buf);
		crypto_wipe(buf, sizeof(buf));
		return 0;
	}
	if (!strcmp(key, "endpoint")) {
		if (!parse_endpoint(value, &ep, &len))
			return -EINVAL;
		return peer ? peer_set_endpoint(peer, &ep.addr.sa, len) : 0;
	}
	if (!strcmp(key, "persistent_keepalive_interval")) {
		if (!addr_parse_uint(value, UINT16_MAX, &v))
			return -EINVAL;
		if (peer)
			peer_set_persistent_keepalive(peer, (uint16_t)v);
		return 0;
	}
	if (!strcmp(key, "replace_allowed_ips")) {
		if (strcmp(value, "true"))
			return -EINVAL;
		if (peer)
			peer_clear_allowed_ips(peer);
		return 0;
	}
	if (!strcmp(key, "allowed_ip")) {
		if (!parse_allowed_ip(value, &family, buf, &cidr))
			return -EINVAL;
		return peer ? peer_add_allowed_ip(peer, family, buf, cidr) : 0;
	}
	if (!strcmp(key, "protocol_version"))
		return strcmp(value, "1") ? -EINVAL : 0;
	return -EINVAL;
}

/* One KEY=VALUE line of a set. Returns 0 or a negative errno. */
static int set_line(struct uapi_session *s, char *line)
{
	char *value = strchr(line, '=');

	if (!value)
		return -EPROTO;
	*value++ = '\0';
	if (!strcmp(line, "public_key"))
		return begin_peer(s, value);
	if (!s->in_peers)
		return set_device_line(s->dev, line, value);
	if (!strcmp(line, "remove"))
		return drop_peer(s, value, false);
	if (!strcmp(line, "update_only"))
		return drop_peer(s, value, true);
	return set_peer_value(s->peer, line, value);
}

/* ---- Requests, a line at a time ----------------------------------------------------------- */

static void reply_with(struct uapi_session *s, int step, int err)
{
	s->phase = UAPI_REPLY;
	s->step = step;
	s->reply_err = err;
	s->reply_peer = s->dev->peers;
	s->reply_ip = NULL;
}

/* An unknown operation ends the connection, as in wireguard-go: there is no telling where
 * its request ends. */
static void operation_line(struct uapi_session *s, bool ok, const char *line)
{
	s->lines = s->peers = 0;
	s->reply_peers = 0;
	if (ok && (!strcmp(line, "get=1") || !strcmp(line, "adit-show=1"))) {
		s->phase = UAPI_GET;
		s->get_extra = false;
		s->show = line[0] == 'a';
	} else if (ok && !strcmp(line, "set=1")) {
		s->phase = UAPI_SET;
		s->in_peers = false;
		s->peer = NULL;
		s->created = false;
		s->err = 0;
	} else {
		s->phase = UAPI_CLOSED;
	}
}

/* A get carries nothing: anything before its empty line is an error. */
static void get_line(struct uapi_session *s, bool ok, size_t len)
{
	if (ok && !len)
		reply_with(s, s->get_extra ? REPLY_ERRNO : REPLY_DEVICE, s->get_extra ? -EINVAL : 0);
	else
		s->get_extra = true;
}

static void set_request_line(struct uapi_session *s, bool ok, char *line, size_t len)
{
	if (ok && !len) {
		if (!s->err)
			finish_peer(s);
		reply_with(s, REPLY_ERRNO, s->err);
	} else if (!s->err) {
		s->err = ok ? set_line(s, line) : -EPROTO;
	}
}

static void take_line(struct uapi_session *s)
{
	bool ok = !s->line_bad;

	s->lines++;
	s->line[s->line_len] = '\0';
	if (s->phase == UAPI_OPERATION)
		operation_line(s, ok, s->line);
	else if (s->phase == UAPI_GET)
		get_line(s, ok, s->line_len);
	else if (s->phase == UAPI_SET)
		set_request_line(s, ok, s->line, s->line_len);
	crypto_wipe(s->line, s->line_len + 1);
	s->line_len = 0;
	s->line_bad = false;
}

void uapi_session_start(struct uapi_session *s, struct wg_device *dev)
{
	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->phase = UAPI_OPERATION;
}

size_t uapi_session_input(struct uapi_session *s, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && s->phase != UAPI_REPLY && s->phase != UAPI_CLOSED) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = (nl ? (size_t)(nl - buf) : len) - i;

		/* A line too long or holding a NUL is read to its end and refused whole. */
		if (memchr(buf + i, '\0', n) || s->line_len + n > UAPI_LINE_MAX)
			s->line_bad = true;
		else
			memcpy(s->line + s->line_len, buf + i, n);
		if (!s->line_bad)
			s->line_len += n;
		i += n;
		if (nl) {
			i++;
			take_line(s);
		}
	}
	return i;
}

/* ---- The reply, into a buffer that may fill up ------------------------------------------- */

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
	put(o, "under_load=%s\n", device_under_load(dev, clock_now()) ? "true" : "false");
	if (dev->tun.fd >= 0)
		put(o, "tun_offloads=%s\n", tun_offload_names(&dev->tun, names, sizeof(names)));
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

/* adit-show's peer lines: get's, with no preshared key but whether there is one. */
static void put_show_peer(struct out *o, const struct wg_peer *peer)
{
	static const uint8_t zero[WG_KEY_LEN];

	put_key(o, "public_key", peer->handshake.remote_static);
	if (!crypto_equal(peer->handshake.preshared_key, zero, WG_KEY_LEN))
		put(o, "has_preshared_key=true\n");
	put_peer_state(o, peer);
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

void uapi_session_describe(const struct uapi_session *s, char *buf, size_t size)
{
	static const char *const what[] = {
		[UAPI_OPERATION] = "waiting for a request", [UAPI_GET] = "in a get",
		[UAPI_SET] = "in a set", [UAPI_REPLY] = "writing the reply",
		[UAPI_CLOSED] = "closing",
	};

	if (s->phase == UAPI_REPLY)
		snprintf(buf, size, "%s, %lu peers written", what[s->phase], s->reply_peers);
	else if (s->phase == UAPI_OPERATION)
		snprintf(buf, size, "%s (%u answered)", what[s->phase], s->requests);
	else
		snprintf(buf, size, "%s, %lu lines read, %lu peers", what[s->phase], s->lines,
			 s->peers);
}

size_t uapi_session_cut(struct uapi_session *s, char *buf, size_t cap)
{
	int n;

	if (s->phase != UAPI_SET)
		return 0;
	n = snprintf(buf, cap, "errno=%d\n\n", s->err ? s->err : -ETIMEDOUT);
	s->phase = UAPI_CLOSED;
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

void uapi_session_end(struct uapi_session *s)
{
	crypto_wipe(s, sizeof(*s));
}
