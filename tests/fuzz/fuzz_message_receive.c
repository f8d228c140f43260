/* libFuzzer target: connd/message/receive's job on a real store (":memory:").
 * The input is a frame plaintext (binary node) run as a received stanza for
 * instance alice: group/status skmsg, LID attributes, retry counts,
 * <plaintext> protocol messages (REVOKE, edits) and reactions all reach the
 * code that applies them. Invariants: no crash or sanitizer report; a
 * stanza that is not STORED writes no message row; an event always has a
 * name; a retry receipt only comes with UNDECRYPTABLE. */
#include "message/receive.h"
#include "store/message.h"
#include "store/store.h"
#include "wa/binnode.h"
#include "wa/creds.h"
#include "wg_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wg_store_t *g_store;
static char g_id[64];
static wg_wa_creds_t g_creds;
static const uint8_t g_key[32] = {4};

static void setup(void)
{
    wg_log_threshold = WG_LOG_ERROR;
    if (wg_store_open(":memory:", &g_store, NULL) < 0)
        abort();
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT, *row = NULL;
    in.name = "alice";
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    if (wg_store_instance_insert(g_store, &in, &row) < 0)
        abort();
    memcpy(g_id, row->id, strlen(row->id) + 1);
    wg_store_instance_free(row);
    if (wg_wa_creds_generate(&g_creds) < 0)
        abort();
    g_creds.next_prekey_id = 10;
    strcpy(g_creds.me_jid, "15550001111:7@s.whatsapp.net");
    strcpy(g_creds.me_lid, "99887766:7@lid");
}

static int count_row(void *ud, const wg_store_message_row_t *r)
{
    (void)ud;
    (void)r;
    return 0;
}

static int64_t rows(void)
{
    wg_store_message_query_t q = {.from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 0};
    int64_t total = -1;
    if (wg_store_message_find(g_store, g_id, &q, count_row, NULL, &total) < 0)
        abort();
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_store)
        setup();
    wg_node_t *node = NULL;
    if (wg_node_decode(data, size, 1 << 16, &node) != 0)
        return 0;
    int64_t before = rows();
    /* the job takes the node as the session decoded it (link.c s_message) */
    wg_receive_job_t *j = wg_receive_job_new(g_id, "alice", &g_creds, g_key, node, 1);
    wg_receive_job_run(g_store, j);
    wg_receive_result_t r;
    wg_receive_job_result(j, &r);
    if (r.outcome != WG_RECEIVE_STORED && rows() != before)
        abort();
    if ((r.event != NULL) != (r.event_name != NULL))
        abort();
    if (r.retry_receipt && r.outcome != WG_RECEIVE_UNDECRYPTABLE)
        abort();
    wg_node_t *copy = wg_receive_retry_node(&r);
    if ((copy != NULL) != (r.retry_receipt != NULL))
        abort();
    wg_node_free(copy);
    wg_receive_job_free(j);
    return 0;
}
