#include <string.h>

#include "lab/reasm.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool reasm_is_fragment(const uint8_t *pkt, size_t len)
{
	return len >= 20 && pkt[0] >> 4 == 4 && (get16(pkt + 6) & 0x3fff);
}

static bool same(const struct reasm_slot *s, const uint8_t *p)
{
	return s->used && !memcmp(s->src, p + 12, 4) && !memcmp(s->dst, p + 16, 4) &&
	       !memcmp(s->id, p + 4, 2) && s->proto == p[9];
}

/* Its fragments stopped coming: what came of it is dropped, as the kernel drops it. */
static bool expired(const struct reasm_slot *s, uint64_t now)
{
	return now - s->started >= REASM_TIMEOUT_SEC;
}

/* The datagram's slot: its own, else a free or expired one, else the oldest's. */
static struct reasm_slot *slot_for(struct reasm *r, const uint8_t *p, uint64_t now)
{
	struct reasm_slot *pick = NULL;

	for (int i = 0; i < REASM_SLOTS; i++)
		if (same(&r->slot[i], p) && !expired(&r->slot[i], now))
			return &r->slot[i];
	for (int i = 0; i < REASM_SLOTS; i++) {
		struct reasm_slot *s = &r->slot[i];

		if (!s->used || expired(s, now)) {
			pick = s;
			break;
		}
		if (!pick || s->started < pick->started)
			pick = s;
	}
	pick->used = true;
	pick->have_first = pick->have_last = false;
	pick->payload_len = 0;
	pick->started = now;
	memcpy(pick->src, p + 12, 4);
	memcpy(pick->dst, p + 16, 4);
	memcpy(pick->id, p + 4, 2);
	pick->proto = p[9];
	memset(pick->blocks, 0, sizeof(pick->blocks));
	return pick;
}

static bool complete(const struct reasm_slot *s)
{
	size_t n = (s->payload_len + 7) / 8;

	if (!s->have_first || !s->have_last)
		return false;
	for (size_t b = 0; b < n; b++)
		if (!(s->blocks[b / 8] & (1u << (b % 8))))
			return false;
	return true;
}

static size_t assemble(struct reasm_slot *s, uint8_t *out, size_t out_size)
{
	size_t total = s->hlen + s->payload_len;

	s->used = false;
	if (total > REASM_MAX || total > out_size)
		return 0;
	memcpy(out, s->header, s->hlen);
	memcpy(out + s->hlen, s->payload, s->payload_len);
	out[2] = (uint8_t)(total >> 8);
	out[3] = (uint8_t)total;
	out[6] &= 0x40; /* DF stays; MF and the offset go */
	out[7] = 0;
	return total; /* the header checksum is stale: the responder builds its own */
}

size_t reasm_add(struct reasm *r, const uint8_t *p, size_t len, uint64_t now, uint8_t *out,
		 size_t out_size)
{
	size_t ihl, total, off, plen;
	struct reasm_slot *s;
	bool more;

	if (!reasm_is_fragment(p, len))
		return 0;
	ihl = (p[0] & 0x0f) * 4u;
	total = get16(p + 2);
	if (ihl < 20 || total <= ihl || total > len)
		return 0;
	off = (size_t)(get16(p + 6) & 0x1fff) * 8;
	more = p[6] & 0x20;
	plen = total - ihl;
	if ((more && plen % 8) || off + plen > REASM_MAX - ihl)
		return 0;
	s = slot_for(r, p, now);
	if (!off) {
		memcpy(s->header, p, ihl);
		s->hlen = ihl;
		s->have_first = true;
	}
	if (!more) {
		s->payload_len = off + plen;
		s->have_last = true;
	}
	memcpy(s->payload + off, p + ihl, plen);
	for (size_t b = off / 8; b < (off + plen + 7) / 8; b++)
		s->blocks[b / 8] |= (uint8_t)(1u << (b % 8));
	return complete(s) ? assemble(s, out, out_size) : 0;
}
