#include "io/stats.h"

static const char *const drop_names[IO_DROP_COUNT] = {
	[IO_DROP_TUN_MALFORMED] = "malformed super-packets from the TUN",
	[IO_DROP_TUN_FULL] = "TUN queue full",
	[IO_DROP_TUN_REFUSED] = "refused by the TUN",
	[IO_DROP_UDP_FULL] = "socket buffer full",
	[IO_DROP_UDP_REFUSED] = "refused by the network",
	[IO_DROP_UDP_TRUNCATED] = "datagrams too long",
	[IO_DROP_UDP_NO_BUFFER] = "GRO segments without a buffer",
};

const char *io_drop_name(enum io_drop why)
{
	return why < IO_DROP_COUNT ? drop_names[why] : "unknown";
}

uint64_t io_drops_total(const struct io_stats *s)
{
	uint64_t total = 0;

	for (int i = 0; i < IO_DROP_COUNT; i++)
		total += s->drops[i];
	return total;
}
