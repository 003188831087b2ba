/* What crypto.c needs of aead.c; the data path's AEAD itself is declared in crypto.h. */
#ifndef ADIT_WG_AEAD_H
#define ADIT_WG_AEAD_H

#include <stdbool.h>

/* Fetches OpenSSL's ChaCha20-Poly1305, runs each backend's known-answer self-test and
 * chooses the data path's backend: intel-ipsec-mb if it passes, else OpenSSL. False, after
 * saying why, if OpenSSL's fails. Later calls return the first call's answer. */
bool aead_init(void);

#endif
