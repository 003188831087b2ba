/* The root-only UNIX sockets adit serves beside its interfaces: wg mode's UAPI socket,
 * /var/run/wireguard/IFACE.sock (where wg(8) looks), and lab mode's control socket,
 * /var/run/adit/IFACE.sock (adit show's). Each is made in a directory that must be root's
 * and closed to group and others, bound with mode 0600, and at exit removed only if it is
 * still the inode this process bound. */
#ifndef ADIT_CTLSOCK_H
#define ADIT_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

#define CTLSOCK_WG_DIR "/var/run/wireguard"
#define CTLSOCK_LAB_DIR "/var/run/adit"

struct ctlsock {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	bool bound;
};

/* DIR/NAME.sock into buf; false when name is no interface name (empty, too long, a '/'). */
bool ctlsock_path(char *buf, size_t size, const char *dir, const char *name);
/* Creates dir if needed (mode 0755), checks it, and listens on NAME's socket, non-blocking
 * (a stale socket nobody answers on is replaced; a live one is an error). Returns the fd, or
 * -1 after saying why. */
int ctlsock_listen(struct ctlsock *c, const char *dir, const char *name);
/* Removes the socket if it is still the one c bound. */
void ctlsock_unlink(struct ctlsock *c);

#endif
