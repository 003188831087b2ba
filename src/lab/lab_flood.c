#include "lab/lab_flood.h"

enum lab_flood_verdict lab_flood_check(struct lab_flood *f, const struct lab_client *c,
				       size_t len, uint64_t now)
{
	if (!c->confirmed)
		return c->tx_bytes + len <= c->rx_bytes ? LAB_FLOOD_SEND : LAB_FLOOD_UNCONFIRMED;
	if (f->second_after != now + 1) {
		f->second_after = now + 1;
		f->left = LAB_FLOOD_BYTES_PER_SEC;
	}
	if (len > f->left)
		return LAB_FLOOD_OVER_BUDGET;
	f->left -= len;
	return LAB_FLOOD_SEND;
}
