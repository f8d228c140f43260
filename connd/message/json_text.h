/* A JSON value as compact text without a heap allocation when it fits: the
 * receive and send paths encode a row's or an answer's JSON per message,
 * and json_dumps grows its buffer from 16 bytes by doubling and copies it
 * out; and it is written by our encoder, not jansson's. Any thread. */
#ifndef WG_MESSAGE_JSON_TEXT_H
#define WG_MESSAGE_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* json_dumpb(v, buf, size, JSON_COMPACT | JSON_ENCODE_ANY), byte for byte,
 * written without jansson's per-token callbacks (json_text.c): the length of
 * the text (not NUL-terminated; larger than size when it did not fit, then
 * what buf holds is unspecified, as with json_dumpb, but nothing is written
 * past it), 0 when v is NULL or cannot be encoded (invalid UTF-8, a cycle). */
size_t wg_json_write(const json_t *v, char *buf, size_t size);

/* The compact text of v, an object or array: in buf (size bytes,
 * NUL-terminated) when it fits, else in a malloc'd *spill the caller frees
 * (*spill is NULL otherwise). NULL when v is NULL, a bare scalar or cannot
 * be encoded. */
const char *wg_json_text(const json_t *v, char *buf, size_t size, char **spill);

#endif
