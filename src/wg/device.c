/* The device: its tables (peers by public key, sessions by index), its configuration as
 * UAPI sets it, and the event loop over the TUN, the sockets, the UAPI socket and timers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/netcfg.h"
#include "wg/device.h"
#include "wg/receive.h"
#include "wg/send.h"

#define DEFAULT_MTU 1420 /* 1500 less the IPv6, UDP and data headers, as wireguard-go */
struct wg_peer *device_add_peer(struct wg_device *dev, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_peer *peer;

	if (timer_queue_reserve(&dev->timer_queue, dev->peer_count + 1) < 0 ||
	    !(peer = peer_create(dev, pub))) {
		errno = ENOMEM;
		return NULL;
	}
	if (pubkey_table_add(&dev->peers_by_key, peer) < 0) {
		peer_free(peer);
		errno = ENOMEM;
		return NULL;
	}
	peer->prev = dev->last_peer;
	*(dev->last_peer ? &dev->last_peer->next : &dev->peers) = peer;
	dev->last_peer = peer;
	dev->peer_count++;
	return peer;
}

void device_remove_peer(struct wg_device *dev, struct wg_peer *peer)
{
	*(peer->prev ? &peer->prev->next : &dev->peers) = peer->next;
	*(peer->next ? &peer->next->prev : &dev->last_peer) = peer->prev;
	pubkey_table_remove(&dev->peers_by_key, peer);
	peer_clear_allowed_ips(peer);
	dev->peer_count--;
	/* Zeroing the keys drops the indices of its sessions and handshake; this makes sure no
	 * entry outlives the peer whatever path it took. */
	peer_zero_keys(peer);
	index_table_forget_peer(&dev->index, peer);
	peer_free(peer);
}

void device_remove_all_peers(struct wg_device *dev)
{
	while (dev->peers)
		device_remove_peer(dev, dev->peers);
}

int device_set_private_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	struct wg_peer *peer, *same;

	if (dev->identity.has_identity &&
	    crypto_equal(dev->identity.private_key, key, WG_KEY_LEN))
		return 0;
	noise_set_static_identity(&dev->identity, key);
	cookie_checker_init(&dev->cookie_checker,
			    dev->identity.has_identity ? dev->identity.public_key : NULL);
	/* We cannot be our own peer. */
	same = NULL;
	if (dev->identity.has_identity)
		same = pubkey_table_find(&dev->peers_by_key, dev->identity.public_key);
	if (same)
		device_remove_peer(dev, same);
	/* Sessions made with the old key are of no use: handshake again when needed. */
	for (peer = dev->peers; peer; peer = peer->next) {
		peer_zero_keys(peer);
		noise_handshake_rekey(&peer->handshake);
	}
	return 0;
}


int device_set_fwmark(struct wg_device *dev, uint32_t fwmark)
{
	return socket_set_fwmark(dev, fwmark);
}

static int sock4_ready(void *ctx)
{
	struct wg_device *dev = ctx;

	return receive_datagrams(dev, &dev->sock4);
}

static int sock6_ready(void *ctx)
{
	struct wg_device *dev = ctx;

	return receive_datagrams(dev, &dev->sock6);
}

static void forget_sockets(struct wg_device *dev)
{
	if (dev->loop.epfd >= 0 && dev->sock4.fd >= 0)
		loop_del(&dev->loop, &dev->sock4_watch);
	if (dev->loop.epfd >= 0 && dev->sock6.fd >= 0)
		loop_del(&dev->loop, &dev->sock6_watch);
	socket_close(dev);
}

/* Swaps in freshly bound sockets, which the device then owns (closed here if they cannot be
 * watched). */
static int replace_sockets(struct wg_device *dev, int fd4, int fd6)
{
	forget_sockets(dev);
	udp_sock_init(&dev->sock4, fd4, AF_INET, dev->offload);
	udp_sock_init(&dev->sock6, fd6, AF_INET6, dev->offload);
	dev->sock4_watch = (struct loop_watch){ .fd = fd4, .ready = sock4_ready, .ctx = dev };
	dev->sock6_watch = (struct loop_watch){ .fd = fd6, .ready = sock6_ready, .ctx = dev };
	if (dev->loop.epfd < 0)
		return 0;
	if (loop_add(&dev->loop, &dev->sock4_watch) < 0) {
		socket_close(dev); /* never a closed fd number left behind */
		return -EIO;
	}
	if (fd6 >= 0 && loop_add(&dev->loop, &dev->sock6_watch) < 0) {
		forget_sockets(dev);
		return -EIO;
	}
	return 0;
}

int device_set_listen_port(struct wg_device *dev, uint16_t port)
{
	struct socket_pair pair;
	int err;

	dev->wanted_port = port;
	/* The old sockets hold the port: a rebind to the same port must close them first. */
	if (port && port == dev->listen_port)
		return 0;
	err = socket_open(port, dev->fwmark, &pair);
	if (err < 0)
		return err;
	dev->listen_port = pair.port;
	return replace_sockets(dev, pair.fd4, pair.fd6);
}

static int tun_ready(void *ctx)
{
	return send_tun_packets(ctx);
}

static void timer_actions(struct peer_timers *t, unsigned int actions)
{
	send_timer_actions(peer_of_timers(t), actions);
}

/* Before each sleep: fire the timers that are due, then sleep until the next one. */
static int run_timers(void *ctx)
{
	struct wg_device *dev = ctx;
	uint64_t now = clock_now(), next = timers_run(&dev->timer_queue, now, timer_actions);

	if (!next)
		return -1;
	return next <= now ? 0 : (int)(next - now < 60000 ? next - now : 60000);
}

static int set_mtu(struct wg_device *dev)
{
	struct netcfg nc;
	int err = netcfg_open(&nc);

	if (err < 0)
		return err;
	err = netcfg_set_link(&nc, dev->tun.ifindex, DEFAULT_MTU, false);
	netcfg_close(&nc);
	dev->mtu = DEFAULT_MTU;
	return err;
}

/* A data message was refused for its source address: the peer lets routing choose. */
static void forget_source(void *peer)
{
	peer_clear_source(peer);
}

int device_setup(struct wg_device *dev, bool offload)
{
	const char *load = getenv("ADIT_FORCE_UNDER_LOAD");

	memset(dev, 0, sizeof(*dev));
	dev->sock4.fd = dev->sock6.fd = dev->tun.fd = -1;
	dev->loop.epfd = dev->loop.sigfd = -1;
	dev->offload = offload;
	dev->mtu = DEFAULT_MTU;
	allowedips_init(&dev->allowedips);
	timer_queue_init(&dev->timer_queue);
	ratelimiter_init(&dev->ratelimiter);
	dev->ratelimiter.force_under_load = load && !strcmp(load, "1");
	dev->tx.stats = &dev->udp_stats;
	dev->tx.stale_source = forget_source;
	/* ADIT_CRYPTO names the data path's AEAD backend (aead.c); unset, adit chooses. */
	if (!crypto_init() || !crypto_aead_choose(getenv("ADIT_CRYPTO")))
		return -ENOTSUP;
	crypto_random(&dev->pmtu_id, sizeof(dev->pmtu_id));
	crypto_random(&dev->pmtu_token, sizeof(dev->pmtu_token));
	return io_pool_init(&dev->pool, 2 * IO_BATCH);
}

int device_start(struct wg_device *dev, const char *ifname)
{
	char offloads[64];
	int err;

	if ((err = loop_init(&dev->loop)) < 0 ||
	    (err = tun_open(&dev->tun, ifname, false, false, dev->offload)) < 0)
		return err;
	dev->tun.seg_mtu = send_path_mtu;
	dev->tun.seg_ctx = dev;
	err = set_mtu(dev);
	if (err < 0)
		log_warn("cannot set the MTU of %s to %d: %s", dev->tun.name, DEFAULT_MTU,
			 strerror(-err));
	err = device_set_listen_port(dev, 0);
	if (err < 0) {
		log_error("cannot open the UDP sockets of %s: %s", dev->tun.name, strerror(-err));
		return err;
	}
	dev->tun_watch = (struct loop_watch){ .fd = dev->tun.fd, .ready = tun_ready, .ctx = dev };
	err = loop_add(&dev->loop, &dev->tun_watch);
	if (err < 0)
		return err;
	dev->loop.timeout = run_timers;
	dev->loop.timeout_ctx = dev;
	log_info("%s: offloads: TUN %s, UDP%s%s", dev->tun.name,
		 tun_offload_names(&dev->tun, offloads, sizeof(offloads)),
		 dev->sock4.gso ? " gso" : "", dev->sock4.gro ? " gro" : "");
	log_info("%s: data crypto: %s (%s)", dev->tun.name, crypto_aead_backend(),
		 crypto_aead_detail());
	return 0;
}

/* At exit, what was dropped and why: the counters `adit show` will print live. */
static void log_drops(const struct wg_device *dev)
{
	for (int i = 0; i < WG_DROP_COUNT; i++)
		if (dev->drops.count[i])
			log_info("%s: dropped %llu: %s", dev->tun.name,
				 (unsigned long long)dev->drops.count[i],
				 drops_reason((enum wg_drop)i));
	io_stats_log(dev->tun.name, &dev->tun.stats);
	io_stats_log("the sockets", &dev->udp_stats);
}

_Static_assert(WORKERS_MAX <= CRYPTO_LANES_MAX, "a crypto lane for every thread");

int device_start_threads(struct wg_device *dev, unsigned int threads)
{
	int err;

	/* The lanes' crypto state first: a helper may seal as soon as it runs. */
	if (!crypto_set_lanes(threads))
		return -ENOMEM;
	err = workers_start(&dev->workers, threads);
	if (err < 0)
		return err;
	if (threads > 1)
		log_info("%s: sealing and opening on %u threads", dev->tun.name, threads);
	return 0;
}

int device_run(struct wg_device *dev)
{
	int ret = loop_run(&dev->loop);

	log_drops(dev);
	if (ret > 0) {
		log_info("%s: signal %d, shutting down", dev->tun.name, ret);
		return 0;
	}
	if (ret == -ENODEV) {
		log_info("%s: the interface was deleted, shutting down", dev->tun.name);
		return 0;
	}
	return ret < 0 ? ret : -EIO;
}

void device_close(struct wg_device *dev)
{
	workers_stop(&dev->workers);
	device_remove_all_peers(dev);
	pubkey_table_free(&dev->peers_by_key);
	index_table_clear(&dev->index);
	allowedips_free(&dev->allowedips);
	timer_queue_free(&dev->timer_queue);
	cookie_checker_wipe(&dev->cookie_checker);
	crypto_wipe(&dev->identity, sizeof(dev->identity));
	socket_close(dev);
	if (dev->pmtu_nc.nl)
		netcfg_close(&dev->pmtu_nc);
	tun_close(&dev->tun);
	loop_close(&dev->loop);
	io_pool_free(&dev->pool);
	trace_close(&dev->trace);
}
