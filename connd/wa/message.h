/* Incoming <message> stanzas and the WAProto Message inside them
 * (wa-protocol.md §7.1, §7.4): the stanza's addressing (chat, sender
 * device, own-device and group cases, LID/PN alternates) and its <enc> or
 * <plaintext> payloads; the decoded Message as Evolution's messageType and
 * message object (evolution-api.md §4.1 messages.upsert); and the text
 * Message a sendText builds. Bytes and nodes in, structs and JSON out: no
 * Signal, no store, no socket. Pure; thread-safe. */
#ifndef WG_WA_MESSAGE_H
#define WG_WA_MESSAGE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wa/binnode.h"
#include "wg_buf.h"

#define WG_WA_MSG_MAX_ENC 4 /* <enc> children kept (pkmsg/msg + skmsg is 2) */

/* One <enc> child. */
typedef struct {
    char type[8];      /* "pkmsg", "msg", "skmsg", "msmsg" (other types are skipped) */
    const uint8_t *ct; /* ciphertext, borrowed from the node */
    size_t len;        /* its length */
    char v[4];         /* the v attribute ("2"; "3" is not Signal-padded; "" absent) */
    int count;         /* the retry count the sender resent it with (0 when absent) */
} wg_wa_enc_t;

/* What a <message> stanza says. Strings point into the node (borrowed) or
 * into the struct's own arrays; valid while the node lives. */
typedef struct {
    const char *id;                     /* message id (key.id) */
    const char *from;                   /* stanza from */
    const char *sender;                 /* device JID of the author (participant, else from) */
    char chat[160];                     /* key.remoteJid: the chat, without device */
    char chat_alt[160];                 /* key.remoteJidAlt ("" when unknown) */
    const char *participant;            /* group sender (key.participant) or NULL */
    const char *recipient;              /* recipient attribute (own-device messages) or NULL */
    const char *push_name;              /* notify or NULL */
    const char *addressing_mode;        /* "lid" / "pn" (attribute, else from the sender's form) */
    char participant_alt[160];          /* groups: the sender's other form, bare ("" unknown) */
    const char *category;               /* "peer" or NULL */
    int64_t t;                          /* t attribute, seconds (0 when absent) */
    bool from_me;                       /* author is one of our own devices */
    bool is_group;                      /* chat is @g.us */
    wg_wa_enc_t enc[WG_WA_MSG_MAX_ENC]; /* encrypted payloads in order */
    size_t n_enc;                       /* how many */
    const uint8_t *plaintext;           /* <plaintext> content (unencrypted), or NULL */
    size_t plaintext_len;               /* its length */
} wg_wa_msg_in_t;

/* Reads a <message> node. me_jid / me_lid are our own JIDs (device forms
 * fine; either may be NULL or ""), used to tell our other devices' messages
 * apart. Returns 0, or WG_EPROTO when the stanza has no id/from, a JID is
 * malformed, or it carries neither <enc> nor <plaintext>. */
int wg_wa_msg_in_parse(const wg_node_t *node, const char *me_jid, const char *me_lid,
                       wg_wa_msg_in_t *out);

/* A decoded Message. */
typedef struct {
    json_t *message;          /* Evolution's message object (owned; json_decref) */
    const char *message_type; /* messageType: "conversation", "extendedTextMessage",
                               * "senderKeyDistributionMessage", "protocolMessage",
                               * "reactionMessage", "unknown" */
    char *text;               /* the text for logs/tests, or NULL (owned) */
    char *dsm_destination;    /* deviceSentMessage.destinationJid, or NULL (owned) */
    uint8_t *skdm;            /* senderKeyDistributionMessage bytes, or NULL (owned) */
    size_t skdm_len;          /* their length */
    char *skdm_group;         /* its groupId, or NULL (owned) */
    int protocol_type;        /* protocolMessage.type (WG_WA_PROTOCOL_*), -1 when none */
    char *target_id;          /* key.id a protocolMessage / reactionMessage names, or NULL */
    json_t *edited;           /* MESSAGE_EDIT: the new message object, or NULL (owned) */
} wg_wa_msg_content_t;

/* protocolMessage types the receive side acts on (§7.4 ProtocolMessage). */
#define WG_WA_PROTOCOL_REVOKE 0
#define WG_WA_PROTOCOL_EPHEMERAL_SETTING 3
#define WG_WA_PROTOCOL_HISTORY_SYNC_NOTIFICATION 5
#define WG_WA_PROTOCOL_APP_STATE_SYNC_KEY_SHARE 6
#define WG_WA_PROTOCOL_MESSAGE_EDIT 14

/* Decodes a Message protobuf (already unpadded). deviceSentMessage is
 * unwrapped (its destination kept), then the FutureProofMessage wrappers
 * (ephemeralMessage, viewOnceMessage[V2[Extension]],
 * documentWithCaptionMessage, editedMessage; at most 4 deep) so message
 * and message_type describe the content itself. protocolMessage and
 * reactionMessage are rendered as proto3 JSON (enum names, int64 as
 * strings). Returns 0 (free with wg_wa_msg_content_free), or WG_EPROTO for
 * bytes that are not a Message. */
int wg_wa_msg_decode(const uint8_t *p, size_t len, wg_wa_msg_content_t *out);
void wg_wa_msg_content_free(wg_wa_msg_content_t *c);

/* Appends the Message protobuf of a text message to out: conversation, or
 * extendedTextMessage when quoted_id is given (contextInfo stanzaId,
 * participant, quotedMessage {conversation: quoted_text}). With
 * dsm_destination it is wrapped as deviceSentMessage for our own other
 * devices (§7.2 step 4). May reallocate out. */
void wg_wa_msg_encode_text(const char *text, const char *quoted_id, const char *quoted_participant,
                           const char *quoted_text, const char *dsm_destination, wg_buf_t *out);

/* A message key (the target of a reaction, revoke or edit). */
typedef struct {
    const char *remote_jid;  /* chat */
    bool from_me;            /* ours */
    const char *id;          /* message id */
    const char *participant; /* group author or NULL */
} wg_wa_msg_key_t;

/* What an outgoing Message carries (borrowed strings). */
typedef enum {
    WG_WA_OUT_TEXT,     /* conversation / extendedTextMessage */
    WG_WA_OUT_REACTION, /* reactionMessage {key, text, senderTimestampMs} */
    WG_WA_OUT_REVOKE,   /* protocolMessage {key, type REVOKE} */
    WG_WA_OUT_EDIT,     /* protocolMessage {key, type MESSAGE_EDIT, editedMessage, timestampMs} */
} wg_wa_out_kind_t;

typedef struct {
    wg_wa_out_kind_t kind;        /* which Message */
    const char *text;             /* TEXT / EDIT: the text; REACTION: the emoji ("" removes) */
    const char *quoted_id;        /* TEXT: contextInfo.stanzaId or NULL */
    const char *quoted_participant; /* TEXT: contextInfo.participant or NULL */
    const char *quoted_text;      /* TEXT: quotedMessage.conversation or NULL */
    const char *const *mentions;  /* TEXT: contextInfo.mentionedJid */
    size_t n_mentions;            /* how many */
    const char *matched_url;      /* TEXT: link preview matchedText or NULL */
    wg_wa_msg_key_t key;          /* REACTION / REVOKE / EDIT: the target */
    int64_t timestamp_ms;         /* REACTION senderTimestampMs / EDIT timestampMs */
} wg_wa_msg_out_t;

/* Appends the Message protobuf of m to out (unpadded). TEXT is a plain
 * conversation unless it quotes, mentions or has a matched_url, then an
 * extendedTextMessage (Baileys' generateWAMessageContent shapes). With
 * dsm_destination the Message is wrapped as deviceSentMessage for our own
 * other devices (§7.2 step 4). Returns 0, or WG_EINVAL for a missing
 * required field (text, key id). May reallocate out. */
int wg_wa_msg_encode(const wg_wa_msg_out_t *m, const char *dsm_destination, wg_buf_t *out);

/* Appends Message{deviceSentMessage{destinationJid, message = msg}} where
 * msg is an encoded Message (§7.2 step 4). May reallocate out. */
void wg_wa_msg_wrap_dsm(const char *destination, const uint8_t *msg, size_t len, wg_buf_t *out);

/* Appends Message{senderKeyDistributionMessage{groupId = group,
 * axolotlSenderKeyDistributionMessage = skdm}} (§7.2 step 6): what the
 * devices that lack our sender key get inside their pkmsg/msg. */
void wg_wa_msg_encode_skdm(const char *group, const uint8_t *skdm, size_t len, wg_buf_t *out);

/* The <message type=...> of m (Baileys getMessageType): "reaction" for a
 * reaction (an edit or revoke of text is "text"). */
const char *wg_wa_msg_stanza_type(const wg_wa_msg_out_t *m);

/* The stanza's edit attribute (§7.2): "7" sender revoke, "8" admin revoke
 * (group, not our message), "1" edit, NULL otherwise. */
const char *wg_wa_msg_edit_attr(const wg_wa_msg_out_t *m);

/* A new message id "3EB0" + 18 uppercase hex digits (§7.2 step 1, legacy
 * random form). out must hold 23 bytes. */
void wg_wa_msg_new_id(char out[23]);

#endif
