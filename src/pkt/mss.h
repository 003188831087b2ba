/* Clamping the MSS option of TCP SYNs that cross the tunnel. When a peer's path MTU is below
 * the interface's, the inner hosts at both ends would still offer each other an MSS that fits
 * the interface, and their full-size segments would be too big for the path. Lowering the MSS
 * in the SYN and the SYN-ACK as they pass makes both ends send segments that fit, without any
 * change to the peer or its hosts (what routers do for PPPoE links). The packet is changed in
 * place: no allocation, no system calls. */
#ifndef ADIT_PKT_MSS_H
#define ADIT_PKT_MSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lowers the MSS option of a TCP SYN (SYN or SYN-ACK) carried in the whole IPv4 or IPv6 packet
 * pkt (len bytes) to mss when it is larger, and fixes the TCP checksum incrementally (RFC
 * 1624), so that a checksum that held still holds and one that did not still does not. The
 * checksum must be a complete one: a packet read from the TUN with NEEDS_CSUM holds only the
 * pseudo-header sum there, and goes through offload_split first. Returns true when it changed
 * the packet. Every MSS option present is lowered (the receiver takes the last; Linux does).
 * Everything else is left alone: not TCP, no SYN flag, an IPv4 fragment (offset or MF), IPv6
 * whose next header is not TCP directly, a packet whose own length is not within len, no MSS
 * option, malformed or truncated options (bounds-checked: never reads or writes past len or
 * past the TCP header's data offset), or an MSS already <= mss. An option of kind 2 whose
 * length is not 4 is no MSS (Linux ignores it too) and is skipped. */
bool mss_clamp(uint8_t *pkt, size_t len, unsigned int mss);

#endif
