/* The answers adit gives on its own interface for lab tasks 2.d and 9: echo replies to ICMP and
 * ICMPv6 echo requests, ARP replies (and IPv6 neighbour advertisements) with a fake MAC. */
#ifndef ADIT_RESPONDER_H
#define ADIT_RESPONDER_H

#include "pkt/packet.h"

#define RESPONDER_DEFAULT_MAC { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }

struct responder {
	uint8_t mac[6]; /* the hardware address adit claims on a TAP interface */
};

/* Builds the reply to pkt into out and returns its length, or 0 when pkt asks for no reply
 * (not a request, malformed, addressed to a multicast or broadcast address, fragmented, or
 * the reply would not fit out_size). out must not overlap pkt; its contents are unspecified
 * when 0 is returned. r may be NULL for LINK_IP. */
size_t responder_reply(const struct responder *r, const uint8_t *pkt, size_t len,
		       enum link_type link, uint8_t *out, size_t out_size);

#endif
