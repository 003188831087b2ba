/* Two wg-mode devices in one process for the fuzzers that need a live peer: each has a fixed
 * identity, a TUN that is one end of a socketpair and UDP sockets on a free loopback port,
 * and the other as its one peer. Nothing moves by itself: the harness takes each datagram off
 * a socket and decides what becomes of it. The harness owns the clock (linked with
 * -Wl,--wrap=clock_now), so timers and key ages follow its inputs, not the wall clock. */
#ifndef ADIT_FUZZ_WG_PAIR_H
#define ADIT_FUZZ_WG_PAIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wg/device.h"
#include "wg/receive.h"
#include "wg/send.h"

struct host {
	struct wg_device dev;
	struct wg_peer *peer; /* the other host */
	int tun;              /* the harness's end of the TUN */
	uint8_t ip;           /* 10.0.0.ip and fd00::ip inside the tunnel */
};

static uint64_t fuzz_now = 1000000;

uint64_t __wrap_clock_now(void);
uint64_t __wrap_clock_now(void)
{
	return fuzz_now;
}

#define fuzz_check(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			abort();                                                      \
		}                                                                     \
	} while (0)

static inline void host_up(struct host *h, uint8_t key_byte, uint8_t ip)
{
	uint8_t priv[WG_KEY_LEN];
	int sp[2];

	memset(priv, key_byte, sizeof(priv));
	h->ip = ip;
	fuzz_check(device_setup(&h->dev, false) == 0);
	fuzz_check(device_set_private_key(&h->dev, priv) == 0);
	fuzz_check(device_set_listen_port(&h->dev, 0) == 0);
	fuzz_check(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sp) == 0);
	tun_attach(&h->dev.tun, sp[0]);
	h->tun = sp[1];
}

/* h's peer is other at other's loopback port, owning prefix4/plen4 and fd00::/plen6 (a
 * prefix that holds fd00::other->ip). */
static inline void host_peer(struct host *h, const struct host *other, uint8_t plen4,
			     uint8_t plen6)
{
	struct sockaddr_in ep = { .sin_family = AF_INET, .sin_port = htons(other->dev.listen_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t net4[4] = { 10, 0, 0, other->ip }, net6[16] = { 0xfd };

	net6[15] = other->ip;
	h->peer = device_add_peer(&h->dev, other->dev.identity.public_key);
	fuzz_check(h->peer != NULL);
	fuzz_check(peer_set_endpoint(h->peer, (struct sockaddr *)&ep, sizeof(ep)) == 0);
	fuzz_check(peer_add_allowed_ip(h->peer, AF_INET, net4, plen4) == 0);
	fuzz_check(peer_add_allowed_ip(h->peer, AF_INET6, net6, plen6) == 0);
}

/* One datagram off h's IPv4 socket (what the other host sent to h) into buf, with where it
 * came from; 0 when there is none. */
static inline size_t wire_take(struct host *h, uint8_t *buf, size_t cap,
			       struct udp_endpoint *from)
{
	socklen_t fromlen = sizeof(from->addr);
	ssize_t len;

	memset(from, 0, sizeof(*from));
	len = recvfrom(h->dev.sock4.fd, buf, cap, MSG_DONTWAIT, &from->addr.sa, &fromlen);
	return len > 0 ? (size_t)len : 0;
}

/* Hands every datagram waiting for h to h's device; returns how many. */
static inline unsigned int wire_deliver_all(struct host *h)
{
	uint8_t *buf = io_pool_buf(&h->dev.pool, IO_BATCH) + IO_HEADROOM;
	struct udp_endpoint from;
	unsigned int n = 0;
	size_t len;

	while ((len = wire_take(h, buf, IO_BUF_SIZE - IO_HEADROOM, &from)) > 0) {
		receive_datagram(&h->dev, buf, len, &from, fuzz_now);
		receive_flush(&h->dev); /* buf is read into again */
		n++;
	}
	return n;
}

/* Delivers back and forth until neither says anything more. */
static inline void wire_settle(struct host *a, struct host *b)
{
	while (wire_deliver_all(a) + wire_deliver_all(b))
		;
}

/* Drops what waits on h's sockets and TUN. */
static inline void host_drain(struct host *h)
{
	static uint8_t buf[IO_BUF_SIZE];

	while (recv(h->dev.sock4.fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
	while (h->dev.sock6.fd >= 0 && recv(h->dev.sock6.fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
	while (read(h->tun, buf, sizeof(buf)) >= 0)
		;
}

/* An IPv4 packet of len bytes (at least 28) from h to the other host enters h's TUN and h
 * sends what it sends; payload bytes after the headers come from body. */
static inline void host_send_ip(struct host *h, const uint8_t *body, size_t len)
{
	uint8_t pkt[256] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0 };

	if (len > sizeof(pkt))
		len = sizeof(pkt);
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	pkt[15] = h->ip;
	pkt[19] = h->ip == 1 ? 2 : 1;
	memcpy(pkt + 28, body, len - 28);
	fuzz_check(write(h->tun, pkt, len) == (ssize_t)len);
	fuzz_check(send_tun_packets(&h->dev) == 0);
}

#endif
