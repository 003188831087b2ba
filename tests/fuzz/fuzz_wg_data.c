/* libFuzzer harness for the receive path past the AEAD. Devices A and B share a session (one
 * real handshake at start-up); each input is a batch of transport messages A seals for B
 * with the session's keys, so the fuzzed bytes are what B finds after decryption: the replay
 * window, the inner-packet checks, the allowed-IPs source check and the batched TUN write
 * (plain, or with the virtio-net header and coalescing).
 *
 * Input: one flags byte, then segments of [ctl][length, 2 bytes big-endian][payload].
 *   flags bit 0: B's TUN speaks the virtio-net header with every offload (coalesces)
 *         bit 1: the session is past REJECT_AFTER_TIME (every message must be dropped)
 *         bits 2-3: where the datagrams come from (roaming; loopback addresses only)
 *   ctl bits 0-1: the counter: 0 the next, 1 the previous one again, 2 a jump ahead by
 *         256 * (ctl >> 2), 3 one (ctl >> 2) * 137 behind the next (inside or past the window)
 *
 * What B writes to its TUN is checked against what was sent: on a plain TUN every packet
 * must be the first IP-total-length bytes of a segment's payload, in order, from a source A
 * may use (10.0.0.0/24 or fd00::/64), each counter at most once. */
#include <arpa/inet.h>
#include <stdint.h>

#include "wg_pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PLAIN (IO_BUF_SIZE - IO_HEADROOM - WG_DATA_MIN_LEN)

static struct host a, b;
static int b_tun_fd; /* B's end of its TUN, kept across re-attachments */
static bool b_vnet;

struct segment {
	const uint8_t *payload;
	size_t len;
	uint64_t counter;
	bool delivered;
};

static void setup(void)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN], net4[4] = { 10, 0, 1, 0 };
	uint8_t net6[16] = { 0xfd, 0, 0, 1 }, body[4] = { 0 };
	struct wg_peer *c;

	host_up(&a, 0x41, 1);
	host_up(&b, 0x42, 2);
	b_tun_fd = dup(b.dev.tun.fd); /* never the TUN's own: tun_close closes that */
	fuzz_check(b_tun_fd >= 0);
	host_peer(&a, &b, 32, 128);
	host_peer(&b, &a, 24, 64);
	/* A third peer of B's, owning the neighbouring prefixes: a source of C's in A's
	 * messages must be refused as surely as one nobody owns. */
	memset(priv, 0x43, sizeof(priv));
	fuzz_check(crypto_public_key(pub, priv));
	c = device_add_peer(&b.dev, pub);
	fuzz_check(c != NULL);
	fuzz_check(peer_add_allowed_ip(c, AF_INET, net4, 24) == 0);
	fuzz_check(peer_add_allowed_ip(c, AF_INET6, net6, 64) == 0);

	host_send_ip(&a, body, 32);
	wire_settle(&a, &b);
	fuzz_check(a.peer->keypairs.current != NULL);
	fuzz_check(b.peer->keypairs.current != NULL);
	fuzz_check(a.peer->keypairs.current->local_index == b.peer->keypairs.current->remote_index);
	host_drain(&a);
	host_drain(&b);
}

/* B's TUN as the input asks: re-attached (over a fresh descriptor of the same socket) only
 * when the mode changes. */
static void use_vnet(bool vnet)
{
	int fd;

	if (vnet == b_vnet)
		return;
	fd = dup(b_tun_fd);
	fuzz_check(fd >= 0);
	tun_close(&b.dev.tun);
	if (vnet)
		fuzz_check(tun_attach_vnet(&b.dev.tun, fd, OFFLOAD_TUN_TCP | OFFLOAD_TUN_UDP) == 0);
	else
		tun_attach(&b.dev.tun, fd);
	b_vnet = vnet;
}

static struct udp_endpoint source(unsigned int which)
{
	struct udp_endpoint from = { 0 };

	if (which == 3) {
		from.addr.in6.sin6_family = AF_INET6;
		from.addr.in6.sin6_port = htons(a.dev.listen_port);
		from.addr.in6.sin6_addr = in6addr_loopback;
	} else {
		from.addr.in4.sin_family = AF_INET;
		from.addr.in4.sin_port = htons(a.dev.listen_port);
		from.addr.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK + which);
	}
	return from;
}

static uint64_t pick_counter(struct noise_keypair *kp, uint8_t ctl)
{
	static uint64_t last;
	uint64_t next = kp->send_counter, back = (uint64_t)(ctl >> 2) * 137, c = next;

	switch (ctl & 3) {
	case 1:
		c = last;
		break;
	case 2:
		c = next + (uint64_t)(ctl >> 2) * 256;
		break;
	case 3:
		c = next > back ? next - 1 - back : 0;
		break;
	}
	if (c >= kp->send_counter)
		kp->send_counter = c + 1;
	last = c;
	return c;
}

/* A's transport message to B: header, payload sealed under the counter, tag. */
static size_t seal(uint8_t *buf, struct noise_keypair *kp, uint64_t counter,
		   const uint8_t *payload, size_t len)
{
	struct wg_msg_data hdr = { .type = htole32(WG_MSG_DATA),
				   .receiver = htole32(kp->remote_index),
				   .counter = htole64(counter) };

	memcpy(buf, &hdr, sizeof(hdr));
	fuzz_check(crypto_aead_ctx_seal(&kp->send, 0, buf + sizeof(hdr), payload, len, counter));
	return sizeof(hdr) + len + WG_TAG_LEN;
}

static bool source_allowed(const uint8_t *pkt, size_t len)
{
	static const uint8_t net6[8] = { 0xfd };

	if (pkt[0] >> 4 == 4)
		return len >= 20 && pkt[12] == 10 && pkt[13] == 0 && pkt[14] == 0;
	return len >= 40 && !memcmp(pkt + 8, net6, sizeof(net6));
}

/* The length field of the IP packet pkt, as the receive path must have honoured it. */
static size_t ip_total(const uint8_t *pkt, size_t len)
{
	if (len >= 20 && pkt[0] >> 4 == 4)
		return (size_t)pkt[2] << 8 | pkt[3];
	if (len >= 40 && pkt[0] >> 4 == 6)
		return 40 + ((size_t)pkt[4] << 8 | pkt[5]);
	return 0;
}

/* Whether a segment before j with seg[j]'s counter was delivered: then seg[j] is a replay,
 * which the receive path must have dropped. */
static bool counter_delivered(const struct segment *seg, unsigned int j)
{
	for (unsigned int i = 0; i < j; i++)
		if (seg[i].delivered && seg[i].counter == seg[j].counter)
			return true;
	return false;
}

/* Each packet on B's TUN is the next sealed segment with its bytes whose counter had not
 * been delivered. Segments may repeat each other's bytes, so a replayed one is passed over
 * rather than matched: a replay that got through shows as a packet nothing explains. */
static void check_tun(struct segment *seg, unsigned int n, bool expired)
{
	static uint8_t pkt[IO_BUF_SIZE];
	unsigned int j = 0;
	ssize_t r;

	while ((r = read(b.tun, pkt, sizeof(pkt))) >= 0) {
		size_t len = (size_t)r;

		fuzz_check(!expired);
		if (b_vnet) {
			fuzz_check(len > OFFLOAD_VNET_HDR_LEN);
			continue;
		}
		fuzz_check(ip_total(pkt, len) == len);
		fuzz_check(source_allowed(pkt, len));
		while (j < n && (seg[j].len < len || memcmp(seg[j].payload, pkt, len) ||
				 counter_delivered(seg, j)))
			j++;
		fuzz_check(j < n);
		seg[j++].delivered = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct segment seg[IO_BATCH];
	static bool ready;
	struct noise_keypair *kp;
	struct udp_endpoint from;
	unsigned int n = 0;
	uint64_t now;
	uint8_t flags;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	flags = *data++;
	size--;
	use_vnet(flags & 1);
	kp = a.peer->keypairs.current;
	now = kp->birthdate + (flags & 2 ? WG_REJECT_AFTER_TIME : 1);
	from = source(flags >> 2 & 3);
	while (size >= 3 && n < IO_BATCH - 1) {
		uint8_t *buf = io_pool_buf(&b.dev.pool, IO_BATCH + n) + IO_HEADROOM;
		size_t len = (size_t)data[1] << 8 | data[2];
		uint8_t ctl = data[0];

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len > MAX_PLAIN)
			len = MAX_PLAIN;
		seg[n] = (struct segment){ .payload = data, .len = len,
					   .counter = pick_counter(kp, ctl) };
		receive_datagram(&b.dev, buf, seal(buf, kp, seg[n].counter, data, len), &from, now);
		n++;
		data += len;
		size -= len;
	}
	fuzz_check(receive_flush(&b.dev) == 0);
	check_tun(seg, n, flags & 2);
	host_drain(&a);
	return 0;
}
