/* Retry receipts for our messages (see retry.h). Never logs contents. */
#include "message/retry.h"
#include "signal/lid_map.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "link/link.h"
#include "message/stanza.h"
#include "signal/group.h"
#include "signal/pool.h"
#include "store/sender_key_memory.h"
#include "wa/jid.h"
#include "wa/ws_client.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

/* ------------------------------------------------------------ the cache */

typedef struct entry {
    char *instance_id;     /* owner */
    char *id;              /* message id */
    char *chat;            /* chat JID */
    char *sender;          /* group sender-key identity or NULL */
    bool is_group;         /* group message */
    wg_wa_out_kind_t kind; /* Message kind */
    bool key_from_me;      /* target key's fromMe */
    uint8_t *plain;        /* Message bytes (wiped on free) */
    size_t plain_len;      /* their length */
    struct entry *next;    /* newer entry */
    /* the strings and plain follow in the same block (one allocation per
     * message sent: a send remembers every message) */
} entry_t;

static entry_t *g_oldest, *g_newest;
static size_t g_count, g_bytes;

static void entry_free(entry_t *e)
{
    sodium_memzero(e->plain, e->plain_len);
    free(e); /* strings and plain are in its block */
}

static void drop_oldest(void)
{
    entry_t *e = g_oldest;
    g_oldest = e->next;
    if (!g_oldest)
        g_newest = NULL;
    g_count--;
    g_bytes -= e->plain_len;
    entry_free(e);
}

void wg_retry_remember(const wg_retry_sent_t *m)
{
    if (!m->plain || m->plain_len > WG_RETRY_CACHE_BYTES)
        return;
    while (g_oldest &&
           (g_count >= WG_RETRY_CACHE_MAX || g_bytes + m->plain_len > WG_RETRY_CACHE_BYTES))
        drop_oldest();
    int has_sender = m->sender && *m->sender;
    size_t li = strlen(m->instance_id) + 1, lid = strlen(m->id) + 1, lc = strlen(m->chat) + 1;
    size_t ls = has_sender ? strlen(m->sender) + 1 : 0;
    entry_t *e = wg_malloc(sizeof *e + m->plain_len + li + lid + lc + ls);
    *e = (entry_t){0};
    char *p = (char *)(e + 1);
    e->plain = (uint8_t *)p; /* first: the block's alignment is no concern for bytes */
    memcpy(e->plain, m->plain, m->plain_len);
    e->plain_len = m->plain_len;
    p += m->plain_len;
    e->instance_id = memcpy(p, m->instance_id, li);
    p += li;
    e->id = memcpy(p, m->id, lid);
    p += lid;
    e->chat = memcpy(p, m->chat, lc);
    p += lc;
    e->sender = has_sender ? memcpy(p, m->sender, ls) : NULL;
    e->is_group = m->is_group;
    e->kind = m->kind;
    e->key_from_me = m->key_from_me;
    if (g_newest)
        g_newest->next = e;
    else
        g_oldest = e;
    g_newest = e;
    g_count++;
    g_bytes += e->plain_len;
}

void wg_retry_forget(const char *instance_id)
{
    entry_t **pp = &g_oldest, *prev = NULL;
    while (*pp) {
        entry_t *e = *pp;
        if (!instance_id || strcmp(e->instance_id, instance_id) == 0) {
            *pp = e->next;
            g_count--;
            g_bytes -= e->plain_len;
            entry_free(e);
        } else {
            prev = e;
            pp = &e->next;
        }
    }
    g_newest = prev;
}

size_t wg_retry_cached(size_t *bytes)
{
    if (bytes)
        *bytes = g_bytes;
    return g_count;
}

static const entry_t *lookup(const char *instance_id, const char *id)
{
    for (const entry_t *e = g_oldest; e; e = e->next)
        if (strcmp(e->id, id) == 0 && strcmp(e->instance_id, instance_id) == 0)
            return e;
    return NULL;
}

/* ------------------------------------------------------------ parsing */

int wg_retry_parse(const wg_node_t *receipt, wg_retry_receipt_t *out)
{
    memset(out, 0, sizeof *out);
    const char *type = receipt ? wg_node_attr(receipt, "type") : NULL;
    if (!type || strcmp(receipt->tag, "receipt") != 0 || strcmp(type, "retry") != 0)
        return WG_EPROTO;
    out->id = wg_node_attr(receipt, "id");
    out->chat = wg_node_attr(receipt, "from");
    const char *participant = wg_node_attr(receipt, "participant");
    out->device = participant ? participant : out->chat;
    const wg_node_t *retry = wg_node_child(receipt, "retry");
    const char *count = retry ? wg_node_attr(retry, "count") : NULL;
    if (!out->id || !*out->id || !out->chat || !out->device || !count)
        return WG_EPROTO;
    char *end;
    unsigned long n = strtoul(count, &end, 10);
    if (end == count || *end || n == 0 || n > 1000)
        return WG_EPROTO;
    out->count = (unsigned)n;
    wg_jid_t j;
    if (wg_jid_parse(out->device, strlen(out->device), &j) != 0 || !j.user[0])
        return WG_EPROTO;
    const wg_node_t *keys = wg_node_child(receipt, "keys");
    if (keys)
        out->has_bundle =
            wg_send_read_bundle(keys, wg_node_child(receipt, "registration"), &out->bundle) == 0;
    return 0;
}

/* ------------------------------------------------------------ encryption */

static int same_user(const char *device, const char *bare)
{
    wg_jid_t a, b;
    if (!bare || !*bare || wg_jid_parse(device, strlen(device), &a) != 0 ||
        wg_jid_parse(bare, strlen(bare), &b) != 0)
        return 0;
    return strcmp(a.user, b.user) == 0 && strcmp(a.server, b.server) == 0;
}

int wg_retry_encrypt(wg_signal_t *sig, const wg_retry_sent_t *m, const char *device,
                     const wg_signal_bundle_t *bundle, const char *own_user_pn,
                     const char *own_user_lid, wg_signal_type_t *type, wg_buf_t *ct)
{
    wg_signal_addr_t a;
    if (wg_signal_addr_from_jid(device, &a) != 0)
        return WG_EINVAL;
    int rc = 0;
    if (bundle && (rc = wg_signal_process_bundle(sig, &a, bundle, NULL)) != 0)
        return rc;
    int has = wg_signal_has_session(sig, &a);
    if (has <= 0)
        return has < 0 ? has : WG_ESTATE;
    wg_buf_t msg = WG_BUF_INIT, wrapped = WG_BUF_INIT, skdm = WG_BUF_INIT;
    wg_buf_append(&msg, m->plain, m->plain_len);
    if (m->is_group) {
        /* that device cannot read our skmsg: merge the SKDM into the
         * Message (protobuf fields concatenate), as [B] does */
        wg_signal_addr_t self;
        if (!m->sender || wg_signal_addr_from_jid(m->sender, &self) != 0)
            rc = WG_ESTATE;
        else if ((rc = wg_signal_group_skdm(sig, m->chat, &self, &skdm)) == 0)
            wg_wa_msg_encode_skdm(m->chat, skdm.p, skdm.len, &msg);
    }
    const wg_buf_t *send = &msg;
    if (rc == 0 && !m->is_group &&
        (same_user(device, own_user_pn) || same_user(device, own_user_lid))) {
        wg_wa_msg_wrap_dsm(m->chat, msg.p, msg.len, &wrapped);
        send = &wrapped;
    }
    if (rc == 0)
        rc = wg_signal_encrypt(sig, &a, send->p, send->len, type, ct);
    sodium_memzero(msg.p, msg.len);
    if (wrapped.p)
        sodium_memzero(wrapped.p, wrapped.len);
    wg_buf_free(&msg);
    wg_buf_free(&wrapped);
    wg_buf_free(&skdm);
    return rc;
}

/* ------------------------------------------------------------ the resend */

typedef struct {
    wg_job_t job;              /* must be first */
    wg_connd_t *d;             /* daemon */
    char *instance_id;         /* owner */
    uint64_t generation;       /* connection the receipt came on */
    wg_wa_creds_t creds;       /* copy for the worker; wiped */
    uint8_t key[32];           /* vault key copy; wiped */
    entry_t m;                 /* copy of the cached message (owned fields) */
    char *device;              /* the device that asked */
    unsigned count;            /* its retry count */
    bool has_bundle;           /* bundle is valid */
    wg_signal_bundle_t bundle; /* its keys */
    wg_signal_type_t type;     /* result */
    wg_buf_t ct;               /* ciphertext */
    int rc;                    /* job result */
} retry_job_t;

static void view_of(const entry_t *e, wg_retry_sent_t *v)
{
    *v = (wg_retry_sent_t){e->instance_id, e->id,          e->chat,  e->is_group, e->sender,
                           e->kind,        e->key_from_me, e->plain, e->plain_len};
}

static void bare_of(const char *jid, char *out, size_t n)
{
    wg_jid_t j;
    out[0] = '\0';
    if (jid && *jid && wg_jid_parse(jid, strlen(jid), &j) == 0)
        snprintf(out, n, "%s@%s", j.user, j.server);
}

static void retry_run(void *worker_ctx, wg_job_t *job)
{
    retry_job_t *j = (retry_job_t *)job;
    wg_signal_t *sig = NULL;
    char pn[160], lid[160];
    bare_of(j->creds.me_jid, pn, sizeof pn);
    bare_of(j->creds.me_lid, lid, sizeof lid);
    j->rc = wg_signal_pool_get(worker_ctx, j->instance_id, j->key, &j->creds, &sig);
    if (j->rc == 0) {
        /* the session lives under the device's LID form once that is known
         * (signal/lid_map.h); the resend still goes to j->device */
        char dev_lid[160];
        const char *addr_dev = wg_lid_map_lookup_lid(worker_ctx, j->instance_id, j->device,
                                                     dev_lid, sizeof dev_lid) == 0
                                   ? dev_lid
                                   : j->device;
        wg_retry_sent_t v;
        view_of(&j->m, &v);
        j->rc = wg_retry_encrypt(sig, &v, addr_dev, j->has_bundle ? &j->bundle : NULL, pn, lid,
                                 &j->type, &j->ct);
    }
    if (j->rc == 0 && j->m.is_group)
        (void)wg_store_skmem_add(worker_ctx, j->instance_id, j->m.chat, j->device);
}

static void retry_free(retry_job_t *j)
{
    sodium_memzero(&j->creds, sizeof j->creds);
    sodium_memzero(j->key, sizeof j->key);
    if (j->m.plain)
        sodium_memzero(j->m.plain, j->m.plain_len);
    free(j->m.plain);
    free(j->m.instance_id);
    free(j->m.id);
    free(j->m.chat);
    free(j->m.sender);
    free(j->instance_id);
    free(j->device);
    wg_buf_free(&j->ct);
    free(j);
}

static void retry_done(wg_job_t *job)
{
    retry_job_t *j = (retry_job_t *)job;
    uint64_t g = j->generation;
    const wg_wa_creds_t *creds = NULL;
    wg_wa_session_t *s = wg_link_session(j->d, j->instance_id, &g, &creds);
    if (j->rc != 0 || !s) {
        wg_log(WG_LOG_WARN, "msg=\"retry resend failed\" instance_id=%s id=%s device=%s rc=%s",
               j->instance_id, j->m.id, j->device, s ? wg_strerror(j->rc) : "connection closed");
        retry_free(j);
        return;
    }
    wg_wa_msg_out_t kind = {.kind = j->m.kind};
    kind.key.remote_jid = j->m.chat;
    kind.key.from_me = j->m.key_from_me;
    char own_pn[160], own_lid[160];
    bare_of(creds->me_jid, own_pn, sizeof own_pn);
    bare_of(creds->me_lid, own_lid, sizeof own_lid);
    wg_send_stanza_t st = {.id = j->m.id,
                           .to = j->m.chat,
                           .msg = &kind,
                           .account = creds->account,
                           .account_len = creds->account_len,
                           .retry_count = j->count};
    /* [B]: a group resend names the device; a DM goes to the device, with
     * recipient=chat when it is one of ours */
    if (j->m.is_group) {
        st.participant = j->device;
    } else {
        st.to = j->device;
        if (same_user(j->device, own_pn) || same_user(j->device, own_lid))
            st.recipient = j->m.chat;
    }
    wg_send_enc_t enc = {j->device, wg_signal_type_name(j->type), j->ct.p, j->ct.len};
    wg_node_t *m = wg_send_build_stanza(&st, &enc, 1);
    int rc = wg_wa_session_send(s, m);
    wg_log(rc ? WG_LOG_WARN : WG_LOG_INFO,
           "msg=\"retry resend\" instance_id=%s id=%s device=%s count=%u sent=%s", j->instance_id,
           j->m.id, j->device, j->count, rc ? "no" : "yes");
    retry_free(j);
}

void wg_retry_on_receipt(wg_connd_t *d, const char *instance_id, const wg_node_t *receipt)
{
    wg_retry_receipt_t r;
    if (wg_retry_parse(receipt, &r) != 0) {
        wg_log(WG_LOG_DEBUG, "msg=\"malformed retry receipt\" instance_id=%s", instance_id);
        return;
    }
    const entry_t *e = lookup(instance_id, r.id);
    if (!e) {
        wg_log(WG_LOG_DEBUG, "msg=\"retry for a message not in the cache\" instance_id=%s id=%s",
               instance_id, r.id);
        return;
    }
    if (r.count > WG_RETRY_MAX) {
        wg_log(WG_LOG_INFO, "msg=\"retry given up\" instance_id=%s id=%s device=%s count=%u",
               instance_id, r.id, r.device, r.count);
        return;
    }
    uint64_t generation = 0;
    const wg_wa_creds_t *creds = NULL;
    if (!wg_link_session(d, instance_id, &generation, &creds))
        return;
    retry_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = retry_run;
    j->job.done = retry_done;
    j->d = d;
    j->instance_id = wg_strdup(instance_id);
    j->generation = generation;
    j->creds = *creds;
    memcpy(j->key, wg_link_vault_key(), sizeof j->key);
    j->m.instance_id = wg_strdup(e->instance_id);
    j->m.id = wg_strdup(e->id);
    j->m.chat = wg_strdup(e->chat);
    j->m.sender = e->sender ? wg_strdup(e->sender) : NULL;
    j->m.is_group = e->is_group;
    j->m.kind = e->kind;
    j->m.key_from_me = e->key_from_me;
    j->m.plain = wg_malloc(e->plain_len ? e->plain_len : 1);
    memcpy(j->m.plain, e->plain, e->plain_len);
    j->m.plain_len = e->plain_len;
    j->device = wg_strdup(r.device);
    j->count = r.count;
    j->has_bundle = r.has_bundle;
    j->bundle = r.bundle;
    wg_jobs_submit(d->jobs, &j->job);
}
