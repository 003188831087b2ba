/* Receiving (receive.c): datagrams from the sockets, handshake messages answered and data
 * opened, checked against the peer's allowed IPs and written to the TUN. */
#ifndef ADIT_WG_RECEIVE_H
#define ADIT_WG_RECEIVE_H

#include <stddef.h>
#include <stdint.h>

#include "io/udp.h"

struct wg_device;

/* Reads a batch from s and handles it; -ENODEV when the TUN is gone, else 0. */
int receive_datagrams(struct wg_device *dev, struct udp_sock *s);
/* One datagram of len bytes in buf (decrypted in place) from ep: exported for the fuzzer.
 * buf must have OFFLOAD_VNET_HDR_LEN bytes of headroom and room for IO_BUF_SIZE - IO_HEADROOM
 * bytes. A packet for the TUN waits for receive_flush. */
void receive_datagram(struct wg_device *dev, uint8_t *buf, size_t len,
		      const struct udp_endpoint *ep, uint64_t now);
/* Writes the decrypted packets to the TUN; -ENODEV when the interface is gone. */
int receive_flush(struct wg_device *dev);

#endif
