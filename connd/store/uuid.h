/* UUIDs for row ids and instance ids: random (version 4), and time-ordered
 * (version 7) for rows inserted per message, whose primary-key index then
 * grows at its end instead of one random page per row. Uses libsodium's
 * CSPRNG through wg_random's per-thread pool; never fails. */
#ifndef WG_UUID_H
#define WG_UUID_H

#define WG_UUID_STRLEN 36 /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" without NUL */

/* Writes a lowercase RFC 9562 version-4 UUID and a NUL into out. Any thread.
 * randombytes_buf() initialises itself; calling sodium_init() at program
 * start is still recommended (the daemon does). */
void wg_uuid_v4(char out[WG_UUID_STRLEN + 1]);

/* Writes a lowercase RFC 9562 version-7 UUID: the Unix time in ms (48 bits)
 * then 74 random bits, so ids drawn later sort after (to the ms). The time
 * is public in it: only for rows whose creation time is no secret (message
 * rows carry their timestamp anyway), never for instance ids. Any thread. */
void wg_uuid_v7(char out[WG_UUID_STRLEN + 1]);

#endif
