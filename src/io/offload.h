/* The TUN's offloads. With IFF_VNET_HDR every read() and write() on the TUN starts with a
 * struct virtio_net_hdr, and TUNSETOFFLOAD lets the kernel hand over TCP and UDP super-packets
 * of up to 64 KB that still need cutting into segments, and take such super-packets back.
 * offload_split cuts what the TUN gives into the packets a peer must see; offload_coalesce
 * merges what peers sent into super-packets, as the kernel's GRO would, so that the stack above
 * the TUN sees few large packets. Both only move bytes: no allocation, no system calls. */
#ifndef ADIT_IO_OFFLOAD_H
#define ADIT_IO_OFFLOAD_H

#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* UDP segmentation offload came in Linux 6.2; older headers lack its constants. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* What TUNSETOFFLOAD is asked for: TCP on every kernel with IFF_VNET_HDR, UDP when it knows. */
#define OFFLOAD_TUN_TCP (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
#define OFFLOAD_TUN_UDP (TUN_F_USO4 | TUN_F_USO6)

#define OFFLOAD_VNET_HDR_LEN sizeof(struct virtio_net_hdr) /* 10 bytes before each packet */
#define OFFLOAD_MAX_BATCH 128	/* most packets offload_coalesce takes at once */
#define OFFLOAD_MAX_SEGS 64	/* most segments in one coalesced packet (the kernel's
				 * UDP_MAX_SEGMENTS: it refuses a UDP write with more) */

/* Drop reasons, counted by the caller: offload_split returns one of them negated. */
enum offload_error {
	OFFLOAD_MALFORMED = EINVAL,	/* the header does not describe the packet */
	OFFLOAD_NO_ROOM = ENOBUFS,	/* more segments than max, or one larger than cap */
};

/* Splits one packet read from a TUN with IFF_VNET_HDR (h, then pkt of len bytes) into at most
 * max packets, each copied to out[i] (each out[i] has room for cap bytes, and none overlaps
 * pkt), with its length in out_len[i].
 * GSO_NONE: one packet, its checksum completed when h says NEEDS_CSUM. GSO_TCPV4/TCPV6 (ECN bit
 * allowed) and GSO_UDP_L4: segments of h->gso_size payload bytes each (the last may be
 * shorter), each a whole valid IP packet: IPv4 total length, id incremented per segment, header
 * checksum; IPv6 payload length; TCP sequence numbers advanced, FIN and PSH only on the last
 * segment, CWR only on the first; UDP length; every TCP/UDP checksum computed in full. Returns
 * the count or a negative errno (enum offload_error). pkt may be modified. Never reads past
 * len; never trusts h->hdr_len (header lengths come from csum_start and the TCP data offset,
 * checked against len and against the IP header). */
int offload_split(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len,
		  uint8_t *const *out, size_t *out_len, unsigned int max, size_t cap);

/* Lowers h's gso_size so that every TCP segment of the super-packet pkt (len bytes) is at
 * most mtu bytes, IP and TCP headers included, as a path narrower than the interface needs.
 * UDP super-packets keep their size (their sender chose each datagram's), and so does
 * anything whose headers look wrong (offload_split judges those). True when h changed. */
bool offload_fit_mtu(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		     unsigned int mtu);

/* One flow of the batch being coalesced: the packet that the flow's later segments are
 * appended to. Private to offload.c, declared here so that a caller can hold the table. */
struct offload_flow {
	uint32_t next_seq;	/* TCP: where the next segment's payload must start */
	uint16_t head;		/* batch index of the packet that grows */
	uint16_t gso_size;	/* the head's payload; every later segment but the last as much */
	uint16_t segs;		/* segments in the head so far, itself included */
	uint8_t hdr_len;	/* IP header and TCP or UDP header, options included */
	uint8_t next;		/* 1 + the older flow in the same hash bucket, 0 for none */
	bool closed;		/* a short or pushed segment ended it, or another packet of the
				 * same 4-tuple came between: nothing more may follow */
	bool checked;		/* the head's checksums were verified */
};

#define OFFLOAD_GRO_BUCKETS 256

/* The flow table for coalescing one batch; lives in the caller's memory, no allocation. It
 * needs no initialisation and keeps nothing from one call to the next. */
struct offload_gro {
	struct offload_flow flow[OFFLOAD_MAX_BATCH];
	int16_t role[OFFLOAD_MAX_BATCH];	/* per packet: the flow it heads, or alone, or merged */
	uint8_t bucket[OFFLOAD_GRO_BUCKETS];	/* 1 + the newest flow hashed here, 0 for none */
	unsigned int flows;
};

/* Coalesces a batch of n packets headed for the TUN. pkts[i] is a whole IP packet of len[i]
 * bytes, with OFFLOAD_VNET_HDR_LEN writable bytes before it, and room for cap bytes from pkts[i].
 * Same-flow TCP segments (and, when udp is true, same-flow UDP datagrams of equal size) are
 * appended to the first packet of their flow, whose len grows. Every packet that remains gets a
 * virtio_net_hdr written just before it (GSO and NEEDS_CSUM for a coalesced one, with the
 * pseudo-header sum in its checksum field as the kernel expects; an all-zero header for one left
 * alone, which stays byte for byte as it was) and its index is put in keep[], in the original
 * order. Only segments whose checksums hold are merged, and only when the kernel, cutting the
 * result up again, would re-create them exactly: offload_split of a coalesced packet gives back
 * the packets it was made of. When authenticated is true (wg mode: the AEAD vouched for each
 * whole packet), TCP and UDP checksums are not verified but taken as they are, as the kernel
 * takes a packet WireGuard decrypted; a segment that came with a wrong one then comes back
 * from offload_split with the right one. Packets past OFFLOAD_MAX_BATCH are left alone.
 * Returns how many are in keep[]. The caller then writes (pkts[keep[k]] - OFFLOAD_VNET_HDR_LEN,
 * len[keep[k]] + OFFLOAD_VNET_HDR_LEN) for each k. */
unsigned int offload_coalesce(struct offload_gro *g, uint8_t *const *pkts, size_t *len,
			      unsigned int n, size_t cap, bool udp, bool authenticated,
			      unsigned int *keep);

#endif
