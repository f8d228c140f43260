/* Sender keys (see group.h). The sender-key name is (group JID, sender
 * address) exactly as Baileys' jidToSignalSenderKeyName builds it, so both
 * sides agree on which chain a skmsg belongs to. */
#include "signal/group.h"
#include "signal/context.h"
#include "signal/padding.h"
#include "wg_err.h"

#include <group_cipher.h>
#include <group_session_builder.h>
#include <protocol.h>
#include <sodium.h>
#include <string.h>

static int key_name(const char *group, const wg_signal_addr_t *a,
                    signal_protocol_sender_key_name *out)
{
    size_t n = group ? strlen(group) : 0;
    if (!n || n >= WG_SIGNAL_NAME_MAX * 2 || !a || !a->name[0])
        return WG_EINVAL;
    out->group_id = group;
    out->group_id_len = n;
    out->sender = wg_signal_addr_protocol(a);
    return 0;
}

int wg_signal_group_skdm(wg_signal_t *s, const char *group, const wg_signal_addr_t *self,
                         wg_buf_t *out)
{
    signal_protocol_sender_key_name name;
    group_session_builder *builder = NULL;
    sender_key_distribution_message *skdm = NULL;
    if (!s || !out || key_name(group, self, &name) < 0)
        return WG_EINVAL;
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    int sg = group_session_builder_create(&builder, s->stores, s->global);
    if (sg == 0)
        sg = group_session_builder_create_session(builder, &skdm, &name);
    if ((rc = signal_map_error(s, sg)) == 0) {
        signal_buffer *ser = ciphertext_message_get_serialized((ciphertext_message *)skdm);
        wg_buf_append(out, signal_buffer_data(ser), signal_buffer_len(ser));
    }
    if (skdm)
        SIGNAL_UNREF(skdm);
    if (builder)
        group_session_builder_free(builder);
    return signal_op_end(s, rc);
}

int wg_signal_group_process_skdm(wg_signal_t *s, const char *group, const wg_signal_addr_t *sender,
                                 const uint8_t *p, size_t len)
{
    signal_protocol_sender_key_name name;
    group_session_builder *builder = NULL;
    sender_key_distribution_message *skdm = NULL;
    if (!s || !p || !len || key_name(group, sender, &name) < 0)
        return WG_EINVAL;
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    int sg = sender_key_distribution_message_deserialize(&skdm, p, len, s->global);
    if (sg == 0)
        sg = group_session_builder_create(&builder, s->stores, s->global);
    if (sg == 0)
        sg = group_session_builder_process_session(builder, &name, skdm);
    rc = signal_map_error(s, sg);
    if (skdm)
        SIGNAL_UNREF(skdm);
    if (builder)
        group_session_builder_free(builder);
    return signal_op_end(s, rc);
}

int wg_signal_group_encrypt(wg_signal_t *s, const char *group, const wg_signal_addr_t *self,
                            const uint8_t *msg, size_t len, wg_buf_t *out)
{
    signal_protocol_sender_key_name name;
    group_cipher *cipher = NULL;
    ciphertext_message *ct = NULL;
    wg_buf_t padded = WG_BUF_INIT;
    if (!s || (!msg && len) || !out || key_name(group, self, &name) < 0)
        return WG_EINVAL;
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    wg_signal_pad(msg, len, &padded);
    int sg = group_cipher_create(&cipher, s->stores, &name, s->global);
    if (sg == 0)
        sg = group_cipher_encrypt(cipher, padded.p, padded.len, &ct);
    rc = signal_map_error(s, sg);
    if (rc == WG_EPROTO || rc == WG_EINVAL)
        rc = WG_ESTATE; /* no sender key record: create one with the SKDM first */
    if (rc == 0) {
        signal_buffer *ser = ciphertext_message_get_serialized(ct);
        wg_buf_append(out, signal_buffer_data(ser), signal_buffer_len(ser));
    }
    if (ct)
        SIGNAL_UNREF(ct);
    if (cipher)
        group_cipher_free(cipher);
    sodium_memzero(padded.p, padded.cap);
    wg_buf_free(&padded);
    return signal_op_end(s, rc);
}

int wg_signal_group_decrypt(wg_signal_t *s, const char *group, const wg_signal_addr_t *sender,
                            const uint8_t *p, size_t len, wg_buf_t *out)
{
    signal_protocol_sender_key_name name;
    group_cipher *cipher = NULL;
    sender_key_message *msg = NULL;
    signal_buffer *plain = NULL;
    if (!s || !p || !len || !out || key_name(group, sender, &name) < 0)
        return WG_EINVAL;
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    int sg = sender_key_message_deserialize(&msg, p, len, s->global);
    if (sg == 0)
        sg = group_cipher_create(&cipher, s->stores, &name, s->global);
    if (sg == 0)
        sg = group_cipher_decrypt(cipher, msg, NULL, &plain);
    rc = signal_map_error(s, sg);
    if (rc == 0) {
        size_t n = 0;
        rc = wg_signal_unpad(signal_buffer_data(plain), signal_buffer_len(plain), &n);
        if (rc == 0 && n)
            wg_buf_append(out, signal_buffer_data(plain), n);
    }
    if (msg)
        SIGNAL_UNREF(msg);
    if (cipher)
        group_cipher_free(cipher);
    if (plain)
        signal_buffer_bzero_free(plain);
    return signal_op_end(s, rc);
}
