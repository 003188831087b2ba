/* The MTU a lab interface gets when the command line gives none: the largest inner packet
 * whose datagram leaves without being fragmented. The kernel's default (1500) makes every
 * full-size packet a 1,528-byte datagram that the link below splits in two, which costs
 * most of the tunnel's throughput; vxlan sizes itself from the device below it the same
 * way. */
#ifndef ADIT_LAB_MTU_H
#define ADIT_LAB_MTU_H

#include "base/netcfg.h"
#include "lab/opts.h"

/* What the outer headers take: IPv4 or IPv6 and UDP, and a TAP's Ethernet header. */
unsigned int lab_mtu_overhead(int outer_family, bool tap);
/* The client measures the path to its server; the server, the device of its listening
 * address, or of its default route, or else the narrowest of its links. Says on one line
 * what it chose and why, for ifname. Returns 0 when nothing tells (adit tun, no route):
 * the kernel's default then stays. */
unsigned int lab_mtu_choose(struct netcfg *nc, const struct lab_opts *o, const char *ifname);

#endif
