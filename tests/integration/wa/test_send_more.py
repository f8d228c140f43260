#!/usr/bin/python3
"""The send pipeline beyond plain text, end to end against crabline (npm @openclaw/crabline 0.1.27,
test-peers.md §3), through the REST API behind lighttpd: crabline decrypts our pkmsg/msg (Signal
and WhatsApp's padding) and records acceptance; of the decrypted Message it reads only the text
(conversation / extendedTextMessage.text), so texts are asserted exactly, and for reactions, edits
and revokes the successful decryption plus the stanza attributes. The exact Message bytes of every
kind are byte-compared with Baileys 7 in unit/connd_wa_test_message_encode.

Setup as in test_crabline.py: credentials linked by QR against our simulator, then connd restarted
on crabline's loopback URL with WA_CERT_CHECK=off.

Covered: the REST validation errors of sendReaction, deleteMessageForEveryone and updateMessage
(400 in Evolution's envelope, nothing sent); sendText with mentioned (messageRaw contextInfo.mentionedJid) and a
URL (link preview), linkPreview:false; sendReaction (201 messageRaw reactionMessage, stanza
type="reaction", every <enc> decrypt-fail="hide", server ack -> send.message, stored; a non-emoji
-> 400; "" removes); updateMessage (200 WAMessage protocolMessage MESSAGE_EDIT,
send.message.update, stored text replaced; not ours -> 400); deleteMessageForEveryone (201
WAMessage protocolMessage REVOKE, messages.delete with the key, stored row DELETED; the other
side's 1:1 message -> 400).
crabline 0.1.27 cannot decode a stanza with the edit attribute (its binary decoder lacks that
token) and drops the socket: for edits and revokes the REST answer, events and store are asserted
here and the stanza and plaintext bytes at unit level.
Not possible here: group sends (crabline has no skmsg; covered at unit level in
unit/connd_message_test_stanza), retry receipts (crabline never sends <receipt type="retry">).
Exit 77 when node/npm or lighttpd is missing."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402
from wasim import events, log_size, wait_for  # noqa: E402
from test_crabline import Crabline, PEER  # noqa: E402
import suite  # noqa: E402
from suite import check, create_instance, link_by_qr, login_to_crabline, rest, state_of, wa_stack  # noqa: E402

stack = wasim.stack
PEER_JID = PEER + "@s.whatsapp.net"


def accepted(crab, message_id):
    """What crabline recorded once it decrypted our message id: {"conversation": text} when the
    plaintext carries a text (conversation or extendedTextMessage.text, possibly inside a
    deviceSentMessage), else the stanza node itself (crabline reads nothing else of the Message,
    but records acceptance only after the Signal decryption and unpadding succeeded). None before."""
    if not message_id or not os.path.exists(crab.recorder):
        return None
    for line in open(crab.recorder, errors="replace"):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        body = ev.get("body") if isinstance(ev, dict) else None
        if not ev.get("accepted") or not isinstance(body, dict):
            continue
        if body.get("key", {}).get("id") == message_id:
            return body.get("message")
        if body.get("tag") == "message" and body.get("attrs", {}).get("id") == message_id:
            return {"stanza": body}
    return None


def stanza(crab, message_id):
    """Our <message> stanza as crabline recorded it."""
    for n in crab.recorded():
        if n.get("tag") == "message" and n.get("attrs", {}).get("id") == message_id:
            return n
    return None


def encs(node):
    out = []

    def walk(n):
        if isinstance(n, dict):
            if n.get("tag") == "enc":
                out.append(n)
            c = n.get("content")
            if isinstance(c, list):
                for k in c:
                    walk(k)
    walk(node)
    return out


def stored(st, key_id):
    s, doc = rest(st, "POST", "/chat/findMessages/cs1", {"where": {"key": {"id": key_id}}})
    recs = (doc or {}).get("messages", {}).get("records", []) if s == 200 else []
    return recs[0] if recs else None


def reopened(st, since):
    """connection.update open after a close since the log offset (a reconnect happened)."""
    states = [e[2].get("state") for e in events(st, "connection.update", "cs1", since=since)]
    return "connecting" in states and states[-1] == "open"


def validation(st):
    bad = [
        ("POST", "/message/sendReaction/cs1", {"key": {"id": "X", "remoteJid": PEER_JID}, "reaction": "x"},
         "fromMe"),
        ("POST", "/message/sendReaction/cs1", {"reaction": "\U0001F44D"}, "key"),
        ("POST", "/message/sendReaction/cs1",
         {"key": {"id": "X", "remoteJid": PEER_JID, "fromMe": True}, "reaction": 5}, "reaction"),
        ("DELETE", "/chat/deleteMessageForEveryone/cs1", {"id": "X", "remoteJid": PEER_JID}, "fromMe"),
        ("DELETE", "/chat/deleteMessageForEveryone/cs1", {"id": 7, "fromMe": True, "remoteJid": PEER_JID},
         "id"),
        ("POST", "/chat/updateMessage/cs1", {"key": {"id": "X", "fromMe": True, "remoteJid": PEER_JID},
                                             "text": "t"}, "number"),
        ("POST", "/chat/updateMessage/cs1", {"number": PEER, "key": {"id": "X", "fromMe": True,
                                                                   "remoteJid": PEER_JID}}, "text"),
        ("POST", "/message/sendText/cs1", {"number": PEER, "text": "x", "mentioned": "1555"},
         "mentioned"),
        ("POST", "/message/sendText/cs1", {"number": PEER, "text": "x", "linkPreview": "no"},
         "linkPreview"),
    ]
    for method, path, body, word in bad:
        s, doc = rest(st, method, path, body)
        msgs = (doc or {}).get("response", {}).get("message") if isinstance(doc, dict) else None
        check(s == 400 and isinstance(msgs, list) and any(word in str(m) for m in msgs),
              "%s %s %s -> 400 naming %s (%s %s)" % (method, path.split("/")[2], json.dumps(body)[:60],
                                                      word, s, json.dumps(doc)[:140]))


def body(run):
    sim = run.add(wasim.Sim(run.tmp, refs=6))  # raises Skip without node/npm
    crab = run.add(Crabline(run.tmp, sim.node))
    st = wa_stack(run, sim, log_level="debug",  # events() reads payloads from connd.log
                  WAGATE_CONNECT_WAIT_MS="4000")
    create_instance(st, "cs1")
    validation(st)
    link_by_qr(st, sim, "cs1")
    login_to_crabline(st, crab, "cs1")
    check(state_of(st, "cs1") == "open", "logged in to crabline")

    # ---------------------------------------------- sendText: mentioned + link preview
    text = "hi @15557654321, see https://example.org/page?x=1."
    s, raw = rest(st, "POST", "/message/sendText/cs1",
                  {"number": PEER, "text": text, "mentioned": ["+1 555 765 4321"]})
    mid = (raw or {}).get("key", {}).get("id") if isinstance(raw, dict) else None
    check(s == 201 and raw.get("message") == {"conversation": text} and
          raw.get("messageType") == "conversation" and
          raw.get("contextInfo") == {"mentionedJid": ["15557654321@s.whatsapp.net"]},
          "sendText with mentioned -> 201 messageRaw with contextInfo.mentionedJid (%s)"
          % json.dumps(raw)[:220])
    # crabline reads only the text of a decrypted Message (conversation or
    # extendedTextMessage.text); the exact bytes are Baileys' (unit/connd_wa_test_message_encode)
    got = wait_for("mentions accepted", lambda: accepted(crab, mid), 5)
    check(got == {"conversation": text},
          "crabline decrypted the mentions + link preview message and read exactly its text (%s)"
          % json.dumps(got)[:200])
    s, raw2 = rest(st, "POST", "/message/sendText/cs1",
                   {"number": PEER, "text": "no preview https://example.org", "linkPreview": False})
    mid2 = (raw2 or {}).get("key", {}).get("id") if isinstance(raw2, dict) else None
    got = wait_for("plain accepted", lambda: accepted(crab, mid2), 5)
    check(s == 201 and got == {"conversation": "no preview https://example.org"},
          "linkPreview:false -> a plain conversation (%s)" % json.dumps(got)[:160])

    # ---------------------------------------------- sendReaction
    off = log_size(st)
    key = {"id": mid, "remoteJid": PEER_JID, "fromMe": True}
    s, rr = rest(st, "POST", "/message/sendReaction/cs1", {"key": key, "reaction": "\U0001F44D"})
    rid = (rr or {}).get("key", {}).get("id") if isinstance(rr, dict) else None
    check(s == 201 and rr.get("messageType") == "reactionMessage" and
          rr.get("message", {}).get("reactionMessage", {}).get("text") == "\U0001F44D" and
          rr["message"]["reactionMessage"].get("key") == {"remoteJid": PEER_JID, "fromMe": True, "id": mid},
          "sendReaction -> 201 messageRaw with reactionMessage (%s)" % json.dumps(rr)[:220])
    got = wait_for("reaction accepted", lambda: accepted(crab, rid), 5)
    check(isinstance(got, dict) and "stanza" in got,
          "crabline decrypted the reaction (Signal msg, padding) and accepted it")
    node = stanza(crab, rid)
    es = encs(node)
    check(node is not None and node.get("attrs", {}).get("type") == "reaction" and es and
          all(e.get("attrs", {}).get("decrypt-fail") == "hide" for e in es),
          "reaction stanza: type=reaction, every <enc> decrypt-fail=hide (%s)"
          % json.dumps((node or {}).get("attrs"))[:160])
    sent = wait_for("send.message", lambda: [e for e in events(st, "send.message", "cs1", since=off)
                                             if e[2].get("key", {}).get("id") == rid], 5) or []
    check(len(sent) == 1 and sent[0][2].get("status") == "SERVER_ACK",
          "server ack of the reaction -> send.message SERVER_ACK")
    check(stored(st, rid) is not None and stored(st, rid).get("messageType") == "reactionMessage",
          "the reaction is stored (findMessages)")
    s, bad = rest(st, "POST", "/message/sendReaction/cs1", {"key": key, "reaction": "ok"})
    check(s == 400 and (bad or {}).get("response", {}).get("message") ==
          ["Reaction must be a single emoji or empty string"],
          "reaction 'ok' -> 400 Reaction must be a single emoji or empty string")
    s, rr = rest(st, "POST", "/message/sendReaction/cs1", {"key": key, "reaction": ""})
    rid0 = (rr or {}).get("key", {}).get("id") if isinstance(rr, dict) else None
    got = wait_for("unreact accepted", lambda: accepted(crab, rid0), 5)
    check(s == 201 and rr.get("message", {}).get("reactionMessage", {}).get("text") == "" and
          isinstance(got, dict) and "stanza" in got,
          "reaction '' (remove) -> 201 with an empty reaction text, decrypted by crabline")

    # ---------------------------------------------- updateMessage
    off = log_size(st)
    s, ed = rest(st, "POST", "/chat/updateMessage/cs1", {"number": PEER, "key": key, "text": "edited text"})
    pm = (ed or {}).get("message", {}).get("protocolMessage", {}) if isinstance(ed, dict) else {}
    check(s == 200 and pm.get("type") == "MESSAGE_EDIT" and pm.get("key", {}).get("id") == mid and
          pm.get("editedMessage") == {"extendedTextMessage": {"text": "edited text"}} and
          ed.get("status") == "PENDING" and ed.get("key", {}).get("fromMe") is True,
          "updateMessage -> 200 WAMessage with protocolMessage MESSAGE_EDIT (%s)" % json.dumps(ed)[:240])
    # crabline 0.1.27's binary-node decoder knows a subset of the single-byte tokens, without
    # "edit" (149): it cannot decode an edit or revoke stanza and drops the socket (428), so
    # connd reconnects. The stanza's edit/decrypt-fail attributes and the exact Message bytes
    # are covered by unit/connd_message_test_stanza and unit/connd_wa_test_message_encode.
    check(wait_for("reopen after edit", lambda: reopened(st, off), 10),
          "open again after crabline dropped the edit stanza it cannot decode")
    upd = wait_for("send.message.update", lambda: events(st, "send.message.update", "cs1", since=off), 5) or []
    check(len(upd) == 1 and upd[0][2].get("keyId") == mid and upd[0][2].get("status") == "EDITED",
          "send.message.update {keyId, status EDITED} (%s)" % (json.dumps(upd[0][2])[:200] if upd else "none"))
    row = stored(st, mid)
    check(row is not None and row.get("message") == {"conversation": "edited text"},
          "the stored message text is replaced (%s)" % json.dumps(row)[:200])
    s, bad = rest(st, "POST", "/chat/updateMessage/cs1",
                  {"number": PEER, "key": dict(key, fromMe=False), "text": "x"})
    check(s == 400 and "You cannot edit others messages" in json.dumps(bad),
          "editing a message that is not ours -> 400")

    # ---------------------------------------------- deleteMessageForEveryone
    off = log_size(st)
    s, dl = rest(st, "DELETE", "/chat/deleteMessageForEveryone/cs1", {"id": mid2, "fromMe": True,
                                                                       "remoteJid": PEER_JID})
    pm = (dl or {}).get("message", {}).get("protocolMessage", {}) if isinstance(dl, dict) else {}
    check(s == 201 and pm == {"key": {"remoteJid": PEER_JID, "fromMe": True, "id": mid2}, "type": "REVOKE"}
          and isinstance(dl.get("messageTimestamp"), str) and dl.get("status") == "PENDING",
          "deleteMessageForEveryone -> 201 WAMessage with protocolMessage REVOKE (%s)" % json.dumps(dl)[:220])
    check(wait_for("reopen after revoke", lambda: reopened(st, off), 10),
          "open again after crabline dropped the revoke stanza (same decoder limit)")
    dels = wait_for("messages.delete", lambda: events(st, "messages.delete", "cs1", since=off), 5) or []
    check(len(dels) == 1 and dels[0][2] == {"remoteJid": PEER_JID, "fromMe": True, "id": mid2},
          "messages.delete carries the revoked key (%s)" % (json.dumps(dels[0][2]) if dels else "none"))
    def deleted():
        r = stored(st, mid2) or {}
        return r if (r.get("status") == "DELETED" or
                     {"status": "DELETED"} in (r.get("MessageUpdate") or [])) else None
    row = wait_for("deleted row", deleted, 3)
    check(bool(row), "the stored row is DELETED (%s)" % json.dumps(stored(st, mid2))[:200])
    s, bad = rest(st, "DELETE", "/chat/deleteMessageForEveryone/cs1",
                  {"id": mid, "fromMe": False, "remoteJid": PEER_JID})
    check(s == 400 and "You cannot delete others messages" in json.dumps(bad),
          "revoking the other side's 1:1 message -> 400")
    reports = st.sanitizer_reports()
    check(not reports, "no sanitizer report")


def main():
    return suite.main(body, "wgsendm", log_lines=60)


if __name__ == "__main__":
    sys.exit(main())
