/* Version-4 UUIDs from libsodium random bytes (see uuid.h). Must never use
 * rand() or any predictable source: instance ids double as public handles. */
#include "store/uuid.h"
#include <sodium.h>
#include <stdint.h>
#include <string.h>

void wg_uuid_v4(char out[WG_UUID_STRLEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    /* random bytes for 32 ids at a time, per thread: libsodium's generator
     * checks for a fork (getpid) on every call, and a row id is drawn per
     * stored message; connd never forks, so no pool is ever shared */
    static _Thread_local uint8_t pool[32 * 16];
    static _Thread_local size_t used = sizeof pool;
    if (used == sizeof pool) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
    }
    uint8_t b[16];
    memcpy(b, pool + used, sizeof b);
    sodium_memzero(pool + used, sizeof b);
    used += sizeof b;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 9562) */
    size_t o = 0;
    for (size_t i = 0; i < sizeof b; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}
