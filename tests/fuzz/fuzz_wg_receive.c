/* libFuzzer harness for wg mode's receive path: every datagram a stranger can send, handed to
 * a device with an identity and one peer (no sockets, no TUN: whatever it would send fails
 * quietly). Handshake-sized inputs get a correct mac1, so the fuzzer reaches the Noise code
 * behind it rather than only the silent drop in front. Every other input is treated as if
 * the device were under load, which sends it through the cookie and rate-limit paths. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wg/device.h"
#include "wg/receive.h"
#include "wg/send.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wg_device dev;
static struct cookie sender; /* mac1 as a peer that knows our public key computes it */

static void setup(void)
{
	static const uint8_t priv[WG_KEY_LEN] = { 0x40, 1, 2, 3, 4, 5, 6, 7 };
	static const uint8_t peer_priv[WG_KEY_LEN] = { 0x48, 9, 8, 7, 6, 5, 4, 3 };
	uint8_t peer_pub[WG_KEY_LEN], net[4] = { 10, 0, 0, 0 };
	struct sockaddr_in ep = { .sin_family = AF_INET, .sin_port = htons(51820) };
	struct wg_peer *peer;

	if (device_setup(&dev, false) != 0)
		abort();
	device_set_private_key(&dev, priv);
	crypto_public_key(peer_pub, peer_priv);
	peer = device_add_peer(&dev, peer_pub);
	if (!peer)
		abort();
	peer_set_endpoint(peer, (struct sockaddr *)&ep, sizeof(ep));
	peer_add_allowed_ip(peer, AF_INET, net, 8);
	cookie_init(&sender, dev.identity.public_key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536];
	static unsigned long runs;
	struct udp_endpoint from = { 0 };
	uint64_t now = clock_now();

	if (!runs++)
		setup();
	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	if ((size == sizeof(struct wg_msg_initiation) && buf[0] == WG_MSG_INITIATION) ||
	    (size == sizeof(struct wg_msg_response) && buf[0] == WG_MSG_RESPONSE))
		cookie_add_macs(&sender, buf, size, now);
	from.addr.in4.sin_family = AF_INET;
	from.addr.in4.sin_addr.s_addr = htonl(0x0a090005);
	from.addr.in4.sin_port = htons(40000);
	dev.ratelimiter.force_under_load = runs % 2;
	receive_datagram(&dev, buf, size, &from, now);
	receive_flush(&dev);
	return 0;
}
