/* The receive job (see receive.h). Never logs message contents or keys. */
#include "message/receive.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message/json_text.h"
#include "signal/group.h"
#include "signal/lid_map.h"
#include "signal/pool.h"
#include "signal/signal.h"
#include "store/chat.h"
#include "store/contact.h"
#include "store/message.h"
#include "store/pending_event.h"
#include "wa/jid.h"
#include "wa/message.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"

struct wg_receive_job {
    wg_job_t job;                            /* must be first */
    char *instance_id;                       /* owner of the row (owned) */
    char *instance_name;                     /* for the event (owned) */
    const wg_wa_creds_t *creds;              /* share->creds */
    struct creds_share *share;               /* the copy it reads (a reference) */
    uint8_t vault_key[32];                   /* copy; wiped on free */
    wg_node_t *node;                         /* the stanza as the loop decoded it (owned; run
                                              * reads it, free frees it on the loop) */
    uint64_t generation;                     /* handed back */
    wg_receive_finish_cb finish;             /* loop-thread completion */
    void *ctx;                               /* its argument */
    wg_receive_outcome_t outcome;            /* result */
    char *id, *to, *participant, *recipient; /* receipt addressing (owned) */
    const char *receipt_type;                /* static string or NULL */
    const char *ack_error;                   /* static string or NULL */
    json_t *event;                           /* event data when STORED */
    const char *event_name;                  /* its name (static) */
    int64_t event_id;                        /* its pending_event row, 0 = none */
    int durable_event;                       /* commit the event with the message */
    int64_t event_at_ms;                     /* when it happened */
    wg_node_t *retry_receipt;                /* retry receipt to send, or NULL */
    uint32_t retry_prekey_id;                /* pre-key id handed out in it, or 0 */
    int track;                               /* update contact and chat (chat/track.h) */
    int read_messages;                       /* readMessages: incoming ones are not unread */
    int tracked;                             /* contact and chat were updated */
    wg_contact_change_t contact;             /* what happened to the contact */
    int chat_created;                        /* the chat row is new */
    int unread;                              /* the message counted as unread */
};

const char *wg_receive_source_of(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 20 && strncmp(id, "3A", 2) == 0)
        return "ios";
    if (n == 22 && strncmp(id, "3E", 2) == 0)
        return "web";
    if (n == 21 || n == 32)
        return "android";
    if ((n >= 2 && strncmp(id, "3F", 2) == 0) || n == 18)
        return "desktop";
    return "unknown";
}

/* ------------------------------------------------------------ messageRaw */

/* Evolution's messageRaw (evolution-api.md §3.1, §4.1) for an incoming
 * message; extendedTextMessage is normalised to conversation, its
 * contextInfo lifted beside the message as Evolution does. */
static json_t *message_raw(const wg_wa_msg_in_t *in, wg_wa_msg_content_t *c,
                           const char *instance_id, json_t **key_out, json_t **message_out)
{
    json_t *key = json_object();
    json_object_set_new(key, "remoteJid", json_string(in->chat));
    json_object_set_new(key, "fromMe", json_boolean(in->from_me));
    json_object_set_new(key, "id", json_string(in->id));
    if (in->participant && in->is_group)
        json_object_set_new(key, "participant", json_string(in->participant));
    if (in->is_group && in->participant_alt[0])
        json_object_set_new(key, "participantAlt", json_string(in->participant_alt));
    if (in->chat_alt[0])
        json_object_set_new(key, "remoteJidAlt", json_string(in->chat_alt));
    if (in->addressing_mode)
        json_object_set_new(key, "addressingMode", json_string(in->addressing_mode));
    json_t *message = json_incref(c->message);
    json_t *context = NULL;
    const char *type = c->message_type;
    json_t *ext = json_object_get(message, "extendedTextMessage");
    if (ext && json_is_string(json_object_get(ext, "text"))) {
        context = json_incref(json_object_get(ext, "contextInfo"));
        json_t *norm = json_deep_copy(message);
        json_object_del(norm, "extendedTextMessage");
        json_object_set(norm, "conversation", json_object_get(ext, "text"));
        json_decref(message);
        message = norm;
        type = "conversation";
    }
    json_t *raw = json_object();
    json_object_set(raw, "key", key);
    json_t *push_name = in->push_name ? json_string(in->push_name) : NULL; /* NULL: not UTF-8 */
    json_object_set_new(raw, "pushName", push_name ? push_name : json_string(""));
    json_object_set_new(raw, "status", json_string("DELIVERY_ACK"));
    json_object_set(raw, "message", message);
    if (context)
        json_object_set_new(raw, "contextInfo", context);
    json_object_set_new(raw, "messageType", json_string(type));
    json_object_set_new(raw, "messageTimestamp", json_integer(in->t));
    json_object_set_new(raw, "instanceId", json_string(instance_id));
    json_object_set_new(raw, "source", json_string(wg_receive_source_of(in->id)));
    *key_out = key;
    *message_out = message;
    return raw;
}

/* ------------------------------------------------------------ retry counts */

/* Retry receipts sent per (instance, message id, participant), in memory:
 * a bounded table whose oldest entry gives way (a forgotten count only
 * restarts at the count the peer resends with). */
#define RETRY_SLOTS 256
#define RETRY_KEY_MAX 320

static struct {
    char key[RETRY_KEY_MAX]; /* "instance/id/participant", "" = free */
    int count;               /* retry receipts sent */
    uint64_t used;           /* last touch, for eviction */
} g_retry[RETRY_SLOTS];
static uint64_t g_retry_clock;
static pthread_mutex_t g_retry_lock = PTHREAD_MUTEX_INITIALIZER;

static void retry_key(const wg_receive_job_t *j, char out[RETRY_KEY_MAX])
{
    snprintf(out, RETRY_KEY_MAX, "%s/%s/%s", j->instance_id, j->id ? j->id : "",
             j->participant ? j->participant : "");
}

/* The count of the next retry receipt: one more than what we sent or the
 * peer says it resent (whichever is higher), remembered. */
static int retry_next(const wg_receive_job_t *j, int peer_count)
{
    char key[RETRY_KEY_MAX];
    retry_key(j, key);
    pthread_mutex_lock(&g_retry_lock);
    size_t slot = 0;
    for (size_t i = 0; i < RETRY_SLOTS; i++) {
        if (strcmp(g_retry[i].key, key) == 0) {
            slot = i;
            break;
        }
        if (g_retry[i].used < g_retry[slot].used)
            slot = i;
    }
    if (strcmp(g_retry[slot].key, key) != 0) {
        snprintf(g_retry[slot].key, RETRY_KEY_MAX, "%s", key);
        g_retry[slot].count = 0;
    }
    int next = (g_retry[slot].count > peer_count ? g_retry[slot].count : peer_count) + 1;
    g_retry[slot].count = next;
    g_retry[slot].used = ++g_retry_clock;
    pthread_mutex_unlock(&g_retry_lock);
    return next;
}

static void retry_forget(const wg_receive_job_t *j)
{
    char key[RETRY_KEY_MAX];
    retry_key(j, key);
    pthread_mutex_lock(&g_retry_lock);
    for (size_t i = 0; i < RETRY_SLOTS; i++)
        if (strcmp(g_retry[i].key, key) == 0)
            memset(&g_retry[i], 0, sizeof g_retry[i]);
    pthread_mutex_unlock(&g_retry_lock);
}

static void be_bytes(uint8_t *out, uint32_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static wg_node_t *bytes_child(wg_node_t *parent, const char *tag, const void *p, size_t len)
{
    wg_node_t *c = wg_node_add_child(parent, wg_node_new(tag));
    wg_node_set_bytes(c, p, len);
    return c;
}

/* The retry receipt (§7.1 "Retry receipts"); with <keys> from count 2 on. */
static void retry_build(wg_receive_job_t *j, const wg_wa_msg_in_t *in, const char *t, int count)
{
    char num[16];
    wg_node_t *r = wg_node_new("receipt");
    wg_node_set_attr(r, "id", in->id);
    wg_node_set_attr(r, "to", in->from);
    if (in->participant)
        wg_node_set_attr(r, "participant", in->participant);
    if (in->recipient)
        wg_node_set_attr(r, "recipient", in->recipient);
    wg_node_set_attr(r, "type", "retry");
    if (in->category && strcmp(in->category, "peer") == 0)
        wg_node_set_attr(r, "category", "peer");
    wg_node_t *retry = wg_node_add_child(r, wg_node_new("retry"));
    snprintf(num, sizeof num, "%d", count);
    wg_node_set_attr(retry, "count", num);
    wg_node_set_attr(retry, "id", in->id);
    wg_node_set_attr(retry, "t", t ? t : "0");
    wg_node_set_attr(retry, "v", "1");
    wg_node_set_attr(retry, "error", "0");
    uint8_t b4[4], b3[3];
    be_bytes(b4, j->creds->registration_id, 4);
    bytes_child(r, "registration", b4, 4);
    if (count > 1) {
        wg_node_t *keys = wg_node_add_child(r, wg_node_new("keys"));
        bytes_child(keys, "type", "\x05", 1);
        bytes_child(keys, "identity", j->creds->identity_pub, 32);
        /* a fresh one-time pre-key: the next id, not uploaded yet */
        uint32_t id = j->creds->next_prekey_id ? j->creds->next_prekey_id & 0xFFFFFF : 1;
        uint8_t priv[32], pub[32];
        wg_wa_creds_prekey(j->creds, id, priv, pub);
        sodium_memzero(priv, sizeof priv);
        wg_node_t *key = wg_node_add_child(keys, wg_node_new("key"));
        be_bytes(b3, id, 3);
        bytes_child(key, "id", b3, 3);
        bytes_child(key, "value", pub, 32);
        j->retry_prekey_id = id;
        wg_node_t *skey = wg_node_add_child(keys, wg_node_new("skey"));
        be_bytes(b3, j->creds->spk_id, 3);
        bytes_child(skey, "id", b3, 3);
        bytes_child(skey, "value", j->creds->spk_pub, 32);
        bytes_child(skey, "signature", j->creds->spk_sig, 64);
        bytes_child(keys, "device-identity", j->creds->account, j->creds->account_len);
    }
    j->retry_receipt = r;
}

wg_node_t *wg_receive_retry_node(const wg_receive_result_t *r)
{
    return r && r->retry_receipt ? wg_node_copy(r->retry_receipt) : NULL;
}

/* ------------------------------------------------------------ the commit step */

typedef struct {
    wg_receive_job_t *j;      /* the job */
    wg_store_t *store;        /* the worker's store */
    const wg_wa_msg_in_t *in; /* the stanza */
} commit_t;

/* The stored row of key_id in this chat: its key and message objects. */
typedef struct {
    json_t *key;     /* parsed key_json, or NULL */
    json_t *message; /* parsed message_json, or NULL */
} target_t;

static int target_row(void *ud, const wg_store_message_row_t *r)
{
    target_t *t = ud;
    t->key = json_loads(r->key_json, 0, NULL);
    t->message = json_loads(r->message_json, 0, NULL);
    return 1; /* the first is enough */
}

/* The user part of a JID text ("" when unparseable), for author checks. */
static void user_of(const char *jid, char out[WG_JID_USER_MAX + 1])
{
    wg_jid_t j;
    out[0] = '\0';
    if (jid && wg_jid_parse(jid, strlen(jid), &j) == 0)
        memcpy(out, j.user, strlen(j.user) + 1);
}

/* Whether the stanza's author wrote the target: the same side in a 1:1
 * chat, the same participant user in a group. */
static int same_author(const commit_t *c, json_t *key)
{
    if (!c->in->is_group)
        return json_is_true(json_object_get(key, "fromMe")) == c->in->from_me;
    char a[WG_JID_USER_MAX + 1], b[WG_JID_USER_MAX + 1];
    user_of(json_string_value(json_object_get(key, "participant")), a);
    user_of(c->in->participant, b);
    return a[0] && strcmp(a, b) == 0;
}

/* The target row of a protocol message in this chat; with author_only,
 * only when the stanza's author wrote it (edits; group admins may revoke
 * others' messages, so revokes check the chat alone). */
static int find_target(commit_t *c, const char *key_id, int author_only, target_t *t)
{
    memset(t, 0, sizeof *t);
    if (!key_id)
        return WG_ENOTFOUND;
    wg_store_message_query_t q = {
        .key_id = key_id, .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 1};
    int rc = wg_store_message_find(c->store, c->j->instance_id, &q, target_row, t, NULL);
    if (rc < 0 && rc != 1)
        return rc;
    const char *chat = json_string_value(json_object_get(t->key, "remoteJid"));
    if (!t->key || !chat || strcmp(chat, c->in->chat) != 0 ||
        (author_only && !same_author(c, t->key)) ||
        (!c->in->is_group && !same_author(c, t->key))) {
        /* never touch a row of another chat or author (a forged key id) */
        json_decref(t->key);
        json_decref(t->message);
        memset(t, 0, sizeof *t);
        return WG_ENOTFOUND;
    }
    return 0;
}

static void set_event(wg_receive_job_t *j, const char *name, json_t *data)
{
    json_decref(j->event);
    j->event = data;
    j->event_name = name;
}

/* protocolMessage (§7.4): REVOKE and MESSAGE_EDIT change the target row
 * and announce it; the rest is receipted without an event. */
static int apply_protocol(commit_t *c, wg_wa_msg_content_t *content)
{
    wg_receive_job_t *j = c->j;
    json_t *pm = json_object_get(content->message, "protocolMessage");
    target_t t;
    int rc = 0;
    j->outcome = WG_RECEIVE_STORED;
    switch (content->protocol_type) {
    case WG_WA_PROTOCOL_REVOKE:
        rc = find_target(c, content->target_id, 0, &t);
        if (rc == 0) {
            rc = wg_store_message_set_status(c->store, j->instance_id, content->target_id,
                                             "DELETED");
            if (rc == 0)
                set_event(j, "messages.delete", json_incref(t.key));
        } else if (rc == WG_ENOTFOUND) {
            /* not ours to change, still Evolution's event with the key given */
            json_t *key = json_deep_copy(json_object_get(pm, "key"));
            if (key && !json_object_get(key, "remoteJid"))
                json_object_set_new(key, "remoteJid", json_string(c->in->chat));
            if (key)
                set_event(j, "messages.delete", key);
            rc = 0;
        }
        break;
    case WG_WA_PROTOCOL_MESSAGE_EDIT:
        rc = find_target(c, content->target_id, 1, &t);
        if (rc == 0 && content->edited) {
            char *text = json_dumps(content->edited, JSON_COMPACT);
            rc = text ? wg_store_message_set_content(c->store, j->instance_id,
                                                     content->target_id, text)
                      : WG_EPROTO;
            free(text);
        } else if (rc == WG_ENOTFOUND) {
            rc = 0;
        }
        if (rc == 0)
            set_event(j, "messages.edited", json_incref(pm));
        break;
    default:
        /* history sync notification, app-state key share, ephemeral
         * setting...: their own features, out of this module's scope */
        wg_log(WG_LOG_DEBUG, "msg=\"protocol message receipted\" instance=%s id=%s type=%d",
               j->instance_name, c->in->id, content->protocol_type);
        return 0;
    }
    json_decref(t.key);
    json_decref(t.message);
    return rc;
}

/* The contact and chat of a stored message (connd/chat/track.h), in the
 * message's own transaction instead of a job of their own. A failure is
 * logged and leaves the message stored, as when they were a separate job. */
static void track(commit_t *c, json_t *raw)
{
    wg_receive_job_t *j = c->j;
    const wg_wa_msg_in_t *in = c->in;
    if (!j->track)
        return;
    const char *push = json_string_value(json_object_get(raw, "pushName"));
    if (push && !*push)
        push = NULL;
    const char *sender =
        in->from_me ? NULL : (in->is_group && in->participant ? in->participant : in->chat);
    int group = strstr(in->chat, "@g.us") != NULL;
    j->unread = !in->from_me && !j->read_messages;
    int rc = sender ? wg_store_contact_upsert(c->store, j->instance_id, sender, push, &j->contact)
                    : 0;
    if (rc == 0)
        rc = wg_store_chat_touch(c->store, j->instance_id, in->chat,
                                 group || !sender ? NULL : push, in->t, j->unread,
                                 &j->chat_created);
    if (rc) {
        wg_log(WG_LOG_WARN, "msg=\"contact/chat not stored\" instance=%s rc=%d",
               j->instance_name, rc);
        j->contact = WG_CONTACT_UNCHANGED;
        j->chat_created = 0;
        return;
    }
    j->tracked = 1;
}

/* Inserts the row of a decoded message (or applies a protocol message);
 * runs inside the batch for <enc>, alone for <plaintext>. 0 or WG_E*. */
static int apply_content(commit_t *c, wg_wa_msg_content_t *content)
{
    if (content->protocol_type >= 0)
        return apply_protocol(c, content);
    json_t *key = NULL, *message = NULL;
    json_t *raw = message_raw(c->in, content, c->j->instance_id, &key, &message);
    char key_buf[512], message_buf[2048], *key_spill, *message_spill;
    const char *key_json = wg_json_text(key, key_buf, sizeof key_buf, &key_spill);
    const char *message_json =
        wg_json_text(message, message_buf, sizeof message_buf, &message_spill);
    wg_store_message_t row = {
        .key_id = c->in->id,
        .remote_jid = c->in->chat,
        .from_me = c->in->from_me,
        .participant = c->in->is_group ? c->in->participant : NULL,
        .push_name = c->in->push_name,
        .message_type = json_string_value(json_object_get(raw, "messageType")),
        .key_json = key_json,
        .message_json = message_json,
        .message_timestamp = c->in->t,
        .status = "DELIVERY_ACK",
        .source = wg_receive_source_of(c->in->id),
    };
    int inserted = 0;
    int rc = key_json && message_json
                 ? wg_store_message_insert(c->store, c->j->instance_id, &row, &inserted, NULL, NULL)
                 : WG_EPROTO;
    if (rc == 0) {
        c->j->outcome = inserted ? WG_RECEIVE_STORED : WG_RECEIVE_DUPLICATE;
        /* a bare sender-key distribution carries nothing to announce */
        if (inserted && strcmp(content->message_type, "senderKeyDistributionMessage") != 0) {
            set_event(c->j, "messages.upsert", json_incref(raw));
            track(c, raw);
        }
    }
    free(key_spill);
    free(message_spill);
    json_decref(key);
    json_decref(message);
    json_decref(raw);
    return rc;
}

/* The event, if any, as a pending_event row in the open transaction: it
 * becomes durable with the message, so a crash after the commit (when the
 * receipt may be out and the server never redelivers) still publishes it
 * at the next start (connd/events/pending.c). 0 or WG_E*. */
static int make_durable(commit_t *c)
{
    wg_receive_job_t *j = c->j;
    j->event_at_ms = wg_now_ms();
    if (!j->event || !j->durable_event)
        return 0;
    /* into a stack buffer as the row's JSON is: json_dumps grew a heap
     * buffer from 16 bytes by doubling, then copied it out */
    char buf[4096], *spill;
    const char *data = wg_json_text(j->event, buf, sizeof buf, &spill);
    if (!data)
        return WG_EPROTO;
    wg_store_pending_event_t ev = {.instance_id = j->instance_id,
                                   .instance_name = j->instance_name,
                                   .name = j->event_name,
                                   .data_json = data,
                                   .at_ms = j->event_at_ms};
    int rc = wg_store_pending_event_add(c->store, &ev, &j->event_id);
    free(spill);
    return rc;
}

static void nack(wg_receive_job_t *j, int rc, const char *code)
{
    j->outcome = WG_RECEIVE_UNDECRYPTABLE;
    j->ack_error = code;
    wg_log(WG_LOG_WARN, "msg=\"message not decrypted\" instance=%s id=%s err=\"%s\" nack=%s",
           j->instance_name, j->id ? j->id : "-", wg_strerror(rc), code);
}

/* ------------------------------------------------------------ addressing */

/* Records lid <-> pn and, the first time the pair is learned, moves pn's
 * Signal sessions to the LID address (whatsmeow and Baileys migrate once;
 * a PN session made later, e.g. by a sender not yet LID-aware, stays and is
 * the fallback in decrypt_pairwise). 0 or WG_E*. */
static int learn(commit_t *c, wg_signal_t *sig, const char *lid, const char *pn)
{
    int rc = wg_lid_map_record(c->store, c->j->instance_id, lid, pn);
    if (rc == WG_EINVAL)
        return 0; /* hosted or odd forms: not mapped */
    if (rc != 1)
        return rc;
    rc = wg_lid_map_migrate_sessions(sig, pn, lid);
    if (rc > 0)
        wg_log(WG_LOG_INFO, "msg=\"signal sessions moved to LID\" instance=%s count=%d",
               c->j->instance_name, rc);
    return rc < 0 ? rc : 0;
}

/* Learns the LID <-> PN pairs this stanza and our credentials state
 * (Baileys storeMappingFromEnvelope / handleMessage), and picks the address
 * pkmsg/msg decrypt under: the author's LID device when the mapping is
 * known (getDecryptionJid), else the author as named. *pn_addr gets the
 * author's own address when that differs (a fallback), else its name is
 * left empty. */
static int address_sender(commit_t *c, wg_signal_t *sig, wg_signal_addr_t *addr,
                          wg_signal_addr_t *pn_addr)
{
    const wg_wa_msg_in_t *in = c->in;
    int rc = 0;
    memset(pn_addr, 0, sizeof *pn_addr);
    if (c->j->creds->me_lid[0] && c->j->creds->me_jid[0])
        rc = learn(c, sig, c->j->creds->me_lid, c->j->creds->me_jid);
    /* the primary form the stanza used, and its alternate */
    const char *primary = in->is_group ? in->participant : in->chat;
    const char *alt = in->is_group ? in->participant_alt : in->chat_alt;
    if (rc == 0 && primary && alt[0])
        rc = strstr(primary, "@lid") ? learn(c, sig, primary, alt) : learn(c, sig, alt, primary);
    if (rc < 0)
        return rc;
    char lid[160];
    if (wg_lid_map_lookup_lid(c->store, c->j->instance_id, in->sender, lid, sizeof lid) == 0 &&
        wg_signal_addr_from_jid(lid, addr) == 0) {
        if (wg_signal_addr_from_jid(in->sender, pn_addr) != 0)
            memset(pn_addr, 0, sizeof *pn_addr);
        return 0;
    }
    return wg_signal_addr_from_jid(in->sender, addr) == 0 ? 0 : WG_EPROTO;
}

/* A pkmsg/msg under the LID address, or when that fails and the author's
 * PN address has a session, under that one. */
static int decrypt_pairwise(wg_signal_t *sig, const wg_signal_addr_t *addr,
                            const wg_signal_addr_t *pn_addr, wg_signal_type_t type,
                            const wg_wa_enc_t *e, wg_buf_t *plain)
{
    int rc = wg_signal_decrypt(sig, addr, type, e->ct, e->len, plain, NULL);
    if (rc != 0 && rc != WG_EDB && rc != WG_EEXIST && pn_addr->name[0] &&
        wg_signal_has_session(sig, pn_addr) == 1)
        rc = wg_signal_decrypt(sig, pn_addr, type, e->ct, e->len, plain, NULL);
    return rc;
}

/* ------------------------------------------------------------ the job */

/* Decrypts every <enc> in order inside the open batch, processing SKDMs
 * as they come, and applies the content. 0 or WG_E*. */
static int decrypt_all(commit_t *c, wg_signal_t *sig)
{
    const wg_wa_msg_in_t *in = c->in;
    wg_signal_addr_t addr, pn_addr, author;
    int rc = address_sender(c, sig, &addr, &pn_addr);
    if (rc == 0 && wg_signal_addr_from_jid(in->sender, &author) != 0)
        rc = WG_EPROTO;
    wg_wa_msg_content_t best;
    memset(&best, 0, sizeof best);
    int have = 0;
    for (size_t i = 0; rc == 0 && i < in->n_enc; i++) {
        const wg_wa_enc_t *e = &in->enc[i];
        wg_signal_type_t type;
        wg_buf_t plain = WG_BUF_INIT;
        if (wg_signal_type_parse(e->type, &type) != 0)
            continue; /* msmsg was refused before; other types carry nothing for us */
        if (type == WG_SIGNAL_SKMSG)
            rc = in->is_group ? wg_signal_group_decrypt(sig, in->chat, &author, e->ct, e->len,
                                                        &plain)
                              : WG_EPROTO;
        else
            rc = decrypt_pairwise(sig, &addr, &pn_addr, type, e, &plain);
        wg_wa_msg_content_t content;
        if (rc == 0)
            rc = wg_wa_msg_decode(plain.p ? plain.p : (const uint8_t *)"", plain.len, &content);
        if (plain.p)
            sodium_memzero(plain.p, plain.cap);
        wg_buf_free(&plain);
        if (rc)
            break;
        if (content.skdm) {
            const char *group = content.skdm_group ? content.skdm_group : in->chat;
            int sk = wg_signal_group_process_skdm(sig, group, &author, content.skdm,
                                                  content.skdm_len);
            if (sk == WG_EDB) {
                rc = sk;
            } else if (sk) {
                wg_log(WG_LOG_WARN, "msg=\"sender key distribution not processed\" "
                                    "instance=%s id=%s err=\"%s\"",
                       c->j->instance_name, in->id, wg_strerror(sk));
            }
        }
        /* the content is the last part that is more than an SKDM (Baileys
         * merges the parts; in practice one carries the message) */
        int bare = strcmp(content.message_type, "senderKeyDistributionMessage") == 0;
        if (rc == 0 && (!have || !bare)) {
            wg_wa_msg_content_free(&best);
            best = content;
            have = 1;
        } else {
            wg_wa_msg_content_free(&content);
        }
    }
    if (rc == 0 && !have)
        rc = WG_EPROTO;
    if (rc == 0)
        rc = apply_content(c, &best);
    if (rc == 0)
        rc = make_durable(c);
    if (have)
        wg_wa_msg_content_free(&best);
    return rc;
}

/* A decrypt failure: a retry receipt while retries are left, then the
 * nack (Baileys sends both; the retry receipt is what makes the sender
 * re-encrypt). */
static void failed(wg_receive_job_t *j, const wg_wa_msg_in_t *in, const char *t, int rc)
{
    int peer_count = 0;
    for (size_t i = 0; i < in->n_enc; i++)
        if (in->enc[i].count > peer_count)
            peer_count = in->enc[i].count;
    int count = retry_next(j, peer_count);
    if (count <= WG_RECEIVE_MAX_RETRIES) {
        retry_build(j, in, t, count);
    } else {
        retry_forget(j);
        wg_log(WG_LOG_WARN, "msg=\"message retries exhausted\" instance=%s id=%s",
               j->instance_name, in->id);
    }
    nack(j, rc, "500");
}

void wg_receive_job_run(void *worker_ctx, wg_receive_job_t *j)
{
    wg_store_t *store = worker_ctx;
    /* The node stays the job's: the loop frees it with the job. Its chunks
     * come from the loop's malloc arena; freed here they went back to that
     * arena under its lock and filled its fastbins, which the loop's next
     * large free or allocation then consolidated. */
    const wg_node_t *node = j->node;
    wg_wa_msg_in_t in;
    wg_signal_t *sig = NULL;
    int rc = node ? wg_wa_msg_in_parse(node, j->creds->me_jid, j->creds->me_lid, &in) : WG_EINVAL;
    if (rc) {
        /* unparseable: nack it (487) when it can be addressed at all */
        const char *id = node ? wg_node_attr(node, "id") : NULL;
        const char *from = node ? wg_node_attr(node, "from") : NULL;
        if (id && from) {
            j->id = wg_strdup(id);
            j->to = wg_strdup(from);
        }
        nack(j, rc, "487");
        goto done;
    }
    j->id = wg_strdup(in.id);
    j->to = wg_strdup(in.from);
    j->participant = in.participant ? wg_strdup(in.participant) : NULL;
    j->recipient = in.recipient ? wg_strdup(in.recipient) : NULL;
    j->receipt_type = in.from_me
                          ? "sender"
                          : (in.category && strcmp(in.category, "peer") == 0 ? "peer_msg" : NULL);
    commit_t c = {j, store, &in};
    if (!in.n_enc) {
        wg_wa_msg_content_t content;
        rc = wg_wa_msg_decode(in.plaintext, in.plaintext_len, &content);
        if (rc == 0) {
            /* row and event in one transaction, as the batch does for <enc> */
            rc = wg_store_begin(store);
            if (rc == 0) {
                rc = apply_content(&c, &content);
                if (rc == 0)
                    rc = make_durable(&c);
                rc = rc ? (wg_store_rollback(store), rc) : wg_store_commit(store);
            }
            wg_wa_msg_content_free(&content);
        }
        if (rc) {
            set_event(j, NULL, NULL);
            j->event_id = 0;
        }
        if (rc == WG_EPROTO)
            nack(j, rc, "491");
        else if (rc)
            j->outcome = WG_RECEIVE_RETRY_LATER;
        goto done;
    }
    for (size_t i = 0; i < in.n_enc; i++) {
        if (strcmp(in.enc[i].type, "msmsg") == 0) { /* [B] NACKs them: MissingMessageSecret */
            nack(j, WG_EPROTO, "495");
            goto done;
        }
        if (in.enc[i].v[0] && strcmp(in.enc[i].v, "2") != 0) { /* v=3: not Signal-padded */
            nack(j, WG_EPROTO, "488");
            goto done;
        }
    }
    /* Inside a group commit the batch's ratchet steps are written back
     * (signal.h wg_signal_set_write_back): a session's record is sealed and
     * written once per group, before its COMMIT (so before any receipt of
     * the group goes out), not once per message; a failed batch still
     * undoes its own steps. */
    rc = wg_signal_pool_get(store, j->instance_id, j->vault_key, j->creds, &sig);
    if (rc == 0) {
        wg_signal_set_write_back(sig, 1);
        rc = wg_signal_batch_begin(sig);
        if (rc == 0)
            rc = wg_signal_batch_end(sig, decrypt_all(&c, sig));
        wg_signal_set_write_back(sig, 0);
    }
    if (rc == 0) {
        retry_forget(j);
        goto done;
    }
    /* nothing was committed: no ratchet step, no SKDM, no row, no event */
    set_event(j, NULL, NULL);
    j->event_id = 0;
    j->outcome = WG_RECEIVE_RETRY_LATER;
    if (rc == WG_EDB)
        goto done;
    if (rc == WG_EEXIST) {
        /* the ratchet was committed before, and with it this message */
        j->outcome = WG_RECEIVE_DUPLICATE;
        goto done;
    }
    failed(j, &in, wg_node_attr(node, "t"), rc);
done:
    j->job.rc = rc;
}

/* ------------------------------------------------------------ job plumbing */

/* A job reads the instance's credentials on the worker while the loop may
 * change them, so each job had a copy of its own: 1.9 KiB copied, wiped and
 * freed per received message, and an allocation too large for malloc's
 * per-thread cache (each one consolidated the fastbins). The jobs of one
 * instance now share a copy while the credentials stay the same: a new
 * copy when they differ, the old one freed (wiped) with its last job. The
 * shares live on the thread that creates and frees jobs (the loop); the
 * worker only reads a share its job holds, which nobody changes. */
typedef struct creds_share {
    struct creds_share *next; /* g_shares list */
    char *instance_id;        /* whose (owned) */
    int refs;                 /* jobs holding it */
    int current;              /* the latest copy of instance_id (others go with their last job) */
    wg_wa_creds_t creds;      /* the copy; wiped on free */
} creds_share_t;

static creds_share_t *g_shares; /* current ones, and older ones still held */

static void share_unlink_free(creds_share_t *sh)
{
    for (creds_share_t **pp = &g_shares; *pp; pp = &(*pp)->next)
        if (*pp == sh) {
            *pp = sh->next;
            break;
        }
    free(sh->instance_id);
    sodium_memzero(sh, sizeof *sh);
    free(sh);
}

/* A reference to a copy of creds for instance_id. */
static creds_share_t *share_get(const char *instance_id, const wg_wa_creds_t *creds)
{
    creds_share_t *sh = g_shares;
    while (sh && !(sh->current && strcmp(sh->instance_id, instance_id) == 0))
        sh = sh->next;
    /* plain memcmp: both sides are our own keys, nothing an attacker can time
     * (sodium_memcmp's constant-time loop cost more than the copy it saves) */
    if (sh && memcmp(&sh->creds, creds, sizeof *creds) == 0) {
        sh->refs++;
        return sh;
    }
    if (sh) { /* the credentials changed: the old copy goes with its last job */
        sh->current = 0;
        if (!sh->refs)
            share_unlink_free(sh);
    }
    sh = wg_calloc(1, sizeof *sh);
    sh->instance_id = wg_strdup(instance_id);
    sh->refs = 1;
    sh->current = 1;
    sh->creds = *creds;
    sh->next = g_shares;
    g_shares = sh;
    return sh;
}

/* Drops a job's reference; the last one frees the copy (no job is left to
 * need it, and credentials are not kept longer than their jobs). */
static void share_put(creds_share_t *sh)
{
    if (sh && --sh->refs == 0)
        share_unlink_free(sh);
}

wg_receive_job_t *wg_receive_job_new(const char *instance_id, const char *instance_name,
                                     const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                                     wg_node_t *node, uint64_t generation)
{
    wg_receive_job_t *j = wg_calloc(1, sizeof *j);
    j->instance_id = wg_strdup(instance_id);
    j->instance_name = wg_strdup(instance_name ? instance_name : "");
    j->share = share_get(j->instance_id, creds);
    j->creds = &j->share->creds;
    memcpy(j->vault_key, vault_key, sizeof j->vault_key);
    j->node = node;
    j->generation = generation;
    j->outcome = WG_RECEIVE_RETRY_LATER;
    j->durable_event = 1;
    return j;
}

void wg_receive_job_set_durable(wg_receive_job_t *j, int durable_event)
{
    j->durable_event = durable_event;
}

void wg_receive_job_result(const wg_receive_job_t *j, wg_receive_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->outcome = j->outcome;
    r->rc = j->job.rc;
    r->instance_id = j->instance_id;
    r->instance_name = j->instance_name;
    r->generation = j->generation;
    r->id = j->id;
    r->to = j->to;
    r->participant = j->participant;
    r->recipient = j->recipient;
    r->receipt_type = j->receipt_type;
    r->ack_error = j->ack_error;
    r->event = j->event;
    r->event_name = j->event ? j->event_name : NULL;
    r->event_id = j->event ? j->event_id : 0;
    r->event_at_ms = j->event_at_ms;
    if (r->rc == WG_EDB && (r->outcome == WG_RECEIVE_STORED || r->outcome == WG_RECEIVE_DUPLICATE)) {
        /* the group commit failed (core/jobs.h): nothing of it is durable,
         * so no receipt and no event; the server delivers it again */
        r->outcome = WG_RECEIVE_RETRY_LATER;
        r->event = NULL;
        r->event_name = NULL;
        r->event_id = 0;
    }
    r->retry_receipt = j->retry_receipt;
    r->retry_prekey_id = j->retry_prekey_id;
    r->tracked = r->event && j->track;
    r->track_stored = r->event && j->tracked;
    r->contact = j->contact;
    r->chat_created = j->chat_created;
    r->unread = j->unread;
}

void wg_receive_job_free(wg_receive_job_t *j)
{
    if (!j)
        return;
    free(j->instance_id);
    free(j->instance_name);
    free(j->id);
    free(j->to);
    free(j->participant);
    free(j->recipient);
    json_decref(j->event);
    wg_node_free(j->retry_receipt);
    wg_node_free(j->node); /* the stanza, freed on the thread that decoded it */
    share_put(j->share);
    sodium_memzero(j, sizeof *j);
    free(j);
}

static void job_run(void *worker_ctx, wg_job_t *job)
{
    wg_receive_job_run(worker_ctx, (wg_receive_job_t *)job);
}

static void job_done(wg_job_t *job)
{
    wg_receive_job_t *j = (wg_receive_job_t *)job;
    wg_receive_result_t r;
    wg_receive_job_result(j, &r);
    j->finish(j->ctx, &r);
    wg_receive_job_free(j);
}

void wg_receive_submit(wg_jobs_t *jobs, const char *instance_id, const char *instance_name,
                       const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                       wg_node_t *node, uint64_t generation, int durable_event,
                       int read_messages, wg_receive_finish_cb finish, void *ctx)
{
    wg_receive_job_t *j =
        wg_receive_job_new(instance_id, instance_name, creds, vault_key, node, generation);
    j->durable_event = durable_event;
    j->track = 1;
    j->read_messages = read_messages;
    j->job.run = job_run;
    j->job.done = job_done;
    j->finish = finish;
    j->ctx = ctx;
    wg_jobs_submit(jobs, &j->job);
}
