/* Random (version 4) UUIDs for row ids and instance ids.
 * Uses libsodium's CSPRNG; owns no state and never fails. */
#ifndef WG_UUID_H
#define WG_UUID_H

#define WG_UUID_STRLEN 36 /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" without NUL */

/* Writes a lowercase RFC 9562 version-4 UUID and a NUL into out. Any thread.
 * randombytes_buf() initialises itself; calling sodium_init() at program
 * start is still recommended (the daemon does). */
void wg_uuid_v4(char out[WG_UUID_STRLEN + 1]);

#endif
