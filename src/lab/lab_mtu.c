#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "lab/lab_mtu.h"

#define IPV4_MIN_MTU 68
#define IPV6_MIN_MTU 1280 /* the kernel takes IPv6 off an interface below it */

unsigned int lab_mtu_overhead(int outer_family, bool tap)
{
	unsigned int ip = outer_family == AF_INET6 ? 40 : 20;

	return ip + 8 + (tap ? 14 : 0);
}

static const void *addr_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return &((const struct sockaddr_in *)ss)->sin_addr;
}

static bool is_any(const struct sockaddr_storage *ss)
{
	static const uint8_t zero[16];

	return !memcmp(addr_of(ss), zero, ss->ss_family == AF_INET6 ? 16 : 4);
}

/* The interface holding the local address a, or the narrowest up link (loopback aside) with
 * an address of a's family when a is the any address. */
static int local_link(struct netcfg *nc, const struct sockaddr_storage *a,
		      struct netcfg_path *path)
{
	struct ifaddrs *list, *ifa;
	struct netcfg_path p;
	const void *mine;
	bool any = is_any(a);
	size_t len = a->ss_family == AF_INET6 ? 16 : 4;

	memset(path, 0, sizeof(*path));
	if (getifaddrs(&list) < 0)
		return -errno;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != a->ss_family ||
		    (ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP))
			continue;
		mine = addr_of((const struct sockaddr_storage *)(const void *)ifa->ifa_addr);
		if (!any && memcmp(mine, addr_of(a), len))
			continue;
		p = (struct netcfg_path){ .ifindex = if_nametoindex(ifa->ifa_name) };
		if (!p.ifindex || netcfg_get_link(nc, &p) < 0 || !p.link_mtu)
			continue;
		if (!path->ifindex || p.link_mtu < path->link_mtu)
			*path = p;
	}
	freeifaddrs(list);
	return path->ifindex ? 0 : -ENOENT;
}

static unsigned int path_mtu(const struct netcfg_path *p)
{
	return p->route_mtu && p->route_mtu < p->link_mtu ? p->route_mtu : p->link_mtu;
}

/* "path to 10.9.0.11 via eth0, MTU 1500" and the like into why. */
static int server_path(struct netcfg *nc, const struct lab_opts *o, struct netcfg_path *p,
		       char *why, size_t size)
{
	int family = o->server.ss.ss_family, err;
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(family, addr_of(&o->server.ss), addr, sizeof(addr));
	err = netcfg_get_route(nc, family, addr_of(&o->server.ss), p);
	if (err < 0) {
		log_info("no route to the server %s (%s): the interface keeps the kernel's MTU",
			 addr, strerror(-err));
		return err;
	}
	snprintf(why, size, "path to %s via %s, %s %u", addr, p->ifname,
		 p->route_mtu && p->route_mtu < p->link_mtu ? "route MTU" : "MTU", path_mtu(p));
	return 0;
}

static int listen_path(struct netcfg *nc, const struct lab_opts *o, struct netcfg_path *p,
		       char *why, size_t size)
{
	const struct sockaddr_storage *a = &o->listen.ss;
	const char *family = a->ss_family == AF_INET6 ? "IPv6" : "IPv4";
	char addr[INET6_ADDRSTRLEN];
	int err;

	if (!is_any(a)) {
		inet_ntop(a->ss_family, addr_of(a), addr, sizeof(addr));
		err = local_link(nc, a, p);
		if (!err)
			snprintf(why, size, "%s, the link of %s, MTU %u", p->ifname, addr,
				 p->link_mtu);
	} else if (netcfg_get_default_route(nc, a->ss_family, p) == 0) {
		err = 0;
		snprintf(why, size, "the default route via %s, %s %u", p->ifname,
			 p->route_mtu && p->route_mtu < p->link_mtu ? "route MTU" : "MTU",
			 path_mtu(p));
	} else {
		err = local_link(nc, a, p);
		if (!err)
			snprintf(why, size, "no default route: %s, the narrowest link with an %s "
				 "address, MTU %u", p->ifname, family, p->link_mtu);
	}
	if (err < 0)
		log_info("no link to size the interface by (%s): it keeps the kernel's MTU",
			 strerror(-err));
	return err;
}

static bool carries_ipv6(const struct lab_opts *o)
{
	for (unsigned int i = 0; i < o->naddrs; i++)
		if (o->addrs[i].family == AF_INET6)
			return true;
	for (unsigned int i = 0; i < o->nroutes; i++)
		if (o->routes[i].family == AF_INET6)
			return true;
	return false;
}

unsigned int lab_mtu_choose(struct netcfg *nc, const struct lab_opts *o, const char *ifname)
{
	struct netcfg_path p;
	char why[160];
	unsigned int overhead, mtu;
	int family, err;

	if (o->cmd == CMD_TUN)
		return 0;
	if (o->cmd == CMD_CLIENT) {
		family = o->server.ss.ss_family;
		err = server_path(nc, o, &p, why, sizeof(why));
	} else {
		family = o->listen.ss.ss_family;
		err = listen_path(nc, o, &p, why, sizeof(why));
	}
	if (err < 0)
		return 0;
	overhead = lab_mtu_overhead(family, o->tap);
	if (path_mtu(&p) < IPV4_MIN_MTU + overhead) {
		log_info("%s: the path's MTU (%s) leaves no room for a packet: the interface keeps "
			 "the kernel's MTU", ifname, why);
		return 0;
	}
	mtu = path_mtu(&p) - overhead;
	if (mtu < IPV6_MIN_MTU && carries_ipv6(o)) {
		log_info("%s: the path (%s) leaves %u bytes, less than the 1280 IPv6 needs: the "
			 "interface keeps the kernel's MTU, and packets too big for the path are "
			 "fragmented", ifname, why, mtu);
		return 0;
	}
	log_info("%s: MTU %u (%s, less %u%s; --mtu N sets another)", ifname, mtu, why, overhead,
		 o->tap ? " with the Ethernet header" : "");
	return mtu;
}
