/* The cross-platform userspace API (wireguard.com/xplatform), served as wireguard-go serves
 * it so that wg(8) cannot tell the two apart:
 *
 *   get=1 \n \n            ->  key=value lines, errno=0, empty line
 *   set=1 \n key=value ... \n  ->  errno=N, empty line
 *
 * A set is applied line by line as it is read. The first bad line stops applying (what came
 * before it stays applied, as in wireguard-go); the rest of the request is read and dropped up
 * to its empty line so that the next request on the connection is read from its start.
 *
 * The error number is written negated, errno=-22 for EINVAL, because that is what
 * wireguard-go writes (ipc/uapi_unix.go) and what wg(8) expects of a set: it stores the number
 * read and sets errno to its negation before perror (ipc-uapi.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/peer.h"
#include "wg/uapi.h"

/* The longest line read; the longest legitimate one (an endpoint with a scope) is < 100. */
#define UAPI_LINE_MAX 4096

enum line_result { LINE_OK, LINE_BAD, LINE_EOF };

/* Reads one line without its '\n' into buf (NUL-terminated). A line too long or holding a NUL
 * is read to its end and reported LINE_BAD; end of input before a '\n' is LINE_EOF. */
static enum line_result read_line(FILE *in, char buf[UAPI_LINE_MAX + 1], size_t *len)
{
	bool bad = false;
	size_t n = 0;
	int c;

	while ((c = getc(in)) != '\n') {
		if (c == EOF)
			return LINE_EOF;
		if (c == '\0' || n == UAPI_LINE_MAX)
			bad = true;
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	*len = n;
	return bad ? LINE_BAD : LINE_OK;
}

/* A decimal number of at most max, digits only: no sign, space or base prefix. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static bool parse_key(uint8_t key[WG_KEY_LEN], const char *s)
{
	return strlen(s) == WG_KEY_HEX_LEN && crypto_key_from_hex(key, s);
}

/* The interface index of an IPv6 scope: a number, or an interface name. */
static bool parse_scope(const char *s, uint32_t *scope)
{
	uint64_t v;

	if (parse_uint(s, UINT32_MAX, &v)) {
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
		if (!parse_uint(end + 1, UINT16_MAX, &port) ||
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
	if (!parse_uint(end + 2, UINT16_MAX, &port) ||
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
	if (!parse_uint(slash + 1, *family == AF_INET6 ? 128 : 32, &c))
		return false;
	*cidr = (uint8_t)c;
	return true;
}

/* --- set ---------------------------------------------------------------------------------- */

/* Where a set request is: in the device's lines, or in a peer's. peer is NULL in a peer
 * section whose lines are checked but not applied (our own key, removed, update_only). */
struct set_state {
	struct wg_device *dev;
	bool in_peers;
	struct wg_peer *peer;
	bool created;
};

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
		if (!parse_uint(value, UINT16_MAX, &v))
			return -EINVAL;
		return device_set_listen_port(dev, (uint16_t)v);
	}
	if (!strcmp(key, "fwmark")) {
		if (*value && !parse_uint(value, UINT32_MAX, &v))
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
static void finish_peer(struct set_state *s)
{
	if (s->peer && s->peer->has_endpoint && s->peer->staged.count)
		peer_send_staged(s->peer);
	s->peer = NULL;
	s->created = false;
}

static int begin_peer(struct set_state *s, const char *value)
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
static int drop_peer(struct set_state *s, const char *value, bool only_if_created)
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
		if (!parse_uint(value, UINT16_MAX, &v))
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
static int set_line(struct set_state *s, char *line)
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

static int reply(FILE *out, int err)
{
	fprintf(out, "errno=%d\n\n", err);
	return fflush(out) || ferror(out) ? -1 : 0;
}

static int handle_set(struct wg_device *dev, FILE *in, FILE *out, char *line)
{
	struct set_state s = { .dev = dev };
	enum line_result r;
	size_t len;
	int err = 0;

	for (;;) {
		r = read_line(in, line, &len);
		if (r == LINE_EOF)
			return -1;
		if (r == LINE_OK && len == 0)
			break;
		if (!err)
			err = r == LINE_BAD ? -EPROTO : set_line(&s, line);
	}
	if (!err)
		finish_peer(&s);
	return reply(out, err);
}

/* --- get ---------------------------------------------------------------------------------- */

static void put_key(FILE *out, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];

	crypto_key_to_hex(hex, key);
	fprintf(out, "%s=%s\n", name, hex);
	crypto_wipe(hex, sizeof(hex));
}

/* As wg reads it back: A.B.C.D:PORT, or [IPV6]:PORT with %SCOPE (a number) when it has one. */
static void put_endpoint(FILE *out, const struct udp_endpoint *ep)
{
	char s[INET6_ADDRSTRLEN];

	if (ep->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->addr.in4.sin_addr, s, sizeof(s));
		fprintf(out, "endpoint=%s:%u\n", s, ntohs(ep->addr.in4.sin_port));
	} else if (ep->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep->addr.in6.sin6_addr, s, sizeof(s));
		fprintf(out, "endpoint=[%s", s);
		if (ep->addr.in6.sin6_scope_id)
			fprintf(out, "%%%u", ep->addr.in6.sin6_scope_id);
		fprintf(out, "]:%u\n", ntohs(ep->addr.in6.sin6_port));
	}
}

static void put_allowed_ip(FILE *out, const struct allowedips_node *node)
{
	char s[INET6_ADDRSTRLEN];
	uint8_t addr[16], cidr;
	int family = allowedips_prefix(node, addr, &cidr);

	if (inet_ntop(family, addr, s, sizeof(s)))
		fprintf(out, "allowed_ip=%s/%u\n", s, cidr);
}

/* The keys in wireguard-go's order; the preshared key is printed even when it is zero. */
static void put_peer(FILE *out, const struct wg_peer *peer)
{
	put_key(out, "public_key", peer->handshake.remote_static);
	put_key(out, "preshared_key", peer->handshake.preshared_key);
	fprintf(out, "protocol_version=1\n");
	if (peer->has_endpoint)
		put_endpoint(out, &peer->endpoint);
	fprintf(out, "last_handshake_time_sec=%lld\n", (long long)peer->last_handshake.tv_sec);
	fprintf(out, "last_handshake_time_nsec=%ld\n", (long)peer->last_handshake.tv_nsec);
	fprintf(out, "tx_bytes=%llu\n", (unsigned long long)peer->tx_bytes);
	fprintf(out, "rx_bytes=%llu\n", (unsigned long long)peer->rx_bytes);
	fprintf(out, "persistent_keepalive_interval=%u\n", peer->persistent_keepalive_interval);
	for (const struct allowedips_node *n = allowedips_first(&peer->allowed_ips); n;
	     n = allowedips_next(n))
		put_allowed_ip(out, n);
}

static int handle_get(struct wg_device *dev, FILE *in, FILE *out, char *line)
{
	const struct wg_peer *peer;
	enum line_result r;
	bool extra = false;
	size_t len;

	/* get=1 carries nothing: anything before its empty line is an error. */
	while ((r = read_line(in, line, &len)) != LINE_EOF && (r == LINE_BAD || len))
		extra = true;
	if (r == LINE_EOF)
		return -1;
	if (extra)
		return reply(out, -EINVAL);
	if (dev->identity.has_identity)
		put_key(out, "private_key", dev->identity.private_key);
	if (dev->listen_port)
		fprintf(out, "listen_port=%u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(out, "fwmark=%u\n", dev->fwmark);
	for (peer = dev->peers; peer; peer = peer->next)
		put_peer(out, peer);
	return reply(out, 0);
}

int uapi_handle(struct wg_device *dev, FILE *in, FILE *out)
{
	char line[UAPI_LINE_MAX + 1];
	size_t len;
	int ret = -1;

	/* An unknown operation ends the connection, as in wireguard-go: there is no telling
	 * where its request ends. */
	if (read_line(in, line, &len) != LINE_OK)
		return -1;
	if (!strcmp(line, "get=1"))
		ret = handle_get(dev, in, out, line);
	else if (!strcmp(line, "set=1"))
		ret = handle_set(dev, in, out, line);
	crypto_wipe(line, sizeof(line));
	return ret;
}
