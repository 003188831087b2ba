/* The device of wg mode: the TUN, the UDP sockets, our static identity, the peers, and the
 * event loop that moves packets between them. */
#ifndef ADIT_WG_DEVICE_H
#define ADIT_WG_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/loop.h"
#include "base/netcfg.h"
#include "io/pool.h"
#include "io/tun.h"
#include "io/udp.h"
#include "io/workers.h"
#include "pkt/icmp_build.h"
#include "pkt/trace.h"
#include "wg/allowedips.h"
#include "wg/cookie.h"
#include "wg/drops.h"
#include "wg/noise.h"
#include "wg/peer.h"
#include "wg/peerlookup.h"
#include "wg/ratelimiter.h"
#include "wg/socket.h"
#include "wg/timer_queue.h"

/* A data message of the run being received, between its decryption (shared among the
 * crypto lanes) and its acceptance (in order, in the loop's thread). */
struct data_open {
	struct noise_keypair *kp;
	struct wg_peer *peer;
	uint64_t counter;
	enum wg_drop drop; /* WG_DROP_COUNT: none, so far */
};

struct wg_device {
	struct tun tun;
	struct loop loop;
	struct loop_watch tun_watch, sock4_watch, sock6_watch;
	struct udp_sock sock4, sock6;
	bool offload; /* TUN and UDP offloads, unless --no-offload */
	unsigned int mtu;      /* of the TUN, for padding; refreshed once a second */
	uint64_t mtu_checked;
	uint16_t listen_port; /* the port actually bound; 0 = not yet */
	uint16_t wanted_port; /* what the user asked for; 0 = any */
	uint32_t fwmark;
	struct noise_static_identity identity;
	struct cookie_checker cookie_checker;
	struct ratelimiter ratelimiter;
	struct allowedips allowedips;
	struct wg_peer *peers, *last_peer; /* in the order they were added */
	size_t peer_count;
	struct pubkey_table peers_by_key;
	struct index_table index; /* sessions and handshakes by our local index */
	struct timer_queue timer_queue; /* the peers with a timer armed, soonest first */
	/* The data path's memory, allocated once: packet buffers and the batches. */
	/* The pool's buffer i: the TUN's packets below IO_BATCH, datagrams above. */
	struct io_pool pool;
	struct io_stats udp_stats;
	struct wg_drops drops;
	struct udp_tx tx;
	struct udp_rx rx;
	/* --trace and --pcap: set by the command after device_setup, closed by device_close. */
	struct trace trace;
	/* --threads N: the crypto lanes that seal and open batches beside the loop's thread. */
	struct workers workers;
	struct data_open opened[IO_BATCH];
	/* Path-MTU probing (pmtu.c), unless --no-pmtu: probes carry this echo identifier and
	 * token, random per device; "too big" answers are built here. */
	bool pmtu_off;
	uint16_t pmtu_id;
	uint64_t pmtu_token;
	unsigned int pmtu_limited; /* peers whose path MTU is below the interface's */
	unsigned int pmtu_restarts; /* spreads the searches a change restarts (pmtu.c) */
	struct netcfg pmtu_nc;      /* asks the routes for a probe's source; opened on need */
	uint8_t too_big_buf[OFFLOAD_VNET_HDR_LEN + ICMP_TOO_BIG_MAX];
	unsigned int to_tun_count; /* decrypted packets waiting for one batched TUN write */
	uint8_t *to_tun[IO_BATCH];
	size_t to_tun_len[IO_BATCH];
};

/* Sets up what needs no file descriptor: memory, tables, crypto. The device can then be
 * configured and fed datagrams (tests and fuzzers run it this way, over fake ends: a TUN
 * attached with tun_attach, sockets bound with device_set_listen_port). Returns 0 or a
 * negative errno. */
int device_setup(struct wg_device *dev, bool offload);
/* adit [-f] IFACE: creates the TUN and the sockets and makes the loop. Returns 0, or a
 * negative errno after saying why. */
int device_start(struct wg_device *dev, const char *ifname);
/* --threads N: N - 1 helper threads seal and open batches beside the loop's thread. Call
 * before any keypair exists (before device_run serves the UAPI). Returns 0, or a negative
 * errno after saying why. */
int device_start_threads(struct wg_device *dev, unsigned int threads);
/* Runs until a signal or the interface's deletion (0), or until the loop fails (a negative
 * errno). */
int device_run(struct wg_device *dev);
void device_close(struct wg_device *dev);

/* Configuration, as UAPI applies it. Functions return 0 or a negative errno. */
/* An all-zero key removes the identity (no handshakes, no data). A peer holding the new
 * public key is removed, as the kernel does. */
int device_set_private_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN]);
/* Rebinds the sockets; 0 picks a free port. -EADDRINUSE when taken. */
int device_set_listen_port(struct wg_device *dev, uint16_t port);
int device_set_fwmark(struct wg_device *dev, uint32_t fwmark);
/* A new peer with no endpoint, allowed IPs or keepalive. NULL (errno ENOMEM) on failure.
 * The caller must not add a peer whose key is the device's own public key. */
struct wg_peer *device_add_peer(struct wg_device *dev, const uint8_t pub[WG_KEY_LEN]);
void device_remove_peer(struct wg_device *dev, struct wg_peer *peer);
void device_remove_all_peers(struct wg_device *dev);

#endif
