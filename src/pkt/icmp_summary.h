/* The ICMP and ICMPv6 part of a packet's summary line, for packet.c. Each takes the bytes
 * present after the IP headers and returns false when the ICMP header itself is cut short
 * (the line says so), true when the message was described. */
#ifndef ADIT_ICMP_SUMMARY_H
#define ADIT_ICMP_SUMMARY_H

#include "pkt/line.h"

bool icmp_summary_put4(struct line *l, const struct l3 *n, const uint8_t *p, size_t len);
bool icmp_summary_put6(struct line *l, const struct l3 *n, const uint8_t *p, size_t len);

#endif
