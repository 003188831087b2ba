/* Lab mode: the plaintext tunnel of the SEED VPN lab. One UDP datagram carries one raw IP
 * packet (TUN) or one Ethernet frame (TAP), nothing else, so adit and the lab's Python scripts
 * can stand at either end. */
#ifndef ADIT_LAB_H
#define ADIT_LAB_H

#include "lab/opts.h"

/* Runs "adit server" or "adit client" (cmd) with its command line until SIGINT or SIGTERM;
 * returns an exit status. */
int lab_main(enum lab_cmd cmd, int argc, char **argv);

#endif
