/* The cross-platform userspace API of WireGuard (wireguard.com/xplatform): a UNIX socket at
 * /var/run/wireguard/IFACE.sock speaking get=1 and set=1, so wg and wg-quick configure adit
 * as they configure wireguard-go. */
#ifndef ADIT_WG_UAPI_H
#define ADIT_WG_UAPI_H

#include <stdio.h>

struct wg_device;

/* Creates the directory if needed and listens on the socket (a stale socket nobody answers
 * on is replaced; a live one is an error). Returns the fd, or -1 after printing why. */
int uapi_listen(const char *ifname);
void uapi_unlink(const char *ifname);
/* Serves one accepted connection until the client closes it: requests are read and answered
 * one after another. A client that stalls is dropped after a short timeout, so the data path
 * is never held for long. Closes conn. */
void uapi_serve(struct wg_device *dev, int conn);
/* One request from in, answered on out (the core of uapi_serve, for the unit tests).
 * Returns 0 after a complete request, -1 at end of input or on a broken request. */
int uapi_handle(struct wg_device *dev, FILE *in, FILE *out);

#endif
