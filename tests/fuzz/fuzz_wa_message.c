/* libFuzzer target: the message paths of connd/wa/message. First byte even:
 * the rest is a frame plaintext (binary node); when it is a <message>, its
 * addressing is read and every <plaintext> and <enc> payload is decoded as
 * a Message (an <enc> ciphertext stands in for a decrypted, unpadded
 * plaintext). First byte odd: the rest is a Message protobuf directly.
 * Anything accepted must produce a JSON object that serializes. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const uint8_t *p, size_t len)
{
    wg_wa_msg_content_t c;
    if (wg_wa_msg_decode(p, len, &c) != 0)
        return;
    char *s = json_dumps(c.message, JSON_COMPACT);
    if (!s || !json_is_object(c.message) || !c.message_type)
        abort();
    free(s);
    wg_wa_msg_content_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        decode(data + 1, size - 1);
        return 0;
    }
    wg_node_t *node = NULL;
    if (wg_node_decode(data + 1, size - 1, 1 << 16, &node) != 0)
        return 0;
    wg_wa_msg_in_t m;
    if (wg_wa_msg_in_parse(node, "15550001111:7@s.whatsapp.net", "99887766:7@lid", &m) == 0) {
        if (!m.id || !m.sender || !m.chat[0] || (!m.n_enc && !m.plaintext))
            abort();
        if (m.plaintext)
            decode(m.plaintext, m.plaintext_len);
        for (size_t i = 0; i < m.n_enc; i++)
            decode(m.enc[i].ct, m.enc[i].len);
    }
    wg_node_free(node);
    return 0;
}
