/* The root-only UNIX sockets adit serves beside its interfaces: wg mode's UAPI socket,
 * /var/run/wireguard/IFACE.sock (where wg(8) looks), and lab mode's control socket,
 * /var/run/adit/net-NETNS/IFACE.sock (adit show's; NETNS is the inode number of the network
 * namespace, since the lab runs a tun0 in every namespace). Each is made in directories that
 * must be root's and closed to group and others, bound with mode 0600, and at exit removed
 * only if it is still the inode this process bound. */
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
	char subdir[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* removed at exit if empty */
	/* The socket file we bound, opened O_PATH: it keeps the inode, so its number cannot be
	 * given to another file (ext4 reuses numbers at once) and a socket another process has
	 * since bound at our path is never taken for ours. -1 when there is none. */
	int pin;
};

/* DIR/NAME.sock into buf; false when name is no interface name (empty, too long, a '/'). */
bool ctlsock_path(char *buf, size_t size, const char *dir, const char *name);
/* The directory of lab mode's sockets for this process's network namespace; false (errno)
 * when /proc/self/ns/net cannot be read. */
bool ctlsock_lab_dir(char *buf, size_t size);
/* Creates dir (and sub in it, unless NULL) if needed, mode 0755, checks them, and listens on
 * NAME's socket in the last, non-blocking (a stale socket nobody answers on is replaced; a
 * live one is an error). Returns the fd, or a negative errno after saying why. */
int ctlsock_listen(struct ctlsock *c, const char *dir, const char *sub, const char *name);
/* A client's connection to the socket at path, reads and writes timing out after
 * timeout_sec: the fd, or a negative errno (-ENOENT, -ECONNREFUSED: nobody serves it). */
int ctlsock_connect(const char *path, int timeout_sec);
/* Removes the socket if it is still the one c bound, and lets go of it. */
void ctlsock_unlink(struct ctlsock *c);

#endif
