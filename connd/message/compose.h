/* What a send request means as a WhatsApp Message (evolution-api.md §3.1,
 * §3.2; wa-protocol.md §7.4): from the IPC request of sendText,
 * sendReaction, deleteMessageForEveryone or updateMessage to the Message to
 * encrypt (wg_wa_msg_out_t), the chat it goes to, the messageRaw's
 * message object and messageType, and what the store does afterwards. It
 * owns the options' rules (mentions, the link preview without network, the
 * single-emoji check). No socket, no store, no Signal: pure and
 * thread-safe, so unit tests and fuzzing reach it directly. */
#ifndef WG_MESSAGE_COMPOSE_H
#define WG_MESSAGE_COMPOSE_H
#include <jansson.h>
#include <stdint.h>

#include "ipc.pb-c.h"
#include "wa/message.h"

/* What the store does once the Message is encrypted. */
typedef enum {
    WG_COMPOSE_STORE_INSERT, /* a new row for this message (text, reaction) */
    WG_COMPOSE_STORE_REVOKE, /* the target row becomes status DELETED */
    WG_COMPOSE_STORE_EDIT,   /* the target row's message text is replaced */
} wg_compose_store_t;

#define WG_COMPOSE_MAX_MENTIONS 256 /* mentionedJid entries kept */

typedef struct {
    wg_wa_msg_out_t out;      /* the Message; strings point into this struct */
    char number[160];         /* where it goes, as requested (createJid input) */
    json_t *message;          /* messageRaw.message (owned) */
    const char *message_type; /* messageRaw.messageType (static) */
    json_t *context_info;     /* messageRaw.contextInfo or NULL (owned) */
    uint32_t delay_ms;        /* composing presence before sending */
    int mentions_every_one;   /* mention every group participant (filled by the sender) */
    int raw_wa_message;       /* answer with Baileys' WAMessage JSON (revoke, edit) */
    wg_compose_store_t store; /* store action */
    char *text;               /* owned copies behind out's pointers */
    char *quoted_id;
    char *quoted_participant;
    char *quoted_text;
    char *url;
    char *key_id;
    char *key_remote_jid;
    char *key_participant;
    char **mentions;   /* mentionedJid (owned) */
    size_t n_mentions; /* how many */
} wg_compose_t;

/* Each builder fills *c (zeroed first) from its request; now_ms is the
 * sender's clock (reaction and edit timestamps). Returns 0, or WG_EINVAL
 * with *why set to Evolution's message (static string) for a request that
 * cannot become a Message. Free with wg_compose_free in every case. */
int wg_compose_text(const Wg__Ipc__SendTextReq *req, wg_compose_t *c, const char **why);
int wg_compose_reaction(const Wg__Ipc__SendReactionReq *req, int64_t now_ms, wg_compose_t *c,
                        const char **why);
int wg_compose_revoke(const Wg__Ipc__DeleteForEveryoneReq *req, wg_compose_t *c, const char **why);
int wg_compose_edit(const Wg__Ipc__UpdateMessageReq *req, int64_t now_ms, wg_compose_t *c,
                    const char **why);

/* Sets the mentioned JIDs (borrowed strings, copied), replacing any:
 * mentionsEveryOne once the group's participants are known. */
void wg_compose_set_mentions(wg_compose_t *c, const char *const *jids, size_t n);
void wg_compose_free(wg_compose_t *c);

/* The first http(s) URL of text (trailing punctuation dropped), as a new
 * string, or NULL. */
char *wg_compose_first_url(const char *text);

/* 1 when s is exactly one emoji (one grapheme: a pictographic code point
 * with its modifiers, variation selectors, ZWJ sequences, a flag pair or a
 * keycap), or the empty string; 0 otherwise. */
int wg_compose_is_reaction(const char *s);

#endif
