/* Packet buffers, allocated once: count buffers of size bytes each, in one mapping. Buffers
 * are touched only when used, so a large pool costs address space, not memory. */
#ifndef ADIT_IO_POOL_H
#define ADIT_IO_POOL_H

#include <stddef.h>
#include <stdint.h>

/* Every buffer holds the largest packet a TUN or a datagram can carry, plus headroom for a
 * virtio-net header and a data message header in front and padding and a tag behind. */
#define IO_BUF_SIZE (65536 + 128)
/* Bytes reserved in front of each packet: the virtio-net header on the TUN, the WireGuard
 * data header on the wire. The packet itself starts here. */
#define IO_HEADROOM 32
/* Packets one batch carries in each direction: a few super-packets' worth. */
#define IO_BATCH 256

struct io_pool {
	uint8_t *mem;
	unsigned int count;
};

/* Returns 0 or -ENOMEM after saying why. */
int io_pool_init(struct io_pool *p, unsigned int count);
void io_pool_free(struct io_pool *p);

static inline uint8_t *io_pool_buf(const struct io_pool *p, unsigned int i)
{
	return p->mem + (size_t)i * IO_BUF_SIZE;
}

#endif
