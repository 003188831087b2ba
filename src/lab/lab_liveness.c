#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "lab/lab_liveness.h"

bool lab_liveness_sent(struct lab_liveness *l, uint64_t now, unsigned int n)
{
	if (!n)
		return false;
	if (!l->unanswered)
		l->unanswered_since = now;
	l->unanswered += n;
	if (l->silence_said || now - l->unanswered_since < LAB_SILENCE_SEC)
		return false;
	l->silence_said = true;
	return true;
}

bool lab_liveness_heard(struct lab_liveness *l, uint64_t now)
{
	bool said = l->silence_said;

	l->last_heard = now;
	l->unanswered = 0;
	l->unanswered_since = 0;
	l->silence_said = false;
	return said;
}

void lab_routeback_init(struct lab_routeback *rb, unsigned int ifindex)
{
	memset(rb, 0, sizeof(*rb));
	rb->ifindex = ifindex;
	/* Without netlink (it is not expected to fail) the server runs as before, unchecked. */
	if (netcfg_open(&rb->nc) < 0)
		rb->nc.nl = NULL;
}

void lab_routeback_free(struct lab_routeback *rb)
{
	netcfg_close(&rb->nc);
}

static bool said_before(struct lab_routeback *rb, const struct lab_key *key)
{
	unsigned int n = rb->nsaid < LAB_ROUTEBACK_SAID ? rb->nsaid : LAB_ROUTEBACK_SAID;

	for (unsigned int i = 0; i < n; i++)
		if (rb->said[i].len == key->len && !memcmp(rb->said[i].bytes, key->bytes, key->len))
			return true;
	rb->said[rb->nsaid++ % LAB_ROUTEBACK_SAID] = *key;
	return false;
}

/* "-r 192.168.30.0/24": the client's network, as a lab's client usually has a /24 (or a /64),
 * with the address alone as the narrower choice. */
static void suggest(const struct lab_key *key, char *net, size_t size)
{
	uint8_t bytes[16];

	memcpy(bytes, key->bytes, key->len);
	memset(bytes + (key->len == 4 ? 3 : 8), 0, key->len == 4 ? 1 : 8);
	inet_ntop(key->len == 4 ? AF_INET : AF_INET6, bytes, net, (socklen_t)size);
	strncat(net, key->len == 4 ? "/24" : "/64", size - strlen(net) - 1);
}

/* Link-local addresses (a TUN's own fe80::, 169.254/16) are never routed, and unspecified
 * or multicast sources are no client's address. */
static bool routable(const struct lab_key *key)
{
	const uint8_t *b = key->bytes;

	if (key->len == 4)
		return b[0] && !(b[0] == 169 && b[1] == 254) && b[0] < 224;
	if (key->len != 16 || b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return false;
	for (int i = 0; i < 16; i++)
		if (b[i])
			return true;
	return false;
}

static bool within_budget(struct lab_routeback *rb, uint64_t now)
{
	if (rb->second != now) {
		rb->second = now;
		rb->checked = 0;
	}
	return rb->checked++ < LAB_ROUTEBACK_PER_SEC;
}

void lab_routeback_check(struct lab_routeback *rb, const struct lab_key *key, uint64_t now,
			 const char *tun, const char *from)
{
	char text[INET6_ADDRSTRLEN], net[INET6_ADDRSTRLEN + 4], ifname[IF_NAMESIZE];
	char via[IF_NAMESIZE + 24];
	int family = key->len == 4 ? AF_INET : AF_INET6;
	unsigned int oif;
	int err;

	if (!rb->nc.nl || !routable(key) || !within_budget(rb, now))
		return;
	err = netcfg_route_oif(&rb->nc, family, key->bytes, &oif);
	if ((!err && oif == rb->ifindex) || (err && err != -ENETUNREACH && err != -EHOSTUNREACH))
		return;
	if (said_before(rb, key))
		return;
	inet_ntop(family, key->bytes, text, sizeof(text));
	suggest(key, net, sizeof(net));
	if (!err && if_indextoname(oif, ifname))
		snprintf(via, sizeof(via), "out of %s", ifname);
	else
		snprintf(via, sizeof(via), "nowhere (no route)");
	/* The address alone first: a -r network is one entry of the client table (a site
	 * behind one client), so a /24 shared by several clients would merge them. */
	log_warn("client %s sends from %s, but replies to %s go %s, not through %s: "
		 "add a route into the tunnel, e.g. -r %s/%d on the server's command line (or -r "
		 "%s when this client is the only one in that network)", from, text, text, via,
		 tun, text, key->len == 4 ? 32 : 128, net);
}
