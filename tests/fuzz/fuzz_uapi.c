/* libFuzzer harness for the UAPI text protocol: whatever a local client writes to the socket,
 * fed to a uapi_session request after request on a device without sockets or TUN. Two things
 * are kept out of reach so a run stays in memory: listen_port would bind real sockets, so
 * the key is renamed (its line still goes through the parser's unknown-key path), and the
 * peers are dropped once there are more than a few dozen. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg/device.h"
#include "wg/uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PEERS 64

static struct wg_device dev;

static void setup(void)
{
	if (device_setup(&dev, false) != 0)
		abort();
}

/* Renames every "listen_port" in buf so no request can bind a socket. */
static void defuse_listen_port(uint8_t *buf, size_t size)
{
	static const char key[] = "listen_port";
	const size_t n = sizeof(key) - 1;

	for (size_t i = 0; i + n <= size; i++)
		if (!memcmp(buf + i, key, n))
			memcpy(buf + i + 7, "xxxx", 4);
}

/* Whatever is due of the reply, read out and thrown away a slice at a time. */
static void drain(struct uapi_session *s)
{
	static char out[UAPI_OUTPUT_MIN];

	while (s->phase == UAPI_REPLY)
		uapi_session_output(s, out, sizeof(out));
}

/* The first byte picks how the rest arrives: in pieces of 1 to 256 bytes, so that lines
 * split anywhere across reads. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 16];
	static struct uapi_session s;
	static unsigned long runs;
	size_t piece, off = 0;

	if (!runs++)
		setup();
	if (size < 2 || size > sizeof(buf))
		return 0;
	piece = (size_t)data[0] + 1;
	memcpy(buf, data + 1, --size);
	defuse_listen_port(buf, size);
	uapi_session_start(&s, &dev);
	while (off < size && s.phase != UAPI_CLOSED) {
		size_t n = size - off < piece ? size - off : piece;

		off += uapi_session_input(&s, (const char *)buf + off, n);
		drain(&s);
		if (dev.peer_count > MAX_PEERS)
			device_remove_all_peers(&dev);
	}
	uapi_session_end(&s);
	if (dev.peer_count > MAX_PEERS)
		device_remove_all_peers(&dev);
	return 0;
}
