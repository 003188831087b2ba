/* Pools and mappings kept out of core dumps. A chunk is handed out from its start, object by
 * object, so its pages are touched only as objects are taken (a chunk costs the RSS of what
 * is in use, not 256 KiB); given-back objects are wiped and reused first. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium/utils.h>

#include "base/secmem.h"

/* Under AddressSanitizer the objects of a pool are poisoned while not handed out, so a use
 * after secmem_free is caught as malloc's would be, and each chunk is a root for the leak
 * checker (which does not scan our mappings): what a peer points to is not a leak. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SECMEM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SECMEM_ASAN 1
#endif
#ifdef SECMEM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define add_root(p, n) __lsan_register_root_region(p, n)
#define drop_root(p, n) __lsan_unregister_root_region(p, n)
#else
#define poison(p, n) ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#define add_root(p, n) ((void)(p), (void)(n))
#define drop_root(p, n) ((void)(p), (void)(n))
#endif

struct secmem_chunk {
	struct secmem_chunk *next;
	size_t len;  /* bytes mapped */
	size_t used; /* bytes handed out from the start, this header included */
};

#define ROUND(n, to) (((n) + (to) - 1) / (to) * (to))
#define HEADER ROUND(sizeof(struct secmem_chunk), SECMEM_ALIGN)

/* The pool's size as laid out: room for the free-list link, and aligned. */
static size_t object_size(const struct secmem_pool *pool)
{
	size_t size = pool->size < sizeof(void *) ? sizeof(void *) : pool->size;

	return ROUND(size, SECMEM_ALIGN);
}

static size_t page_round(size_t len)
{
	return ROUND(len, (size_t)sysconf(_SC_PAGESIZE));
}

/* Fails rather than hand out memory that a core would carry. */
void *secmem_map(size_t len)
{
	void *p = mmap(NULL, page_round(len), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, page_round(len), MADV_DONTDUMP) < 0) {
		err = errno;
		munmap(p, page_round(len));
		errno = err;
		return NULL;
	}
	return p;
}

void secmem_unmap(void *buf, size_t len)
{
	if (buf)
		munmap(buf, page_round(len));
}

static bool add_chunk(struct secmem_pool *pool, size_t size)
{
	size_t len = page_round(HEADER + size);
	struct secmem_chunk *c;

	if (len < SECMEM_CHUNK_BYTES)
		len = SECMEM_CHUNK_BYTES;
	c = secmem_map(len);
	if (!c) {
		errno = ENOMEM;
		return false;
	}
	*c = (struct secmem_chunk){ .next = pool->chunks, .len = len, .used = HEADER };
	pool->chunks = c;
	poison((char *)c + HEADER, len - HEADER);
	add_root(c, len);
	return true;
}

void *secmem_alloc(struct secmem_pool *pool)
{
	size_t size = object_size(pool);
	struct secmem_chunk *c = pool->chunks;
	void *obj = pool->free;

	if (obj) {
		unpoison(obj, size);
		memcpy(&pool->free, obj, sizeof(void *));
		memset(obj, 0, sizeof(void *)); /* the rest was wiped when it was given back */
		return obj;
	}
	if (!c || c->len - c->used < size) {
		if (!add_chunk(pool, size))
			return NULL;
		c = pool->chunks;
	}
	obj = (char *)c + c->used; /* zero: never written since it was mapped */
	c->used += size;
	unpoison(obj, size);
	return obj;
}

void secmem_free(struct secmem_pool *pool, void *obj)
{
	size_t size = object_size(pool);

	if (!obj)
		return;
	sodium_memzero(obj, size);
	memcpy(obj, &pool->free, sizeof(void *));
	pool->free = obj;
	poison(obj, size);
}

void secmem_pool_destroy(struct secmem_pool *pool)
{
	struct secmem_chunk *c = pool->chunks, *next;

	while (c) {
		next = c->next;
		drop_root(c, c->len);
		/* A later mapping at these addresses must not find them poisoned. */
		unpoison(c, c->len);
		secmem_unmap(c, c->len);
		c = next;
	}
	pool->chunks = NULL;
	pool->free = NULL;
}

void secmem_wipe(void *buf, size_t len)
{
	sodium_memzero(buf, len);
}
