/* A peer: its keys, sessions, endpoint, timers and counters. */
#ifndef ADIT_WG_PEER_H
#define ADIT_WG_PEER_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "io/udp.h"
#include "wg/allowedips.h"
#include "wg/cookie.h"
#include "wg/drops.h"
#include "wg/noise.h"
#include "wg/pmtu.h"
#include "wg/timers.h"

/* Packets that arrived from the TUN before there was a session, sent once one exists. One
 * buffer per peer, allocated the first time it is needed, so staging allocates nothing per
 * packet. */
#define PEER_STAGED_MAX 32
#define PEER_STAGED_BYTES (256 * 1024)
struct staged_packets {
	uint8_t *buf;
	size_t used;
	unsigned int count;
	uint32_t len[PEER_STAGED_MAX];
};

struct wg_peer {
	struct wg_device *dev;
	struct wg_peer *next, *prev; /* the device's list, in the order peers were added */
	struct wg_peer *hash_next; /* the device's public-key table */
	unsigned int index_entries; /* how many receiver indices name this peer */
	struct noise_handshake handshake; /* remote_static is the peer's public key */
	struct noise_keypairs keypairs;
	struct cookie cookie;
	struct udp_endpoint endpoint;
	bool has_endpoint;
	uint16_t batch_run; /* send.c's: this peer's run in the batch being sent, if still so */
	struct allowedips_list allowed_ips; /* in the device's table, in the order given */
	uint16_t persistent_keepalive_interval; /* seconds; 0 = off */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	struct wg_peer_drops drops; /* what was dropped of its packets, by reason */
	struct timespec last_handshake; /* wall clock; zero = never */
	uint64_t last_sent_handshake;   /* ms, monotonic */
	uint64_t unused_answer_said;    /* ms: receive.c's hint, at most once a minute */
	struct peer_timers timers;
	struct peer_pmtu pmtu; /* the path's MTU, as probes found it */
	struct staged_packets staged;
};

/* "peer AbCd…wxYz" for log lines: the start and end of its public key, as wireguard-go names
 * peers. Writes it into name and returns it. */
#define PEER_NAME_LEN 32
const char *peer_name(const struct wg_peer *peer, char name[PEER_NAME_LEN]);

static inline struct wg_peer *peer_of_timers(struct peer_timers *t)
{
	return (struct wg_peer *)((char *)t - offsetof(struct wg_peer, timers));
}

/* Configuration, as UAPI applies it. */
void peer_set_preshared_key(struct wg_peer *peer, const uint8_t psk[WG_KEY_LEN]);
/* sa: AF_INET or AF_INET6 with port. Returns 0 or -EINVAL. */
int peer_set_endpoint(struct wg_peer *peer, const struct sockaddr *sa, socklen_t len);
/* Seconds, 0 turns it off. True when a keepalive should go now: it was turned on (or
 * changed) while the device has an identity. */
bool peer_set_persistent_keepalive(struct wg_peer *peer, uint16_t interval);
/* addr: 4 or 16 bytes, network order. Returns 0, -EINVAL or -ENOMEM. */
int peer_add_allowed_ip(struct wg_peer *peer, int family, const void *addr, uint8_t cidr);
void peer_clear_allowed_ips(struct wg_peer *peer);

/* Sessions. A new keypair takes its place by the kernel's rules: an initiator's becomes
 * current at once, a responder's waits in next until the first data message on it. */
void peer_add_keypair(struct wg_peer *peer, struct noise_keypair *kp);
/* A session is up: the handshake's timers stop, and `wg show` gets its time. */
void peer_handshake_complete(struct wg_peer *peer);
/* After data authenticated under kp: true if that confirmed kp (next became current). */
bool peer_received_with_keypair(struct wg_peer *peer, struct noise_keypair *kp);
/* Current keypair if it may still send, else NULL. */
struct noise_keypair *peer_sending_keypair(struct wg_peer *peer, uint64_t now);
/* Keeps a packet from the TUN until a session exists; the oldest goes when full. */
void peer_stage(struct wg_peer *peer, const uint8_t *pkt, size_t len);

struct wg_peer *peer_create(struct wg_device *dev, const uint8_t pub[WG_KEY_LEN]);
void peer_free(struct wg_peer *peer);
void peer_drop_staged(struct wg_peer *peer);
/* Forgets the local address replies leave from; routing chooses again. */
void peer_clear_source(struct wg_peer *peer);
/* Forgets every keypair and the handshake (keys wiped), as after REJECT_AFTER_TIME * 3. */
void peer_zero_keys(struct wg_peer *peer);

#endif
