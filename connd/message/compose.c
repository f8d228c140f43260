/* Send requests as Messages (see compose.h). Never logs message contents. */
#include "message/compose.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message/send.h"
#include "wg_alloc.h"
#include "wg_err.h"

#define MAX_REACTION_BYTES 64 /* the longest ZWJ family sequence fits */

static char *dup_or_null(const char *s)
{
    return s ? wg_strdup(s) : NULL;
}

static void raw_key(json_t *obj, const wg_wa_msg_key_t *k)
{
    json_t *key =
        json_pack("{s:s,s:b,s:s}", "remoteJid", k->remote_jid, "fromMe", k->from_me, "id", k->id);
    if (k->participant)
        json_object_set_new(key, "participant", json_string(k->participant));
    json_object_set_new(obj, "key", key);
}

/* ------------------------------------------------------------ text */

char *wg_compose_first_url(const char *text)
{
    if (!text)
        return NULL;
    for (const char *p = text; *p; p++) {
        size_t scheme = strncmp(p, "https://", 8) == 0 ? 8 : strncmp(p, "http://", 7) == 0 ? 7 : 0;
        if (!scheme || (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '/')))
            continue;
        const char *e = p + scheme;
        while (*e && !isspace((unsigned char)*e) && *e != '<' && *e != '>' && *e != '"')
            e++;
        /* "see https://x.org/a." means https://x.org/a */
        while (e > p + scheme && strchr(".,;:!?)]}'", e[-1]))
            e--;
        if (e == p + scheme)
            continue;
        char *url = wg_malloc((size_t)(e - p) + 1);
        memcpy(url, p, (size_t)(e - p));
        url[e - p] = '\0';
        return url;
    }
    return NULL;
}

void wg_compose_set_mentions(wg_compose_t *c, const char *const *jids, size_t n)
{
    for (size_t i = 0; i < c->n_mentions; i++)
        free(c->mentions[i]);
    free(c->mentions);
    c->mentions = NULL;
    c->n_mentions = 0;
    if (n > WG_COMPOSE_MAX_MENTIONS)
        n = WG_COMPOSE_MAX_MENTIONS;
    if (n) {
        c->mentions = wg_calloc(n, sizeof *c->mentions);
        for (size_t i = 0; i < n; i++)
            c->mentions[c->n_mentions++] = wg_strdup(jids[i]);
    }
    c->out.mentions = (const char *const *)c->mentions;
    c->out.n_mentions = c->n_mentions;
    if (n && !c->context_info)
        c->context_info = json_object();
    if (c->context_info) {
        json_object_del(c->context_info, "mentionedJid");
        if (n) {
            json_t *arr = json_array();
            for (size_t i = 0; i < c->n_mentions; i++)
                json_array_append_new(arr, json_string(c->mentions[i]));
            json_object_set_new(c->context_info, "mentionedJid", arr);
        }
    }
}

int wg_compose_text(const Wg__Ipc__SendTextReq *req, wg_compose_t *c, const char **why)
{
    memset(c, 0, sizeof *c);
    *why = NULL;
    c->out.kind = WG_WA_OUT_TEXT;
    c->store = WG_COMPOSE_STORE_INSERT;
    snprintf(c->number, sizeof c->number, "%s", req->number ? req->number : "");
    c->delay_ms = req->has_delay_ms ? req->delay_ms : 0;
    c->text = wg_strdup(req->text ? req->text : "");
    c->out.text = c->text;
    /* Evolution normalises extendedTextMessage to conversation (§3.1) */
    c->message = json_pack("{s:s}", "conversation", c->text);
    c->message_type = "conversation";
    if (!c->message) {
        *why = "Text is required"; /* not UTF-8 */
        return WG_EINVAL;
    }
    if (req->quoted_id) {
        c->quoted_id = wg_strdup(req->quoted_id);
        if (!(req->has_quoted_from_me && req->quoted_from_me) && req->quoted_remote_jid)
            c->quoted_participant = wg_strdup(req->quoted_remote_jid);
        c->quoted_text = dup_or_null(req->quoted_text);
        c->out.quoted_id = c->quoted_id;
        c->out.quoted_participant = c->quoted_participant;
        c->out.quoted_text = c->quoted_text;
        c->context_info = json_pack("{s:s}", "stanzaId", c->quoted_id);
        if (c->quoted_participant)
            json_object_set_new(c->context_info, "participant", json_string(c->quoted_participant));
        if (c->quoted_text)
            json_object_set_new(c->context_info, "quotedMessage",
                                json_pack("{s:s}", "conversation", c->quoted_text));
    }
    if (req->n_mentioned) {
        char **jids = wg_calloc(req->n_mentioned, sizeof *jids);
        size_t n = 0;
        for (size_t i = 0; i < req->n_mentioned; i++) {
            char jid[160];
            if (wg_send_chat_jid(req->mentioned[i], jid, sizeof jid) != 0) {
                *why = "mentioned must be a list of numbers";
                break;
            }
            jids[n++] = wg_strdup(jid);
        }
        if (!*why)
            wg_compose_set_mentions(c, (const char *const *)jids, n);
        for (size_t i = 0; i < n; i++)
            free(jids[i]);
        free(jids);
        if (*why)
            return WG_EINVAL;
    }
    c->mentions_every_one = req->has_mentions_every_one && req->mentions_every_one;
    /* linkPreview: only false disables (§3.1); no network here, so the
     * preview is the matched URL itself, without title or thumbnail */
    if (!(req->has_link_preview && !req->link_preview)) {
        c->url = wg_compose_first_url(c->text);
        c->out.matched_url = c->url;
    }
    return 0;
}

/* ------------------------------------------------------------ key targets */

static int take_key(const Wg__Ipc__MessageKeyReq *k, wg_compose_t *c, const char **why)
{
    char chat[160];
    if (!k || !k->id || !*k->id || !k->remote_jid ||
        wg_send_chat_jid(k->remote_jid, chat, sizeof chat) != 0) {
        *why = "key is invalid";
        return WG_EINVAL;
    }
    c->key_id = wg_strdup(k->id);
    c->key_remote_jid = wg_strdup(chat);
    c->key_participant = dup_or_null(k->participant && *k->participant ? k->participant : NULL);
    c->out.key.id = c->key_id;
    c->out.key.remote_jid = c->key_remote_jid;
    c->out.key.from_me = k->has_from_me && k->from_me;
    c->out.key.participant = c->key_participant;
    snprintf(c->number, sizeof c->number, "%s", chat);
    return 0;
}

/* Advances over one UTF-8 code point; 0 at the end or on a bad sequence. */
static uint32_t next_cp(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    uint32_t cp;
    size_t n;
    if (!p[0])
        return 0;
    if (p[0] < 0x80)
        cp = p[0], n = 1;
    else if ((p[0] & 0xE0) == 0xC0)
        cp = p[0] & 0x1F, n = 2;
    else if ((p[0] & 0xF0) == 0xE0)
        cp = p[0] & 0x0F, n = 3;
    else if ((p[0] & 0xF8) == 0xF0)
        cp = p[0] & 0x07, n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *pp = p + n;
    return cp;
}

static int pictographic(uint32_t c)
{
    return c == 0xA9 || c == 0xAE || c == 0x203C || c == 0x2049 || c == 0x2122 || c == 0x2139 ||
           (c >= 0x2194 && c <= 0x21AA) || (c >= 0x231A && c <= 0x23FF) || c == 0x24C2 ||
           (c >= 0x25AA && c <= 0x27BF) || (c >= 0x2934 && c <= 0x2935) ||
           (c >= 0x2B05 && c <= 0x2B55) || c == 0x3030 || c == 0x303D || c == 0x3297 ||
           c == 0x3299 || (c >= 0x1F000 && c <= 0x1FAFF);
}

static int modifier(uint32_t c)
{
    return c == 0xFE0F || c == 0xFE0E || (c >= 0x1F3FB && c <= 0x1F3FF) ||
           (c >= 0xE0020 && c <= 0xE007F);
}

int wg_compose_is_reaction(const char *s)
{
    if (!s)
        return 0;
    if (!*s)
        return 1;
    if (strlen(s) > MAX_REACTION_BYTES)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c = next_cp(&p);
    if (c >= 0x1F1E6 && c <= 0x1F1FF) { /* a flag: two regional indicators */
        uint32_t d = next_cp(&p);
        return d >= 0x1F1E6 && d <= 0x1F1FF && !*p;
    }
    if ((c >= '0' && c <= '9') || c == '#' || c == '*') { /* keycap */
        uint32_t d = next_cp(&p);
        if (d == 0xFE0F)
            d = next_cp(&p);
        return d == 0x20E3 && !*p;
    }
    if (!pictographic(c))
        return 0;
    while (*p) {
        c = next_cp(&p);
        if (modifier(c) || c == 0x20E3)
            continue;
        if (c != 0x200D || !pictographic(next_cp(&p)))
            return 0;
    }
    return 1;
}

int wg_compose_reaction(const Wg__Ipc__SendReactionReq *req, int64_t now_ms, wg_compose_t *c,
                        const char **why)
{
    memset(c, 0, sizeof *c);
    *why = NULL;
    c->out.kind = WG_WA_OUT_REACTION;
    c->store = WG_COMPOSE_STORE_INSERT;
    if (!wg_compose_is_reaction(req->reaction)) {
        *why = "Reaction must be a single emoji or empty string";
        return WG_EINVAL;
    }
    if (take_key(req->key, c, why) != 0)
        return WG_EINVAL;
    c->text = wg_strdup(req->reaction);
    c->out.text = c->text;
    c->out.timestamp_ms = now_ms;
    json_t *r = json_pack("{s:s,s:I}", "text", c->text, "senderTimestampMs", (json_int_t)now_ms);
    raw_key(r, &c->out.key);
    c->message = json_pack("{s:o}", "reactionMessage", r);
    c->message_type = "reactionMessage";
    return 0;
}

int wg_compose_revoke(const Wg__Ipc__DeleteForEveryoneReq *req, wg_compose_t *c, const char **why)
{
    memset(c, 0, sizeof *c);
    *why = NULL;
    c->out.kind = WG_WA_OUT_REVOKE;
    c->store = WG_COMPOSE_STORE_REVOKE;
    c->raw_wa_message = 1;
    if (take_key(req->key, c, why) != 0)
        return WG_EINVAL;
    /* WhatsApp accepts a revoke from the author, or from a group admin
     * (edit="8"); a 1:1 message of the other side cannot be revoked */
    if (!c->out.key.from_me && !strstr(c->key_remote_jid, "@g.us")) {
        *why = "You cannot delete others messages";
        return WG_EINVAL;
    }
    if (!c->out.key.from_me && !c->key_participant) {
        *why = "participant is required to delete others messages";
        return WG_EINVAL;
    }
    json_t *p = json_pack("{s:s}", "type", "REVOKE");
    raw_key(p, &c->out.key);
    c->message = json_pack("{s:o}", "protocolMessage", p);
    c->message_type = "protocolMessage";
    return 0;
}

int wg_compose_edit(const Wg__Ipc__UpdateMessageReq *req, int64_t now_ms, wg_compose_t *c,
                    const char **why)
{
    memset(c, 0, sizeof *c);
    *why = NULL;
    c->out.kind = WG_WA_OUT_EDIT;
    c->store = WG_COMPOSE_STORE_EDIT;
    c->raw_wa_message = 1;
    if (take_key(req->key, c, why) != 0)
        return WG_EINVAL;
    /* the chat is the number's (Evolution's updateMessage sends to it) */
    char chat[160];
    if (!req->number || wg_send_chat_jid(req->number, chat, sizeof chat) != 0) {
        *why = "number is invalid";
        return WG_EINVAL;
    }
    snprintf(c->number, sizeof c->number, "%s", chat);
    if (!c->out.key.from_me) {
        *why = "You cannot edit others messages";
        return WG_EINVAL;
    }
    c->text = wg_strdup(req->text ? req->text : "");
    c->out.text = c->text;
    c->out.timestamp_ms = now_ms;
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)now_ms);
    /* Baileys' WAMessage JSON (protobufjs toJSON): enums and int64 as strings */
    json_t *p = json_pack("{s:s,s:{s:{s:s}},s:s}", "type", "MESSAGE_EDIT", "editedMessage",
                          "extendedTextMessage", "text", c->text, "timestampMs", ts);
    if (!p) {
        *why = "Text is required";
        return WG_EINVAL;
    }
    raw_key(p, &c->out.key);
    c->message = json_pack("{s:o}", "protocolMessage", p);
    c->message_type = "protocolMessage";
    return 0;
}

void wg_compose_free(wg_compose_t *c)
{
    if (!c)
        return;
    json_decref(c->message);
    json_decref(c->context_info);
    free(c->text);
    free(c->quoted_id);
    free(c->quoted_participant);
    free(c->quoted_text);
    free(c->url);
    free(c->key_id);
    free(c->key_remote_jid);
    free(c->key_participant);
    for (size_t i = 0; i < c->n_mentions; i++)
        free(c->mentions[i]);
    free(c->mentions);
    memset(c, 0, sizeof *c);
}
