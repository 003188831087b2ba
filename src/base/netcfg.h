/* Interface configuration through rtnetlink (libmnl): link state, MTU, addresses, routes.
 * adit never runs ip(8) or writes /proc/sys. Functions return 0 or a negative errno. */
#ifndef ADIT_NETCFG_H
#define ADIT_NETCFG_H

#include <net/if.h>
#include <stdbool.h>

#include "base/addr.h"

struct mnl_socket;

struct netcfg {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
};

int netcfg_open(struct netcfg *nc);
void netcfg_close(struct netcfg *nc);
int netcfg_set_link(struct netcfg *nc, unsigned int ifindex, unsigned int mtu, bool up);
int netcfg_add_address(struct netcfg *nc, unsigned int ifindex, const struct prefix *p);
int netcfg_add_route(struct netcfg *nc, unsigned int ifindex, const struct prefix *p);
/* The interface the kernel would send a packet to addr (family's length) through, as
 * 'ip route get' says: 0 with *oif set, or a negative errno (-ENETUNREACH: no route). */
int netcfg_route_oif(struct netcfg *nc, int family, const void *addr, unsigned int *oif);

/* Where packets to a destination leave: the interface (index, name, MTU), the route's
 * own MTU (set with `ip route ... mtu N`, or a path MTU the kernel learned; 0 when none),
 * and the source address the kernel would give them (netcfg_get_route only). */
struct netcfg_path {
	unsigned int ifindex;
	char ifname[IF_NAMESIZE];
	unsigned int link_mtu, route_mtu;
	bool has_src;
	uint8_t src[16]; /* network order, 4 or 16 bytes by family */
};
/* The route the kernel would take to addr (4 or 16 bytes by family), as `ip route get`.
 * -ENETUNREACH when there is none. */
int netcfg_get_route(struct netcfg *nc, int family, const void *addr, struct netcfg_path *path);
/* The same without asking for the interface's name and MTU. */
int netcfg_find_route(struct netcfg *nc, int family, const void *addr, struct netcfg_path *path);
/* The main table's default route for family; -ENOENT when there is none. */
int netcfg_get_default_route(struct netcfg *nc, int family, struct netcfg_path *path);
/* Fills in the interface's name and MTU for path->ifindex. */
int netcfg_get_link(struct netcfg *nc, struct netcfg_path *path);

#endif
