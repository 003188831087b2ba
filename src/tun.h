/* TUN and TAP interfaces: opening /dev/net/tun and letting the kernel name the device. */
#ifndef ADIT_TUN_H
#define ADIT_TUN_H

#include <net/if.h>
#include <stdbool.h>

struct tun {
	int fd;
	bool tap;
	unsigned int ifindex;
	char name[IFNAMSIZ];
};

/* Creates a TUN (or TAP) from a name or a template with %d; the kernel picks the number and
 * t->name holds the real name. The interface lives as long as the fd: closing it (or the
 * process ending) removes the interface with its addresses and routes. Prints why on failure,
 * suggesting a -n template when template_ok (lab mode). */
int tun_open(struct tun *t, const char *name, bool tap, bool template_ok);
void tun_close(struct tun *t);

#endif
