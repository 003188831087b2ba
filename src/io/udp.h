/* The UDP sockets that carry tunnels, in the shape of wireguard-go's conn.Bind: opened in one
 * place, datagrams queued and flushed in batches (runs of equal-sized datagrams to one
 * endpoint leave as one UDP_SEGMENT send), received in batches (UDP_GRO super-datagrams are
 * split), with the local address of every datagram (PKTINFO) so replies leave from the address
 * the peer wrote to. One error policy: a datagram the network refuses is counted and dropped,
 * never the end of the tunnel. */
#ifndef ADIT_UDP_H
#define ADIT_UDP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "io/pool.h"
#include "io/stats.h"

/* Where a datagram goes (or came from), and the local address it leaves from (arrived at):
 * sticky source, as the kernel module keeps it. An all-zero source lets routing choose. */
struct udp_endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} addr;
	union {
		struct in_addr src4;
		struct in6_addr src6;
	};
	int src_ifindex;
};

struct udp_sock {
	int fd;
	int family;
	bool gso;             /* UDP_SEGMENT is to be used on sends */
	bool gro;             /* UDP_GRO is on: a receive may hold many datagrams */
	size_t gso_too_big;   /* datagrams this size or more were refused as one GSO send: 0 none */
	unsigned int gro_quiet; /* receives since the last that held a GRO message */
};

/* A non-blocking UDP socket of family with large buffers. Returns the fd or a negative errno. */
enum udp_flags {
	UDP_PKTINFO = 1,  /* each datagram's local address comes with it */
	UDP_FRAGMENT = 2, /* datagrams past the path MTU are fragmented (lab mode: a datagram is
			   * one inner packet, whatever its size), not refused */
	UDP_V6ONLY = 4,   /* an IPv6 socket takes no IPv4: another socket has IPv4 */
};
int udp_socket(int family, unsigned int flags, uint32_t mark);
/* Wraps fd, turning on GSO and GRO when offload and the kernel has them. */
void udp_sock_init(struct udp_sock *s, int fd, int family, bool offload);
void udp_sock_close(struct udp_sock *s);

/* True when the kernel refused a datagram (errno err) for its source address, which is no
 * longer ours: the sender should forget it and let routing choose. */
bool udp_stale_source(int err, const struct udp_endpoint *to);
/* Sends one datagram now (handshakes, replies); to NULL on a connected socket. 0 or -errno. */
int udp_send_one(struct udp_sock *s, const struct udp_endpoint *to, const void *data,
		 size_t len);

/* Datagrams waiting for a flush; data must stay valid until then. owner is handed back to
 * stale_source when the kernel refuses a datagram's source address (no longer ours): the
 * owner forgets it, and the datagram goes again with routing's choice. */
#define UDP_TX_MAX IO_BATCH
struct udp_tx_item {
	struct udp_sock *sock;
	void *owner;
	void *data;
	size_t len;
	bool has_to;
	struct udp_endpoint to;
};
struct udp_tx {
	unsigned int count;
	struct io_stats *stats;
	int last_error; /* why the network last refused a datagram; the caller may reset it */
	void (*stale_source)(void *owner);
	struct udp_tx_item item[UDP_TX_MAX];
	struct mmsghdr msg[UDP_TX_MAX];
	struct iovec iov[UDP_TX_MAX];
	/* Message m carries items first[m] .. first[m + 1] - 1: one entry more than messages,
	 * for the end of the last (UDP_TX_MAX unmerged datagrams make UDP_TX_MAX messages). */
	unsigned int first[UDP_TX_MAX + 1];
	union {
		struct cmsghdr align;
		char buf[96];
	} control[UDP_TX_MAX];
};
void udp_tx_queue(struct udp_tx *q, struct udp_sock *s, const struct udp_endpoint *to,
		  void *owner, void *data, size_t len);
void udp_tx_flush(struct udp_tx *q);

/* A batch received: datagram i is data[i], len[i] bytes, from message msg_of[i]. The datagrams
 * of one GRO message lie one after the other in its buffer, with no room between them for
 * what is built from them; so each also has a home[i], IO_HEADROOM into a pool buffer of its
 * own (data[i] itself for the first datagram of each message, else a buffer not yet written):
 * what is made of datagram i (its decryption, a packet coalesced onto it) is made there, with
 * room in front and behind. udp_rx_take moves a datagram home as it is. */
#define UDP_RX_MSGS 64
struct udp_rx {
	unsigned int count;
	uint8_t *data[IO_BATCH];
	uint8_t *home[IO_BATCH];
	size_t len[IO_BATCH];
	unsigned int msg_of[IO_BATCH];
	struct mmsghdr msg[UDP_RX_MSGS];
	struct iovec iov[UDP_RX_MSGS];
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} from[UDP_RX_MSGS];
	union {
		struct cmsghdr align;
		char buf[96];
	} control[UDP_RX_MSGS];
};
/* Fills r from s, using the nbufs buffers bufs (IO_BUF_SIZE each). Returns the number of
 * datagrams, 0 when there is none, or a negative errno the caller must act on. */
int udp_rx_receive(struct udp_rx *r, struct udp_sock *s, struct io_stats *st,
		   uint8_t *const *bufs, unsigned int nbufs);
/* Datagram i in its home buffer, copied there if it is not already: for the caller that uses
 * the datagram as it came (lab mode's plaintext). */
uint8_t *udp_rx_take(struct udp_rx *r, unsigned int i);
/* Where datagram i came from, and the local address it arrived at. */
void udp_rx_endpoint(const struct udp_rx *r, unsigned int i, struct udp_endpoint *ep);
const struct sockaddr *udp_rx_from(const struct udp_rx *r, unsigned int i, socklen_t *len);

#endif
