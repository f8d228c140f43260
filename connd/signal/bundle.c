/* Pre-key bundles -> outgoing sessions (see bundle.h). The 0x05 type byte
 * is added here (keys.c); the bundle's signature is checked by libsignal. */
#include "signal/bundle.h"
#include "signal/context.h"
#include "signal/keys.h"
#include "wg_err.h"

#include <session_builder.h>
#include <session_pre_key.h>
#include <string.h>

int wg_signal_process_bundle(wg_signal_t *s, const wg_signal_addr_t *addr,
                             const wg_signal_bundle_t *b, unsigned *flags)
{
    if (flags)
        *flags = 0;
    if (!s || !addr || !b)
        return WG_EINVAL;
    ec_public_key *identity = NULL, *spk = NULL, *prekey = NULL;
    session_pre_key_bundle *bundle = NULL;
    session_builder *builder = NULL;
    signal_protocol_address a = wg_signal_addr_protocol(addr);
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    if ((rc = wg_signal_key_decode(s->global, b->identity, 32, &identity)) < 0 ||
        (rc = wg_signal_key_decode(s->global, b->spk, 32, &spk)) < 0 ||
        (b->has_prekey && (rc = wg_signal_key_decode(s->global, b->prekey, 32, &prekey)) < 0))
        goto done;
    int state = 0;
    if ((rc = wg_signal_identity_state(s, addr, b->identity, 32, &state)) < 0)
        goto done;
    if (state == 2) {
        /* a reinstalled peer: drop the old session before building anew ([W]
         * clearUntrustedIdentity); identity_trusted records the change */
        if (signal_protocol_session_delete_session(s->stores, &a) < 0) {
            rc = s->store_error ? s->store_error : WG_EDB;
            goto done;
        }
    }
    int sg = session_pre_key_bundle_create(&bundle, b->registration_id, (int)addr->device,
                                           b->has_prekey ? b->prekey_id : 0, prekey, b->spk_id,
                                           spk, b->spk_sig, sizeof b->spk_sig, identity);
    if (sg == 0)
        sg = session_builder_create(&builder, s->stores, &a, s->global);
    if (sg == 0)
        sg = session_builder_process_pre_key_bundle(builder, bundle);
    if (sg == SG_ERR_INVALID_KEY)
        sg = SG_ERR_VRF_SIG_VERIF_FAILED; /* the only key check left: the signature */
    rc = signal_map_error(s, sg);
    if (rc == 0 && flags)
        *flags = s->identity_flags;
done:
    if (builder)
        session_builder_free(builder);
    if (bundle)
        SIGNAL_UNREF(bundle);
    if (identity)
        SIGNAL_UNREF(identity);
    if (spk)
        SIGNAL_UNREF(spk);
    if (prekey)
        SIGNAL_UNREF(prekey);
    return signal_op_end(s, rc);
}

void wg_signal_own_bundle(const wg_signal_t *s, uint32_t prekey_id, wg_signal_bundle_t *out)
{
    memset(out, 0, sizeof *out);
    out->registration_id = s->creds.registration_id;
    memcpy(out->identity, s->creds.identity_pub, 32);
    out->spk_id = s->creds.spk_id;
    memcpy(out->spk, s->creds.spk_pub, 32);
    memcpy(out->spk_sig, s->creds.spk_sig, 64);
    if (prekey_id) {
        uint8_t priv[32];
        out->has_prekey = true;
        out->prekey_id = prekey_id;
        wg_wa_creds_prekey(&s->creds, prekey_id, priv, out->prekey);
        memset(priv, 0, sizeof priv);
    }
}
