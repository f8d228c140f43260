/* A JSON value as compact text without a heap allocation when it fits: the
 * receive and send paths encode a row's or an answer's JSON per message,
 * and json_dumps grows its buffer from 16 bytes by doubling and copies it
 * out. Any thread. */
#ifndef WG_MESSAGE_JSON_TEXT_H
#define WG_MESSAGE_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* The compact text of v: in buf (size bytes, NUL-terminated) when it fits,
 * else in a malloc'd *spill the caller frees (*spill is NULL otherwise).
 * NULL when v is NULL or cannot be encoded. */
const char *wg_json_text(const json_t *v, char *buf, size_t size, char **spill);

#endif
