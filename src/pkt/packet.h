/* Parsing of the packets adit sees on its interface: IPv4, IPv6, ICMP, ICMPv6, TCP, UDP,
 * Ethernet and ARP. Every function takes the length it may read and never reads past it. */
#ifndef ADIT_PACKET_H
#define ADIT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the interface carries: raw IP packets (TUN) or Ethernet frames (TAP). */
enum link_type { LINK_IP, LINK_ETHER };

/* One line describing the packet, without newline, always NUL-terminated; returns the length
 * written (at most size - 1). Malformed or unknown packets are described by their length and
 * first bytes, never rejected. */
size_t packet_summary(const uint8_t *pkt, size_t len, enum link_type link, char *buf, size_t size);

/* "SRC --> DST": the inner IP addresses, or the MAC addresses of a frame that carries no IP
 * (followed by its protocol, e.g. "(ARP)"). Used for the relay's per-packet lines. */
size_t packet_brief(const uint8_t *pkt, size_t len, enum link_type link, char *buf, size_t size);

/* Whether a datagram is exactly one packet, as a TUN read gives it: an IPv4 packet whose
 * total length is the datagram's and whose header checksum holds, an IPv6 packet whose payload
 * length fits exactly, or an Ethernet frame from a unicast source. The lab's peers send nothing
 * else; anything else is garbage, dropped before it can be learned from. */
bool packet_is_whole(const uint8_t *pkt, size_t len, enum link_type link);

/* The Internet checksum (RFC 1071): accumulate with csum_add, finish with csum_fold.
 * csum_add sums the data as big-endian 16-bit words (any alignment; only the last chunk of a
 * sum may have an odd length, its last byte padded with zero); a pseudo-header is summed as
 * bytes like the rest. csum_fold returns the value for the checksum field as a host-order
 * number: store it big-endian (p[0] = c >> 8, p[1] = c & 0xff, or htons then memcpy). Over
 * data whose stored checksum is correct it returns 0. */
uint32_t packet_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t packet_csum_fold(uint32_t sum);

#endif
