/* intel-ipsec-mb's ChaCha20-Poly1305 (RFC 8439) through its job API: the data path's faster
 * backend on x86 (aead.c chooses it). One IMB_MGR per crypto lane, made before the lane
 * seals or opens; a packet costs one job, no allocation. Built only when the Makefile finds
 * intel-ipsec-mb.h (ADIT_IPSEC_MB); without it, ipsecmb_init fails and says why. */
#ifndef ADIT_WG_AEAD_IPSECMB_H
#define ADIT_WG_AEAD_IPSECMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/messages.h"

#define IPSECMB_NONCE_LEN 12

/* Makes lane 0's manager. False, with *why set to a clause naming what is missing, when the
 * library is not built in or finds no code for this CPU. */
bool ipsecmb_init(const char **why);
/* Makes the managers of lanes 1..lanes-1 that do not exist yet (lanes <= CRYPTO_LANES_MAX).
 * Called from one thread, before any of those lanes is used. */
bool ipsecmb_set_lanes(unsigned int lanes);
/* The library's version and the code it picked for this CPU: "intel-ipsec-mb 1.3.0, avx512". */
const char *ipsecmb_describe(void);

/* dst gets len bytes of ciphertext (dst == src allowed), tag the 16-byte tag. */
bool ipsecmb_seal(unsigned int lane, const uint8_t key[WG_KEY_LEN],
		  const uint8_t nonce[IPSECMB_NONCE_LEN], const uint8_t *ad, size_t adlen,
		  uint8_t *dst, const uint8_t *src, size_t len, uint8_t tag[WG_TAG_LEN]);
/* True only if tag authenticates src; then dst holds the len bytes of plaintext (dst == src
 * allowed). False otherwise, with dst's len bytes wiped: the library writes plaintext while
 * it computes the tag, and the tag is compared, in constant time, only afterwards. */
bool ipsecmb_open(unsigned int lane, const uint8_t key[WG_KEY_LEN],
		  const uint8_t nonce[IPSECMB_NONCE_LEN], const uint8_t *ad, size_t adlen,
		  uint8_t *dst, const uint8_t *src, size_t len, const uint8_t tag[WG_TAG_LEN]);

#endif
