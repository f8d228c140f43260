/* Outgoing <message> stanzas (see stanza.h). */
#include "message/stanza.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa/jid.h"
#include "wg_alloc.h"
#include "wg_err.h"

static wg_node_t *enc_node(const wg_wa_msg_out_t *msg, const char *type, const uint8_t *ct,
                           size_t len)
{
    wg_node_t *enc = wg_node_new("enc");
    wg_node_set_attr(enc, "v", "2");
    wg_node_set_attr(enc, "type", type);
    /* whatsmeow: reactions and edits/revokes must not show "waiting for
     * this message" when they cannot be decrypted */
    if (msg && (msg->kind == WG_WA_OUT_REACTION || wg_wa_msg_edit_attr(msg)))
        wg_node_set_attr(enc, "decrypt-fail", "hide");
    wg_node_set_bytes(enc, ct, len);
    return enc;
}

wg_node_t *wg_send_build_stanza(const wg_send_stanza_t *st, const wg_send_enc_t *encs, size_t n)
{
    wg_node_t *m = wg_node_new("message");
    wg_node_set_attr(m, "id", st->id);
    wg_node_set_attr(m, "to", st->to);
    wg_node_set_attr(m, "type", st->msg ? wg_wa_msg_stanza_type(st->msg) : "text");
    const char *edit = st->msg ? wg_wa_msg_edit_attr(st->msg) : NULL;
    if (edit)
        wg_node_set_attr(m, "edit", edit);
    if (st->addressing_mode)
        wg_node_set_attr(m, "addressing_mode", st->addressing_mode);
    if (st->phash)
        wg_node_set_attr(m, "phash", st->phash);
    if (st->expiration) {
        char e[12];
        snprintf(e, sizeof e, "%u", (unsigned)st->expiration);
        wg_node_set_attr(m, "expiration", e);
    }
    if (st->participant)
        wg_node_set_attr(m, "participant", st->participant);
    if (st->recipient)
        wg_node_set_attr(m, "recipient", st->recipient);
    int any_pkmsg = 0;
    if (st->retry_count) {
        for (size_t i = 0; i < n; i++) {
            if (!encs[i].type || !encs[i].type[0])
                continue;
            wg_node_t *enc =
                wg_node_add_child(m, enc_node(st->msg, encs[i].type, encs[i].ct, encs[i].len));
            char count[12];
            snprintf(count, sizeof count, "%u", st->retry_count);
            wg_node_set_attr(enc, "count", count);
            any_pkmsg |= strcmp(encs[i].type, "pkmsg") == 0;
            break;
        }
    } else {
        wg_node_t *parts = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!encs[i].type || !encs[i].type[0])
                continue;
            if (!parts)
                parts = wg_node_add_child(m, wg_node_new("participants"));
            wg_node_t *to = wg_node_add_child(parts, wg_node_new("to"));
            wg_node_set_attr(to, "jid", encs[i].jid);
            wg_node_add_child(to, enc_node(st->msg, encs[i].type, encs[i].ct, encs[i].len));
            any_pkmsg |= strcmp(encs[i].type, "pkmsg") == 0;
        }
        if (st->skmsg)
            wg_node_add_child(m, enc_node(st->msg, "skmsg", st->skmsg, st->skmsg_len));
    }
    if (any_pkmsg && st->account_len) {
        wg_node_t *di = wg_node_add_child(m, wg_node_new("device-identity"));
        wg_node_set_bytes(di, st->account, st->account_len);
    }
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
