/* Lab mode: the plaintext tunnel of the SEED VPN lab. One UDP datagram carries one raw IP
 * packet (TUN) or one Ethernet frame (TAP), nothing else, so adit and the lab's Python scripts
 * can stand at either end. */
#ifndef ADIT_LAB_H
#define ADIT_LAB_H

#include "base/privs.h"
#include "lab/opts.h"

/* Runs the server or the client o describes until SIGINT or SIGTERM (0), or until what it
 * needs fails (a negative errno, after saying why). */
int lab_run(const struct lab_opts *o, const struct privs_user *user);

#endif
