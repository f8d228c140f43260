/* Compact JSON text into a caller's buffer (see json_text.h). */
#include "message/json_text.h"

const char *wg_json_text(const json_t *v, char *buf, size_t size, char **spill)
{
    *spill = NULL;
    if (!v || size == 0)
        return v ? (*spill = json_dumps(v, JSON_COMPACT)) : NULL;
    size_t len = json_dumpb(v, buf, size - 1, JSON_COMPACT);
    if (len == 0)
        return NULL; /* jansson writes at least "{}" for what it can encode */
    if (len < size) {
        buf[len] = '\0';
        return buf;
    }
    *spill = json_dumps(v, JSON_COMPACT);
    return *spill;
}
