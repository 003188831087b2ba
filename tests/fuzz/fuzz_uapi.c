/* libFuzzer harness for the UAPI text protocol: whatever a local client writes to the socket,
 * fed to uapi_handle request after request on a device without sockets or TUN. Two things
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
static FILE *sink;

static void setup(void)
{
	if (device_setup(&dev, false) != 0)
		abort();
	sink = fopen("/dev/null", "w");
	if (!sink)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 16];
	static unsigned long runs;
	FILE *in;

	if (!runs++)
		setup();
	if (!size || size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	defuse_listen_port(buf, size);
	in = fmemopen(buf, size, "r");
	if (!in)
		return 0;
	while (uapi_handle(&dev, in, sink) == 0)
		if (dev.peer_count > MAX_PEERS)
			device_remove_all_peers(&dev);
	fclose(in);
	if (dev.peer_count > MAX_PEERS)
		device_remove_all_peers(&dev);
	return 0;
}
