/* connd/message/json_text: a value's compact text in the caller's buffer
 * when it fits (exactly: the NUL counts), in a malloc'd spill when it does
 * not, NULL for no value or one jansson cannot encode; wg_json_write writes
 * exactly jansson's json_dumpb text (escapes, key order after deletes,
 * integers, truncation, and what it leaves to jansson: reals, deep nesting,
 * invalid UTF-8). fuzz_message_json_text compares the two on any input. */
#include "message/json_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wg_test.h"

static void fits_in_the_buffer(void)
{
    json_t *v = json_pack("{s:s,s:b}", "id", "3EB0", "fromMe", 1);
    char buf[64], *spill = (char *)1;
    const char *t = wg_json_text(v, buf, sizeof buf, &spill);
    WG_CHECK(t == buf);
    WG_CHECK(spill == NULL);
    WG_CHECK_STR(t, "{\"id\":\"3EB0\",\"fromMe\":true}");
    json_decref(v);
}

static void exact_fit_and_one_short(void)
{
    json_t *v = json_pack("[s]", "a"); /* ["a"]: 5 bytes + NUL */
    char buf[6], *spill;
    const char *t = wg_json_text(v, buf, 6, &spill);
    WG_CHECK(t == buf && spill == NULL);
    WG_CHECK_STR(t, "[\"a\"]");
    t = wg_json_text(v, buf, 5, &spill);
    WG_CHECK(spill != NULL && t == spill);
    WG_CHECK_STR(t, "[\"a\"]");
    free(spill);
    t = wg_json_text(v, buf, 0, &spill);
    WG_CHECK(spill != NULL && t == spill);
    WG_CHECK_STR(t, "[\"a\"]");
    free(spill);
    json_decref(v);
}

static void spills_a_long_value(void)
{
    char text[5000];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    json_t *v = json_pack("{s:s}", "conversation", text);
    char buf[256], *spill;
    const char *t = wg_json_text(v, buf, sizeof buf, &spill);
    WG_CHECK(spill != NULL && t == spill);
    WG_CHECK(strlen(t) == strlen("{\"conversation\":\"\"}") + sizeof text - 1);
    free(spill);
    json_decref(v);
}

/* no value, or a bare scalar (not an object or array: jansson's compact
 * encoding refuses it) */
static void no_text(void)
{
    char buf[8], *spill = (char *)1;
    WG_CHECK(wg_json_text(NULL, buf, sizeof buf, &spill) == NULL);
    WG_CHECK(spill == NULL);
    json_t *v = json_string("abc");
    spill = (char *)1;
    WG_CHECK(wg_json_text(v, buf, sizeof buf, &spill) == NULL);
    WG_CHECK(spill == NULL);
    json_decref(v);
}

/* wg_json_write and json_dumpb agree on v; with a buffer cut at any length
 * it still says the whole length and writes nothing past the buffer. */
static void same_as_jansson(const json_t *v)
{
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    size_t want = json_dumpb(v, NULL, 0, flags);
    WG_CHECK_INT((int)wg_json_write(v, NULL, 0), (int)want);
    if (want == 0)
        return;
    char *a = malloc(want), *b = malloc(want);
    WG_CHECK_INT((int)json_dumpb(v, a, want, flags), (int)want);
    WG_CHECK_INT((int)wg_json_write(v, b, want), (int)want);
    WG_CHECK(memcmp(a, b, want) == 0);
    for (size_t cut = 0; cut < want; cut++) {
        memset(b, 0, want);
        WG_CHECK_INT((int)wg_json_write(v, b, cut), (int)want);
        WG_CHECK(b[cut] == 0); /* nothing past the buffer (what is in it: unspecified) */
    }
    free(a);
    free(b);
}

static void writes_what_jansson_writes(void)
{
    /* a messageRaw as the send path builds it */
    json_t *raw = json_pack(
        "{s:{s:s,s:b,s:s},s:s,s:s,s:{s:s},s:s,s:I,s:s,s:s}", "key", "remoteJid",
        "5511999990000@s.whatsapp.net", "fromMe", 1, "id", "3EB0A1B2C3D4E5F6071829", "pushName",
        "Ana \"Zé\" 🙂", "status", "PENDING", "message", "conversation",
        "line1\nline2\ttab \\ / \x01\x1f\x7f é 中 𝄞", "messageType", "conversation",
        "messageTimestamp", (json_int_t)1763862000, "instanceId", "c0ffee", "source", "web");
    same_as_jansson(raw);
    /* insertion order, also after a delete and a re-insert */
    json_object_del(raw, "pushName");
    json_object_set_new(raw, "pushName", json_string("again"));
    json_object_set_new(raw, "z", json_null());
    json_object_set_new(raw, "a", json_false());
    same_as_jansson(raw);
    json_decref(raw);
    json_t *misc = json_pack("[[],{},[[[]]],s,i,I,I,b,n]", "", 0, (json_int_t)INT64_MIN,
                             (json_int_t)INT64_MAX, 0);
    same_as_jansson(misc);
    /* NUL inside a string and a key */
    json_array_append_new(misc, json_stringn("a\0b", 3));
    json_t *o = json_object();
    json_object_setn_new(o, "k\0ey", 4, json_integer(-7));
    json_array_append_new(misc, o);
    same_as_jansson(misc);
    json_decref(misc);
    json_t *s = json_string("bare"); /* any value at the top, as JSON_ENCODE_ANY */
    same_as_jansson(s);
    json_decref(s);
}

static void leaves_the_rest_to_jansson(void)
{
    json_t *r = json_pack("{s:f,s:[f]}", "x", 0.1, "y", 1e300); /* reals */
    same_as_jansson(r);
    json_decref(r);
    json_t *deep = json_array(), *at = deep; /* deeper than the encoder goes */
    for (int i = 0; i < 100; i++) {
        json_t *next = json_array();
        json_array_append_new(at, next);
        at = next;
    }
    json_array_append_new(at, json_string("bottom"));
    same_as_jansson(deep);
    json_decref(deep);
    static const char *bad[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                "\xe2\x82", "ok\xc3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v = json_pack("{s:o}", "t", json_stringn_nocheck(bad[i], strlen(bad[i])));
        WG_CHECK_INT((int)wg_json_write(v, NULL, 0), 0); /* jansson refuses it too */
        same_as_jansson(v);
        json_decref(v);
    }
    WG_CHECK_INT((int)wg_json_write(NULL, NULL, 0), 0);
}

int main(void)
{
    WG_RUN(writes_what_jansson_writes);
    WG_RUN(leaves_the_rest_to_jansson);
    WG_RUN(fits_in_the_buffer);
    WG_RUN(exact_fit_and_one_short);
    WG_RUN(spills_a_long_value);
    WG_RUN(no_text);
    return wg_test_done();
}
