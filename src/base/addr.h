/* The values every command line, the UAPI and adit show share, each parsed and printed in one
 * place: addresses with a prefix length, endpoints (address and port), decimal numbers, MAC
 * addresses, interface names. */
#ifndef ADIT_ADDR_H
#define ADIT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
};

struct endpoint_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* A decimal number of at most max: digits only (no sign, space or base prefix), at least
 * one. The one number parser of the command lines, the UAPI and adit show. */
bool addr_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* Parsers and formatters of single values; the parsers return false on bad input. */
bool addr_parse_port(const char *s, uint16_t *port); /* 1 to 65535 */
bool addr_parse_prefix(const char *s, struct prefix *p);
bool addr_parse_endpoint(const char *s, struct endpoint_addr *e, bool resolve);
bool addr_parse_mac(const char *s, uint8_t mac[6]);
/* NULL when name is a usable interface name or template, else why it is not. */
const char *addr_check_ifname(const char *name);
const char *addr_format_prefix(const struct prefix *p, char *buf, size_t size);
/* "ADDR:PORT" or "[ADDR6]:PORT" for any sockaddr (sockaddr_in, sockaddr_in6, or a
 * sockaddr_storage holding one), hence the void pointer. */
const char *addr_format_endpoint(const void *sa, char *buf, size_t size);

#endif
