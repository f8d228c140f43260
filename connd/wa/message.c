/* <message> stanzas and WAProto Message bodies (see message.h). Never logs
 * message contents. */
#include "wa/message.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa/jid.h"
#include "waproto.pb-c.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_random.h"

#define QUOTE_DEPTH 2 /* a quoted message's own quote is kept, one more is dropped */
#define WRAP_DEPTH 4  /* FutureProofMessage wrappers unwrapped (ephemeral(viewOnce(...))) */

/* ------------------------------------------------------------ stanza */

/* user@server of a JID text (device and agent dropped) into out. */
static int bare_jid(const char *text, char *out, size_t n, wg_jid_t *parsed)
{
    return wg_jid_bare_text(text, out, n, parsed) == 0 ? 0 : WG_EPROTO;
}

static bool same_user(const wg_jid_t *a, const char *mine)
{
    wg_jid_t m;
    if (!mine || !*mine || wg_jid_parse(mine, strlen(mine), &m) != 0)
        return false;
    return strcmp(a->user, m.user) == 0 && wg_jid_is_lid(a) == wg_jid_is_lid(&m);
}

int wg_wa_msg_in_parse(const wg_node_t *node, const char *me_jid, const char *me_lid,
                       wg_wa_msg_in_t *out)
{
    memset(out, 0, sizeof *out);
    if (!node || strcmp(node->tag, "message") != 0)
        return WG_EPROTO;
    out->id = wg_node_attr(node, "id");
    out->from = wg_node_attr(node, "from");
    if (!out->id || !*out->id || strlen(out->id) > 128 || !out->from)
        return WG_EPROTO;
    for (const char *c = out->id; *c; c++) /* ids are printable ASCII (they go into JSON) */
        if (*c <= ' ' || *c > '~')
            return WG_EPROTO;
    out->participant = wg_node_attr(node, "participant");
    out->recipient = wg_node_attr(node, "recipient");
    out->push_name = wg_node_attr(node, "notify");
    out->addressing_mode = wg_node_attr(node, "addressing_mode");
    if (out->addressing_mode && strcmp(out->addressing_mode, "lid") != 0 &&
        strcmp(out->addressing_mode, "pn") != 0)
        out->addressing_mode = NULL;
    out->category = wg_node_attr(node, "category");
    const char *t = wg_node_attr(node, "t");
    out->t = t ? strtoll(t, NULL, 10) : 0;
    if (out->t < 0)
        out->t = 0;

    wg_jid_t from, author;
    if (wg_jid_parse(out->from, strlen(out->from), &from) != 0)
        return WG_EPROTO;
    out->is_group = wg_jid_is_group(&from) || wg_jid_is_broadcast(&from);
    if (out->is_group) {
        if (!out->participant || bare_jid(out->from, out->chat, sizeof out->chat, NULL) != 0)
            return WG_EPROTO;
        out->sender = out->participant;
        if (wg_jid_parse(out->participant, strlen(out->participant), &author) != 0)
            return WG_EPROTO;
        out->from_me = same_user(&author, me_jid) || same_user(&author, me_lid);
        const char *alt = wg_node_attr(node, wg_jid_is_lid(&author) ? "participant_pn"
                                                                   : "participant_lid");
        if (alt && bare_jid(alt, out->participant_alt, sizeof out->participant_alt, NULL) != 0)
            out->participant_alt[0] = '\0';
    } else {
        out->sender = out->from;
        author = from;
        out->from_me = same_user(&author, me_jid) || same_user(&author, me_lid);
        const char *chat = out->from_me && out->recipient ? out->recipient : out->from;
        if (bare_jid(chat, out->chat, sizeof out->chat, NULL) != 0)
            return WG_EPROTO;
        /* the other form of the chat's address (LID <-> phone number) */
        const char *alt = wg_jid_is_lid(&from) ? wg_node_attr(node, "sender_pn")
                                               : wg_node_attr(node, "sender_lid");
        if (out->from_me)
            alt = wg_node_attr(node,
                               wg_jid_is_lid(&from) ? "peer_recipient_pn" : "peer_recipient_lid");
        if (alt && bare_jid(alt, out->chat_alt, sizeof out->chat_alt, NULL) != 0)
            out->chat_alt[0] = '\0';
    }
    if (!out->addressing_mode) /* Baileys: the sender's own form decides */
        out->addressing_mode = wg_jid_is_lid(&author) ? "lid" : "pn";
    for (size_t i = 0; i < node->child_count; i++) {
        const wg_node_t *c = node->children[i];
        if (strcmp(c->tag, "enc") == 0 && out->n_enc < WG_WA_MSG_MAX_ENC &&
            (c->kind == WG_NODE_BYTES || c->kind == WG_NODE_TEXT) && c->data_len > 0) {
            const char *type = wg_node_attr(c, "type");
            if (!type || strlen(type) >= sizeof out->enc[0].type)
                continue;
            wg_wa_enc_t *e = &out->enc[out->n_enc++];
            snprintf(e->type, sizeof e->type, "%s", type);
            e->ct = c->data;
            e->len = c->data_len;
            const char *v = wg_node_attr(c, "v");
            snprintf(e->v, sizeof e->v, "%s", v && strlen(v) < sizeof e->v ? v : "");
            const char *count = wg_node_attr(c, "count");
            long n = count ? strtol(count, NULL, 10) : 0;
            e->count = n > 0 && n < 1000 ? (int)n : 0;
        } else if (strcmp(c->tag, "plaintext") == 0 &&
                   (c->kind == WG_NODE_BYTES || c->kind == WG_NODE_TEXT)) {
            out->plaintext = c->data ? c->data : (const uint8_t *)"";
            out->plaintext_len = c->data_len;
        }
    }
    return out->n_enc || out->plaintext ? 0 : WG_EPROTO;
}

/* ------------------------------------------------------------ Message -> JSON */

/* A JSON string of a protobuf string field; NULL when it is not UTF-8. */
static json_t *jstr(const char *s)
{
    return json_string(s);
}

static json_t *jb64(const uint8_t *p, size_t len)
{
    size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b = wg_malloc(n);
    sodium_bin2base64(b, n, p, len, sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_string(b);
    free(b);
    return j;
}

static int set_str(json_t *obj, const char *key, const char *s)
{
    if (!s)
        return 0;
    json_t *v = jstr(s);
    if (!v)
        return WG_EPROTO;
    json_object_set_new(obj, key, v);
    return 0;
}

static int message_json(const Wa__Message *m, int depth, json_t *obj, const char **type);

/* A Message embedded as bytes (a quote, an edit's new content) as o[key],
 * while depth < QUOTE_DEPTH; deeper ones are dropped. 0 or WG_EPROTO. */
static int nested_json(const ProtobufCBinaryData *b, int depth, json_t *o, const char *key)
{
    if (depth >= QUOTE_DEPTH)
        return 0;
    Wa__Message *m = wa__message__unpack(NULL, b->len, b->data);
    if (!m)
        return WG_EPROTO;
    json_t *mo = json_object();
    const char *type;
    int rc = message_json(m, depth + 1, mo, &type);
    json_object_set_new(o, key, mo);
    wa__message__free_unpacked(m, NULL);
    return rc;
}

static int context_json(const Wa__ContextInfo *ci, int depth, json_t **out)
{
    json_t *o = json_object();
    int rc = set_str(o, "stanzaId", ci->stanzaid);
    if (rc == 0)
        rc = set_str(o, "participant", ci->participant);
    if (rc == 0)
        rc = set_str(o, "remoteJid", ci->remotejid);
    if (rc == 0 && ci->has_quotedmessage)
        rc = nested_json(&ci->quotedmessage, depth, o, "quotedMessage");
    if (rc == 0 && ci->n_mentionedjid) {
        json_t *arr = json_array();
        for (size_t i = 0; rc == 0 && i < ci->n_mentionedjid; i++) {
            json_t *v = jstr(ci->mentionedjid[i]);
            if (!v)
                rc = WG_EPROTO;
            else
                json_array_append_new(arr, v);
        }
        json_object_set_new(o, "mentionedJid", arr);
    }
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* proto3 JSON of an int64: a string */
static json_t *int64_text(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return json_string(b);
}

static int key_json(const Wa__MessageKey *k, json_t **out)
{
    json_t *o = json_object();
    int rc = set_str(o, "remoteJid", k->remotejid);
    if (rc == 0 && k->has_fromme)
        json_object_set_new(o, "fromMe", json_boolean(k->fromme));
    if (rc == 0)
        rc = set_str(o, "id", k->id);
    if (rc == 0)
        rc = set_str(o, "participant", k->participant);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

static json_t *protocol_type_json(uint32_t t)
{
    static const struct {
        uint32_t type;
        const char *name;
    } names[] = {{0, "REVOKE"},
                 {3, "EPHEMERAL_SETTING"},
                 {4, "EPHEMERAL_SYNC_RESPONSE"},
                 {5, "HISTORY_SYNC_NOTIFICATION"},
                 {6, "APP_STATE_SYNC_KEY_SHARE"},
                 {7, "APP_STATE_SYNC_KEY_REQUEST"},
                 {8, "MSG_FANOUT_BACKFILL_REQUEST"},
                 {9, "INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC"},
                 {10, "APP_STATE_FATAL_EXCEPTION_NOTIFICATION"},
                 {11, "SHARE_PHONE_NUMBER"},
                 {14, "MESSAGE_EDIT"},
                 {16, "PEER_DATA_OPERATION_REQUEST_MESSAGE"},
                 {17, "PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].type == t)
            return json_string(names[i].name);
    return json_integer(t); /* proto3 JSON of an unknown enum value */
}


static int protocol_json(const Wa__ProtocolMessage *p, int depth, json_t *o)
{
    int rc = 0;
    json_t *k = NULL;
    if (p->key && (rc = key_json(p->key, &k)) == 0)
        json_object_set_new(o, "key", k);
    json_object_set_new(o, "type", protocol_type_json(p->has_type ? p->type : 0));
    if (p->has_ephemeralexpiration)
        json_object_set_new(o, "ephemeralExpiration", json_integer(p->ephemeralexpiration));
    if (p->has_ephemeralsettingtimestamp)
        json_object_set_new(o, "ephemeralSettingTimestamp",
                            int64_text(p->ephemeralsettingtimestamp));
    if (p->has_timestampms)
        json_object_set_new(o, "timestampMs", int64_text(p->timestampms));
    if (rc == 0 && p->has_editedmessage)
        rc = nested_json(&p->editedmessage, depth, o, "editedMessage");
    return rc;
}

/* Fills obj with m's fields; *type = Baileys' getContentType. */
static int message_json(const Wa__Message *m, int depth, json_t *obj, const char **type)
{
    int rc = 0;
    *type = "unknown";
    if (m->senderkeydistributionmessage) {
        const Wa__SenderKeyDistributionMessage *k = m->senderkeydistributionmessage;
        json_t *o = json_object();
        rc = set_str(o, "groupId", k->groupid);
        if (k->has_axolotlsenderkeydistributionmessage)
            json_object_set_new(o, "axolotlSenderKeyDistributionMessage",
                                jb64(k->axolotlsenderkeydistributionmessage.data,
                                     k->axolotlsenderkeydistributionmessage.len));
        json_object_set_new(obj, "senderKeyDistributionMessage", o);
        *type = "senderKeyDistributionMessage";
    }
    if (rc == 0 && m->conversation) {
        rc = set_str(obj, "conversation", m->conversation);
        *type = "conversation";
    }
    if (rc == 0 && m->extendedtextmessage) {
        const Wa__ExtendedTextMessage *e = m->extendedtextmessage;
        json_t *o = json_object();
        rc = set_str(o, "text", e->text);
        if (rc == 0)
            rc = set_str(o, "matchedText", e->matchedtext);
        if (rc == 0)
            rc = set_str(o, "description", e->description);
        if (rc == 0)
            rc = set_str(o, "title", e->title);
        json_t *ci = NULL;
        if (rc == 0 && e->contextinfo && (rc = context_json(e->contextinfo, depth, &ci)) == 0)
            json_object_set_new(o, "contextInfo", ci);
        json_object_set_new(obj, "extendedTextMessage", o);
        if (strcmp(*type, "conversation") != 0)
            *type = "extendedTextMessage";
    }
    if (rc == 0 && m->protocolmessage) {
        json_t *o = json_object();
        rc = protocol_json(m->protocolmessage, depth, o);
        json_object_set_new(obj, "protocolMessage", o);
        if (!strcmp(*type, "unknown") || !strcmp(*type, "senderKeyDistributionMessage"))
            *type = "protocolMessage";
    }
    if (rc == 0 && m->reactionmessage) {
        const Wa__ReactionMessage *r = m->reactionmessage;
        json_t *o = json_object();
        json_t *k = NULL;
        if (r->key && (rc = key_json(r->key, &k)) == 0)
            json_object_set_new(o, "key", k);
        if (rc == 0)
            rc = set_str(o, "text", r->text);
        if (rc == 0)
            rc = set_str(o, "groupingKey", r->groupingkey);
        if (rc == 0 && r->has_sendertimestampms)
            json_object_set_new(o, "senderTimestampMs", int64_text(r->sendertimestampms));
        json_object_set_new(obj, "reactionMessage", o);
        if (!strcmp(*type, "unknown") || !strcmp(*type, "senderKeyDistributionMessage"))
            *type = "reactionMessage";
    }
    if (rc == 0 && m->messagecontextinfo) {
        json_t *o = json_object();
        if (m->messagecontextinfo->has_messagesecret)
            json_object_set_new(o, "messageSecret",
                                jb64(m->messagecontextinfo->messagesecret.data,
                                     m->messagecontextinfo->messagesecret.len));
        json_object_set_new(obj, "messageContextInfo", o);
    }
    return rc;
}

/* The FutureProofMessage wrapper m is, or NULL. */
static const Wa__FutureProofMessage *future_proof_of(const Wa__Message *m)
{
    const Wa__FutureProofMessage *all[] = {
        m->ephemeralmessage,           m->viewoncemessage, m->viewoncemessagev2,
        m->viewoncemessagev2extension, m->documentwithcaptionmessage, m->editedmessage};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            return all[i];
    return NULL;
}

int wg_wa_msg_decode(const uint8_t *p, size_t len, wg_wa_msg_content_t *out)
{
    memset(out, 0, sizeof *out);
    out->protocol_type = -1;
    Wa__Message *outer = wa__message__unpack(NULL, len, p);
    Wa__Message *inner = NULL;
    if (!outer)
        return WG_EPROTO;
    const Wa__Message *m = outer;
    int rc = 0;
    if (outer->devicesentmessage) {
        const Wa__DeviceSentMessage *d = outer->devicesentmessage;
        if (d->destinationjid)
            out->dsm_destination = wg_strdup(d->destinationjid);
        if (d->has_message) {
            inner = wa__message__unpack(NULL, d->message.len, d->message.data);
            if (!inner)
                rc = WG_EPROTO;
            m = inner;
        }
    }
    /* FutureProofMessage wrappers (§7.4): the content is inside */
    Wa__Message *wrapped[WRAP_DEPTH] = {NULL};
    for (size_t level = 0; rc == 0 && level < WRAP_DEPTH; level++) {
        const Wa__FutureProofMessage *f = future_proof_of(m);
        if (!f)
            break;
        if (!f->has_message) {
            rc = WG_EPROTO;
            break;
        }
        wrapped[level] = wa__message__unpack(NULL, f->message.len, f->message.data);
        if (!wrapped[level])
            rc = WG_EPROTO;
        else
            m = wrapped[level];
    }
    if (rc == 0 && future_proof_of(m))
        rc = WG_EPROTO; /* deeper than any real client nests */
    if (rc == 0) {
        out->message = json_object();
        rc = message_json(m, 0, out->message, &out->message_type);
        if (rc == 0 && m != outer && outer->messagecontextinfo &&
            !json_object_get(out->message, "messageContextInfo")) {
            const char *ignored;
            json_t *tmp = json_object();
            Wa__Message only = WA__MESSAGE__INIT;
            only.messagecontextinfo = outer->messagecontextinfo;
            if (message_json(&only, 0, tmp, &ignored) == 0)
                json_object_update(out->message, tmp);
            json_decref(tmp);
        }
    }
    if (rc == 0) {
        const char *text = m->conversation;
        if (!text && m->extendedtextmessage)
            text = m->extendedtextmessage->text;
        if (text)
            out->text = wg_strdup(text);
        /* an SKDM may ride in the outer message of a group stanza */
        const Wa__SenderKeyDistributionMessage *k = m->senderkeydistributionmessage
                                                        ? m->senderkeydistributionmessage
                                                        : outer->senderkeydistributionmessage;
        if (k && k->has_axolotlsenderkeydistributionmessage) {
            out->skdm_len = k->axolotlsenderkeydistributionmessage.len;
            out->skdm = wg_malloc(out->skdm_len ? out->skdm_len : 1);
            if (out->skdm_len)
                memcpy(out->skdm, k->axolotlsenderkeydistributionmessage.data, out->skdm_len);
            if (k->groupid)
                out->skdm_group = wg_strdup(k->groupid);
        }
    }
    if (rc == 0 && m->protocolmessage) {
        const Wa__ProtocolMessage *pm = m->protocolmessage;
        out->protocol_type = pm->has_type ? (int)pm->type : 0;
        if (pm->key && pm->key->id)
            out->target_id = wg_strdup(pm->key->id);
        json_t *edited = json_object_get(json_object_get(out->message, "protocolMessage"),
                                         "editedMessage");
        if (edited)
            out->edited = json_incref(edited);
    } else if (rc == 0 && m->reactionmessage && m->reactionmessage->key &&
               m->reactionmessage->key->id) {
        out->target_id = wg_strdup(m->reactionmessage->key->id);
    }
    for (size_t level = WRAP_DEPTH; level-- > 0;)
        if (wrapped[level])
            wa__message__free_unpacked(wrapped[level], NULL);
    if (inner)
        wa__message__free_unpacked(inner, NULL);
    wa__message__free_unpacked(outer, NULL);
    if (rc)
        wg_wa_msg_content_free(out);
    return rc;
}

void wg_wa_msg_content_free(wg_wa_msg_content_t *c)
{
    if (!c)
        return;
    json_decref(c->message);
    free(c->text);
    free(c->dsm_destination);
    free(c->skdm);
    free(c->skdm_group);
    free(c->target_id);
    json_decref(c->edited);
    memset(c, 0, sizeof *c);
    c->protocol_type = -1;
}

/* ------------------------------------------------------------ sending */

static void pack(const ProtobufCMessage *m, wg_buf_t *out)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    wg_buf_reserve(out, n);
    protobuf_c_message_pack(m, out->p + out->len);
    out->len += n;
    out->p[out->len] = '\0';
}

void wg_wa_msg_encode_text(const char *text, const char *quoted_id, const char *quoted_participant,
                           const char *quoted_text, const char *dsm_destination, wg_buf_t *out)
{
    wg_wa_msg_out_t m = {.kind = WG_WA_OUT_TEXT,
                         .text = text ? text : "",
                         .quoted_id = quoted_id,
                         .quoted_participant = quoted_participant,
                         .quoted_text = quoted_text};
    (void)wg_wa_msg_encode(&m, dsm_destination, out);
}

static int encode_text(const wg_wa_msg_out_t *m, int extended, wg_buf_t *out)
{
    Wa__Message msg = WA__MESSAGE__INIT;
    Wa__ExtendedTextMessage ext = WA__EXTENDED_TEXT_MESSAGE__INIT;
    Wa__ContextInfo ci = WA__CONTEXT_INFO__INIT;
    wg_buf_t quoted = WG_BUF_INIT;
    int has_ci = m->quoted_id || m->n_mentions;
    if (!m->text)
        return WG_EINVAL;
    if (has_ci || m->matched_url || extended) {
        ext.text = (char *)m->text;
        if (m->matched_url) {
            ext.matchedtext = (char *)m->matched_url;
            ext.has_previewtype = 1; /* PreviewType NONE: no thumbnail fetched */
            ext.previewtype = 0;
        }
        if (m->quoted_id) {
            ci.stanzaid = (char *)m->quoted_id;
            ci.participant = (char *)m->quoted_participant;
            if (m->quoted_text) {
                Wa__Message q = WA__MESSAGE__INIT;
                q.conversation = (char *)m->quoted_text;
                pack(&q.base, &quoted);
                ci.has_quotedmessage = 1;
                ci.quotedmessage.data = quoted.p;
                ci.quotedmessage.len = quoted.len;
            }
        }
        ci.n_mentionedjid = m->n_mentions;
        ci.mentionedjid = (char **)m->mentions;
        if (has_ci)
            ext.contextinfo = &ci;
        msg.extendedtextmessage = &ext;
    } else {
        msg.conversation = (char *)m->text;
    }
    pack(&msg.base, out);
    wg_buf_free(&quoted);
    return 0;
}

static void key_of(const wg_wa_msg_key_t *k, Wa__MessageKey *out)
{
    out->remotejid = (char *)k->remote_jid;
    out->has_fromme = 1;
    out->fromme = k->from_me;
    out->id = (char *)k->id;
    out->participant = (char *)k->participant;
}

static int encode_bare(const wg_wa_msg_out_t *m, wg_buf_t *out)
{
    Wa__Message msg = WA__MESSAGE__INIT;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    Wa__ReactionMessage react = WA__REACTION_MESSAGE__INIT;
    Wa__ProtocolMessage proto = WA__PROTOCOL_MESSAGE__INIT;
    wg_buf_t edited = WG_BUF_INIT;
    int rc = 0;
    if (m->kind == WG_WA_OUT_TEXT)
        return encode_text(m, 0, out);
    if (!m->key.id || !m->key.remote_jid)
        return WG_EINVAL;
    key_of(&m->key, &key);
    switch (m->kind) {
    case WG_WA_OUT_REACTION:
        if (!m->text)
            return WG_EINVAL;
        react.key = &key;
        react.text = (char *)m->text;
        react.has_sendertimestampms = 1;
        react.sendertimestampms = m->timestamp_ms;
        msg.reactionmessage = &react;
        break;
    case WG_WA_OUT_REVOKE:
        proto.key = &key;
        proto.has_type = 1;
        proto.type = 0; /* REVOKE */
        msg.protocolmessage = &proto;
        break;
    case WG_WA_OUT_EDIT: {
        /* Baileys' edit content {text, edit: key}: editedMessage is an
         * extendedTextMessage {text} */
        wg_wa_msg_out_t inner = {.kind = WG_WA_OUT_TEXT, .text = m->text};
        if ((rc = encode_text(&inner, 1, &edited)) != 0)
            return rc;
        proto.key = &key;
        proto.has_type = 1;
        proto.type = 14; /* MESSAGE_EDIT */
        proto.has_editedmessage = 1;
        proto.editedmessage.data = edited.p;
        proto.editedmessage.len = edited.len;
        proto.has_timestampms = 1;
        proto.timestampms = m->timestamp_ms;
        msg.protocolmessage = &proto;
        break;
    }
    default:
        return WG_EINVAL;
    }
    pack(&msg.base, out);
    wg_buf_free(&edited);
    return 0;
}

void wg_wa_msg_wrap_dsm(const char *destination, const uint8_t *msg, size_t len, wg_buf_t *out)
{
    Wa__Message outer = WA__MESSAGE__INIT;
    Wa__DeviceSentMessage dsm = WA__DEVICE_SENT_MESSAGE__INIT;
    dsm.destinationjid = (char *)destination;
    dsm.has_message = 1;
    dsm.message.data = (uint8_t *)msg;
    dsm.message.len = len;
    outer.devicesentmessage = &dsm;
    pack(&outer.base, out);
}

int wg_wa_msg_encode(const wg_wa_msg_out_t *m, const char *dsm_destination, wg_buf_t *out)
{
    if (!dsm_destination)
        return encode_bare(m, out);
    wg_buf_t inner = WG_BUF_INIT;
    int rc = encode_bare(m, &inner);
    if (rc == 0)
        wg_wa_msg_wrap_dsm(dsm_destination, inner.p, inner.len, out);
    if (inner.p)
        sodium_memzero(inner.p, inner.len);
    wg_buf_free(&inner);
    return rc;
}

void wg_wa_msg_encode_skdm(const char *group, const uint8_t *skdm, size_t len, wg_buf_t *out)
{
    Wa__Message m = WA__MESSAGE__INIT;
    Wa__SenderKeyDistributionMessage k = WA__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
    k.groupid = (char *)group;
    k.has_axolotlsenderkeydistributionmessage = 1;
    k.axolotlsenderkeydistributionmessage.data = (uint8_t *)skdm;
    k.axolotlsenderkeydistributionmessage.len = len;
    m.senderkeydistributionmessage = &k;
    pack(&m.base, out);
}

const char *wg_wa_msg_stanza_type(const wg_wa_msg_out_t *m)
{
    return m->kind == WG_WA_OUT_REACTION ? "reaction" : "text";
}

const char *wg_wa_msg_edit_attr(const wg_wa_msg_out_t *m)
{
    if (m->kind == WG_WA_OUT_EDIT)
        return "1";
    if (m->kind != WG_WA_OUT_REVOKE)
        return NULL;
    /* an admin deleting someone else's group message is "8" (Baileys) */
    int group = m->key.remote_jid && strstr(m->key.remote_jid, "@g.us") != NULL;
    return group && !m->key.from_me ? "8" : "7";
}

void wg_wa_msg_new_id(char out[23])
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t r[9];
    wg_random_buf(r, sizeof r);
    memcpy(out, "3EB0", 4);
    for (size_t i = 0; i < sizeof r; i++) {
        out[4 + 2 * i] = hex[r[i] >> 4];
        out[5 + 2 * i] = hex[r[i] & 15];
    }
    out[22] = '\0';
}
