#include <string.h>

#include "base/log.h"
#include "io/stats.h"

static const char *const drop_names[IO_DROP_COUNT] = {
	[IO_DROP_TUN_MALFORMED] = "malformed super-packets from the TUN",
	[IO_DROP_TUN_FULL] = "the interface's queue full",
	[IO_DROP_TUN_REFUSED] = "refused by the interface",
	[IO_DROP_UDP_FULL] = "socket buffer full",
	[IO_DROP_UDP_REFUSED] = "refused by the network",
	[IO_DROP_UDP_TRUNCATED] = "datagrams too long",
	[IO_DROP_UDP_NO_BUFFER] = "GRO segments without a buffer",
};

static const char *const drop_keys[IO_DROP_COUNT] = {
	[IO_DROP_TUN_MALFORMED] = "tun_malformed",
	[IO_DROP_TUN_FULL] = "tun_full",
	[IO_DROP_TUN_REFUSED] = "tun_refused",
	[IO_DROP_UDP_FULL] = "udp_full",
	[IO_DROP_UDP_REFUSED] = "udp_refused",
	[IO_DROP_UDP_TRUNCATED] = "udp_truncated",
	[IO_DROP_UDP_NO_BUFFER] = "udp_no_buffer",
};

const char *io_drop_key(enum io_drop why)
{
	return why < IO_DROP_COUNT ? drop_keys[why] : "unknown";
}

enum io_drop io_drop_from_key(const char *key)
{
	for (int i = 0; i < IO_DROP_COUNT; i++)
		if (!strcmp(key, drop_keys[i]))
			return (enum io_drop)i;
	return IO_DROP_COUNT;
}

const char *io_drop_name(enum io_drop why)
{
	return why < IO_DROP_COUNT ? drop_names[why] : "unknown";
}

void io_stats_log(const char *what, const struct io_stats *s)
{
	for (int i = 0; i < IO_DROP_COUNT; i++)
		if (s->drops[i])
			log_info("%s dropped %llu: %s", what, (unsigned long long)s->drops[i],
				 io_drop_name((enum io_drop)i));
}
