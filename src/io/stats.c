#include <string.h>

#include "base/log.h"
#include "io/stats.h"

/* The names are adit show's keys (io_drop_NAME): they do not change. */
static const struct drop_reason reasons[IO_DROP_COUNT] = {
	[IO_DROP_TUN_MALFORMED] = { "tun_malformed", "malformed super-packets from the TUN" },
	[IO_DROP_TUN_FULL] = { "tun_full", "the interface's queue full" },
	[IO_DROP_TUN_REFUSED] = { "tun_refused", "refused by the interface" },
	[IO_DROP_UDP_FULL] = { "udp_full", "socket buffer full" },
	[IO_DROP_UDP_REFUSED] = { "udp_refused", "refused by the network" },
	[IO_DROP_UDP_TRUNCATED] = { "udp_truncated", "datagrams too long" },
	[IO_DROP_UDP_NO_BUFFER] = { "udp_no_buffer", "GRO segments without a buffer" },
};

const struct drop_vocab io_drop_vocab = { "io_drop_", reasons, IO_DROP_COUNT };

const char *io_drop_key(enum io_drop why)
{
	return why < IO_DROP_COUNT ? reasons[why].name : "unknown";
}

const char *io_drop_name(enum io_drop why)
{
	return why < IO_DROP_COUNT ? reasons[why].why : "unknown";
}

void io_stats_log(const char *what, const struct io_stats *s)
{
	for (int i = 0; i < IO_DROP_COUNT; i++)
		if (s->drops[i])
			log_info("%s dropped %llu: %s", what, (unsigned long long)s->drops[i],
				 io_drop_name((enum io_drop)i));
}
