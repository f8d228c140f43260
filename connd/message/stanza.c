/* Outgoing <message> stanzas (see stanza.h). */
#include "message/stanza.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa/jid.h"
#include "wg_alloc.h"
#include "wg_err.h"

/* ---- the stanza as a view: nodes in the view struct, strings borrowed ---- */

static wg_node_t *view_node(wg_node_t *n, const char *tag, wg_node_attr_t *attrs)
{
    memset(n, 0, sizeof *n);
    n->tag = (char *)tag; /* a view is only read (stanza.h) */
    n->attrs = attrs;
    return n;
}

static void view_attr(wg_node_t *n, const char *key, const char *value)
{
    n->attrs[n->attr_count].key = (char *)key;
    n->attrs[n->attr_count].value = (char *)value;
    n->attr_cap = ++n->attr_count;
}

static void view_bytes(wg_node_t *n, const uint8_t *p, size_t len)
{
    n->kind = WG_NODE_BYTES;
    n->data = (uint8_t *)p;
    n->data_len = len;
}

/* Appends child to parent, whose child array is slots (room enough). */
static wg_node_t *view_child(wg_node_t *parent, wg_node_t **slots, wg_node_t *child)
{
    parent->kind = WG_NODE_CHILDREN;
    parent->children = slots;
    slots[parent->child_count++] = child;
    parent->child_cap = parent->child_count;
    return child;
}

/* <enc v="2" type [decrypt-fail]>ct</enc>; attrs has room for 4 (count=) */
static wg_node_t *view_enc(wg_node_t *enc, wg_node_attr_t *attrs, const wg_wa_msg_out_t *msg,
                           const char *type, const uint8_t *ct, size_t len)
{
    view_node(enc, "enc", attrs);
    view_attr(enc, "v", "2");
    view_attr(enc, "type", type);
    /* whatsmeow: reactions and edits/revokes must not show "waiting for
     * this message" when they cannot be decrypted */
    if (msg && (msg->kind == WG_WA_OUT_REACTION || wg_wa_msg_edit_attr(msg)))
        view_attr(enc, "decrypt-fail", "hide");
    view_bytes(enc, ct, len);
    return enc;
}

const wg_node_t *wg_send_view_build(wg_send_view_t *v, const wg_send_stanza_t *st,
                                    const wg_send_enc_t *encs, size_t n)
{
    v->devs = v->few_devs;
    v->to_nodes = v->few_to_nodes;
    if (n > WG_SEND_VIEW_DEVICES && !st->retry_count) {
        v->devs = wg_malloc(n * sizeof *v->devs);
        v->to_nodes = wg_malloc(n * sizeof *v->to_nodes);
    }
    wg_node_t *m = view_node(&v->message, "message", v->attrs);
    view_attr(m, "id", st->id);
    view_attr(m, "to", st->to);
    view_attr(m, "type", st->msg ? wg_wa_msg_stanza_type(st->msg) : "text");
    const char *edit = st->msg ? wg_wa_msg_edit_attr(st->msg) : NULL;
    if (edit)
        view_attr(m, "edit", edit);
    if (st->addressing_mode)
        view_attr(m, "addressing_mode", st->addressing_mode);
    if (st->phash)
        view_attr(m, "phash", st->phash);
    if (st->expiration) {
        snprintf(v->expiration, sizeof v->expiration, "%u", (unsigned)st->expiration);
        view_attr(m, "expiration", v->expiration);
    }
    if (st->participant)
        view_attr(m, "participant", st->participant);
    if (st->recipient)
        view_attr(m, "recipient", st->recipient);
    int any_pkmsg = 0;
    if (st->retry_count) {
        for (size_t i = 0; i < n; i++) {
            if (!encs[i].type || !encs[i].type[0])
                continue;
            wg_send_view_dev_t *d = &v->devs[0];
            wg_node_t *enc = view_child(
                m, v->children,
                view_enc(&d->enc, d->enc_attrs, st->msg, encs[i].type, encs[i].ct, encs[i].len));
            snprintf(v->count, sizeof v->count, "%u", st->retry_count);
            view_attr(enc, "count", v->count);
            any_pkmsg |= strcmp(encs[i].type, "pkmsg") == 0;
            break;
        }
    } else {
        wg_node_t *parts = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!encs[i].type || !encs[i].type[0])
                continue;
            if (!parts) {
                parts =
                    view_child(m, v->children, view_node(&v->participants, "participants", NULL));
            }
            wg_send_view_dev_t *d = &v->devs[parts->child_count];
            wg_node_t *to = view_child(parts, v->to_nodes, view_node(&d->to, "to", &d->to_attr));
            view_attr(to, "jid", encs[i].jid);
            view_child(
                to, &d->to_child,
                view_enc(&d->enc, d->enc_attrs, st->msg, encs[i].type, encs[i].ct, encs[i].len));
            any_pkmsg |= strcmp(encs[i].type, "pkmsg") == 0;
        }
        if (st->skmsg)
            view_child(
                m, v->children,
                view_enc(&v->skmsg, v->skmsg_attrs, st->msg, "skmsg", st->skmsg, st->skmsg_len));
    }
    if (any_pkmsg && st->account_len) {
        wg_node_t *di =
            view_child(m, v->children, view_node(&v->identity, "device-identity", NULL));
        view_bytes(di, st->account, st->account_len);
    }
    return m;
}

void wg_send_view_release(wg_send_view_t *v)
{
    if (v->devs != v->few_devs)
        free(v->devs);
    if (v->to_nodes != v->few_to_nodes)
        free(v->to_nodes);
    v->devs = NULL;
    v->to_nodes = NULL;
}

wg_node_t *wg_send_build_stanza(const wg_send_stanza_t *st, const wg_send_enc_t *encs, size_t n)
{
    wg_send_view_t v;
    wg_node_t *m = wg_node_copy(wg_send_view_build(&v, st, encs, n));
    wg_send_view_release(&v);
    return m;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* whatsmeow's JID.ADString: "user.agent:device@server". */
static char *ad_string(const char *jid)
{
    wg_jid_t j;
    char buf[256];
    if (wg_jid_parse(jid, strlen(jid), &j) != 0)
        return wg_strdup(jid);
    snprintf(buf, sizeof buf, "%s.%u:%u@%s", j.user, (unsigned)(j.has_agent ? j.agent : 0),
             (unsigned)(j.has_device ? j.device : 0), j.server);
    return wg_strdup(buf);
}

int wg_send_phash(const char *const *jids, size_t n, char out[12])
{
    if (!jids || !n)
        return WG_EINVAL;
    char **ad = wg_calloc(n, sizeof *ad);
    for (size_t i = 0; i < n; i++)
        ad[i] = ad_string(jids[i]);
    qsort(ad, n, sizeof *ad, by_text);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        crypto_hash_sha256_update(&h, (const unsigned char *)ad[i], strlen(ad[i]));
        free(ad[i]);
    }
    free(ad);
    uint8_t digest[32];
    crypto_hash_sha256_final(&h, digest);
    char b64[16];
    sodium_bin2base64(b64, sizeof b64, digest, 6, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    memcpy(out, "2:", 2);
    memcpy(out + 2, b64, 9); /* 8 characters and the NUL */
    return 0;
}

/* ------------------------------------------------------------ key bundles */

static uint32_t be_uint(const wg_node_t *n)
{
    uint32_t v = 0;
    for (size_t i = 0; n && n->data && i < n->data_len && i < 4; i++)
        v = (v << 8) | n->data[i];
    return v;
}

static int copy_key(const wg_node_t *n, uint8_t *out, size_t len)
{
    if (!n || !n->data)
        return -1;
    /* raw 32-byte keys; tolerate the typed 33-byte form */
    if (n->data_len == len) {
        memcpy(out, n->data, len);
        return 0;
    }
    if (len == 32 && n->data_len == 33 && n->data[0] == 5) {
        memcpy(out, n->data + 1, 32);
        return 0;
    }
    return -1;
}

int wg_send_read_bundle(const wg_node_t *keys, const wg_node_t *registration, wg_signal_bundle_t *b)
{
    memset(b, 0, sizeof *b);
    const wg_node_t *skey = keys ? wg_node_child(keys, "skey") : NULL;
    const wg_node_t *key = keys ? wg_node_child(keys, "key") : NULL;
    if (!keys || wg_node_child(keys, "error") || !registration || !registration->data ||
        registration->data_len != 4 || !skey)
        return WG_EPROTO;
    b->registration_id = be_uint(registration);
    if (copy_key(wg_node_child(keys, "identity"), b->identity, 32) != 0)
        return WG_EPROTO;
    b->spk_id = be_uint(wg_node_child(skey, "id"));
    if (copy_key(wg_node_child(skey, "value"), b->spk, 32) != 0 ||
        copy_key(wg_node_child(skey, "signature"), b->spk_sig, 64) != 0)
        return WG_EPROTO;
    if (key && copy_key(wg_node_child(key, "value"), b->prekey, 32) == 0) {
        b->has_prekey = true;
        b->prekey_id = be_uint(wg_node_child(key, "id"));
    }
    return 0;
}
