#!/usr/bin/python3
"""The simulated WhatsApp network (tests/wa/sim: wa-sim.mjs + sim/net/) proven against the real
Baileys 7 client: two (then three) Baileys peers (tests/wa/sim/peer.mjs), each linked by QR as
its own account, message each other through it.

Covered: pre-key upload and the real remaining count, bundles consume one-time pre-keys; 1:1 text
both ways (usync devices + lid, bundles, pkmsg then msg, both decrypt); server ack; delivery and
read receipts -> messages.update (DELIVERY_ACK 3, READ 4); a group (admin API) with skmsg text
both ways, group metadata, group receipts -> message-receipt.update; presence subscribe /
available and chatstate composing -> presence.update; a message to an offline peer is queued and
delivered at its next login; LID addressing (from=<lid>, sender_pn); onWhatsApp (contact in/out);
profile pictures (set URL, 404 without); an injected raw stanza reaches Baileys; the stanza
recorder; GET /counters (enc types routed to a device, its receipts); reactions, edits and revokes between peers; retry receipts (a peer that lost its
session asks, the sender resends); a <call> offer. Exit 77 when node/npm is missing."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netpeer  # noqa: E402
import suite  # noqa: E402
from suite import check, soft_wait_for as wait_for  # noqa: E402  (a timeout is a failed check)


stack = netpeer.stack
A_NUM, B_NUM, C_NUM = "15550002001", "15550002002", "15550002003"
GROUP = "120363000000000001@g.us"
# a voice call offer from Carol, as the server relays it (also injected into connd by test_wa_messaging)
CALL_OFFER = {"tag": "call", "attrs": {"from": C_NUM + ":10@s.whatsapp.net", "id": "CALLSTANZA1", "t": "1795370000",
                                       "notify": "Carol"},
              "content": [{"tag": "offer", "attrs": {"call-id": "CALL0001", "call-creator": C_NUM + ":10@s.whatsapp.net"},
                           "content": [{"tag": "audio", "attrs": {"enc": "opus", "rate": "16000"}}]}]}


def text_from(peer, text, since=0):
    return [m for m in peer.received_texts(since) if m[1] == text]


def statuses(peer, msg_id, since=0):
    return [u["update"].get("status") for e in peer.events("messages.update", since) for u in e["data"]
            if u["key"]["id"] == msg_id]


def body(run):
    tmp = run.tmp
    sim = run.add(netpeer.NetSim(tmp))   # raises Skip without node/npm
    a = netpeer.Peer(sim, tmp, A_NUM, "Alice")
    run.add(a)
    b = netpeer.Peer(sim, tmp, B_NUM, "Bob")
    run.add(b)
    check(a.me.startswith(A_NUM + ":") and b.me.startswith(B_NUM + ":"), "two Baileys peers linked by QR and open")
    check(bool(a.lid) and a.lid.endswith("@lid"), "pair-success gave the account its LID (%s)" % a.lid)

    accounts = {x["number"]: x for x in wait_for("pre-keys stored", lambda: (
        lambda n: n if all(d["prekeys"] >= 30 for x in n["accounts"] if x["number"] in (A_NUM, B_NUM)
                           for d in x["devices"]) else None)(sim.net()), 15)["accounts"]}
    before = accounts[B_NUM]["devices"][0]["prekeys"]
    check(before >= 30, "Baileys uploaded its one-time pre-keys (%d stored)" % before)
    counts = [s for s in sim.stanzas(b.me) if s["tag"] == "iq" and s["attrs"].get("xmlns") == "encrypt"
              and any(c["tag"] == "count" for c in s["content"] or [])]
    check(len(counts) >= 1, "Baileys asked the remaining pre-key count")

    # ------------------------------------------------ 1:1 both ways
    sa = a.do("/send", {"jid": b.jid, "text": "hello bob"})["key"]
    got = wait_for("B decrypts", lambda: text_from(b, "hello bob"), 15)
    check(bool(got), "A -> B: Bob's Baileys decrypted the pkmsg text")
    key = got[0][0] if got else {}
    check(key.get("remoteJid") == a.jid and key.get("fromMe") is False and key.get("id") == sa["id"],
          "B's message key: remoteJid is Alice's PN, the sender's id (%s)" % key)
    check(got and got[0][2].get("pushName") == "Alice", "notify carries the push name")
    check(key.get("remoteJidAlt") == a.lid.split(":")[0] + "@lid", "sender_lid -> remoteJidAlt %s" % key.get("remoteJidAlt"))
    after = {x["number"]: x for x in sim.net()["accounts"]}[B_NUM]["devices"][0]["prekeys"]
    check(after == before - 1, "Alice's bundle fetch consumed one of Bob's one-time pre-keys (%d -> %d)" % (before, after))
    check(3 in (wait_for("delivery", lambda: 3 in statuses(a, sa["id"]) and statuses(a, sa["id"]), 10) or []),
          "Bob's delivery receipt -> Alice messages.update status DELIVERY_ACK")
    cnt = sim.call("GET", "/counters?jid=" + b.me)[1]
    check(cnt.get("pkmsg") == 1 and cnt.get("msg") == 0 and cnt.get("receipts", 0) >= 1 and cnt.get("retries") == 0
          and cnt.get("outbox") == 0, "GET /counters: Bob's device got one pkmsg and receipted it (%s)" % cnt)
    acks = [s for s in sim.stanzas(a.me) if s["tag"] == "message" and s["attrs"].get("id") == sa["id"]]
    check(len(acks) == 1 and any(c["tag"] == "participants" for c in acks[0]["content"]),
          "the recorder holds Alice's <message> with its <participants>")
    sb = b.do("/send", {"jid": a.jid, "text": "hi alice"})["key"]
    got = wait_for("A decrypts", lambda: text_from(a, "hi alice"), 15)
    check(bool(got) and got[0][0].get("remoteJid") == b.jid, "B -> A: Alice decrypted Bob's reply")
    s2 = a.do("/send", {"jid": b.jid, "text": "second"})["key"]
    check(bool(wait_for("B msg", lambda: text_from(b, "second"), 10)), "A -> B again (msg on the ratchet)")
    mark = a.seq()
    b.do("/read", {"keys": [{"remoteJid": a.jid, "id": sa["id"], "fromMe": False},
                            {"remoteJid": a.jid, "id": s2["id"], "fromMe": False}]})
    read = wait_for("read", lambda: (4 in statuses(a, sa["id"], mark) and 4 in statuses(a, s2["id"], mark)), 10)
    check(bool(read), "Bob read both -> Alice messages.update READ for both ids (receipt <list>)")
    check(sb["id"] and 3 in (wait_for("B delivery", lambda: statuses(b, sb["id"]), 10) or []),
          "Alice's delivery receipt -> Bob DELIVERY_ACK")
    a.do("/receipt", {"jid": b.jid, "ids": [sb["id"]], "type": "played"})
    check(5 in (wait_for("played", lambda: 5 in statuses(b, sb["id"]) and statuses(b, sb["id"]), 10) or []),
          "a played receipt -> Bob messages.update PLAYED")

    # ------------------------------------------------ group with skmsg
    s, g = sim.call("POST", "/group", {"id": GROUP, "subject": "Sim group", "participants": [A_NUM, B_NUM]})
    check(s == 200 and g.get("id") == GROUP, "admin API created the group")
    meta = a.do("/group-metadata", {"jid": GROUP})["metadata"]
    check(meta.get("subject") == "Sim group" and len(meta.get("participants", [])) == 2 and
          meta.get("addressingMode") == "pn", "w:g2 group metadata (subject, participants, pn)")
    ga = a.do("/send", {"jid": GROUP, "text": "hello group"})["key"]
    got = wait_for("B group", lambda: text_from(b, "hello group"), 15)
    check(bool(got) and got[0][0].get("remoteJid") == GROUP and
          (got[0][0].get("participant") or "").startswith(A_NUM), "A -> group: Bob decrypted the skmsg (%s)"
          % (got[0][0] if got else None))
    gb = b.do("/send", {"jid": GROUP, "text": "group reply"})["key"]
    got = wait_for("A group", lambda: text_from(a, "group reply"), 15)
    check(bool(got) and got[0][0].get("remoteJid") == GROUP, "B -> group: Alice decrypted Bob's skmsg")
    gb2 = b.do("/send", {"jid": GROUP, "text": "group again"})["key"]
    check(bool(wait_for("A group 2", lambda: text_from(a, "group again"), 10)),
          "second skmsg from Bob (sender key already distributed)")
    # Baileys' event buffer folds a receipt that arrives while its own send is still being
    # emitted into that message's userReceipt; either way the receipt names Alice
    recs = wait_for("group receipt", lambda: [r["receipt"] for e in b.events("message-receipt.update") for r in e["data"]
                                              if r["key"]["id"] == gb["id"]] +
                    [r for m in b.events("messages.upsert") for x in m["data"]["messages"]
                     if x["key"]["id"] == gb["id"] for r in x.get("userReceipt") or []], 10)
    check(bool(recs) and (recs[0].get("userJid") or "").startswith(A_NUM),
          "group delivery receipt -> Bob's receipt for Alice (%s)" % (recs[:1],))
    a.do("/read", {"keys": [{"remoteJid": GROUP, "id": gb2["id"], "fromMe": False, "participant": b.me}]})
    check(bool(wait_for("group read", lambda: [r for e in b.events("message-receipt.update") for r in e["data"]
                                               if r["key"]["id"] == gb2["id"] and r["receipt"].get("readTimestamp")], 10)),
          "group read receipt -> message-receipt.update readTimestamp")
    check(ga["id"] is not None, "group send returned a key")

    # ------------------------------------------------ a LID-addressed group
    lg = "120363000000000003@g.us"
    sim.call("POST", "/group", {"id": lg, "subject": "Lid group", "participants": [B_NUM, A_NUM], "addressingMode": "lid"})
    meta = a.do("/group-metadata", {"jid": lg})["metadata"]
    check(meta.get("addressingMode") == "lid" and all(p["id"].endswith("@lid") for p in meta.get("participants", [])),
          "LID group metadata: addressing_mode lid, participants by LID")
    a.do("/send", {"jid": lg, "text": "lid group hello"})
    got = wait_for("B lid group", lambda: text_from(b, "lid group hello"), 15)
    k = got[0][0] if got else {}
    check((k.get("participant") or "").endswith("@lid") and k.get("participantAlt") == a.jid,
          "LID group: Bob decrypted; participant is Alice's LID, participantAlt her PN (%s)" % k)

    # ------------------------------------------------ presence and chatstate
    mark = a.seq()
    a.do("/subscribe", {"jid": b.jid})
    b.do("/presence", {"type": "available"})
    pres = wait_for("presence", lambda: [e for e in a.events("presence.update", mark)
                                         if any(p.get("lastKnownPresence") == "available" for p in e["data"]["presences"].values())], 10)
    check(bool(pres) and pres[0]["data"]["id"] == b.jid, "subscribe + available -> Alice presence.update available")
    b.do("/presence", {"type": "composing", "jid": a.jid})
    comp = wait_for("composing", lambda: [e for e in a.events("presence.update", mark)
                                          if any(p.get("lastKnownPresence") == "composing" for p in e["data"]["presences"].values())], 10)
    check(bool(comp), "chatstate composing -> Alice presence.update composing")

    # ------------------------------------------------ offline delivery
    b.stop()
    wait_for("B offline", lambda: not any(d["online"] for x in sim.net()["accounts"] if x["number"] == B_NUM
                                          for d in x["devices"]), 10)
    off = a.do("/send", {"jid": b.jid, "text": "while you were away"})["key"]
    check(bool(off.get("id")), "Alice sent while Bob is offline (server ack, queued)")
    b.start()
    check(bool(wait_for("queued", lambda: text_from(b, "while you were away"), 15)),
          "queued message delivered at Bob's next login")
    check(3 in (wait_for("late delivery", lambda: statuses(a, off["id"]), 10) or []),
          "late delivery receipt reached Alice")

    # ------------------------------------------------ reactions, edits, revokes (protocol messages)
    mark_a, mark_b = a.seq(), b.seq()
    rk = a.do("/send", {"jid": b.jid, "text": "react to this"})["key"]
    got = wait_for("B has it", lambda: text_from(b, "react to this", mark_b), 10) or []
    if got:
        b.do("/react", {"jid": a.jid, "key": got[0][0], "emoji": "\U0001F44D"})
    reacts = wait_for("reaction", lambda: [r for e in a.events("messages.reaction", mark_a) for r in e["data"]
                                           if r["key"]["id"] == rk["id"]], 10)
    check(bool(reacts) and reacts[0]["reaction"].get("text") == "\U0001F44D", "Bob's reaction -> Alice messages.reaction")
    a.do("/edit", {"jid": b.jid, "id": rk["id"], "text": "edited!"})
    check(bool(wait_for("edit", lambda: [e for e in b.events("messages.update", mark_b) if "edited!" in str(e["data"])], 10)),
          "Alice's edit -> Bob messages.update with the edited text")
    a.do("/revoke", {"jid": b.jid, "id": rk["id"]})
    check(bool(wait_for("revoke", lambda: [u for e in b.events("messages.update", mark_b) for u in e["data"]
                                           if u["key"]["id"] == rk["id"] and u["update"].get("message") is None
                                           and u["update"].get("messageStubType") is not None], 10)),
          "Alice's revoke -> Bob messages.update revoke stub")

    # ------------------------------------------------ retry receipts
    # Bob forgets his session with Alice; her next msg fails to decrypt, Bob sends a retry
    # receipt (routed to Alice's device with its children), Alice resends, Bob decrypts
    a_dev = int(a.me.split(":")[1].split("@")[0])
    b.do("/reset-session", {"jid": a.jid, "devices": [a_dev]})
    mark_b = b.seq()
    rt = a.do("/send", {"jid": b.jid, "text": "after your reset"})["key"]
    retry = wait_for("retry receipt", lambda: [x for x in sim.stanzas(b.me, tag="receipt") if x["tag"] == "receipt"
                                               and x["attrs"].get("type") == "retry" and x["attrs"].get("id") == rt["id"]], 15)
    check(bool(retry) and any(c["tag"] == "retry" for c in retry[0]["content"] or []),
          "Bob sent a retry receipt with <retry> (%s)" % (retry[0]["attrs"] if retry else None))
    check(bool(wait_for("resend", lambda: [x for x in sim.stanzas(a.me, tag="message") if x["tag"] == "message"
                                           and x["attrs"].get("id") == rt["id"]][1:], 15)),
          "Alice's Baileys answered the routed retry receipt with a resend")
    check(bool(wait_for("decrypted after retry", lambda: text_from(b, "after your reset", mark_b), 20)),
          "Bob decrypted the resent message")

    # ------------------------------------------------ a call offer
    mark = b.seq()
    s, _ = sim.call("POST", "/inject", {"jid": b.me, "node": CALL_OFFER})
    calls = wait_for("call", lambda: b.events("call", mark), 10)
    check(s == 200 and bool(calls) and calls[0]["data"][0].get("status") == "offer" and
          calls[0]["data"][0].get("id") == "CALL0001", "an injected <call><offer> -> Baileys call event (%s)"
          % (calls[0]["data"][:1] if calls else None))

    # ------------------------------------------------ LID addressing
    s, _ = sim.call("POST", "/lid-addressing", {"jid": a.jid, "on": True})
    check(s == 200, "LID addressing on for Alice")
    a.do("/send", {"jid": b.jid, "text": "by lid"})
    got = wait_for("lid msg", lambda: text_from(b, "by lid"), 15)
    k = got[0][0] if got else {}
    check(k.get("remoteJid", "").endswith("@lid") and k.get("remoteJidAlt") == a.jid and k.get("addressingMode") == "lid",
          "LID addressing: Bob sees remoteJid @lid, remoteJidAlt = Alice's PN (%s)" % k)
    sim.call("POST", "/lid-addressing", {"jid": a.jid, "on": False})

    # ------------------------------------------------ onWhatsApp, pictures, inject
    res = a.do("/on-whatsapp", {"numbers": [B_NUM, "15559999999"]})["result"]
    check(res == [{"jid": b.jid, "exists": True}], "onWhatsApp: known in, unknown out (%s)" % res)
    s, _ = sim.call("POST", "/picture", {"jid": b.jid, "url": "https://pps.whatsapp.net/sim/bob.jpg"})
    url = a.do("/picture", {"jid": b.jid})["url"]
    check(url == "https://pps.whatsapp.net/sim/bob.jpg", "profilePictureUrl of Bob (%s)" % url)
    url = a.do("/picture", {"jid": "15559999999@s.whatsapp.net"})["url"]
    check(isinstance(url, dict) and url.get("error") == 404, "no picture -> 404 (%s)" % url)
    sim.call("POST", "/picture", {"jid": b.jid, "url": None, "private": True})
    url = a.do("/picture", {"jid": b.jid})["url"]
    check(isinstance(url, dict) and url.get("error") == 401, "a private picture -> 401 (%s)" % url)
    mark = a.seq()
    s, r = sim.call("POST", "/inject", {"jid": a.me, "node": {"tag": "presence", "attrs": {"from": C_NUM + "@s.whatsapp.net", "type": "available"}}})
    check(s == 200 and bool(wait_for("injected", lambda: [e for e in a.events("presence.update", mark)
                                                          if e["data"]["id"] == C_NUM + "@s.whatsapp.net"], 10)),
          "an injected raw <presence> reached Baileys")

    # ------------------------------------------------ a third account joins a group later
    c = netpeer.Peer(sim, tmp, C_NUM, "Carol")
    run.add(c)
    sim.call("POST", "/group", {"id": "120363000000000002@g.us", "subject": "Three", "participants": [A_NUM, B_NUM, C_NUM]})
    a.do("/send", {"jid": "120363000000000002@g.us", "text": "hello three"})
    check(bool(wait_for("B three", lambda: text_from(b, "hello three"), 15)) and
          bool(wait_for("C three", lambda: text_from(c, "hello three"), 15)), "three-member group: both decrypt")
    left = wait_for("outboxes drained", sim.drained, 10)
    check(bool(left), "every stanza to an online peer was receipted or acked (outboxes empty)")


def main():
    return suite.main(body, "wgnet")


if __name__ == "__main__":
    sys.exit(main())
