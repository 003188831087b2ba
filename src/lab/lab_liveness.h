/* What lab mode says about the other end when nothing else would: a client whose server has
 * gone quiet (a dead server, a mistyped address, a firewall: nothing comes back and nothing
 * says so), and a server that learned an inner address it has no route back to through its
 * TUN (its replies leave by another interface, and the client sees 100 % loss). */
#ifndef ADIT_LAB_LIVENESS_H
#define ADIT_LAB_LIVENESS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/netcfg.h"
#include "lab/lab_clients.h"

#define LAB_SILENCE_SEC 10 /* sending this long without a datagram back is worth a word */

/* The client's view of its server; times in seconds of lab.c's monotonic clock. */
struct lab_liveness {
	uint64_t last_heard;       /* the latest datagram from the server; 0: none yet */
	uint64_t unanswered_since; /* the first datagram sent after it; 0: none */
	uint64_t unanswered;       /* datagrams sent since the last one heard */
	bool silence_said;
};

/* n datagrams sent at now. Returns true, once per silence, when the server has sent nothing
 * for LAB_SILENCE_SEC while we sent: the caller says so. */
bool lab_liveness_sent(struct lab_liveness *l, uint64_t now, unsigned int n);
/* A datagram from the server at now. Returns true when it ends a silence that was said. */
bool lab_liveness_heard(struct lab_liveness *l, uint64_t now);

#define LAB_ROUTEBACK_SAID 64 /* addresses remembered as said, most recent kept */
#define LAB_ROUTEBACK_PER_SEC 16 /* kernel route lookups a second, at most */

/* The server's check that a newly learned inner address routes back through its TUN. */
struct lab_routeback {
	struct netcfg nc; /* nc.nl NULL: netlink could not be had, nothing is checked */
	unsigned int ifindex;
	struct lab_key said[LAB_ROUTEBACK_SAID];
	unsigned int nsaid;
	uint64_t second;      /* the checks of this second, at most LAB_ROUTEBACK_PER_SEC: */
	unsigned int checked; /* a flood of forged sources costs no more than that */
};

void lab_routeback_init(struct lab_routeback *rb, unsigned int ifindex);
void lab_routeback_free(struct lab_routeback *rb);
/* Checks key (an IPv4 or IPv6 inner address; MACs are not routed) at now (seconds) and, the
 * first time it has no route back through the TUN, warns naming the client, the address and
 * the -r that fixes it. tun names the TUN, from the client it came. Past the second's budget
 * an address goes unchecked. */
void lab_routeback_check(struct lab_routeback *rb, const struct lab_key *key, uint64_t now,
			 const char *tun, const char *from);

#endif
