#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "io/udp.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define SOCKET_BUFFER (4 << 20) /* room for bursts while the other direction is busy */
/* The kernel takes at most 64 segments in one GSO send, of at most 64 KB in all. */
#define GSO_MAX_SEGMENTS 64
#define GSO_MAX_BYTES 65000
/* Receives without a GRO message after which a socket is taken to see none. */
#define GRO_QUIET 64

int udp_socket(int family, unsigned int flags, uint32_t mark)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int size = SOCKET_BUFFER, on = 1;

	if (fd < 0)
		return -errno;
	/* The FORCE variants pass the sysctl limits when we have CAP_NET_ADMIN; best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (mark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	if (family == AF_INET6 && (flags & UDP_V6ONLY))
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if ((flags & UDP_PKTINFO) && family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	else if (flags & UDP_PKTINFO)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	/* A datagram that carries a whole inner packet is often larger than the path's MTU:
	 * let it be fragmented on the way instead of dropped with DF set. */
	if ((flags & UDP_FRAGMENT) && family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &(int){ IP_PMTUDISC_DONT }, sizeof(int));
	else if (flags & UDP_FRAGMENT)
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &(int){ IPV6_PMTUDISC_DONT },
			   sizeof(int));
	return fd;
}

void udp_sock_init(struct udp_sock *s, int fd, int family, bool offload)
{
	int on = 1, size = 0;
	socklen_t len = sizeof(size);

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->family = family;
	if (!offload || fd < 0)
		return;
	/* Reading UDP_SEGMENT back tells whether the kernel knows it, without sending. */
	s->gso = getsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, &len) == 0;
	s->gro = setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
	s->gro_quiet = GRO_QUIET;
}

void udp_sock_close(struct udp_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* ---- sending ---- */

static struct cmsghdr *add_cmsg(struct msghdr *msg, size_t size, int level, int type,
				size_t len)
{
	struct cmsghdr *cm;

	/* msg_controllen never grows past the buffer: the kernel reads that much of it. */
	if (msg->msg_controllen + CMSG_SPACE(len) > size)
		return NULL;
	msg->msg_controllen += CMSG_SPACE(len);
	cm = (struct cmsghdr *)((char *)msg->msg_control + msg->msg_controllen - CMSG_SPACE(len));
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	return cm;
}

static void add_source(struct msghdr *msg, size_t size, const struct udp_endpoint *to)
{
	struct cmsghdr *cm;

	if (to->addr.sa.sa_family == AF_INET) {
		if (!to->src4.s_addr || !(cm = add_cmsg(msg, size, IPPROTO_IP, IP_PKTINFO,
							sizeof(struct in_pktinfo))))
			return;
		((struct in_pktinfo *)CMSG_DATA(cm))->ipi_spec_dst = to->src4;
	} else {
		if (IN6_IS_ADDR_UNSPECIFIED(&to->src6) ||
		    !(cm = add_cmsg(msg, size, IPPROTO_IPV6, IPV6_PKTINFO,
				    sizeof(struct in6_pktinfo))))
			return;
		((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_addr = to->src6;
		((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_ifindex = (unsigned int)to->src_ifindex;
	}
}

/* The message header for a datagram (or a GSO run of them, segment bytes each) to `to`. */
static void address_msg(struct msghdr *msg, const struct udp_endpoint *to, void *control,
			size_t size, uint16_t segment)
{
	struct cmsghdr *cm;

	memset(msg, 0, sizeof(*msg));
	memset(control, 0, size);
	msg->msg_control = control;
	if (to) {
		msg->msg_name = (void *)&to->addr;
		msg->msg_namelen = to->addr.sa.sa_family == AF_INET ? sizeof(struct sockaddr_in) :
								      sizeof(struct sockaddr_in6);
		add_source(msg, size, to);
	}
	if (segment && (cm = add_cmsg(msg, size, SOL_UDP, UDP_SEGMENT, sizeof(uint16_t))))
		memcpy(CMSG_DATA(cm), &segment, sizeof(segment));
	if (!msg->msg_controllen)
		msg->msg_control = NULL;
}

int udp_send_one(struct udp_sock *s, const struct udp_endpoint *to, const void *data,
		 size_t len)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	union {
		struct cmsghdr align;
		char buf[96];
	} control;
	struct msghdr msg;

	if (s->fd < 0)
		return -EAFNOSUPPORT;
	address_msg(&msg, to, &control, sizeof(control), 0);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	return sendmsg(s->fd, &msg, 0) < 0 ? -errno : 0;
}

void udp_tx_queue(struct udp_tx *q, struct udp_sock *s, const struct udp_endpoint *to,
		  void *owner, void *data, size_t len)
{
	struct udp_tx_item *it;

	if (q->count == UDP_TX_MAX)
		udp_tx_flush(q);
	it = &q->item[q->count++];
	it->sock = s;
	it->owner = owner;
	it->data = data;
	it->len = len;
	it->has_to = to != NULL;
	if (to)
		it->to = *to;
}

static bool same_path(const struct udp_tx_item *a, const struct udp_tx_item *b)
{
	return a->sock == b->sock && a->has_to == b->has_to &&
	       (!a->has_to || !memcmp(&a->to, &b->to, sizeof(a->to)));
}

/* How many items from i go in one message: a run of equal-sized datagrams on one path, the
 * last of which may be shorter, within the kernel's limits. */
static unsigned int run_length(const struct udp_tx *q, unsigned int i)
{
	const struct udp_tx_item *first = &q->item[i];
	size_t total = first->len;
	unsigned int j = i + 1;

	if (!first->sock->gso || (first->sock->gso_too_big && first->len >= first->sock->gso_too_big))
		return 1;
	while (j < q->count && j - i < GSO_MAX_SEGMENTS && same_path(first, &q->item[j]) &&
	       q->item[j].len <= first->len && total + q->item[j].len <= GSO_MAX_BYTES) {
		total += q->item[j].len;
		if (q->item[j++].len < first->len)
			break;
	}
	return j - i;
}

/* Builds the messages; returns how many. */
static unsigned int build(struct udp_tx *q)
{
	unsigned int m = 0, i = 0, n;

	while (i < q->count) {
		struct udp_tx_item *it = &q->item[i];

		n = run_length(q, i);
		for (unsigned int k = 0; k < n; k++)
			q->iov[i + k] = (struct iovec){ .iov_base = q->item[i + k].data,
							.iov_len = q->item[i + k].len };
		address_msg(&q->msg[m].msg_hdr, it->has_to ? &it->to : NULL, &q->control[m],
			    sizeof(q->control[m]), n > 1 ? (uint16_t)it->len : 0);
		q->msg[m].msg_hdr.msg_iov = &q->iov[i];
		q->msg[m].msg_hdr.msg_iovlen = n;
		q->first[m++] = i;
		i += n;
	}
	q->first[m] = q->count;
	return m;
}

bool udp_stale_source(int err, const struct udp_endpoint *to)
{
	return (err == EINVAL || err == EADDRNOTAVAIL || err == ENETUNREACH) && to &&
	       !IN6_IS_ADDR_UNSPECIFIED(&to->src6);
}

/* Message m was refused with err. Either it can go again in another form (returns true, the
 * message rebuilt) or its datagrams are dropped. */
static bool retry(struct udp_tx *q, unsigned int m, int err)
{
	unsigned int a = q->first[m], b = q->first[m + 1];
	struct udp_tx_item *it = &q->item[a];
	struct udp_sock *s = it->sock;

	if (b - a > 1 && (err == EIO || err == EINVAL || err == EMSGSIZE)) {
		/* EIO: the device cannot checksum GSO (the kernel says: stop using it). EINVAL,
		 * EMSGSIZE: a segment is over the path MTU. Send these one by one. */
		if (err == EIO)
			s->gso = false;
		else
			s->gso_too_big = it->len;
		for (unsigned int k = a; k < b; k++) {
			err = udp_send_one(s, q->item[k].has_to ? &q->item[k].to : NULL,
					   q->item[k].data, q->item[k].len);
			if (err == -EAGAIN || err == -ENOBUFS)
				io_drop(q->stats, IO_DROP_UDP_FULL, 1);
			else if (err < 0)
				io_drop(q->stats, IO_DROP_UDP_REFUSED, 1);
			if (err < 0 && err != -EAGAIN && err != -ENOBUFS)
				q->last_error = -err;
		}
		return false;
	}
	if (udp_stale_source(err, it->has_to ? &it->to : NULL)) {
		for (unsigned int k = a; k < b; k++) {
			if (q->stale_source && q->item[k].owner)
				q->stale_source(q->item[k].owner);
			memset(&q->item[k].to.src6, 0, sizeof(q->item[k].to.src6));
			q->item[k].to.src_ifindex = 0;
		}
		address_msg(&q->msg[m].msg_hdr, &it->to, &q->control[m], sizeof(q->control[m]),
			    b - a > 1 ? (uint16_t)it->len : 0);
		q->msg[m].msg_hdr.msg_iov = &q->iov[a];
		q->msg[m].msg_hdr.msg_iovlen = b - a;
		return true;
	}
	if (err == EAGAIN || err == ENOBUFS) {
		io_drop(q->stats, IO_DROP_UDP_FULL, b - a);
	} else {
		io_drop(q->stats, IO_DROP_UDP_REFUSED, b - a);
		q->last_error = err;
	}
	return false;
}

/* Runs of messages for one socket go out in one sendmmsg; a refused message is retried or
 * dropped and the rest go on. */
void udp_tx_flush(struct udp_tx *q)
{
	unsigned int nmsg = build(q), start = 0, end;
	int fd, sent;

	while (start < nmsg) {
		fd = q->item[q->first[start]].sock->fd;
		for (end = start + 1; end < nmsg && q->item[q->first[end]].sock->fd == fd; end++)
			;
		if (fd < 0) {
			io_drop(q->stats, IO_DROP_UDP_REFUSED, q->first[end] - q->first[start]);
			start = end;
			continue;
		}
		sent = sendmmsg(fd, &q->msg[start], end - start, 0);
		q->stats->udp_sends++;
		if (sent < 0) {
			if (errno == EINTR || retry(q, start, errno))
				continue;
			sent = 1;
		}
		start += (unsigned int)sent;
	}
	q->count = 0;
}

/* ---- receiving ---- */

static uint16_t gro_size(const struct msghdr *msg)
{
	struct cmsghdr *cm;
	int size;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&size, CMSG_DATA(cm), sizeof(size));
			return size > 0 && size <= 65535 ? (uint16_t)size : 0;
		}
	}
	return 0;
}

/* Message m held len bytes: one datagram, or with GRO, datagrams of size bytes each (the last
 * may be shorter). Each stays where it is; all but the first get a home buffer of their own,
 * which the caller fills (decrypting from the message's buffer into it costs no copy). */
static void split(struct udp_rx *r, struct io_stats *st, unsigned int m, size_t len,
		  uint16_t size, uint8_t *const *bufs, unsigned int nbufs, unsigned int *spare)
{
	uint8_t *base = r->iov[m].iov_base;
	size_t off = 0, n;

	if (!size)
		size = len ? (uint16_t)(len > 65535 ? 65535 : len) : 1;
	do {
		n = len - off < size ? len - off : size;
		if (off && *spare == nbufs) {
			io_drop(st, IO_DROP_UDP_NO_BUFFER, 1);
			break;
		}
		r->data[r->count] = base + off;
		r->home[r->count] = off ? bufs[(*spare)++] + IO_HEADROOM : base;
		r->len[r->count] = n;
		r->msg_of[r->count++] = m;
		off += n;
	} while (off < len);
}

/* Sets up messages m .. m + want - 1 over the buffers from bufs[0]. */
static void prepare(struct udp_rx *r, unsigned int m, unsigned int want, uint8_t *const *bufs)
{
	for (unsigned int i = 0; i < want; i++, m++) {
		r->iov[m] = (struct iovec){ .iov_base = bufs[i] + IO_HEADROOM,
					    .iov_len = IO_BUF_SIZE - IO_HEADROOM };
		r->msg[m].msg_hdr = (struct msghdr){
			.msg_name = &r->from[m],
			.msg_namelen = sizeof(r->from[m]),
			.msg_iov = &r->iov[m],
			.msg_iovlen = 1,
			.msg_control = &r->control[m],
			.msg_controllen = sizeof(r->control[m]),
		};
	}
}

/* With GRO a message can hold up to 64 datagrams, each of which needs a buffer: while GRO is
 * seen, receive a few messages at a time while buffers last. While it is not (the peer does
 * not send GSO runs), a full batch of messages at a time; a burst of GRO messages then may
 * find too few buffers, and what does not fit is dropped and counted. */
int udp_rx_receive(struct udp_rx *r, struct udp_sock *s, struct io_stats *st,
		   uint8_t *const *bufs, unsigned int nbufs)
{
	unsigned int used = 0, nmsg = 0, want, spare;
	uint16_t size;
	int n;

	r->count = 0;
	if (s->gro_quiet < GRO_QUIET)
		s->gro_quiet++;
	for (;;) {
		want = s->gro && s->gro_quiet < GRO_QUIET ? (nbufs - used) / 64 : nbufs - used;
		if (want > UDP_RX_MSGS - nmsg)
			want = UDP_RX_MSGS - nmsg;
		if (!want)
			break;
		prepare(r, nmsg, want, bufs + used);
		n = recvmmsg(s->fd, r->msg + nmsg, want, MSG_DONTWAIT, NULL);
		if (n < 0 && r->count)
			break;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
		st->udp_recvs++;
		spare = used + (unsigned int)n;
		for (unsigned int m = nmsg; m < nmsg + (unsigned int)n; m++) {
			if (r->msg[m].msg_hdr.msg_flags & MSG_TRUNC) {
				io_drop(st, IO_DROP_UDP_TRUNCATED, 1);
				continue;
			}
			size = gro_size(&r->msg[m].msg_hdr);
			if (size && size < r->msg[m].msg_len)
				s->gro_quiet = 0;
			split(r, st, m, r->msg[m].msg_len, size, bufs, nbufs, &spare);
		}
		nmsg += (unsigned int)n;
		used = spare;
		if ((unsigned int)n < want)
			break;
	}
	return (int)r->count;
}

uint8_t *udp_rx_take(struct udp_rx *r, unsigned int i)
{
	if (r->data[i] != r->home[i]) {
		memcpy(r->home[i], r->data[i], r->len[i]);
		r->data[i] = r->home[i];
	}
	return r->home[i];
}

const struct sockaddr *udp_rx_from(const struct udp_rx *r, unsigned int i, socklen_t *len)
{
	unsigned int m = r->msg_of[i];

	*len = r->msg[m].msg_hdr.msg_namelen;
	return (const struct sockaddr *)&r->from[m];
}

void udp_rx_endpoint(const struct udp_rx *r, unsigned int i, struct udp_endpoint *ep)
{
	unsigned int m = r->msg_of[i];
	const struct msghdr *msg = &r->msg[m].msg_hdr;
	struct cmsghdr *cm;

	memset(ep, 0, sizeof(*ep));
	if (r->from[m].in4.sin_family == AF_INET)
		ep->addr.in4 = r->from[m].in4;
	else
		ep->addr.in6 = r->from[m].in6;
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
