/* The outgoing <message> stanza (wa-protocol.md §7.2 steps 4-7): one
 * <participants><to jid><enc v="2" type>ct</enc></to>…</participants> for
 * per-device ciphertexts, the group <enc type="skmsg"> next to it, the
 * stanza attributes that depend on the Message (type text/reaction, edit,
 * the enc's decrypt-fail="hide"), addressing_mode and phash for groups,
 * <device-identity> when any enc is a pkmsg, and the single-device resend
 * a retry receipt asks for (<enc count=N> without <participants>). Also
 * the participant-list hash (phash) and the pre-key bundles that encrypt/key
 * replies and retry receipts carry. Nodes out, nothing sent: pure and
 * thread-safe. */
#ifndef WG_MESSAGE_STANZA_H
#define WG_MESSAGE_STANZA_H
#include <stddef.h>
#include <stdint.h>

#include "signal/bundle.h"
#include "wa/binnode.h"
#include "wa/message.h"

/* One device's ciphertext (borrowed). */
typedef struct {
    const char *jid;   /* device JID */
    const char *type;  /* "pkmsg" / "msg"; NULL or "" = this device gets nothing */
    const uint8_t *ct; /* ciphertext */
    size_t len;        /* its length */
} wg_send_enc_t;

/* What the stanza says besides the ciphertexts (borrowed). */
typedef struct {
    const char *id;              /* message id */
    const char *to;              /* chat JID (user, LID or group) */
    const wg_wa_msg_out_t *msg;  /* the Message (type, edit, decrypt-fail) */
    const uint8_t *account;      /* our ADV signed identity, for <device-identity> */
    size_t account_len;          /* its length (0: never added) */
    const char *phash;           /* participant hash or NULL */
    const char *addressing_mode; /* group "lid" / "pn" or NULL */
    uint32_t expiration;         /* group disappearing timer (s) for expiration=, 0 = none */
    const uint8_t *skmsg;        /* group: the sender-key ciphertext, or NULL */
    size_t skmsg_len;            /* its length */
    const char *participant;     /* retry resend in a group: the device, else NULL */
    const char *recipient;       /* retry resend to our own device: the chat, else NULL */
    unsigned retry_count;        /* retry resend: the receipt's count (0 = not a retry) */
} wg_send_stanza_t;

/* Builds the <message>. encs are the per-device ciphertexts; for a retry
 * resend (retry_count > 0) exactly one is expected and it becomes a bare
 * <enc v="2" type count=N> child. Returns a new node (wg_node_free), never
 * NULL. */
wg_node_t *wg_send_build_stanza(const wg_send_stanza_t *st, const wg_send_enc_t *encs, size_t n);

#define WG_SEND_VIEW_DEVICES 8 /* devices a view holds without allocating */

/* One device's <to jid><enc .../></to> in a view. */
typedef struct {
    wg_node_t to;                /* <to jid> */
    wg_node_attr_t to_attr;      /* its jid */
    wg_node_t *to_child;         /* its one child: &enc */
    wg_node_t enc;               /* <enc v type [decrypt-fail] [count]>ct</enc> */
    wg_node_attr_t enc_attrs[4]; /* the enc's attributes */
} wg_send_view_dev_t;

/* The same <message> as wg_send_build_stanza, as a view: its nodes and
 * arrays live in this struct (on the caller's stack; more than
 * WG_SEND_VIEW_DEVICES devices allocate two arrays) and every string and
 * ciphertext is borrowed from st and encs. A view is only read: encoded
 * (wg_node_encode, wg_wa_session_send_view), copied (wg_node_copy) or
 * printed; never given to wg_node_free or a setter. A sent message then
 * costs no allocation per node, attribute and ciphertext copy. */
typedef struct {
    wg_node_t message;                                 /* the root */
    wg_node_attr_t attrs[9];                           /* its attributes */
    wg_node_t *children[3];                            /* participants or the retry enc,
                                                        * skmsg, device-identity */
    wg_node_t participants;                            /* <participants> */
    wg_node_t skmsg;                                   /* the group <enc type="skmsg"> */
    wg_node_attr_t skmsg_attrs[4];                     /* its attributes */
    wg_node_t identity;                                /* <device-identity> */
    char expiration[12];                               /* expiration= */
    char count[12];                                    /* count= of a retry resend */
    wg_send_view_dev_t few_devs[WG_SEND_VIEW_DEVICES]; /* devices, when few */
    wg_node_t *few_to_nodes[WG_SEND_VIEW_DEVICES];     /* <participants>' children, when few */
    wg_send_view_dev_t *devs;                          /* few_devs or allocated */
    wg_node_t **to_nodes;                              /* few_to_nodes or allocated */
} wg_send_view_t;

/* Builds the view of the <message> (same arguments and result as
 * wg_send_build_stanza) into v and returns its root, valid while v, st and
 * encs are and until wg_send_view_release(v). Never fails. */
const wg_node_t *wg_send_view_build(wg_send_view_t *v, const wg_send_stanza_t *st,
                                    const wg_send_enc_t *encs, size_t n);
/* Frees what wg_send_view_build allocated for many devices. */
void wg_send_view_release(wg_send_view_t *v);

/* whatsmeow's participantListHashV2 (wa-protocol.md §7.2 step 7): "2:" +
 * unpadded base64 of the first 6 bytes of SHA-256 over the sorted,
 * concatenated "user.agent:device@server" forms of the device JIDs (8
 * characters after "2:"; the server's ack carries the same). jids are not
 * modified. out must hold 12 bytes. Returns 0, or WG_EINVAL for no JIDs. */
int wg_send_phash(const char *const *jids, size_t n, char out[12]);

/* Reads a pre-key bundle (§7.2 step 3): keys is an encrypt/key reply's
 * <user> or a retry receipt's <keys> (<identity>, <skey><id><value>
 * <signature>, optional <key><id><value>), registration the 4-byte
 * <registration> beside it. Raw 32-byte keys (the typed 33-byte form is
 * accepted). Returns 0, or WG_EPROTO (missing part, <error>, wrong length). */
int wg_send_read_bundle(const wg_node_t *keys, const wg_node_t *registration,
                        wg_signal_bundle_t *b);

#endif
