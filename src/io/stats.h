/* What the I/O layer drops, by reason. Every packet the TUN or a socket gives up on is
 * counted here, so `adit` can say at exit (and later `adit show`) where traffic went. */
#ifndef ADIT_IO_STATS_H
#define ADIT_IO_STATS_H

#include <stdint.h>

#include "base/drops.h"

enum io_drop {
	IO_DROP_TUN_MALFORMED, /* a super-packet from the TUN that cannot be split */
	IO_DROP_TUN_FULL,      /* the TUN's queue was full on write */
	IO_DROP_TUN_REFUSED,   /* the kernel refused a packet written to the TUN */
	IO_DROP_UDP_FULL,      /* the socket's send buffer was full */
	IO_DROP_UDP_REFUSED,   /* the network refused a datagram (ICMP error, no route, too big) */
	IO_DROP_UDP_TRUNCATED, /* a datagram longer than the receive buffer */
	IO_DROP_UDP_NO_BUFFER, /* a GRO segment that found no free buffer in its batch */
	IO_DROP_COUNT
};

struct io_stats {
	uint64_t drops[IO_DROP_COUNT];
	uint64_t tun_reads, tun_writes;   /* system calls, to see how well batching works */
	uint64_t udp_sends, udp_recvs;
};

static inline void io_drop(struct io_stats *s, enum io_drop why, uint64_t n)
{
	s->drops[why] += n;
}

/* The I/O layer's reasons, for adit show: keys io_drop_NAME. */
extern const struct drop_vocab io_drop_vocab;
const char *io_drop_name(enum io_drop why);
/* A reason's short name, for adit show and its keys: "udp_full", "tun_refused"... */
const char *io_drop_key(enum io_drop why);
/* One log line per reason with drops: "WHAT dropped N: REASON". */
void io_stats_log(const char *what, const struct io_stats *s);

#endif
