/* Random bytes for nonces, ids, WebSocket masks and padding, drawn per
 * thread from a pool that libsodium's generator refills. Each
 * randombytes_buf() call of libsodium's internal generator costs a getpid()
 * system call (its fork check) and one ChaCha20 run, and a sent message
 * draws several small values; the pool draws them in one call per 512
 * bytes. Long-term keys may still call libsodium directly. Never use
 * rand() or any predictable source here. */
#ifndef WG_RANDOM_H
#define WG_RANDOM_H
#include <stddef.h>
#include <stdint.h>

/* Fills buf with len random bytes from libsodium's CSPRNG. A request larger
 * than half the pool is passed straight to randombytes_buf(). Bytes handed
 * out are wiped from the pool; what the pool still holds is wiped when its
 * thread exits and, in a forked child, before the child draws (the child
 * refills instead of repeating its parent's bytes). Any thread (the pool is
 * thread-local); never fails. Call sodium_init() at program start. */
void wg_random_buf(void *buf, size_t len);

/* One random byte (wg_random_buf of 1). Any thread. */
uint8_t wg_random_byte(void);

#endif
