/* libFuzzer harness for the packet parsers: the relay's checks, summary, brief and responder on
 * arbitrary bytes, as either link type. A reply, when there is one, must fit its buffer and be summarisable.
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_packet.c \
 *         src/pkt/packet.c src/pkt/icmp_summary.c src/pkt/checksum.c src/lab/responder.c \
 *         src/lab/lab_clients.c -o fuzz_packet
 *   ./fuzz_packet tests/fuzz/corpus_packet */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab_clients.h"
#include "lab/responder.h"
#include "pkt/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, enum link_type link)
{
	static const struct responder r = { RESPONDER_DEFAULT_MAC };
	static uint8_t out[65536 + 64];
	char line[256];
	uint8_t *small;
	size_t n, out_size;

	struct lab_key key;

	/* What the relay asks of every datagram before it writes or learns from it. */
	if (packet_is_whole(data, size, link))
		packet_brief(data, size, link, line, sizeof(line));
	if (lab_key_of(data, size, link, true, &key) && key.len > sizeof(key.bytes))
		abort();
	lab_key_of(data, size, link, false, &key);
	n = packet_summary(data, size, link, line, sizeof(line));
	if (n >= sizeof(line) || strlen(line) != n)
		abort();
	n = packet_brief(data, size, link, line, sizeof(line));
	if (n >= sizeof(line) || strlen(line) != n)
		abort();
	/* The last byte picks a size for a buffer of exactly that many bytes, so that the
	 * sanitizer sees a write past out_size. */
	out_size = size ? data[size - 1] * 4u : 0;
	small = malloc(out_size ? out_size : 1);
	if (!small)
		abort();
	n = responder_reply(&r, data, size, link, small, out_size);
	free(small);
	if (n > out_size)
		abort();
	n = responder_reply(&r, data, size, link, out, sizeof(out));
	if (n > sizeof(out))
		abort();
	packet_summary(out, n, link, line, sizeof(line));
	packet_summary(data, size, link, line, 1 + size % sizeof(line));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, LINK_IP);
	check(data, size, LINK_ETHER);
	return 0;
}
