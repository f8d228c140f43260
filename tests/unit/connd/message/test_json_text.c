/* connd/message/json_text: a value's compact text in the caller's buffer
 * when it fits (exactly: the NUL counts), in a malloc'd spill when it does
 * not, NULL for no value or one jansson cannot encode. */
#include "message/json_text.h"

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

int main(void)
{
    WG_RUN(fits_in_the_buffer);
    WG_RUN(exact_fit_and_one_short);
    WG_RUN(spills_a_long_value);
    WG_RUN(no_text);
    return wg_test_done();
}
