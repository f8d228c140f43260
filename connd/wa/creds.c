/* Companion credentials (see creds.h). */
#include "wa/creds.h"

#include <openssl/hmac.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "wa/jid.h"
#include "wa/noise.h"
#include "wa/payload.h"
#include "wa/xedsign.h"
#include "wacreds.pb-c.h"
#include "wg_err.h"

static void new_keypair(uint8_t priv[32], uint8_t pub[32])
{
    randombytes_buf(priv, 32);
    wg_x25519_clamp(priv);
    wg_noise_public_key(pub, priv);
}

static int sign_spk(wg_wa_creds_t *c)
{
    uint8_t msg[33];
    msg[0] = 0x05; /* libsignal signs the serialized (type-prefixed) key */
    memcpy(msg + 1, c->spk_pub, 32);
    return wg_xeddsa_sign(c->identity_priv, msg, sizeof msg, NULL, c->spk_sig);
}

int wg_wa_creds_generate(wg_wa_creds_t *c)
{
    if (sodium_init() < 0)
        return WG_ECRYPTO;
    memset(c, 0, sizeof *c);
    new_keypair(c->noise_priv, c->noise_pub);
    new_keypair(c->identity_priv, c->identity_pub);
    new_keypair(c->spk_priv, c->spk_pub);
    new_keypair(c->pairing_eph_priv, c->pairing_eph_pub);
    c->spk_id = 1;
    /* any uint32 works (§12 pitfall 7); keep it positive as a signed int */
    c->registration_id = (randombytes_random() & 0x3FFF) + 1;
    randombytes_buf(c->adv_secret, sizeof c->adv_secret);
    randombytes_buf(c->prekey_seed, sizeof c->prekey_seed);
    c->next_prekey_id = 1;
    return sign_spk(c);
}

bool wg_wa_creds_paired(const wg_wa_creds_t *c)
{
    return c->me_jid[0] != '\0';
}

static ProtobufCBinaryData bin(const uint8_t *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

void wg_wa_creds_pack(const wg_wa_creds_t *c, wg_buf_t *out)
{
    Wg__Wa__Creds m = WG__WA__CREDS__INIT;
    m.noise_priv = bin(c->noise_priv, 32);
    m.identity_priv = bin(c->identity_priv, 32);
    m.signed_prekey_priv = bin(c->spk_priv, 32);
    m.signed_prekey_id = c->spk_id;
    m.signed_prekey_sig = bin(c->spk_sig, 64);
    m.registration_id = c->registration_id;
    m.adv_secret = bin(c->adv_secret, 32);
    m.me_jid = c->me_jid[0] ? (char *)c->me_jid : NULL;
    m.me_lid = c->me_lid[0] ? (char *)c->me_lid : NULL;
    m.push_name = c->push_name[0] ? (char *)c->push_name : NULL;
    m.platform = c->platform[0] ? (char *)c->platform : NULL;
    m.has_account = c->account_len > 0;
    m.account = bin(c->account, c->account_len);
    m.has_next_prekey_id = 1;
    m.next_prekey_id = c->next_prekey_id;
    m.has_pairing_eph_priv = 1;
    m.pairing_eph_priv = bin(c->pairing_eph_priv, 32);
    m.has_prekey_seed = 1;
    m.prekey_seed = bin(c->prekey_seed, 32);
    wg_wa_pb_append(&m.base, out);
}

static int copy_key(uint8_t *dst, ProtobufCBinaryData b, size_t len)
{
    if (b.len != len)
        return WG_EPROTO;
    memcpy(dst, b.data, len);
    return 0;
}

static void copy_str(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

int wg_wa_creds_unpack(const uint8_t *p, size_t len, wg_wa_creds_t *c)
{
    Wg__Wa__Creds *m = wg__wa__creds__unpack(NULL, len, p);
    int rc = WG_EPROTO;
    if (!m)
        return WG_EPROTO;
    memset(c, 0, sizeof *c);
    if (copy_key(c->noise_priv, m->noise_priv, 32) || copy_key(c->identity_priv, m->identity_priv, 32) ||
        copy_key(c->spk_priv, m->signed_prekey_priv, 32) || copy_key(c->spk_sig, m->signed_prekey_sig, 64) ||
        copy_key(c->adv_secret, m->adv_secret, 32))
        goto done;
    if (m->has_prekey_seed && copy_key(c->prekey_seed, m->prekey_seed, 32))
        goto done;
    if (m->has_pairing_eph_priv && copy_key(c->pairing_eph_priv, m->pairing_eph_priv, 32))
        goto done;
    if (m->has_account) {
        if (m->account.len > WG_WA_ACCOUNT_MAX)
            goto done;
        memcpy(c->account, m->account.data, m->account.len);
        c->account_len = m->account.len;
    }
    c->spk_id = m->signed_prekey_id;
    c->registration_id = m->registration_id;
    c->next_prekey_id = m->has_next_prekey_id ? m->next_prekey_id : 1;
    copy_str(c->me_jid, sizeof c->me_jid, m->me_jid);
    copy_str(c->me_lid, sizeof c->me_lid, m->me_lid);
    copy_str(c->push_name, sizeof c->push_name, m->push_name);
    copy_str(c->platform, sizeof c->platform, m->platform);
    wg_noise_public_key(c->noise_pub, c->noise_priv);
    wg_noise_public_key(c->identity_pub, c->identity_priv);
    wg_noise_public_key(c->spk_pub, c->spk_priv);
    wg_noise_public_key(c->pairing_eph_pub, c->pairing_eph_priv);
    rc = 0;
done:
    wg__wa__creds__free_unpacked(m, NULL);
    if (rc)
        wg_wa_creds_wipe(c);
    return rc;
}

void wg_wa_creds_prekey(const wg_wa_creds_t *c, uint32_t id, uint8_t priv[32], uint8_t pub[32])
{
    uint8_t be[4] = {(uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id};
    unsigned int n = 32;
    HMAC(EVP_sha256(), c->prekey_seed, 32, be, sizeof be, priv, &n);
    wg_x25519_clamp(priv);
    wg_noise_public_key(pub, priv);
}

int wg_wa_creds_me(const wg_wa_creds_t *c, uint64_t *phone, uint32_t *device)
{
    wg_jid_t jid;
    if (!c->me_jid[0] || wg_jid_parse(c->me_jid, strlen(c->me_jid), &jid) != 0)
        return WG_EINVAL;
    char *end = NULL;
    unsigned long long v = strtoull(jid.user, &end, 10);
    if (!jid.user[0] || !end || *end)
        return WG_EINVAL;
    *phone = v;
    *device = jid.has_device ? jid.device : 0;
    return 0;
}

void wg_wa_creds_wipe(wg_wa_creds_t *c)
{
    sodium_memzero(c, sizeof *c);
}
