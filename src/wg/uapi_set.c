/* A UAPI set, line by line: the device's keys, then a section per peer, opened by its
 * public_key. A value that does not parse is -EINVAL, as in wireguard-go. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "base/addr.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/peer.h"
#include "wg/send.h"
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
void uapi_set_end(struct uapi_session *s)
{
	if (s->peer && s->peer->has_endpoint && s->peer->staged.count)
		send_staged(s->peer);
	s->peer = NULL;
	s->created = false;
}

static int begin_peer(struct uapi_session *s, const char *value)
{
	struct noise_static_identity *id = &s->dev->identity;
	uint8_t pub[WG_KEY_LEN];

	uapi_set_end(s);
	s->in_peers = true;
	if (!parse_key(pub, value))
		return -EINVAL;
	/* Our own key names no peer: its lines are ignored, as the kernel and wireguard-go do. */
	if (id->has_identity && crypto_equal(pub, id->public_key, WG_KEY_LEN))
		return 0;
	s->peers++;
	s->peer = pubkey_table_find(&s->dev->peers_by_key, pub);
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
		/* Turned on while the device is up, it starts with a keepalive now. */
		if (peer && peer_set_persistent_keepalive(peer, (uint16_t)v))
			send_keepalive(peer);
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
		if (!peer)
			return 0;
		/* A host route may be what the prober lacked. */
		if (peer->pmtu.how == PMTU_NO_ADDRESS)
			pmtu_restart(peer, clock_now());
		return peer_add_allowed_ip(peer, family, buf, cidr);
	}
	/* adit's own (adit probe-address): where path-MTU probes go, or "auto" to choose from
	 * the allowed IPs again. */
	if (!strcmp(key, "adit_probe_address")) {
		family = strchr(value, ':') ? AF_INET6 : AF_INET;
		if (strcmp(value, "auto") && inet_pton(family, value, buf) != 1)
			return -EINVAL;
		/* No peer: a key that names none (update_only dropped it), or our own. */
		if (!peer)
			return -ENOENT;
		pmtu_set_address(peer, strcmp(value, "auto") ? family : 0, buf);
		return 0;
	}
	if (!strcmp(key, "protocol_version"))
		return strcmp(value, "1") ? -EINVAL : 0;
	return -EINVAL;
}

/* One KEY=VALUE line of a set. Returns 0 or a negative errno. */
int uapi_set_line(struct uapi_session *s, char *line)
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
