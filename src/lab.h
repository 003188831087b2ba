/* Lab mode: the plaintext tunnel of the SEED VPN lab. One UDP datagram carries one raw IP
 * packet (TUN) or one Ethernet frame (TAP), nothing else, so adit and the lab's Python scripts
 * can stand at either end. */
#ifndef ADIT_LAB_H
#define ADIT_LAB_H

#include "opts.h"

/* Runs a lab-mode server or client (o->cmd) until SIGINT or SIGTERM; returns an exit status. */
int lab_run(const struct lab_opts *o);

#endif
