/* libFuzzer target: connd/message/compose and the outgoing encoder on
 * hostile strings. The first byte picks the path, the rest is the input:
 * 0 the reaction (single emoji) check, 1 the first-URL scan, 2 the
 * number -> chat JID rule, 3 a sendReaction request, 4 a sendText request
 * whose lines after the first are mentioned numbers (with its link
 * preview), 5 an updateMessage. Whatever is accepted must encode into a
 * Message our own decoder reads back, and its JSON must serialize. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message/compose.h"
#include "message/send.h"
#include "wa/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(wg_compose_t *c)
{
    wg_buf_t out = WG_BUF_INIT;
    if (wg_wa_msg_encode(&c->out, NULL, &out) == 0) {
        wg_wa_msg_content_t m;
        if (wg_wa_msg_decode(out.p, out.len, &m) != 0)
            abort();
        wg_wa_msg_content_free(&m);
    }
    wg_buf_free(&out);
    char *s = json_dumps(c->message, JSON_COMPACT);
    if (!s)
        abort();
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    wg_compose_t c;
    const char *why;
    switch (data[0] % 6) {
    case 0:
        (void)wg_compose_is_reaction(s);
        break;
    case 1: {
        char *u = wg_compose_first_url(s);
        if (u && (!strstr(s, u) || strncmp(u, "http", 4) != 0))
            abort();
        free(u);
        break;
    }
    case 2: {
        char jid[160];
        (void)wg_send_chat_jid(s, jid, sizeof jid);
        break;
    }
    case 3: {
        Wg__Ipc__MessageKeyReq k = WG__IPC__MESSAGE_KEY_REQ__INIT;
        k.id = "3EB0AA";
        k.remote_jid = "15551234567@s.whatsapp.net";
        Wg__Ipc__SendReactionReq r = WG__IPC__SEND_REACTION_REQ__INIT;
        r.key = &k;
        r.reaction = s;
        if (wg_compose_reaction(&r, 1, &c, &why) == 0)
            round_trip(&c);
        wg_compose_free(&c);
        break;
    }
    case 4: {
        char *lines[16];
        size_t n = 0;
        char *text = s, *nl;
        while (n < 16 && (nl = strchr(text, '\n'))) {
            *nl = '\0';
            lines[n++] = nl + 1;
            text = nl + 1;
        }
        Wg__Ipc__SendTextReq r = WG__IPC__SEND_TEXT_REQ__INIT;
        r.number = "15551234567";
        r.text = s;
        r.mentioned = lines;
        r.n_mentioned = n;
        if (wg_compose_text(&r, &c, &why) == 0)
            round_trip(&c);
        wg_compose_free(&c);
        break;
    }
    case 5: {
        Wg__Ipc__MessageKeyReq k = WG__IPC__MESSAGE_KEY_REQ__INIT;
        k.id = "3EB0AA";
        k.remote_jid = s;
        k.has_from_me = 1;
        k.from_me = 1;
        Wg__Ipc__UpdateMessageReq r = WG__IPC__UPDATE_MESSAGE_REQ__INIT;
        r.number = s;
        r.key = &k;
        r.text = s;
        if (wg_compose_edit(&r, 1, &c, &why) == 0)
            round_trip(&c);
        wg_compose_free(&c);
        break;
    }
    }
    free(s);
    return 0;
}
