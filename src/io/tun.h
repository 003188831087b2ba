/* TUN and TAP interfaces: opening /dev/net/tun, letting the kernel name the device, and moving
 * packets in batches. With offloads on (a TUN, not a TAP), the kernel hands over TCP and UDP
 * super-packets of up to 64 KB, which reads split into packets of the interface's MTU, and
 * takes coalesced super-packets on write: one system call for dozens of packets each way. */
#ifndef ADIT_TUN_H
#define ADIT_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/offload.h"
#include "io/stats.h"

struct tun {
	int fd;
	bool tap;
	bool vnet;             /* IFF_VNET_HDR: every read and write starts with a virtio_net_hdr */
	unsigned int offloads; /* the TUN_F_* flags the kernel took */
	unsigned int ifindex;
	char name[IFNAMSIZ];
	struct io_stats stats;
	/* A super-packet read but not yet split, because the batch had no room for it. */
	uint8_t *super;
	size_t super_len;
	bool pending;
	struct offload_gro gro;
	/* When set, a TCP super-packet is cut into segments of at most seg_mtu(seg_ctx, pkt,
	 * len) bytes where that is below what the kernel asked for (0: as asked): the path to
	 * where it goes may be narrower than the interface. */
	unsigned int (*seg_mtu)(void *ctx, const uint8_t *pkt, size_t len);
	void *seg_ctx;
};

/* Creates a TUN (or TAP) from a name or a template with %d; the kernel picks the number and
 * t->name holds the real name. The interface lives as long as the fd: closing it (or the
 * process ending) removes the interface with its addresses and routes. Prints why on failure,
 * suggesting a -n template when template_ok (lab mode). With offload, asks for the
 * virtio-net header and checksum, TSO and USO offloads, falling back to what the kernel
 * accepts. */
int tun_open(struct tun *t, const char *name, bool tap, bool template_ok, bool offload);
void tun_close(struct tun *t);
/* Lets tests and fuzzers run a device over any fd (a socketpair): no offloads. */
void tun_attach(struct tun *t, int fd);
/* The same with the virtio-net header and the TUN_F_* offloads given, as if the kernel had
 * taken them: writes then coalesce, and every read and write starts with the header. Returns
 * 0 or -ENOMEM; tun_close frees what it took. */
int tun_attach_vnet(struct tun *t, int fd, unsigned int offloads);

/* Reads packets until the TUN is empty or max are in hand: packet i lands at bufs[i], which
 * has room for cap bytes, its length in lens[i]. Returns how many, or -ENODEV when the
 * interface is gone, or another negative errno. When t->pending is true afterwards, a
 * super-packet waits for the next call, however the fd polls. */
int tun_read_batch(struct tun *t, uint8_t *const *bufs, size_t *lens, unsigned int max,
		   size_t cap);
/* Writes n packets; pkts[i] has OFFLOAD_VNET_HDR_LEN writable bytes before it and room for cap
 * bytes from it, since same-flow packets are coalesced into the first of their flow (their
 * TCP and UDP checksums verified first unless authenticated: see offload_coalesce). A packet
 * the kernel refuses is counted and dropped. Returns 0, or -ENODEV when the interface is
 * gone. */
int tun_write_batch(struct tun *t, uint8_t *const *pkts, size_t *lens, unsigned int n,
		    size_t cap, bool authenticated);
/* "TSO4 TSO6 USO4 USO6", or "off", for logs. */
const char *tun_offload_names(const struct tun *t, char *buf, size_t size);
/* The network namespace the interface is in now (it may have been moved since it was made),
 * by its name (netns.h); the creator's own when the kernel cannot say (TUNGETDEVNETNS needs
 * Linux 5.2 and CAP_NET_ADMIN). */
const char *tun_netns_name(const struct tun *t, char *buf, size_t size);

#endif
