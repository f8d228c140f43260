/* Version-4 and version-7 UUIDs from libsodium random bytes (see uuid.h).
 * Must never use rand() or any predictable source: instance ids double as
 * public handles. */
#include "store/uuid.h"
#include "wg_random.h"
#include <stdint.h>
#include <string.h>
#include <time.h>

static void format(uint8_t b[16], unsigned version, char out[WG_UUID_STRLEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    b[6] = (uint8_t)((b[6] & 0x0f) | (version << 4));
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 9562) */
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

void wg_uuid_v4(char out[WG_UUID_STRLEN + 1])
{
    uint8_t b[16];
    wg_random_buf(b, 16);
    format(b, 4, out);
}

void wg_uuid_v7(char out[WG_UUID_STRLEN + 1])
{
    uint8_t b[16];
    wg_random_buf(b, 16);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 0; i < 6; i++) /* unix_ts_ms, 48 bits big-endian (RFC 9562 5.7) */
        b[i] = (uint8_t)(ms >> (8 * (5 - i)));
    format(b, 7, out);
}
