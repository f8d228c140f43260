/* Version-4 UUIDs from libsodium random bytes (see uuid.h). Must never use
 * rand() or any predictable source: instance ids double as public handles. */
#include "store/uuid.h"
#include <sodium.h>
#include <stdint.h>

void wg_uuid_v4(char out[WG_UUID_STRLEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
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
