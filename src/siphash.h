/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash for short inputs. A table keyed by
 * what strangers send hashes with it under a secret key, so that no sender can choose inputs
 * that fall into one bucket. */
#ifndef ADIT_SIPHASH_H
#define ADIT_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len);

#endif
