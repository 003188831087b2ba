/* The device's UDP sockets, one IPv4 and one IPv6 on the same port, with the local address
 * of every datagram (IP_PKTINFO) so replies leave from the address the peer wrote to. */
#ifndef ADIT_WG_SOCKET_H
#define ADIT_WG_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"
#include "wg/peer.h"

struct wg_device;

/* Opens both sockets on port (0: a free one, the same for both) and sets dev->listen_port.
 * The old sockets stay until the new ones are bound. Returns 0 or a negative errno. */
int socket_bind(struct wg_device *dev, uint16_t port);
void socket_close(struct wg_device *dev);
int socket_set_fwmark(struct wg_device *dev, uint32_t mark);

/* Sends one datagram to peer's endpoint now (handshakes, keepalives, cookie replies). A
 * sticky source that is no longer ours is forgotten and the send tried once more. */
int socket_send(struct wg_peer *peer, const void *data, size_t len);
/* Sends to a bare address (a cookie reply, before any peer is known). */
int socket_send_to(struct wg_device *dev, const struct wg_endpoint *to, const void *data,
		   size_t len);

/* Data messages are queued and leave in one sendmmsg per socket. data must stay valid until
 * socket_flush. */
struct socket_batch {
	unsigned int count;
	struct wg_peer *peer[LOOP_BATCH];
	struct mmsghdr msg[LOOP_BATCH];
	struct iovec iov[LOOP_BATCH];
	struct wg_endpoint to[LOOP_BATCH];
	union {
		struct cmsghdr align;
		char buf[64];
	} control[LOOP_BATCH];
};
void socket_queue(struct wg_device *dev, struct socket_batch *b, struct wg_peer *peer,
		  void *data, size_t len);
void socket_flush(struct wg_device *dev, struct socket_batch *b);

/* One received datagram: where it came from and where it arrived (an endpoint as a peer
 * would hold it). */
struct socket_rx {
	struct mmsghdr msg[LOOP_BATCH];
	struct iovec iov[LOOP_BATCH];
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} from[LOOP_BATCH];
	union {
		struct cmsghdr align;
		char buf[64];
	} control[LOOP_BATCH];
};
/* Fills bufs[i] (each size bytes) with up to LOOP_BATCH datagrams from fd; returns how many,
 * 0 when there is nothing, or a negative errno. */
int socket_receive(int fd, struct socket_rx *rx, uint8_t *const *bufs, size_t size);
/* The endpoint of datagram i: source address and port, and our local address. */
void socket_rx_endpoint(const struct socket_rx *rx, unsigned int i, struct wg_endpoint *ep);

#endif
