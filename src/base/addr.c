#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "base/addr.h"

bool addr_parse_prefix(const char *s, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t max, plen;

	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return false;
	max = p->family == AF_INET ? 32 : 128;
	if (!slash) {
		p->plen = max;
		return true;
	}
	if (!addr_parse_uint(slash + 1, max, &plen))
		return false;
	p->plen = (uint8_t)plen;
	return true;
}

bool addr_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, digit;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		digit = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return false; /* past UINT64_MAX */
		v = v * 10 + digit;
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

bool addr_parse_port(const char *s, uint16_t *port)
{
	uint64_t v;

	if (!addr_parse_uint(s, 65535, &v) || v < 1)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* ADDR:PORT, [ADDR6]:PORT, :PORT (any address) or HOST:PORT when resolve is set. */
bool addr_parse_endpoint(const char *s, struct endpoint_addr *e, bool resolve)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *pick;
	char host[256];
	const char *colon, *h = s;
	size_t hlen;
	uint16_t port;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return false;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return false;
		hlen = (size_t)(colon - s);
	}
	if (hlen >= sizeof(host) || !addr_parse_port(colon + 1, &port))
		return false;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (hlen == 0)
		strcpy(host, "0.0.0.0");
	hints.ai_flags = resolve ? 0 : AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	/* The lab's world is IPv4 and a server listens on 0.0.0.0 by default: for a name with
	 * both (localhost), take the IPv4 address. */
	for (pick = res; pick->ai_next && pick->ai_family != AF_INET; pick = pick->ai_next)
		;
	if (pick->ai_family != AF_INET)
		pick = res;
	memset(e, 0, sizeof(*e));
	memcpy(&e->ss, pick->ai_addr, pick->ai_addrlen);
	e->len = pick->ai_addrlen;
	freeaddrinfo(res);
	if (e->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&e->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&e->ss)->sin6_port = htons(port);
	return true;
}

bool addr_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	/* A multicast address cannot be a host's own. */
	return !(mac[0] & 1);
}

const char *addr_check_ifname(const char *name)
{
	const char *pct = strchr(name, '%');

	if (!*name)
		return "an interface name cannot be empty";
	if (strlen(name) >= IFNAMSIZ)
		return "Linux allows interface names of at most 15 characters";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "'.' and '..' are not interface names";
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c) || !isprint((unsigned char)*c))
			return "interface names cannot contain '/', ':' or white space";
	if (pct && (pct[1] != 'd' || strchr(pct + 1, '%')))
		return "a template may contain '%d' once and no other '%'";
	return NULL;
}

const char *addr_format_prefix(const struct prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, p->plen);
	return buf;
}

const char *addr_format_endpoint(const void *endpoint, char *buf, size_t size)
{
	const struct sockaddr *sa = endpoint;

	char addr[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
		snprintf(buf, size, "%s:%u", addr, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
		if (in6->sin6_scope_id) /* as the UAPI writes it, and addr_parse_endpoint reads */
			snprintf(buf, size, "[%s%%%u]:%u", addr, in6->sin6_scope_id,
				 ntohs(in6->sin6_port));
		else
			snprintf(buf, size, "[%s]:%u", addr, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, size, "(family %d)", sa->sa_family);
	}
	return buf;
}
