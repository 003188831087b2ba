/* libFuzzer harness for IPv4 reassembly (lab/reasm.c): the input is a sequence of fragments,
 * each a 2-byte length, a 1-byte clock step and that many bytes, fed to one reassembler as
 * adit tun feeds it. A datagram that comes out must fit its buffer, say its own length, be
 * unfragmented, and be something the responder can be given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/reasm.h"
#include "lab/responder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reasm r;
	static uint8_t whole[REASM_MAX], reply[REASM_MAX + 64];
	uint64_t now = 0;
	size_t len, n;

	memset(&r, 0, sizeof(r));
	while (size >= 3) {
		len = (size_t)data[0] << 8 | data[1];
		now += data[2];
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		n = reasm_add(&r, data, len, now, whole, sizeof(whole));
		if (n) {
			if (n > sizeof(whole) || n < 20 || ((size_t)whole[2] << 8 | whole[3]) != n ||
			    (whole[6] & 0x3f) || whole[7])
				abort();
			responder_reply(NULL, whole, n, LINK_IP, reply, sizeof(reply));
		}
		data += len;
		size -= len;
	}
	return 0;
}
