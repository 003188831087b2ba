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

#include "base/addr.h"
#include "wg/messages.h"

/* What adit show keeps of an answer, at most. The daemon may be misbehaving (a --user daemon
 * compromised through its input still holds root's socket): past these, what is left out is
 * counted and said, and an answer longer than SHOW_MAX_LINES is refused. */
#define SHOW_MAX_PEERS 65536
#define SHOW_MAX_ADDRS (1u << 20) /* allowed IPs or inner addresses, of all peers together */
#define SHOW_MAX_DROPS 64         /* drop counters of the interface, or of one peer */
#define SHOW_MAX_LINES (1u << 22)

/* A non-zero drop counter: its key as the daemon sent it (drop_mac1, io_drop_udp_full,
 * lab_drop_malformed; printed escaped, since a newer daemon may name counters this adit
 * does not know) and its count. */
struct show_drop {
	char key[40];
	uint64_t count;
};

struct show_drops {
	struct show_drop *drop;
	size_t n, cap;
	uint64_t left_out; /* past SHOW_MAX_DROPS */
};

/* A peer's allowed IPs (wg: a/n) or a lab client's inner addresses (an IP address, plen at
 * its maximum, or a TAP client's MAC: family AF_PACKET, the MAC in addr[0..5]). Grown by
 * doubling, so an answer of N addresses is read in time linear in N. */
struct show_addrs {
	struct prefix *addr;
	size_t n, cap;
	uint64_t left_out; /* past SHOW_MAX_ADDRS */
};

enum show_kind {
	SHOW_WG_PEER,     /* public_key=: a WireGuard peer */
	SHOW_LAB_CLIENT,  /* client=: a client of a lab server */
	SHOW_LAB_SERVER,  /* server=: the server of a lab client */
};

struct show_peer {
	enum show_kind kind;
	uint8_t public_key[WG_KEY_LEN];
	char endpoint[80];           /* empty: none; parsed and reprinted by addr_format_endpoint */
	bool has_preshared_key;
	struct show_addrs addrs;     /* allowed IPs (wg), inner addresses (lab) */
	int64_t handshake_sec;       /* wall clock; 0: never */
	int64_t last_seen_ago;       /* lab: seconds since its last datagram; -1: not said */
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_packets, tx_packets; /* lab */
	bool has_packets;
	uint64_t addrs_refused;      /* lab: inner addresses it was refused */
	unsigned int keepalive;      /* seconds; 0: off */
	struct show_drops drops;
	struct {                     /* wg: the path MTU the prober found (wg/pmtu.h) */
		char how[16];        /* its key (probed, no-address, ...); empty: not said */
		unsigned int mtu;    /* 0: none found */
		int64_t age;         /* seconds since the prober last concluded; -1: not said */
		char probe_address[48];
		uint64_t sent, answered, too_big, clamped;
	} pmtu;
};

struct show_iface {
	char name[IFNAMSIZ];
	const char *mode;            /* NULL (wg mode), "server", "client" or "tun" (lab mode) */
	bool tap;                    /* link=tap: a TAP interface (Ethernet frames) */
	char netns[64];              /* the network namespace it is in; empty: not said */
	bool has_public_key;
	uint8_t public_key[WG_KEY_LEN];
	unsigned int listen_port;
	uint32_t fwmark;
	char listen[80];             /* lab server: where it listens (as endpoint) */
	int under_load;              /* -1: not said */
	const char *data_crypto;     /* the AEAD backend, "openssl" or "ipsec-mb"; NULL: not said */
	/* Sets of words of show.c's offload vocabulary (off, csum, tso4, gso, ...); 0: not said */
	unsigned int tun_offloads, udp4_offloads, udp6_offloads, udp_offloads;
	uint64_t crypto_threads, crypto_helped; /* --threads N (0: not said) */
	struct show_drops drops;
	struct show_peer *peer;
	size_t npeers, cap;
	uint64_t peers_left_out;     /* past SHOW_MAX_PEERS; their lines are skipped */
	size_t naddrs;               /* of all peers, against SHOW_MAX_ADDRS */
	size_t lines;                /* read so far, against SHOW_MAX_LINES */
	/* The limits above, as show_init sets them; a test lowers them to see each enforced
	 * without feeding millions of lines. */
	size_t max_peers, max_addrs, max_lines;
};

void show_init(struct show_iface *s, const char *name);
void show_free(struct show_iface *s);
/* Takes one line of the answer, without its newline (edited in place). Returns 0 when more
 * is to come, 1 once errno=0 has ended the answer, the negative errno the daemon answered
 * with, -EPROTO for a line that is not KEY=VALUE or a value that is not what its key takes,
 * -EFBIG past SHOW_MAX_LINES, -ENOMEM. Unknown keys are skipped, so a newer daemon can say
 * more. Every value kept is valid for its key (an address, an endpoint, a word of a fixed
 * vocabulary) or escaped when printed, so no byte the daemon chose reaches the terminal raw. */
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
