/* libFuzzer harness for the send queue (udp_tx_queue, udp_tx_flush) over a fake sendmmsg and
 * sendmsg (linked with -Wl,--wrap=sendmmsg,--wrap=sendmsg) that take, refuse, stop short or
 * are interrupted as the input says. The input queues runs of datagrams of its sizes to its
 * endpoints (with and without a source address) on three sockets (one closed) and flushes.
 * Whatever happens, every message the kernel is handed must be well formed (control data
 * within its buffer, a GSO run of equal segments to one place from one socket), and every
 * datagram queued must be sent exactly once or counted as dropped exactly once; only an
 * owner whose datagram had a source is told to forget it. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io/udp.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define ITEMS 4096
#define STRIDE 1500
#define GSO_SEGMENTS 64
#define GSO_BYTES 65000
#define CONTROL_SIZE 96 /* struct udp_tx's control buffers */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_sendmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags);

struct item {
	int sock;  /* index into socks */
	int ep;    /* index into eps; -1: none (a connected socket) */
	bool owned;
	bool refused; /* in a message refused as from a stale source: it may have lost it */
	unsigned int sent, forgotten;
};

static const uint8_t *in;
static size_t in_left;
static uint8_t payload[ITEMS][STRIDE];
static struct item items[ITEMS];
static unsigned int queued;
static struct udp_sock socks[3];
static struct udp_endpoint eps[4];
static struct io_stats stats;
static struct udp_tx q;

static void check(bool cond)
{
	if (!cond)
		abort();
}

static unsigned int take(unsigned int otherwise)
{
	if (!in_left)
		return otherwise;
	in_left--;
	return *in++;
}

static unsigned int id_of(const void *p)
{
	size_t off = (size_t)((const uint8_t *)p - &payload[0][0]);

	check((const uint8_t *)p >= &payload[0][0] && off % STRIDE == 0 && off / STRIDE < queued);
	return (unsigned int)(off / STRIDE);
}

static const struct cmsghdr *find_cmsg(const struct msghdr *m, int level, int type)
{
	const struct cmsghdr *c;
	size_t at = 0;

	check(m->msg_controllen <= CONTROL_SIZE);
	check(m->msg_control || !m->msg_controllen);
	while (at + sizeof(struct cmsghdr) <= m->msg_controllen) {
		c = (const struct cmsghdr *)((const char *)m->msg_control + at);
		check(c->cmsg_len >= sizeof(struct cmsghdr) && c->cmsg_len <= m->msg_controllen - at);
		if (c->cmsg_level == level && c->cmsg_type == type)
			return c;
		at += CMSG_ALIGN(c->cmsg_len);
	}
	return NULL;
}

/* One message as the kernel would read it: its datagrams go to one endpoint from one
 * socket, and a run of more than one is a well-formed GSO send. */
static void check_message(int fd, const struct msghdr *m)
{
	const struct item *first = &items[id_of(m->msg_iov[0].iov_base)];
	const struct cmsghdr *seg = find_cmsg(m, SOL_UDP, UDP_SEGMENT);
	const struct cmsghdr *info = find_cmsg(m, IPPROTO_IP, IP_PKTINFO);
	size_t seg_len = m->msg_iov[0].iov_len, total = 0;

	check(m->msg_iovlen >= 1 && m->msg_iovlen <= GSO_SEGMENTS);
	check(socks[first->sock].fd == fd);
	check(first->ep < 0 ? !m->msg_name : m->msg_name && !memcmp(m->msg_name, &eps[first->ep].addr,
								     sizeof(struct sockaddr_in)));
	check((m->msg_iovlen > 1) == (seg != NULL));
	if (seg)
		check(*(const uint16_t *)CMSG_DATA(seg) == seg_len);
	if (info)
		check(first->ep >= 0 && eps[first->ep].src4.s_addr ==
			((const struct in_pktinfo *)CMSG_DATA(info))->ipi_spec_dst.s_addr);
	else
		check(first->ep < 0 || !eps[first->ep].src4.s_addr || first->refused);
	for (size_t k = 0; k < m->msg_iovlen; k++) {
		const struct item *it = &items[id_of(m->msg_iov[k].iov_base)];

		check(it->sock == first->sock && it->ep == first->ep);
		check(m->msg_iov[k].iov_len == seg_len || (k == m->msg_iovlen - 1 &&
							    m->msg_iov[k].iov_len < seg_len));
		total += m->msg_iov[k].iov_len;
	}
	check(total <= GSO_BYTES);
}

static void deliver(const struct msghdr *m)
{
	for (size_t k = 0; k < m->msg_iovlen; k++)
		items[id_of(m->msg_iov[k].iov_base)].sent++;
}

static void refuse(const struct msghdr *m)
{
	for (size_t k = 0; k < m->msg_iovlen; k++)
		items[id_of(m->msg_iov[k].iov_base)].refused = true;
}

static const int errors[] = { EAGAIN, ENOBUFS, EINVAL, EIO, EMSGSIZE, EADDRNOTAVAIL,
			      ENETUNREACH, ECONNREFUSED, EPERM, EINTR };

/* The input's word on a send: -1 with errno set, or how many of n messages go. */
static int verdict(unsigned int n)
{
	unsigned int v = take(0);

	if (v < 160)
		return (int)n;
	if (v < 200)
		return (int)(1 + v % n);
	errno = errors[v % (sizeof(errors) / sizeof(errors[0]))];
	return -1;
}

int __wrap_sendmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags)
{
	int n;

	check(fd >= 0 && vlen > 0 && vlen <= UDP_TX_MAX && flags == 0);
	for (unsigned int i = 0; i < vlen; i++)
		check_message(fd, &msgs[i].msg_hdr);
	n = verdict(vlen);
	if (n < 0)
		refuse(&msgs[0].msg_hdr);
	for (int i = 0; i < n; i++)
		deliver(&msgs[i].msg_hdr);
	return n;
}

ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	check(msg->msg_iovlen == 1 && flags == 0);
	check_message(fd, msg);
	if (verdict(1) < 0) {
		refuse(msg);
		return -1;
	}
	deliver(msg);
	return (ssize_t)msg->msg_iov[0].iov_len;
}

static void forget(void *owner)
{
	struct item *it = owner;

	check(it >= items && it < items + queued && it->owned && it->refused);
	check(it->ep >= 0 && eps[it->ep].src4.s_addr);
	it->forgotten++;
}

static void setup(void)
{
	memset(socks, 0, sizeof(socks));
	socks[0].fd = 1000;
	socks[1].fd = 1001;
	socks[2].fd = -1; /* closed: its datagrams are refused */
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int b = take(0);

		socks[i].family = AF_INET;
		socks[i].gso = b & 1;
		socks[i].gso_too_big = b & 2 ? 200 + 8 * (b >> 2) : 0;
	}
	for (unsigned int i = 0; i < 4; i++) {
		eps[i] = (struct udp_endpoint){ 0 };
		eps[i].addr.in4.sin_family = AF_INET;
		eps[i].addr.in4.sin_port = htons((uint16_t)(5000 + i % 2));
		eps[i].addr.in4.sin_addr.s_addr = htonl(0x7f000001 + i / 2);
		if (i % 2)
			eps[i].src4.s_addr = htonl(0x7f000001);
	}
	memset(&stats, 0, sizeof(stats));
	memset(&q, 0, sizeof(q));
	q.stats = &stats;
	q.stale_source = forget;
	queued = 0;
}

/* A run of count datagrams of len bytes (growing by step each) to one place. */
static void queue_run(unsigned int op)
{
	unsigned int count = 1 + take(0), hi = take(0), lo = take(0), step = op & 3;
	unsigned int len = 1 + (hi << 3 | lo % 8);
	int ep = (op >> 2) % 5 - 1;
	struct udp_sock *s = &socks[(op >> 5) % 3];

	for (unsigned int k = 0; k < count && queued < ITEMS; k++, len += step) {
		struct item *it = &items[queued];

		if (len > STRIDE)
			len = 1 + len % STRIDE;
		*it = (struct item){ .sock = (int)(s - socks), .ep = ep, .owned = op & 0x40 };
		queued++;
		udp_tx_queue(&q, s, ep < 0 ? NULL : &eps[ep], it->owned ? it : NULL,
			     payload[it - items], len);
	}
}

/* Every datagram queued and flushed left once or was counted as dropped once. */
static void check_accounts(void)
{
	uint64_t sent = 0, dropped = stats.drops[IO_DROP_UDP_FULL] + stats.drops[IO_DROP_UDP_REFUSED];

	for (unsigned int i = 0; i < queued; i++) {
		check(items[i].sent <= 1);
		check(items[i].forgotten <= 1);
		sent += items[i].sent;
	}
	check(q.count <= UDP_TX_MAX);
	check(sent + dropped + q.count == queued);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int op;

	in = data;
	in_left = size;
	setup();
	while (in_left && queued < ITEMS) {
		op = take(0);
		if (op & 0x80)
			udp_tx_flush(&q);
		else
			queue_run(op);
		check_accounts();
	}
	udp_tx_flush(&q);
	check(q.count == 0);
	check_accounts();
	return 0;
}
