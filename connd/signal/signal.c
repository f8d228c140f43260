/* One instance's Signal layer: lifecycle, the per-operation transaction,
 * and 1:1 encrypt/decrypt (see signal.h for the thread model). Never logs
 * plaintexts or keys. */
#include "signal/signal.h"
#include "signal/context.h"
#include "signal/crypto.h"
#include "signal/padding.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

#include <protocol.h>
#include <session_cipher.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char *wg_signal_type_name(wg_signal_type_t t)
{
    switch (t) {
    case WG_SIGNAL_PKMSG:
        return "pkmsg";
    case WG_SIGNAL_MSG:
        return "msg";
    case WG_SIGNAL_SKMSG:
        return "skmsg";
    }
    return "?";
}

int wg_signal_type_parse(const char *str, wg_signal_type_t *t)
{
    static const wg_signal_type_t all[] = {WG_SIGNAL_PKMSG, WG_SIGNAL_MSG, WG_SIGNAL_SKMSG};
    for (size_t i = 0; str && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(str, wg_signal_type_name(all[i])) == 0) {
            *t = all[i];
            return 0;
        }
    return WG_EINVAL;
}

int wg_signal_open(wg_store_t *store, const char *instance_id, const uint8_t vault_key[32],
                   const wg_wa_creds_t *creds, wg_signal_t **out)
{
    *out = NULL;
    if (!store || !instance_id || !*instance_id || !vault_key || !creds)
        return WG_EINVAL;
    wg_signal_t *s = wg_calloc(1, sizeof *s);
    s->store = store;
    s->instance_id = wg_strdup(instance_id);
    memcpy(s->vault_key, vault_key, sizeof s->vault_key);
    s->creds = *creds;
    signal_crypto_provider provider;
    wg_signal_crypto_provider(&provider);
    if (signal_context_create(&s->global, s) != 0 ||
        signal_context_set_crypto_provider(s->global, &provider) != 0 ||
        signal_protocol_store_context_create(&s->stores, s->global) != 0 ||
        signal_stores_register(s) != 0) {
        wg_signal_free(s);
        return WG_EINVAL;
    }
    *out = s;
    return 0;
}

void wg_signal_free(wg_signal_t *s)
{
    if (!s || s->pooled)
        return;
    record_cache_free(s->cache);
    if (s->stores)
        signal_protocol_store_context_destroy(s->stores);
    if (s->global)
        signal_context_destroy(s->global);
    free(s->instance_id);
    sodium_memzero(s, sizeof *s);
    free(s);
}

void wg_signal_set_creds(wg_signal_t *s, const wg_wa_creds_t *creds)
{
    if (s && creds) {
        sodium_memzero(&s->creds, sizeof s->creds);
        s->creds = *creds;
    }
}

int signal_op_begin(wg_signal_t *s)
{
    s->store_error = 0;
    s->identity_flags = 0;
    return s->batch ? 0 : wg_store_signal_key_begin(s->store);
}

int signal_op_end(wg_signal_t *s, int rc)
{
    if (s->batch)
        return rc; /* the batch's end commits or rolls back */
    if (rc == 0)
        return wg_store_signal_key_commit(s->store);
    wg_store_signal_key_rollback(s->store);
    return rc;
}

int signal_map_error(wg_signal_t *s, int sg)
{
    if (sg >= 0)
        return 0;
    if (s->store_error)
        return s->store_error;
    switch (sg) {
    case SG_ERR_DUPLICATE_MESSAGE:
        return WG_EEXIST;
    case SG_ERR_NO_SESSION:
        return WG_ESTATE;
    case SG_ERR_INVALID_KEY_ID:
        return WG_ENOTFOUND;
    case SG_ERR_INVALID_KEY:
    case SG_ERR_INVAL:
        return WG_EINVAL;
    case SG_ERR_VRF_SIG_VERIF_FAILED:
    case SG_ERR_UNTRUSTED_IDENTITY:
        return WG_ECRYPTO;
    default:
        /* INVALID_MESSAGE, INVALID_MAC, INVALID_VERSION, LEGACY_MESSAGE,
         * INVALID_PROTO_BUF, STALE_KEY_EXCHANGE, UNKNOWN: the bytes are bad */
        return WG_EPROTO;
    }
}

/* Write-back in a batch (signal.h): the batch's savepoint opens without
 * writing this layer's held records first (pool.c skips a layer whose
 * batch holds), and its session writes are held too. That is safe because
 * only this layer writes this instance's session rows inside the batch,
 * and the record cache keeps, until the batch ends, the state of every
 * held record the batch replaced or removed (record_cache_op_begin): the
 * batch's rollback puts them back before the savepoint's rollback prunes
 * the cache, so the held records are again exactly what the group's
 * earlier jobs made. */
int wg_signal_batch_begin(wg_signal_t *s)
{
    if (!s || s->batch)
        return WG_EINVAL;
    s->batch_holds = s->write_back && s->cache && wg_store_group_open(s->store);
    int rc = wg_store_signal_key_begin(s->store);
    if (rc < 0) {
        s->batch_holds = 0;
        return rc;
    }
    s->batch = 1;
    if (s->batch_holds) {
        s->holding = 1;
        record_cache_op_begin(s->cache);
    }
    return 0;
}

int wg_signal_batch_end(wg_signal_t *s, int rc)
{
    if (!s || !s->batch)
        return rc ? rc : WG_EINVAL;
    int holds = s->batch_holds;
    s->batch = 0;
    s->batch_holds = 0;
    s->holding = 0;
    if (rc == 0) {
        rc = wg_store_signal_key_commit(s->store);
        if (holds) {
            record_cache_op_end(s->cache, rc == 0);
            /* a failed RELEASE rolled back and pruned before the held
             * records were put back: prune again */
            if (rc < 0)
                record_cache_rolled_back(s->cache, wg_store_group_open(s->store));
        }
        return rc;
    }
    if (holds)
        record_cache_op_end(s->cache, 0); /* before the rollback prunes the cache */
    wg_store_signal_key_rollback(s->store);
    return rc;
}

int wg_signal_has_session(wg_signal_t *s, const wg_signal_addr_t *addr)
{
    if (!s || !addr)
        return WG_EINVAL;
    signal_protocol_address a = wg_signal_addr_protocol(addr);
    s->store_error = 0;
    int rc = signal_protocol_session_contains_session(s->stores, &a);
    return s->store_error ? s->store_error : rc == 1;
}

int wg_signal_delete_session(wg_signal_t *s, const wg_signal_addr_t *addr)
{
    if (!s || !addr)
        return WG_EINVAL;
    signal_protocol_address a = wg_signal_addr_protocol(addr);
    s->store_error = 0;
    int rc = signal_protocol_session_delete_session(s->stores, &a);
    return rc < 0 ? signal_map_error(s, rc) : 0;
}

int wg_signal_encrypt(wg_signal_t *s, const wg_signal_addr_t *addr, const uint8_t *msg,
                      size_t len, wg_signal_type_t *type, wg_buf_t *out)
{
    if (!s || !addr || (!msg && len) || !type || !out)
        return WG_EINVAL;
    signal_protocol_address a = wg_signal_addr_protocol(addr);
    session_cipher *cipher = NULL;
    ciphertext_message *ct = NULL;
    wg_buf_t padded = WG_BUF_INIT;
    /* write-back (signal.h): no savepoint, the session write is held; an
     * encrypt writes nothing else, and what it held is undone on failure */
    int hold = s->write_back && s->cache && !s->batch && wg_store_group_open(s->store);
    int rc = 0;
    if (hold) {
        s->store_error = 0;
        s->identity_flags = 0;
        s->holding = 1;
        record_cache_op_begin(s->cache);
    } else if ((rc = signal_op_begin(s)) < 0) {
        return rc;
    }
    int has = signal_protocol_session_contains_session(s->stores, &a);
    if (s->store_error || has != 1) {
        rc = s->store_error ? s->store_error : WG_ESTATE;
        goto done;
    }
    wg_signal_pad(msg, len, &padded);
    int sg = session_cipher_create(&cipher, s->stores, &a, s->global);
    if (sg == 0)
        sg = session_cipher_encrypt(cipher, padded.p, padded.len, &ct);
    if ((rc = signal_map_error(s, sg)) < 0)
        goto done;
    signal_buffer *ser = ciphertext_message_get_serialized(ct);
    *type = ciphertext_message_get_type(ct) == CIPHERTEXT_PREKEY_TYPE ? WG_SIGNAL_PKMSG
                                                                      : WG_SIGNAL_MSG;
    wg_buf_append(out, signal_buffer_data(ser), signal_buffer_len(ser));
done:
    if (ct)
        SIGNAL_UNREF(ct);
    if (cipher)
        session_cipher_free(cipher);
    if (padded.p)
        sodium_memzero(padded.p, padded.cap);
    wg_buf_free(&padded);
    if (hold) {
        s->holding = 0;
        record_cache_op_end(s->cache, rc == 0);
        return rc;
    }
    return signal_op_end(s, rc);
}

void wg_signal_set_write_back(wg_signal_t *s, int on)
{
    if (s)
        s->write_back = on && s->cache;
}

/* Unpads a decrypted plaintext into out. */
static int unpad_into(signal_buffer *plain, wg_buf_t *out)
{
    size_t n = 0;
    int rc = wg_signal_unpad(signal_buffer_data(plain), signal_buffer_len(plain), &n);
    if (rc == 0 && n)
        wg_buf_append(out, signal_buffer_data(plain), n);
    return rc;
}

int wg_signal_decrypt(wg_signal_t *s, const wg_signal_addr_t *addr, wg_signal_type_t type,
                      const uint8_t *ct, size_t len, wg_buf_t *out, unsigned *flags)
{
    return wg_signal_decrypt_commit(s, addr, type, ct, len, out, flags, NULL, NULL);
}

int wg_signal_decrypt_commit(wg_signal_t *s, const wg_signal_addr_t *addr, wg_signal_type_t type,
                             const uint8_t *ct, size_t len, wg_buf_t *out, unsigned *flags,
                             int (*before_commit)(void *ud, const uint8_t *msg, size_t len),
                             void *ud)
{
    size_t start = out ? out->len : 0;
    if (flags)
        *flags = 0;
    if (!s || !addr || !ct || !len || !out || (type != WG_SIGNAL_PKMSG && type != WG_SIGNAL_MSG))
        return WG_EINVAL;
    signal_protocol_address a = wg_signal_addr_protocol(addr);
    session_cipher *cipher = NULL;
    pre_key_signal_message *pkmsg = NULL;
    signal_message *msg = NULL;
    signal_buffer *plain = NULL;
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    int sg = session_cipher_create(&cipher, s->stores, &a, s->global);
    if (sg == 0 && type == WG_SIGNAL_PKMSG) {
        sg = pre_key_signal_message_deserialize(&pkmsg, ct, len, s->global);
        if (sg == 0)
            sg = session_cipher_decrypt_pre_key_signal_message(cipher, pkmsg, NULL, &plain);
    } else if (sg == 0) {
        sg = signal_message_deserialize(&msg, ct, len, s->global);
        if (sg == 0)
            sg = session_cipher_decrypt_signal_message(cipher, msg, NULL, &plain);
    }
    if ((rc = signal_map_error(s, sg)) < 0)
        goto done;
    rc = unpad_into(plain, out);
    /* the caller's writes join the ratchet step's transaction (signal.h) */
    if (rc == 0 && before_commit)
        rc = before_commit(ud, out->p ? out->p + start : (const uint8_t *)"", out->len - start);
    if (rc)
        out->len = start;
    if (flags)
        *flags = s->identity_flags;
    if (s->identity_flags & WG_SIGNAL_IDENTITY_CHANGED)
        wg_log(WG_LOG_INFO, "msg=\"signal identity changed\" instance=%s name=%s device=%u",
               s->instance_id, addr->name, addr->device);
done:
    if (pkmsg)
        SIGNAL_UNREF(pkmsg);
    if (msg)
        SIGNAL_UNREF(msg);
    if (plain)
        signal_buffer_bzero_free(plain);
    if (cipher)
        session_cipher_free(cipher);
    return signal_op_end(s, rc);
}
