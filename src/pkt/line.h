/* The summary line that packet.c and icmp_summary.c write into, and what the network layer
 * hands the transport layer's part of it. Internal to those two files.
 *
 * Output goes through struct line, which never overruns the caller's buffer and keeps it
 * NUL-terminated; nothing is allocated. The helpers are static inline so that each user keeps
 * its own copy and they stay out of adit's symbol table. */
#ifndef ADIT_LINE_H
#define ADIT_LINE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { IP4_HLEN = 20, IP6_HLEN = 40 };

/* The output line: len < size and buf[len] == '\0' at all times, size > 0. */
struct line {
	char *buf;
	size_t size;
	size_t len;
};

/* What the network layer learnt, for the transport layer's part of the line. */
struct l3 {
	int af;
	const uint8_t *src, *dst;	/* inside the packet, 4 or 16 bytes */
	unsigned int hops;		/* TTL or hop limit */
	size_t total;			/* the stated packet length, IP header included */
	size_t have;			/* bytes of it in the buffer: min(total, buffer) */
	size_t payload;			/* the stated length past the IP headers */
	bool frag;			/* MF or an offset (IPv4), a fragment header (IPv6) */
	bool mf;			/* more fragments follow */
	unsigned int frag_off;		/* in bytes; nonzero: no transport header here */
	uint32_t frag_id;
	const char *ext[4];		/* IPv6 extension headers passed, NULL-terminated */
};

struct name {
	unsigned int value;
	const char *name;
};

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline const char *lookup(const struct name *t, size_t n, unsigned int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static inline void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void put(struct line *l, const char *fmt, ...)
{
	size_t room = l->size - l->len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		l->buf[l->len] = '\0';
	else
		l->len += (size_t)n < room ? (size_t)n : room - 1;
}

static inline void put_mac(struct line *l, const uint8_t *m)
{
	put(l, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* An address, with a port when port >= 0; an IPv6 address is bracketed before a port. */
static inline void put_addr(struct line *l, int af, const uint8_t *addr, int port)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(af, addr, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	if (port < 0)
		put(l, "%s", s);
	else
		put(l, af == AF_INET6 ? "[%s]:%d" : "%s:%d", s, port);
}

static inline void put_pair(struct line *l, int af, const uint8_t *src, const uint8_t *dst,
			    int sport, int dport)
{
	put_addr(l, af, src, sport);
	put(l, " > ");
	put_addr(l, af, dst, dport);
}

/* " NAME" from the table, or " FIELD=VALUE" for a value it does not name. */
static inline void put_name(struct line *l, const struct name *t, size_t n, const char *field,
			    unsigned int value)
{
	const char *s = lookup(t, n, value);

	if (s)
		put(l, " %s", s);
	else
		put(l, " %s=%u", field, value);
}

static inline void put_proto(struct line *l, unsigned int proto)
{
	static const struct name names[] = {
		{ IPPROTO_ICMP, "ICMP" }, { IPPROTO_TCP, "TCP" }, { IPPROTO_UDP, "UDP" },
		{ IPPROTO_ICMPV6, "ICMPv6" },
	};

	put_name(l, names, ARRAY_SIZE(names), "proto", proto);
}

/* "IPv4 SRC > DST", with ports when they are >= 0: how every IP packet's line starts. */
static inline void head(struct line *l, const struct l3 *n, int sport, int dport)
{
	put(l, "%s ", n->af == AF_INET ? "IPv4" : "IPv6");
	put_pair(l, n->af, n->src, n->dst, sport, dport);
}

/* Whether a transport header of need bytes is cut short in the len bytes present; says so. */
static inline bool cut(struct line *l, const struct l3 *n, const char *proto, size_t len,
		       size_t need)
{
	if (len >= need)
		return false;
	head(l, n, -1, -1);
	put(l, " %s truncated header (%zu bytes)", proto, len);
	return true;
}

#endif
