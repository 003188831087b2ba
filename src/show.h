/* adit show: a daemon's answer to adit-show=1 (wg mode's UAPI socket, or lab mode's control
 * socket, both described in cmd_show.c), parsed into an interface and its peers or clients,
 * and printed in wg(8)'s words: "1 minute, 2 seconds ago", "1.50 KiB received". */
#ifndef ADIT_SHOW_H
#define ADIT_SHOW_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "wg/messages.h"

/* A non-zero drop counter: its key as the daemon sent it (drop_mac1, io_drop_udp_full,
 * lab_drop_malformed) and its count. */
struct show_drop {
	char key[40];
	uint64_t count;
};

struct show_drops {
	struct show_drop *drop;
	size_t n;
};

enum show_kind {
	SHOW_WG_PEER,     /* public_key=: a WireGuard peer */
	SHOW_LAB_CLIENT,  /* client=: a client of a lab server */
	SHOW_LAB_SERVER,  /* server=: the server of a lab client */
};

struct show_peer {
	enum show_kind kind;
	uint8_t public_key[WG_KEY_LEN];
	char endpoint[80];           /* empty: none */
	bool has_preshared_key;
	char *allowed_ips;           /* "a/n, b/m" (wg), inner addresses "a, b" (lab); NULL: none */
	int64_t handshake_sec;       /* wall clock; 0: never */
	int64_t last_seen_ago;       /* lab: seconds since its last datagram; -1: not said */
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_packets, tx_packets; /* lab */
	bool has_packets;
	uint64_t addrs_refused;      /* lab: inner addresses it was refused */
	unsigned int keepalive;      /* seconds; 0: off */
	struct show_drops drops;
};

struct show_iface {
	char name[IFNAMSIZ];
	char mode[16];               /* "" (wg mode), "server" or "client" (lab mode) */
	bool has_public_key;
	uint8_t public_key[WG_KEY_LEN];
	unsigned int listen_port;
	uint32_t fwmark;
	char listen[80];             /* lab server: where it listens */
	int under_load;              /* -1: not said */
	char tun_offloads[64], udp4_offloads[32], udp6_offloads[32], udp_offloads[32];
	uint64_t crypto_threads, crypto_helped; /* --threads N (0: not said) */
	struct show_drops drops;
	struct show_peer *peer;
	size_t npeers, cap;
};

void show_init(struct show_iface *s, const char *name);
void show_free(struct show_iface *s);
/* Takes one line of the answer, without its newline (edited in place). Returns 0 when more
 * is to come, 1 once errno=0 has ended the answer, the negative errno the daemon answered
 * with, -EPROTO for a line that is not KEY=VALUE or a value that is not what its key takes,
 * -ENOMEM. Unknown keys are skipped, so a newer daemon can say more. */
int show_parse_line(struct show_iface *s, char *line);
/* Prints the interface as wg show does, then what wg show cannot know; now is the wall clock
 * the handshakes are measured against. Sorts the WireGuard peers as wg show does (latest
 * handshake first). */
void show_print(FILE *f, struct show_iface *s, time_t now);

/* wg(8)'s human units, into buf; each returns buf. */
/* "512 B", "1.50 KiB", "2.00 MiB", ... TiB. */
const char *show_bytes(char *buf, size_t size, uint64_t bytes);
/* "1 year, 2 days, 3 hours, 4 minutes, 5 seconds", leaving out zero units ("" for 0). */
const char *show_duration(char *buf, size_t size, uint64_t seconds);
/* "Now", "N seconds ago", or a warning when then is in the future. */
const char *show_ago(char *buf, size_t size, time_t now, time_t then);

#endif
