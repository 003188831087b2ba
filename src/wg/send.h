/* Sending (send.c): packets from the TUN to their peers, each sealed for the peer whose
 * allowed IPs hold its destination; handshake messages and keepalives; and what a peer's
 * timers ask for. */
#ifndef ADIT_WG_SEND_H
#define ADIT_WG_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/pool.h"
#include "wg/messages.h"

struct wg_device;
struct wg_peer;

/* How much of a buffer a packet from the TUN may fill: its data header goes in front of it,
 * its padding and tag behind. */
#define SEND_TUN_ROOM (IO_BUF_SIZE - IO_HEADROOM - WG_PADDING - WG_TAG_LEN)

/* Reads what the TUN has (a few batches) and sends it; -ENODEV when the interface is gone,
 * else 0. */
int send_tun_packets(struct wg_device *dev);
void send_handshake_initiation(struct wg_peer *peer, bool is_retry);
void send_handshake_response(struct wg_peer *peer);
void send_keepalive(struct wg_peer *peer);
/* Sends the staged packets if a session can carry them, else starts a handshake. */
void send_staged(struct wg_peer *peer);
/* Path-MTU probes (pmtu.c): n plaintexts in the TUN side of the pool, each sealed and sent
 * on its own in a datagram that may not be fragmented. Returns how many went out. */
unsigned int send_probes(struct wg_peer *peer, uint8_t *const *pkts, const size_t *lens,
			 unsigned int n, uint64_t now);
/* The path MTU of the peer a packet from the TUN goes to, 0 for the interface's: the TUN
 * cuts TCP super-packets to it (tun.seg_mtu). ctx is the device. */
unsigned int send_path_mtu(void *ctx, const uint8_t *pkt, size_t len);
/* A batch's packets grouped by peer (NULL: no peer), each peer's packets in the order they
 * came and the peers in the order of their first packet, as wireguard-go's elemsByPeer: so
 * traffic interleaved to several peers (A B A B) is sealed and sent as one run per peer, not
 * runs of one. Writes the grouped batch to to_peer/to_pkts/to_lens and the length of each run
 * to run_len; returns the number of runs. n is at most IO_BATCH. */
unsigned int send_group_by_peer(struct wg_peer *const *peer, uint8_t *const *pkts,
				const size_t *lens, unsigned int n, struct wg_peer **to_peer,
				uint8_t **to_pkts, size_t *to_lens, unsigned int *run_len);
/* Carries out what timers_expire decided for peer (enum timer_action). */
void send_timer_actions(struct wg_peer *peer, unsigned int actions);

#endif
