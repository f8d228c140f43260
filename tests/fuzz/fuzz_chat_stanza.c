/* libFuzzer target: the parsers of connd/chat and wa/picture on decoded
 * binary nodes. Input: a frame plaintext (flag byte || WABinary); the
 * decoded node goes through presence.update (wg_chat_presence_event), the
 * call object (wg_chat_call_object), the profile picture answer
 * (wg_wa_picture_url) and the whatsappNumbers answer
 * (wg_chat_numbers_result). Nothing may crash or leak; what they build
 * must serialize. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/call.h"
#include "chat/numbers.h"
#include "chat/presence.h"
#include "wa/picture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_dump(json_t *j)
{
    if (!j)
        return;
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s)
        abort();
    free(s);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wg_node_t *n = NULL;
    if (wg_node_decode(data, size, 1 << 20, &n) != 0)
        return 0;
    must_dump(wg_chat_presence_event(n));
    must_dump(wg_chat_call_object(n));
    char url[256];
    if (wg_wa_picture_url(n, url, sizeof url) == 0 && strncmp(url, "https://", 8) != 0)
        abort();
    char *numbers[] = {"15551234567", "+55 (11) 9999", "1@s.whatsapp.net", "x"};
    json_t *r = wg_chat_numbers_result(numbers, 4, n);
    if (json_array_size(r) != 4)
        abort();
    must_dump(r);
    wg_node_free(n);
    return 0;
}
