/* The command line of the lab-mode commands (tun, server, client): one parser, one table of
 * options, each command accepting its own subset. */
#ifndef ADIT_OPTS_H
#define ADIT_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define OPTS_MAX_ADDRS 8
#define OPTS_MAX_ROUTES 32

struct prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
};

struct endpoint_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

enum lab_cmd { CMD_TUN, CMD_SERVER, CMD_CLIENT };

struct lab_opts {
	enum lab_cmd cmd;
	const char *name; /* interface name or template with %d */
	bool tap, quiet, reply, help;
	bool no_offload; /* --no-offload: plain reads and writes, one packet each */
	bool trace;       /* --trace: the per-packet lines, which are on unless -q */
	const char *pcap; /* --pcap FILE: every packet to and from the interface, or NULL */
	const char *user; /* --user NAME: who adit runs as once it is set up, or NULL */
	unsigned int mtu; /* 0: leave the kernel's default */
	uint8_t mac[6];
	struct prefix addrs[OPTS_MAX_ADDRS];
	unsigned int naddrs;
	struct prefix routes[OPTS_MAX_ROUTES];
	unsigned int nroutes;
	struct endpoint_addr listen; /* server: where to bind */
	struct endpoint_addr server; /* client: where to send */
	uint16_t local_port;         /* client: 0 for an ephemeral port */
};

/* Fills o from argv. Returns 0, or EXIT_USAGE after printing a message naming the bad value. */
int opts_parse(struct lab_opts *o, enum lab_cmd cmd, int argc, char **argv);
void opts_usage(enum lab_cmd cmd, bool full);

/* A decimal number of at most max: digits only (no sign, space or base prefix), at least
 * one. The one number parser of the command lines, the UAPI and adit show. */
bool opts_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* Parsers and formatters of single values; the parsers return 0, or -1 on bad input. */
int opts_parse_prefix(const char *s, struct prefix *p);
int opts_parse_endpoint(const char *s, struct endpoint_addr *e, bool resolve);
int opts_parse_mac(const char *s, uint8_t mac[6]);
/* NULL when name is a usable interface name or template, else why it is not. */
const char *opts_check_ifname(const char *name);
const char *opts_format_prefix(const struct prefix *p, char *buf, size_t size);
/* "ADDR:PORT" or "[ADDR6]:PORT" for any sockaddr (sockaddr_in, sockaddr_in6, or a
 * sockaddr_storage holding one), hence the void pointer. */
const char *opts_format_endpoint(const void *sa, char *buf, size_t size);

#endif
