/* The UDP socket that carries the tunnel: opened, bound and (for a client) connected, with
 * messages that tell the user what to do when the system says no. */
#ifndef ADIT_UDP_H
#define ADIT_UDP_H

#include "opts.h"

/* A socket bound to local (the server's listen address). Returns the fd or -1. */
int udp_listen(const struct endpoint_addr *local);
/* A socket connected to server, from local_port if not 0. Connected, so the kernel delivers
 * only the server's datagrams and reports ICMP errors (a server that is down) to us. */
int udp_connect(const struct endpoint_addr *server, uint16_t local_port);

#endif
