/* The crypto provider libsignal-protocol-c calls back into (wa-protocol.md
 * §12 "Crypto provider"): HMAC-SHA256, SHA-512 digest and AES-CBC (PKCS#7) /
 * AES-CTR on OpenSSL 3 EVP, randomness from libsodium. Thread-safe: every
 * context is used by one call sequence at a time (HMAC contexts are kept per
 * thread between uses, crypto.c); never logs key material. */
#ifndef WG_SIGNAL_CRYPTO_H
#define WG_SIGNAL_CRYPTO_H
#include <signal_protocol.h>

/* Fills *p with our provider (user_data NULL). Any thread. */
void wg_signal_crypto_provider(signal_crypto_provider *p);

#endif
