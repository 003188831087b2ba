#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/netcfg.h"
#include "lab/iface.h"
#include "lab/lab_mtu.h"

/* Linux lets two interfaces hold one address, and then routes to its subnet go to whichever
 * came first: a stale tunnel would silently take the traffic. Refuse instead. */
static const char *address_owner(const struct prefix *p, const char *self)
{
	static char owner[IFNAMSIZ];
	struct ifaddrs *list, *ifa;
	const void *addr;

	if (getifaddrs(&list) < 0)
		return NULL;
	owner[0] = '\0';
	for (ifa = list; ifa && !owner[0]; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != p->family ||
		    !strcmp(ifa->ifa_name, self))
			continue;
		if (p->family == AF_INET)
			addr = &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		else
			addr = &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
		if (!memcmp(addr, p->addr, p->family == AF_INET ? 4 : 16))
			snprintf(owner, sizeof(owner), "%s", ifa->ifa_name);
	}
	freeifaddrs(list);
	return owner[0] ? owner : NULL;
}

static int add_addresses(struct netcfg *nc, const struct tun *t, const struct lab_opts *o)
{
	char text[INET6_ADDRSTRLEN + 8];
	const char *owner;
	int ret;

	for (unsigned int i = 0; i < o->naddrs; i++) {
		addr_format_prefix(&o->addrs[i], text, sizeof(text));
		owner = address_owner(&o->addrs[i], t->name);
		if (owner) {
			log_error("address %s is already assigned to %s (stop the program that owns "
				  "%s, or choose another address with -a)", text, owner, owner);
			return -EADDRINUSE;
		}
		ret = netcfg_add_address(nc, t->ifindex, &o->addrs[i]);
		if (ret == -EEXIST)
			log_error("address %s is given twice (give each -a once)", text);
		else if (ret < 0)
			log_error("cannot add address %s to %s: %s", text, t->name, strerror(-ret));
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int add_routes(struct netcfg *nc, const struct tun *t, const struct lab_opts *o)
{
	char text[INET6_ADDRSTRLEN + 8];
	int ret;

	for (unsigned int i = 0; i < o->nroutes; i++) {
		addr_format_prefix(&o->routes[i], text, sizeof(text));
		ret = netcfg_add_route(nc, t->ifindex, &o->routes[i]);
		if (ret == -EEXIST)
			log_error("cannot route %s through %s: a route to it exists already (see "
				  "'ip route show %s'; remove it or drop this -r)", text, t->name, text);
		else if (ret < 0)
			log_error("cannot route %s through %s: %s", text, t->name, strerror(-ret));
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int configure(struct netcfg *nc, const struct tun *t, const struct lab_opts *o)
{
	unsigned int mtu = o->mtu ? o->mtu : lab_mtu_choose(nc, o, t->name);
	int ret = netcfg_set_link(nc, t->ifindex, mtu, true);

	if (ret < 0) {
		if (mtu)
			log_error("cannot set MTU %u and bring %s up: %s", mtu, t->name,
				  strerror(-ret));
		else
			log_error("cannot bring %s up: %s", t->name, strerror(-ret));
		return ret;
	}
	ret = add_addresses(nc, t, o);
	return ret < 0 ? ret : add_routes(nc, t, o);
}

int iface_setup(struct tun *t, const struct lab_opts *o)
{
	struct netcfg nc;
	int ret;

	ret = tun_open(t, o->name, o->tap, true, !o->no_offload);
	if (ret < 0)
		return ret;
	ret = netcfg_open(&nc);
	if (ret < 0) {
		log_error("cannot open a netlink socket: %s (run as root or grant CAP_NET_ADMIN)",
			  strerror(-ret));
		tun_close(t);
		return ret;
	}
	ret = configure(&nc, t, o);
	netcfg_close(&nc);
	if (ret < 0)
		tun_close(t);
	return ret;
}
