/* The interface of a lab-mode command, brought up as its command line says: created from the
 * name template, MTU set, link up, addresses and routes added. */
#ifndef ADIT_IFACE_H
#define ADIT_IFACE_H

#include "io/tun.h"
#include "lab/opts.h"

/* Returns 0, or a negative errno after printing what failed and what to do. */
int iface_setup(struct tun *t, const struct lab_opts *o);

#endif
