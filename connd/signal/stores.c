/* The five libsignal stores on the signal_key table (wa-protocol.md §12
 * "all five stores"). Records are sealed with the vault: the sealed
 * plaintext starts with a 16-byte BLAKE2b tag of the row key, so a record
 * copied onto another row (another peer, another instance) fails to open.
 * Own keys are not rows: the identity, the current signed pre-key and the
 * one-time pre-keys derive from the credentials copy; only consumed
 * pre-keys (tombstones) and rotated signed pre-keys are stored.
 * Callbacks run inside the operation's transaction (signal.c) on the worker
 * thread; a store failure is recorded in s->store_error and reported to
 * libsignal as SG_ERR_UNKNOWN, which aborts the operation. */
#include "signal/context.h"
#include "signal/keys.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

#include <session_pre_key.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define ROW_TAG_LEN 16

/* The tag that binds a sealed record to its row. */
static void row_tag(const wg_signal_t *s, const wg_signal_key_id_t *k, uint8_t tag[ROW_TAG_LEN])
{
    crypto_generichash_state h;
    char dev[24];
    const char *parts[] = {s->instance_id, wg_store_signal_key_kind_name(k->kind),
                           k->group_id ? k->group_id : "", k->name ? k->name : ""};
    crypto_generichash_init(&h, NULL, 0, ROW_TAG_LEN);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_generichash_update(&h, (const uint8_t *)parts[i], strlen(parts[i]) + 1);
    int n = snprintf(dev, sizeof dev, "%lld", (long long)k->device);
    crypto_generichash_update(&h, (const uint8_t *)dev, (size_t)n);
    crypto_generichash_final(&h, tag, ROW_TAG_LEN);
}

static int fail(wg_signal_t *s, int rc)
{
    if (!s->store_error)
        s->store_error = rc;
    return rc;
}

/* After a write or delete of k (by_name: of every device of its name):
 * the cache holds what the row now holds, or forgets it. p NULL: forget. */
static void cache_written(wg_signal_t *s, const wg_signal_key_id_t *k, int by_name,
                          const uint8_t *p, size_t len)
{
    if (!s->cache)
        signal_pool_note_write(s, k, by_name);
    else if (by_name)
        record_cache_drop_name(s->cache, k);
    else if (p && len)
        record_cache_put(s->cache, k, p, len);
    else
        record_cache_drop(s->cache, k);
}

int signal_record_load(wg_signal_t *s, const wg_signal_key_id_t *k, signal_buffer **out,
                       int *tombstone)
{
    wg_buf_t blob = WG_BUF_INIT, plain = WG_BUF_INIT;
    uint8_t tag[ROW_TAG_LEN];
    const uint8_t *cached;
    size_t cached_len;
    if (tombstone)
        *tombstone = 0;
    if (s->cache && record_cache_get(s->cache, k, &cached, &cached_len)) {
        *out = signal_buffer_create(cached, cached_len);
        return 1;
    }
    int rc = wg_store_signal_key_get(s->store, k, &blob);
    if (rc == WG_ENOTFOUND) {
        rc = 0;
        goto done;
    }
    if (rc < 0) {
        fail(s, rc);
        goto done;
    }
    if (blob.len == 0) { /* tombstone */
        if (tombstone)
            *tombstone = 1;
        rc = 0;
        goto done;
    }
    row_tag(s, k, tag);
    if (wg_vault_open(s->vault_key, blob.p, blob.len, &plain) < 0 || plain.len < ROW_TAG_LEN ||
        sodium_memcmp(plain.p, tag, ROW_TAG_LEN) != 0) {
        rc = fail(s, WG_ECRYPTO);
        goto done;
    }
    *out = signal_buffer_create(plain.p + ROW_TAG_LEN, plain.len - ROW_TAG_LEN);
    if (s->cache)
        record_cache_put(s->cache, k, plain.p + ROW_TAG_LEN, plain.len - ROW_TAG_LEN);
    rc = 1;
done:
    if (plain.p)
        sodium_memzero(plain.p, plain.cap);
    wg_buf_free(&plain);
    wg_buf_free(&blob);
    return rc;
}

/* Seals p and writes it to the row of k (len 0: a tombstone); the store's code. */
static int record_write(wg_signal_t *s, const wg_signal_key_id_t *k, const uint8_t *p, size_t len)
{
    wg_buf_t plain = WG_BUF_INIT, blob = WG_BUF_INIT;
    int rc;
    if (len == 0) {
        rc = wg_store_signal_key_put(s->store, k, NULL, 0);
    } else {
        uint8_t tag[ROW_TAG_LEN];
        row_tag(s, k, tag);
        wg_buf_append(&plain, tag, sizeof tag);
        wg_buf_append(&plain, p, len);
        wg_vault_seal(s->vault_key, plain.p, plain.len, &blob);
        rc = wg_store_signal_key_put(s->store, k, blob.p, blob.len);
    }
    if (plain.p)
        sodium_memzero(plain.p, plain.cap);
    wg_buf_free(&plain);
    wg_buf_free(&blob);
    return rc;
}

int signal_record_save(wg_signal_t *s, const wg_signal_key_id_t *k, const uint8_t *p, size_t len)
{
    int rc = record_write(s, k, p, len);
    /* written through: the row first, in the caller's transaction */
    cache_written(s, k, 0, rc < 0 ? NULL : p, rc < 0 ? 0 : len);
    return rc < 0 ? fail(s, rc) : 0;
}

static int flush_one(void *ud, const wg_signal_key_id_t *k, const uint8_t *p, size_t len)
{
    wg_signal_t *s = ud;
    wg_signal_key_id_t row = *k;
    row.instance_id = s->instance_id;
    return record_write(s, &row, p, len);
}

int signal_record_flush(wg_signal_t *s)
{
    if (!s->cache || record_cache_held(s->cache) == 0)
        return 0;
    int rc = record_cache_flush(s->cache, flush_one, s);
    if (rc < 0)
        wg_log(WG_LOG_ERROR, "msg=\"signal write-back failed\" instance=%s err=%s", s->instance_id,
               wg_strerror(rc));
    return rc;
}

int signal_record_delete(wg_signal_t *s, const wg_signal_key_id_t *k)
{
    int rc = wg_store_signal_key_delete(s->store, k);
    cache_written(s, k, 0, NULL, 0);
    return rc;
}

int signal_record_delete_name(wg_signal_t *s, const wg_signal_key_id_t *k)
{
    int rc = wg_store_signal_key_delete_name(s->store, k);
    cache_written(s, k, 1, NULL, 0);
    return rc;
}

static wg_signal_key_id_t key_of(const wg_signal_t *s, wg_signal_key_kind_t kind,
                                 const char *name, int64_t device)
{
    wg_signal_key_id_t k = {s->instance_id, kind, NULL, name, device};
    return k;
}

/* libsignal names are (pointer, length); ours are NUL-terminated. */
static int copy_name(const char *name, size_t len, char out[WG_SIGNAL_NAME_MAX])
{
    if (!name || len == 0 || len >= WG_SIGNAL_NAME_MAX || memchr(name, 0, len))
        return -1;
    memcpy(out, name, len);
    out[len] = 0;
    return 0;
}

/* ------------------------------------------------------------ sessions */

static int session_load(signal_buffer **record, signal_buffer **user_record,
                        const signal_protocol_address *a, void *ud)
{
    (void)user_record;
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    if (copy_name(a->name, a->name_len, name) < 0)
        return 0;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SESSION, name, a->device_id);
    int rc = signal_record_load(s, &k, record, NULL);
    return rc < 0 ? SG_ERR_UNKNOWN : rc;
}

static int session_devices(signal_int_list **sessions, const char *n, size_t len, void *ud)
{
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    int64_t *devices = NULL;
    size_t count = 0;
    if (copy_name(n, len, name) < 0)
        return SG_ERR_INVAL;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SESSION, name, 0);
    int rc = wg_store_signal_key_devices(s->store, &k, &devices, &count);
    if (rc < 0) {
        fail(s, rc);
        return SG_ERR_UNKNOWN;
    }
    signal_int_list *list = signal_int_list_alloc();
    if (!list) {
        free(devices);
        return SG_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++)
        signal_int_list_push_back(list, (int)devices[i]);
    free(devices);
    *sessions = list;
    return (int)count;
}

static int session_store(const signal_protocol_address *a, uint8_t *record, size_t record_len,
                         uint8_t *user_record, size_t user_record_len, void *ud)
{
    (void)user_record;
    (void)user_record_len;
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    if (copy_name(a->name, a->name_len, name) < 0 || record_len == 0)
        return SG_ERR_INVAL;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SESSION, name, a->device_id);
    /* write-back (signal.c wg_signal_encrypt, wg_signal_batch_begin): a
     * cached session's new state waits in the cache for the group's end;
     * any other is written now */
    if (s->holding && record_cache_hold(s->cache, &k, record, record_len) == 0)
        return 0;
    return signal_record_save(s, &k, record, record_len) < 0 ? SG_ERR_UNKNOWN : 0;
}

static int session_contains(const signal_protocol_address *a, void *ud)
{
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    wg_buf_t blob = WG_BUF_INIT;
    if (copy_name(a->name, a->name_len, name) < 0)
        return 0;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SESSION, name, a->device_id);
    const uint8_t *cached;
    size_t cached_len;
    if (s->cache && record_cache_get(s->cache, &k, &cached, &cached_len))
        return 1;
    int rc = wg_store_signal_key_get(s->store, &k, &blob);
    wg_buf_free(&blob);
    if (rc < 0 && rc != WG_ENOTFOUND)
        fail(s, rc);
    return rc == 0 ? 1 : 0;
}

static int session_delete(const signal_protocol_address *a, void *ud)
{
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    if (copy_name(a->name, a->name_len, name) < 0)
        return 0;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SESSION, name, a->device_id);
    int rc = signal_record_delete(s, &k);
    return rc < 0 ? (fail(s, rc), SG_ERR_UNKNOWN) : rc;
}

static int session_delete_all(const char *n, size_t len, void *ud)
{
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    if (copy_name(n, len, name) < 0)
        return 0;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SESSION, name, 0);
    int rc = signal_record_delete_name(s, &k);
    return rc < 0 ? (fail(s, rc), SG_ERR_UNKNOWN) : rc;
}

/* ------------------------------------------------------------ pre-keys */

/* The serialized record of one-time pre-key id derived from the seed. */
static int prekey_derive(wg_signal_t *s, uint32_t id, signal_buffer **record)
{
    uint8_t priv[32], pub[32];
    ec_key_pair *pair = NULL;
    session_pre_key *pk = NULL;
    int rc = SG_ERR_UNKNOWN;
    wg_wa_creds_prekey(&s->creds, id, priv, pub);
    if (wg_signal_key_pair(s->global, priv, pub, &pair) == 0 &&
        session_pre_key_create(&pk, id, pair) == 0 && session_pre_key_serialize(record, pk) == 0)
        rc = 0;
    sodium_memzero(priv, sizeof priv);
    if (pk)
        SIGNAL_UNREF(pk);
    if (pair)
        SIGNAL_UNREF(pair);
    return rc;
}

/* Ids handed out by the credentials and not consumed are loadable. */
static int prekey_issued(const wg_signal_t *s, uint32_t id)
{
    return id >= 1 && id < s->creds.next_prekey_id;
}

static int prekey_load(signal_buffer **record, uint32_t id, void *ud)
{
    wg_signal_t *s = ud;
    int tombstone = 0;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_PREKEY, NULL, id);
    int rc = signal_record_load(s, &k, record, &tombstone);
    if (rc < 0)
        return SG_ERR_UNKNOWN;
    if (rc == 1)
        return SG_SUCCESS;
    if (tombstone || !prekey_issued(s, id))
        return SG_ERR_INVALID_KEY_ID;
    return prekey_derive(s, id, record);
}

static int prekey_store(uint32_t id, uint8_t *record, size_t len, void *ud)
{
    wg_signal_t *s = ud;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_PREKEY, NULL, id);
    if (len == 0)
        return SG_ERR_INVAL;
    return signal_record_save(s, &k, record, len) < 0 ? SG_ERR_UNKNOWN : 0;
}

static int prekey_contains(uint32_t id, void *ud)
{
    signal_buffer *b = NULL;
    int rc = prekey_load(&b, id, ud);
    signal_buffer_free(b);
    return rc == 0 ? 1 : 0;
}

/* Consumed: a tombstone, so the derived key can never be loaded again. */
static int prekey_remove(uint32_t id, void *ud)
{
    wg_signal_t *s = ud;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_PREKEY, NULL, id);
    return signal_record_save(s, &k, NULL, 0) < 0 ? SG_ERR_UNKNOWN : 0;
}

/* ------------------------------------------------------------ signed pre-keys */

static int spk_load(signal_buffer **record, uint32_t id, void *ud)
{
    wg_signal_t *s = ud;
    /* id 0: some peers omit signedPreKeyId; use the current one (§12 pitfall 9) */
    if (id == s->creds.spk_id || id == 0) {
        ec_key_pair *pair = NULL;
        session_signed_pre_key *spk = NULL;
        int rc = SG_ERR_UNKNOWN;
        if (wg_signal_key_pair(s->global, s->creds.spk_priv, s->creds.spk_pub, &pair) == 0 &&
            session_signed_pre_key_create(&spk, s->creds.spk_id, 0, pair, s->creds.spk_sig,
                                          sizeof s->creds.spk_sig) == 0 &&
            session_signed_pre_key_serialize(record, spk) == 0)
            rc = 0;
        if (spk)
            SIGNAL_UNREF(spk);
        if (pair)
            SIGNAL_UNREF(pair);
        return rc;
    }
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SIGNED_PREKEY, NULL, id);
    int rc = signal_record_load(s, &k, record, NULL);
    return rc < 0 ? SG_ERR_UNKNOWN : rc == 1 ? 0 : SG_ERR_INVALID_KEY_ID;
}

static int spk_store(uint32_t id, uint8_t *record, size_t len, void *ud)
{
    wg_signal_t *s = ud;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SIGNED_PREKEY, NULL, id);
    if (len == 0)
        return SG_ERR_INVAL;
    return signal_record_save(s, &k, record, len) < 0 ? SG_ERR_UNKNOWN : 0;
}

static int spk_contains(uint32_t id, void *ud)
{
    signal_buffer *b = NULL;
    int rc = spk_load(&b, id, ud);
    signal_buffer_free(b);
    return rc == 0 ? 1 : 0;
}

static int spk_remove(uint32_t id, void *ud)
{
    wg_signal_t *s = ud;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_SIGNED_PREKEY, NULL, id);
    int rc = signal_record_delete(s, &k);
    return rc < 0 ? (fail(s, rc), SG_ERR_UNKNOWN) : 0;
}

/* ------------------------------------------------------------ identities */

static int identity_own(signal_buffer **public_data, signal_buffer **private_data, void *ud)
{
    wg_signal_t *s = ud;
    uint8_t typed[33] = {WG_SIGNAL_KEY_TYPE};
    memcpy(typed + 1, s->creds.identity_pub, 32);
    *public_data = signal_buffer_create(typed, sizeof typed);
    *private_data = signal_buffer_create(s->creds.identity_priv, 32);
    if (!*public_data || !*private_data) {
        signal_buffer_free(*public_data);
        signal_buffer_bzero_free(*private_data);
        return SG_ERR_NOMEM;
    }
    return 0;
}

static int identity_registration(void *ud, uint32_t *registration_id)
{
    wg_signal_t *s = ud;
    *registration_id = s->creds.registration_id;
    return 0;
}

static int identity_save(const signal_protocol_address *a, uint8_t *key, size_t len, void *ud)
{
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    if (copy_name(a->name, a->name_len, name) < 0)
        return SG_ERR_INVAL;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_IDENTITY, name, a->device_id);
    if (!key || len == 0) {
        int rc = signal_record_delete(s, &k);
        return rc < 0 ? (fail(s, rc), SG_ERR_UNKNOWN) : 0;
    }
    return signal_record_save(s, &k, key, len) < 0 ? SG_ERR_UNKNOWN : 0;
}

/* 0 no identity stored, 1 same, 2 different; <0 failure. */
static int identity_compare(wg_signal_t *s, const char *name, uint32_t device, const uint8_t *key,
                            size_t len)
{
    signal_buffer *stored = NULL;
    wg_signal_key_id_t k = key_of(s, WG_SIGNAL_KEY_IDENTITY, name, device);
    int rc = signal_record_load(s, &k, &stored, NULL);
    if (rc == 1)
        rc = signal_buffer_len(stored) == len &&
                     sodium_memcmp(signal_buffer_data(stored), key, len) == 0
                 ? 1
                 : 2;
    signal_buffer_free(stored);
    return rc;
}

/* Trust on first use, and on change too (WhatsApp accepts a reinstalled
 * peer): the change is only recorded for the caller. */
static int identity_trusted(const signal_protocol_address *a, uint8_t *key, size_t len, void *ud)
{
    wg_signal_t *s = ud;
    char name[WG_SIGNAL_NAME_MAX];
    if (copy_name(a->name, a->name_len, name) < 0)
        return SG_ERR_INVAL;
    int rc = identity_compare(s, name, (uint32_t)a->device_id, key, len);
    if (rc < 0)
        return SG_ERR_UNKNOWN;
    if (rc == 0)
        s->identity_flags |= WG_SIGNAL_IDENTITY_NEW;
    else if (rc == 2)
        s->identity_flags |= WG_SIGNAL_IDENTITY_CHANGED;
    return 1;
}

int wg_signal_identity_state(wg_signal_t *s, const wg_signal_addr_t *addr, const uint8_t *key,
                             size_t len, int *state)
{
    uint8_t typed[33] = {WG_SIGNAL_KEY_TYPE};
    if (!s || !addr || !key || !state || (len != 32 && len != 33))
        return WG_EINVAL;
    memcpy(typed + 33 - len, key, len);
    if (len == 33 && key[0] != WG_SIGNAL_KEY_TYPE)
        return WG_EINVAL;
    s->store_error = 0;
    int rc = identity_compare(s, addr->name, addr->device, typed, sizeof typed);
    if (rc < 0)
        return s->store_error ? s->store_error : WG_EDB;
    *state = rc;
    return 0;
}

/* ------------------------------------------------------------ sender keys */

static int sender_key_id(wg_signal_t *s, const signal_protocol_sender_key_name *n,
                         char group[WG_SIGNAL_NAME_MAX * 2], char name[WG_SIGNAL_NAME_MAX],
                         wg_signal_key_id_t *k)
{
    if (!n->group_id || n->group_id_len == 0 || n->group_id_len >= WG_SIGNAL_NAME_MAX * 2 ||
        memchr(n->group_id, 0, n->group_id_len) ||
        copy_name(n->sender.name, n->sender.name_len, name) < 0)
        return -1;
    memcpy(group, n->group_id, n->group_id_len);
    group[n->group_id_len] = 0;
    *k = key_of(s, WG_SIGNAL_KEY_SENDER_KEY, name, n->sender.device_id);
    k->group_id = group;
    return 0;
}

static int sender_key_store(const signal_protocol_sender_key_name *n, uint8_t *record,
                            size_t record_len, uint8_t *user_record, size_t user_record_len,
                            void *ud)
{
    (void)user_record;
    (void)user_record_len;
    wg_signal_t *s = ud;
    char group[WG_SIGNAL_NAME_MAX * 2], name[WG_SIGNAL_NAME_MAX];
    wg_signal_key_id_t k;
    if (sender_key_id(s, n, group, name, &k) < 0 || record_len == 0)
        return SG_ERR_INVAL;
    return signal_record_save(s, &k, record, record_len) < 0 ? SG_ERR_UNKNOWN : 0;
}

static int sender_key_load(signal_buffer **record, signal_buffer **user_record,
                           const signal_protocol_sender_key_name *n, void *ud)
{
    (void)user_record;
    wg_signal_t *s = ud;
    char group[WG_SIGNAL_NAME_MAX * 2], name[WG_SIGNAL_NAME_MAX];
    wg_signal_key_id_t k;
    if (sender_key_id(s, n, group, name, &k) < 0)
        return 0;
    int rc = signal_record_load(s, &k, record, NULL);
    return rc < 0 ? SG_ERR_UNKNOWN : rc;
}

int signal_stores_register(wg_signal_t *s)
{
    signal_protocol_session_store session = {
        session_load,     session_devices,    session_store, session_contains,
        session_delete,   session_delete_all, NULL,          s,
    };
    signal_protocol_pre_key_store prekey = {
        prekey_load, prekey_store, prekey_contains, prekey_remove, NULL, s,
    };
    signal_protocol_signed_pre_key_store spk = {
        spk_load, spk_store, spk_contains, spk_remove, NULL, s,
    };
    signal_protocol_identity_key_store identity = {
        identity_own, identity_registration, identity_save, identity_trusted, NULL, s,
    };
    signal_protocol_sender_key_store sender = {sender_key_store, sender_key_load, NULL, s};
    if (signal_protocol_store_context_set_session_store(s->stores, &session) ||
        signal_protocol_store_context_set_pre_key_store(s->stores, &prekey) ||
        signal_protocol_store_context_set_signed_pre_key_store(s->stores, &spk) ||
        signal_protocol_store_context_set_identity_key_store(s->stores, &identity) ||
        signal_protocol_store_context_set_sender_key_store(s->stores, &sender))
        return WG_EINVAL;
    return 0;
}
