/* MSS clamping, declared in mss.h. The packet is read as untrusted bytes: the IP header's
 * length, the TCP data offset and every option length are checked against what is present
 * before anything is read, and the options are walked whole before any is written, so a
 * packet with a malformed option is left as it came. */
#include "pkt/mss.h"

#include <netinet/in.h>

#include "pkt/packet.h"

enum {
	IP4_HLEN = 20,
	IP6_HLEN = 40,
	TCP_HLEN = 20,
	TCP_CSUM = 16,		/* the checksum's offset in the TCP header */
	TCP_SYN = 0x02,
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_MSS_LEN = 4,
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The TCP segment of pkt, from its header to the end of the packet as its IP header sizes it,
 * or NULL when pkt carries no whole, unfragmented TCP header within len. */
static uint8_t *tcp_of(uint8_t *pkt, size_t len, size_t *seg_len)
{
	size_t hl, total;

	if (len < IP4_HLEN)
		return NULL;
	if (pkt[0] >> 4 == 4) {
		hl = (pkt[0] & 0x0f) * 4u;
		total = get16(pkt + 2);
		if (hl < IP4_HLEN || total < hl || total > len || pkt[9] != IPPROTO_TCP)
			return NULL;
		if (get16(pkt + 6) & 0x3fff)	/* MF or an offset */
			return NULL;
	} else if (pkt[0] >> 4 == 6) {
		hl = IP6_HLEN;
		if (len < IP6_HLEN || pkt[6] != IPPROTO_TCP)
			return NULL;
		total = IP6_HLEN + get16(pkt + 4);
		if (total > len)
			return NULL;
	} else {
		return NULL;
	}
	if (total - hl < TCP_HLEN)
		return NULL;
	*seg_len = total - hl;
	return pkt + hl;
}

/* An option's 16-bit value as it counts in the checksum: a word at an odd offset straddles
 * two of the sum's words, its high byte in the low half of one, its low byte in the high half of
 * the next, so it counts byte-swapped (one's complement addition carries around either way). */
static uint16_t as_summed(uint16_t v, size_t at)
{
	return at & 1 ? (uint16_t)(v << 8 | v >> 8) : v;
}

/* Walks the options (th[TCP_HLEN] to th[doff]); false when one is malformed: a length under
 * 2 or running past doff. With clamp set, lowers each MSS option above mss and keeps the
 * checksum (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')); *changed says whether it did. */
static bool walk(uint8_t *th, size_t doff, unsigned int mss, bool clamp, bool *changed)
{
	size_t i = TCP_HLEN, olen;
	uint16_t old;
	uint32_t sum;

	while (i < doff && th[i] != OPT_EOL) {
		if (th[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > doff)
			return false;
		olen = th[i + 1];
		if (olen < 2 || olen > doff - i)
			return false;
		if (clamp && th[i] == OPT_MSS && olen == OPT_MSS_LEN && get16(th + i + 2) > mss) {
			old = get16(th + i + 2);
			sum = (uint16_t)~get16(th + TCP_CSUM) + (uint16_t)~as_summed(old, i) +
			      as_summed((uint16_t)mss, i);
			put16(th + i + 2, mss);
			put16(th + TCP_CSUM, packet_csum_fold(sum));
			*changed = true;
		}
		i += olen;
	}
	return true;
}

bool mss_clamp(uint8_t *pkt, size_t len, unsigned int mss)
{
	size_t seg_len, doff;
	bool changed = false;
	uint8_t *th = tcp_of(pkt, len, &seg_len);

	if (!th || !(th[13] & TCP_SYN))
		return false;
	doff = (th[12] >> 4) * 4u;
	if (doff < TCP_HLEN || doff > seg_len)
		return false;
	if (!walk(th, doff, mss, false, &changed))
		return false;
	walk(th, doff, mss, true, &changed);
	return changed;
}
