/* Lab mode's control socket, /var/run/adit/net-NETNS/IFACE.sock (ctlsock.h): it answers
 * adit-show=1, as wg mode's UAPI socket does, with the server's clients (or the client's
 * server), their inner addresses and counters, and the drops. Served in lab mode's event
 * loop without blocking it by ctlserver.c, as the UAPI socket is: one connection at a time, a
 * deadline for each. */
#ifndef ADIT_LAB_CONTROL_H
#define ADIT_LAB_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/ctlserver.h"
#include "base/ctlsock.h"
#include "base/drops.h"
#include "base/loop.h"
#include "io/tun.h"
#include "io/udp.h"
#include "lab/lab_clients.h"
#include "lab/lab_liveness.h"

/* What lab mode drops, by reason (lab.c); adit show's keys lab_drop_NAME (lab_drop_vocab). */
enum lab_drop {
	LAB_DROP_MALFORMED,         /* from the socket, not one IP packet or Ethernet frame */
	LAB_DROP_NO_CLIENT,         /* from the TUN, for an address no client owns */
	LAB_DROP_FLOOD_UNCONFIRMED, /* flooded copies held from unconfirmed clients */
	LAB_DROP_FLOOD_BUDGET,      /* flooded copies over the per-second budget */
	LAB_DROP_COUNT
};
extern const struct drop_vocab lab_drop_vocab;

/* What the relay counts (lab.c): packets and bytes each way, and what it dropped. */
struct lab_stats {
	uint64_t to_socket, to_tun;
	uint64_t to_socket_bytes, to_tun_bytes;
	uint64_t drops[LAB_DROP_COUNT];
	uint64_t moves; /* inner addresses taken over by another endpoint */
};

/* What adit show is told about, read when a request comes: the relay's own state. */
struct lab_view {
	bool server;
	bool tun_only;  /* adit tun: no socket, no peer; stats, sock and udp_stats NULL */
	bool tap;
	char netns[64]; /* the network namespace the interface was made in (netns.h) */
	const struct sockaddr_storage *where; /* the server's listen address, the client's server */
	const struct lab_clients *table;      /* server only */
	const struct lab_stats *stats;
	const struct lab_liveness *live;      /* client only: when the server was last heard */
	const struct tun *tun;
	const struct udp_sock *sock;
	const struct io_stats *udp_stats;
};

struct lab_control {
	const struct lab_view *view; /* NULL: not started, or stopped */
	struct ctlsock sock;
	int listen_fd;
	struct ctlserver server;
};

/* Listens for adit show on the socket of the view's interface. Lab mode runs without it
 * when it cannot be had (not root, say): returns -1 after saying so, and nothing needs
 * stopping. */
int lab_control_start(struct lab_control *c, struct loop *l, const struct lab_view *v);
/* Hangs up, stops listening and removes the socket (only the one it bound). */
void lab_control_stop(struct lab_control *c);

#endif
