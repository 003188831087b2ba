/* Memory for the objects that hold secrets: peers (handshake state, preshared key), keypairs,
 * staged plaintext, the UAPI connection that keys pass through. adit maps it itself, so every
 * page of it carries MADV_DONTDUMP and stays out of any core, whoever makes the core (the
 * kernel, gcore): the objects malloc would give could share pages with anything.
 *
 * Small objects of one type come from a pool of chunks of many objects, so 100,000 peers cost
 * their own size each, not a page each. A buffer of pages gets a mapping of its own. Neither
 * is for the data path: a pool object is taken once per peer or per handshake. */
#ifndef ADIT_SECMEM_H
#define ADIT_SECMEM_H

#include <stddef.h>

/* What a pool maps at a time (more, once, for an object bigger than this). */
#define SECMEM_CHUNK_BYTES (256 * 1024)
/* Every object's alignment, as malloc's. */
#define SECMEM_ALIGN _Alignof(max_align_t)

struct secmem_chunk;

/* Objects of one size. Declared with SECMEM_POOL(size); maps nothing until first used. The
 * device has one thread: a pool must not be shared between threads. */
struct secmem_pool {
	size_t size;
	struct secmem_chunk *chunks; /* the newest first; only it has objects never handed out */
	void *free;                  /* objects given back, linked through their first word */
};
#define SECMEM_POOL(objsize) { .size = (objsize) }

/* A zeroed object of the pool's size, aligned to SECMEM_ALIGN; NULL (errno ENOMEM) only when
 * no object was given back and a new chunk cannot be mapped and marked. */
void *secmem_alloc(struct secmem_pool *pool);
/* Wipes obj and keeps it for the next secmem_alloc; NULL is ignored. A pool's memory goes
 * back to the system only with secmem_pool_destroy. */
void secmem_free(struct secmem_pool *pool, void *obj);
/* Unmaps every chunk. No object of the pool may be used after. */
void secmem_pool_destroy(struct secmem_pool *pool);

/* A zeroed buffer of len bytes in a mapping of its own, or NULL with errno set. */
void *secmem_map(size_t len);
/* Unmaps what secmem_map gave (NULL is ignored). It does not wipe: wiping all of it would
 * fault in the pages never written, so the caller wipes what it wrote. */
void secmem_unmap(void *buf, size_t len);
/* Zeroes len bytes in a way the compiler cannot leave out. */
void secmem_wipe(void *buf, size_t len);

#endif
