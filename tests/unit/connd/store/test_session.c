/* Unit tests for connd/store/session.c: put/get/replace/delete of the
 * credentials blob, an unknown instance, an empty blob reads as none, blobs
 * with NUL bytes and of 64 KiB, and the cascade when the instance row goes.
 * Uses :memory: through the public store API only. */
#include "store/session.h"
#include "store/store.h"
#include "store/uuid.h"
#include "wg_err.h"
#include "wg_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wg_store_t *open_memory(void)
{
    wg_store_t *s = NULL;
    wg_buf_t err = WG_BUF_INIT;
    if (wg_store_open(":memory:", &s, &err) != 0)
        fprintf(stderr, "open :memory: failed: %s\n", wg_buf_cstr(&err));
    wg_buf_free(&err);
    return s;
}

static int insert(wg_store_t *s, const char *name, char id[WG_UUID_STRLEN + 1])
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT;
    in.name = (char *)name;
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    Wg__Ipc__Instance *row = NULL;
    int rc = wg_store_instance_insert(s, &in, &row);
    if (rc == 0)
        snprintf(id, WG_UUID_STRLEN + 1, "%s", row->id);
    wg_store_instance_free(row);
    return rc;
}

static void put_get_replace_delete(void)
{
    wg_store_t *s = open_memory();
    char id[WG_UUID_STRLEN + 1];
    WG_CHECK_INT(insert(s, "a", id), 0);
    wg_buf_t out = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_session_get(s, id, &out), WG_ENOTFOUND);
    const uint8_t blob1[] = {0, 1, 2, 0, 255, 0};
    WG_CHECK_INT(wg_store_session_put(s, id, blob1, sizeof blob1), 0);
    WG_CHECK_INT(wg_store_session_get(s, id, &out), 0);
    WG_CHECK_INT(out.len, sizeof blob1);
    WG_CHECK(memcmp(out.p, blob1, sizeof blob1) == 0);
    /* replace with a larger blob */
    size_t big = 65536;
    uint8_t *blob2 = malloc(big);
    for (size_t i = 0; i < big; i++)
        blob2[i] = (uint8_t)(i * 7);
    WG_CHECK_INT(wg_store_session_put(s, id, blob2, big), 0);
    wg_buf_reset(&out);
    WG_CHECK_INT(wg_store_session_get(s, id, &out), 0);
    WG_CHECK_INT(out.len, big);
    WG_CHECK(out.len == big && memcmp(out.p, blob2, big) == 0);
    /* get appends */
    wg_buf_reset(&out);
    wg_buf_append(&out, "P", 1);
    WG_CHECK_INT(wg_store_session_put(s, id, blob1, sizeof blob1), 0);
    WG_CHECK_INT(wg_store_session_get(s, id, &out), 0);
    WG_CHECK_INT(out.len, 1 + sizeof blob1);
    /* delete, twice */
    WG_CHECK_INT(wg_store_session_delete(s, id), 0);
    WG_CHECK_INT(wg_store_session_delete(s, id), 0);
    wg_buf_reset(&out);
    WG_CHECK_INT(wg_store_session_get(s, id, &out), WG_ENOTFOUND);
    WG_CHECK_INT(out.len, 0);
    /* an empty blob is "no credentials" */
    WG_CHECK_INT(wg_store_session_put(s, id, (const uint8_t *)"", 0), 0);
    WG_CHECK_INT(wg_store_session_get(s, id, &out), WG_ENOTFOUND);
    free(blob2);
    wg_buf_free(&out);
    wg_store_close(s);
}

static void unknown_instance(void)
{
    wg_store_t *s = open_memory();
    wg_buf_t out = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_session_put(s, "00000000-0000-4000-8000-000000000000",
                                      (const uint8_t *)"x", 1),
                 WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_session_get(s, "00000000-0000-4000-8000-000000000000", &out),
                 WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_session_delete(s, "nope"), 0);
    wg_buf_free(&out);
    wg_store_close(s);
}

static void cascade_on_instance_delete(void)
{
    wg_store_t *s = open_memory();
    char a[WG_UUID_STRLEN + 1], b[WG_UUID_STRLEN + 1];
    WG_CHECK_INT(insert(s, "a", a), 0);
    WG_CHECK_INT(insert(s, "b", b), 0);
    WG_CHECK_INT(wg_store_session_put(s, a, (const uint8_t *)"AAA", 3), 0);
    WG_CHECK_INT(wg_store_session_put(s, b, (const uint8_t *)"BBB", 3), 0);
    WG_CHECK_INT(wg_store_instance_delete(s, a), 0);
    wg_buf_t out = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_session_get(s, a, &out), WG_ENOTFOUND); /* row went with it */
    WG_CHECK_INT(wg_store_session_get(s, b, &out), 0);            /* the other stays */
    WG_CHECK_STR(wg_buf_cstr(&out), "BBB");
    /* the deleted id cannot get a blob again */
    WG_CHECK_INT(wg_store_session_put(s, a, (const uint8_t *)"A", 1), WG_ENOTFOUND);
    wg_buf_free(&out);
    wg_store_close(s);
}

int main(void)
{
    WG_RUN(put_get_replace_delete);
    WG_RUN(unknown_instance);
    WG_RUN(cascade_on_instance_delete);
    return wg_test_done();
}
