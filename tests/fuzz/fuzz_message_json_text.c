/* libFuzzer target: connd/message/json_text's encoder against jansson's.
 * The input is parsed by jansson (any value, NUL allowed in strings); when
 * it parses, wg_json_write must give exactly json_dumpb's compact text, and
 * the same length into a buffer cut short (writing nothing past it). The
 * raw input is also encoded as a string and as an object key without a
 * UTF-8 check, so invalid UTF-8 (which both must refuse) and every byte
 * that needs an escape reach the encoder. wg_json_text then gives the same
 * text from a small stack buffer (spilled) and a large one. */
#include "message/json_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void compare(const json_t *v)
{
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    size_t want = json_dumpb(v, NULL, 0, flags);
    size_t got = wg_json_write(v, NULL, 0);
    if (got != want)
        abort();
    if (want == 0)
        return;
    char *a = malloc(want), *b = malloc(want + 1);
    if (!a || !b)
        abort();
    if (json_dumpb(v, a, want, flags) != want || wg_json_write(v, b, want) != want ||
        memcmp(a, b, want) != 0)
        abort();
    size_t cut = want / 2;
    b[cut] = 0x5a;
    if (wg_json_write(v, b, cut) != want || (unsigned char)b[cut] != 0x5a)
        abort();
    if (json_is_object(v) || json_is_array(v)) {
        char small[8], big[4096], *spill;
        const char *t = wg_json_text(v, small, sizeof small, &spill);
        if (!t || strlen(t) != want || memcmp(t, a, want) != 0)
            abort();
        free(spill);
        t = wg_json_text(v, big, sizeof big, &spill);
        if (!t || memcmp(t, a, want) != 0)
            abort();
        free(spill);
    }
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (v) {
        compare(v);
        json_decref(v);
    }
    json_t *s = json_stringn_nocheck((const char *)data, size);
    if (s) {
        compare(s);
        json_t *o = json_object();
        if (o && json_object_setn_new_nocheck(o, (const char *)data, size, json_integer(1)) == 0)
            compare(o);
        json_t *arr = json_pack("[O,{s:O}]", s, "k", s);
        if (arr)
            compare(arr);
        json_decref(arr);
        json_decref(o);
        json_decref(s);
    }
    return 0;
}
