#ifndef ADIT_LAB_UDP_H
#define ADIT_LAB_UDP_H

#include <stdint.h>

#include "base/addr.h"

/* Lab mode's sockets, with messages that say what to do when the system says no. A socket
 * bound to local (the server's), or connected to server from local_port if not 0 (the
 * client's: the kernel then delivers only the server's datagrams and reports its ICMP errors).
 * Return the fd, or a negative errno after saying why. */
int lab_udp_listen(const struct endpoint_addr *local);
int lab_udp_connect(const struct endpoint_addr *server, uint16_t local_port);

#endif
