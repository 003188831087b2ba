/* The command line of the lab-mode commands (tun, server, client): one parser, one table of
 * options, each command accepting its own subset. */
#ifndef ADIT_OPTS_H
#define ADIT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/addr.h"

#define OPTS_MAX_ADDRS 8
#define OPTS_MAX_ROUTES 32

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

/* Fills o from argv. Returns true, or false after printing a message naming the bad value. */
bool opts_parse(struct lab_opts *o, enum lab_cmd cmd, int argc, char **argv);
void opts_usage(enum lab_cmd cmd, bool full);

#endif
