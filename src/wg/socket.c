#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "wg/device.h"
#include "wg/socket.h"

#define SOCKET_BUFFER (4 << 20)

static int open_one(int family, uint16_t port, uint32_t mark)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int size = SOCKET_BUFFER, on = 1, err;
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} a = { 0 };

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (mark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	if (family == AF_INET) {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(port);
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(port);
	}
	if (bind(fd, (struct sockaddr *)&a,
		 family == AF_INET ? sizeof(a.in4) : sizeof(a.in6)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	return ntohs(a.sin_port);
}

/* With port 0 the IPv4 socket picks the port and IPv6 must get the same one; another
 * program may hold it for IPv6, so try a few times, as the kernel module does. */
static int open_pair(uint16_t port, uint32_t mark, int *fd4, int *fd6)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		*fd4 = open_one(AF_INET, port, mark);
		if (*fd4 < 0)
			return *fd4;
		*fd6 = open_one(AF_INET6, bound_port(*fd4), mark);
		if (*fd6 >= 0)
			return 0;
		if (*fd6 == -EAFNOSUPPORT) { /* no IPv6 on this host: IPv4 alone */
			*fd6 = -1;
			return 0;
		}
		close(*fd4);
		*fd4 = -1;
		if (*fd6 != -EADDRINUSE || port)
			return *fd6;
	}
	return -EADDRINUSE;
}

int socket_bind(struct wg_device *dev, uint16_t port)
{
	int fd4, fd6, err;

	/* The old sockets hold the port: a rebind to the same port must close them first. */
	if (port && port == dev->listen_port)
		return 0;
	err = open_pair(port, dev->fwmark, &fd4, &fd6);
	if (err < 0)
		return err;
	err = device_replace_sockets(dev, fd4, fd6);
	if (err < 0) {
		close(fd4);
		if (fd6 >= 0)
			close(fd6);
		return err;
	}
	dev->listen_port = bound_port(fd4);
	return 0;
}

void socket_close(struct wg_device *dev)
{
	if (dev->sock4 >= 0)
		close(dev->sock4);
	if (dev->sock6 >= 0)
		close(dev->sock6);
	dev->sock4 = dev->sock6 = -1;
}

int socket_set_fwmark(struct wg_device *dev, uint32_t mark)
{
	int fds[2] = { dev->sock4, dev->sock6 };

	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
			return -errno;
	dev->fwmark = mark;
	return 0;
}

/* Fills msg's name and, when the endpoint has a source, a PKTINFO asking for it. */
static void address_msg(struct msghdr *msg, struct wg_endpoint *to, void *control, size_t size)
{
	struct cmsghdr *cm;

	msg->msg_name = &to->addr;
	msg->msg_control = NULL;
	msg->msg_controllen = 0;
	if (to->addr.sa.sa_family == AF_INET) {
		msg->msg_namelen = sizeof(struct sockaddr_in);
		if (!to->src4.s_addr)
			return;
		memset(control, 0, size);
		msg->msg_control = control;
		msg->msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
		cm = CMSG_FIRSTHDR(msg);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		((struct in_pktinfo *)CMSG_DATA(cm))->ipi_spec_dst = to->src4;
	} else {
		msg->msg_namelen = sizeof(struct sockaddr_in6);
		if (IN6_IS_ADDR_UNSPECIFIED(&to->src6))
			return;
		memset(control, 0, size);
		msg->msg_control = control;
		msg->msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
		cm = CMSG_FIRSTHDR(msg);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
		((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_addr = to->src6;
		((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_ifindex = (unsigned int)to->src_ifindex;
	}
}

static int fd_for(const struct wg_device *dev, const struct wg_endpoint *to)
{
	return to->addr.sa.sa_family == AF_INET ? dev->sock4 : dev->sock6;
}

int socket_send_to(struct wg_device *dev, const struct wg_endpoint *to, const void *data,
		   size_t len)
{
	struct wg_endpoint ep = *to;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	char control[64];
	int fd = fd_for(dev, &ep);

	if (fd < 0)
		return -EAFNOSUPPORT;
	address_msg(&msg, &ep, control, sizeof(control));
	return sendmsg(fd, &msg, 0) < 0 ? -errno : 0;
}

static bool has_source(const struct wg_endpoint *ep)
{
	return !IN6_IS_ADDR_UNSPECIFIED(&ep->src6);
}

static bool stale_source(int err)
{
	return err == -EINVAL || err == -EADDRNOTAVAIL || err == -ENETUNREACH;
}

int socket_send(struct wg_peer *peer, const void *data, size_t len)
{
	int err;

	if (!peer->has_endpoint)
		return -EDESTADDRREQ;
	err = socket_send_to(peer->dev, &peer->endpoint, data, len);
	if (stale_source(err) && has_source(&peer->endpoint)) {
		peer_clear_source(peer);
		err = socket_send_to(peer->dev, &peer->endpoint, data, len);
	}
	return err;
}

void socket_queue(struct wg_device *dev, struct socket_batch *b, struct wg_peer *peer,
		  void *data, size_t len)
{
	unsigned int i;

	if (b->count == LOOP_BATCH)
		socket_flush(dev, b);
	i = b->count++;
	b->peer[i] = peer;
	b->to[i] = peer->endpoint;
	b->iov[i] = (struct iovec){ .iov_base = data, .iov_len = len };
	memset(&b->msg[i], 0, sizeof(b->msg[i]));
	b->msg[i].msg_hdr.msg_iov = &b->iov[i];
	b->msg[i].msg_hdr.msg_iovlen = 1;
	address_msg(&b->msg[i].msg_hdr, &b->to[i], &b->control[i], sizeof(b->control[i]));
}

/* The peer forgets the address, and datagram i goes again with routing's choice. */
static void retry_without_source(struct socket_batch *b, unsigned int i)
{
	peer_clear_source(b->peer[i]);
	memset(&b->to[i].src6, 0, sizeof(b->to[i].src6));
	b->to[i].src_ifindex = 0;
	address_msg(&b->msg[i].msg_hdr, &b->to[i], &b->control[i], sizeof(b->control[i]));
}

/* Runs of datagrams for the same socket go out in one sendmmsg. A datagram the kernel
 * refuses is dropped (as a router drops), unless its source address was the reason: that
 * is no longer ours, so the peer forgets it and the datagram goes again without it. */
void socket_flush(struct wg_device *dev, struct socket_batch *b)
{
	unsigned int start = 0, end;
	int fd, sent;

	while (start < b->count) {
		fd = fd_for(dev, &b->to[start]);
		for (end = start + 1; end < b->count && fd_for(dev, &b->to[end]) == fd; end++)
			;
		if (fd < 0) {
			start = end;
			continue;
		}
		sent = sendmmsg(fd, &b->msg[start], end - start, 0);
		if (sent < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				start = end; /* socket buffer full: drop this run */
				continue;
			}
			if (stale_source(-errno) && has_source(&b->to[start])) {
				retry_without_source(b, start);
				continue;
			}
			sent = 1; /* skip the datagram it refused */
		}
		start += (unsigned int)sent;
	}
	b->count = 0;
}

int socket_receive(int fd, struct socket_rx *rx, uint8_t *const *bufs, size_t size)
{
	int n;

	for (unsigned int i = 0; i < LOOP_BATCH; i++) {
		rx->iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = size };
		rx->msg[i].msg_hdr = (struct msghdr){
			.msg_name = &rx->from[i],
			.msg_namelen = sizeof(rx->from[i]),
			.msg_iov = &rx->iov[i],
			.msg_iovlen = 1,
			.msg_control = &rx->control[i],
			.msg_controllen = sizeof(rx->control[i]),
		};
	}
	n = recvmmsg(fd, rx->msg, LOOP_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	return n;
}

void socket_rx_endpoint(const struct socket_rx *rx, unsigned int i, struct wg_endpoint *ep)
{
	const struct msghdr *msg = &rx->msg[i].msg_hdr;
	struct cmsghdr *cm;

	memset(ep, 0, sizeof(*ep));
	if (rx->from[i].in4.sin_family == AF_INET)
		ep->addr.in4 = rx->from[i].in4;
	else
		ep->addr.in6 = rx->from[i].in6;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ep->src4 = pi.ipi_addr;
			ep->src_ifindex = pi.ipi_ifindex;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ep->src6 = pi.ipi6_addr;
			ep->src_ifindex = (int)pi.ipi6_ifindex;
		}
	}
}
