#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "wg/device.h"

#define SOCKET_BUFFER (4 << 20)

static int open_one(int family, uint16_t port, uint32_t mark)
{
	int fd = udp_socket(family, UDP_PKTINFO | UDP_V6ONLY, mark), err;
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} a = { 0 };

	if (fd < 0)
		return fd;
	if (family == AF_INET) {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(port);
	} else {
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

int socket_open(uint16_t port, uint32_t mark, struct socket_pair *pair)
{
	int err = open_pair(port, mark, &pair->fd4, &pair->fd6);

	if (err < 0)
		return err;
	pair->port = bound_port(pair->fd4);
	return 0;
}

void socket_close(struct wg_device *dev)
{
	udp_sock_close(&dev->sock4);
	udp_sock_close(&dev->sock6);
}

int socket_set_fwmark(struct wg_device *dev, uint32_t mark)
{
	int fds[2] = { dev->sock4.fd, dev->sock6.fd };

	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
			return -errno;
	dev->fwmark = mark;
	return 0;
}

static struct udp_sock *sock_for(struct wg_device *dev, const struct udp_endpoint *to)
{
	return to->addr.sa.sa_family == AF_INET ? &dev->sock4 : &dev->sock6;
}

int socket_send_to(struct wg_device *dev, const struct udp_endpoint *to, const void *data,
		   size_t len)
{
	return udp_send_one(sock_for(dev, to), to, data, len);
}

int socket_send(struct wg_peer *peer, const void *data, size_t len)
{
	int err;

	if (!peer->has_endpoint)
		return -EDESTADDRREQ;
	err = socket_send_to(peer->dev, &peer->endpoint, data, len);
	if (udp_stale_source(-err, &peer->endpoint)) {
		peer_clear_source(peer);
		err = socket_send_to(peer->dev, &peer->endpoint, data, len);
	}
	return err;
}

void socket_queue(struct wg_peer *peer, void *data, size_t len)
{
	struct wg_device *dev = peer->dev;

	udp_tx_queue(&dev->tx, sock_for(dev, &peer->endpoint), &peer->endpoint, peer, data, len);
}

void socket_flush(struct wg_device *dev)
{
	udp_tx_flush(&dev->tx);
}

void socket_dont_fragment(struct wg_peer *peer, bool on)
{
	struct udp_sock *s = sock_for(peer->dev, &peer->endpoint);
	int v4 = on ? IP_PMTUDISC_PROBE : IP_PMTUDISC_DONT;
	int v6 = on ? IPV6_PMTUDISC_PROBE : IPV6_PMTUDISC_DONT;

	if (s->fd < 0)
		return;
	if (s->family == AF_INET)
		setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4));
	else
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6));
}
