/* Interface configuration through rtnetlink (libmnl): link state, MTU, addresses, routes.
 * adit never runs ip(8) or writes /proc/sys. Functions return 0 or a negative errno. */
#ifndef ADIT_NETCFG_H
#define ADIT_NETCFG_H

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

#endif
