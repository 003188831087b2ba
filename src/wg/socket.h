/* The device's UDP sockets, one IPv4 and one IPv6 on the same port, on the I/O layer's
 * udp_sock: what is WireGuard's here is the pair, the port, the fwmark, and peers that forget
 * a source address that is no longer ours. */
#ifndef ADIT_WG_SOCKET_H
#define ADIT_WG_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "io/udp.h"
#include "wg/peer.h"

struct wg_device;

/* Opens both sockets on port (0: a free one, the same for both), with fwmark mark; fd6 is
 * -1 on a host without IPv6. The caller owns what this opened. Returns 0 or a negative
 * errno. */
struct socket_pair {
	int fd4, fd6;
	uint16_t port;
};
int socket_open(uint16_t port, uint32_t mark, struct socket_pair *pair);
void socket_close(struct wg_device *dev);
int socket_set_fwmark(struct wg_device *dev, uint32_t mark);

/* Sends one datagram to peer's endpoint now (handshakes, keepalives, cookie replies). A
 * sticky source that is no longer ours is forgotten and the send tried once more. */
int socket_send(struct wg_peer *peer, const void *data, size_t len);
/* Sends to a bare address (a cookie reply, before any peer is known). */
int socket_send_to(struct wg_device *dev, const struct udp_endpoint *to, const void *data,
		   size_t len);
/* Queues a data message for peer on the device's batch; data stays valid until the flush. */
void socket_queue(struct wg_peer *peer, void *data, size_t len);
void socket_flush(struct wg_device *dev);
/* With on, what goes to peer's endpoint is not fragmentable (IPv4 DF) and ignores the path
 * MTU the kernel cached, as path-MTU probes must be; off, it may be fragmented on the way
 * again, as every other datagram. */
void socket_dont_fragment(struct wg_peer *peer, bool on);

#endif
