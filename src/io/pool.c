#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "base/log.h"
#include "io/pool.h"

int io_pool_init(struct io_pool *p, unsigned int count)
{
	size_t size = (size_t)count * IO_BUF_SIZE;

	p->count = 0;
	p->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		log_error("cannot allocate %zu bytes of packet buffers: %s", size, strerror(errno));
		return -ENOMEM;
	}
	/* The packets here are plaintext on their way to and from the TUN: like the keys, they
	 * stay out of any core (a failure leaves coredump_filter, set at start, to do it). */
	madvise(p->mem, size, MADV_DONTDUMP);
	p->count = count;
	return 0;
}

void io_pool_free(struct io_pool *p)
{
	if (p->mem)
		munmap(p->mem, (size_t)p->count * IO_BUF_SIZE);
	p->mem = NULL;
	p->count = 0;
}
