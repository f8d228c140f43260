#!/usr/bin/python3
"""The chat routes that send no Message protobuf, contacts/chats, presence, calls and the settings
behaviours (connd/chat), through the REST API behind lighttpd.

(Validation, unknown instance and closed-instance errors without WhatsApp: integration/chat_rest.)
1. Against our simulator (tests/wa/sim, linked by QR; its /inject-record hook, tests/wa/sim/inject.mjs,
   injects stanzas, records what connd sends and answers usync contact queries), for what
   crabline cannot decode or produce (its binary-node decoder knows no contact, item, subscribe,
   media or picture tokens): whatsappNumbers (usync <contact/><lid/> query, answer in request
   order), markMessageAsRead grouping (<receipt type=read> per chat and participant, the other
   ids in <list><item/>), sendPresence (subscribe, <composing media=audio/>, <paused/> after the
   delay), fetchProfilePictureUrl (our own picture, null for others), incoming
   <presence>/<chatstate> -> presence.update, <call> -> call (acked), rejectCall (<call><reject
   call-id call-creator count=0/></call>) with msgCall handed to the send path, alwaysOnline
   applied at runtime.
2. Against crabline (logged in from the stored credentials, WA_CERT_CHECK=off), with inbound
   messages injected by its admin API: contacts.upsert/update and chats.upsert/update,
   findContacts, findChats (unreadCount, lastMessage), markMessageAsRead (the read <receipt>
   recorded, the row READ, unread 0), readMessages (automatic read receipt), groupsIgnore (a
   group message is receipted, not stored, no event).
Exit 77 when node/npm or lighttpd is missing."""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402
from wasim import events, log_size, wait_for  # noqa: E402
from test_crabline import Crabline, kids  # noqa: E402
import suite  # noqa: E402
from suite import check, create_instance, link_by_qr, login_to_crabline, rest, wa_stack  # noqa: E402

stack = wasim.stack
PEER = "15551234567"
PEER_JID = PEER + "@s.whatsapp.net"
GROUP = "120363000000000001@g.us"


def collect(sim, me, done, timeout=5):
    """What connd sent to the simulator, accumulated over polls of /inject-record until done(nodes)."""
    nodes = []

    def more():
        nodes.extend(sim.call("POST", "/inject-record", {"jid": me})[1].get("recorded", []))
        return done(nodes)
    try:
        wait_for("recorded stanzas", more, timeout)
    except AssertionError:
        pass
    return nodes


def sim_part(st, sim, me):
    """fetchProfilePictureUrl, presence, chatstate, calls, rejectCall, alwaysOnline (simulator)."""
    sim.call("POST", "/inject-record", {"jid": me})  # start recording what connd sends
    s, doc = rest(st, "POST", "/chat/fetchProfilePictureUrl/cr1", {"number": me.split("@")[0]})
    check(s == 200 and doc == {"wuid": me, "profilePictureUrl": "https://pps.whatsapp.net/sim/%s.jpg"
                                                                 % me.split("@")[0]},
          "fetchProfilePictureUrl of our number -> the URL (%s)" % json.dumps(doc))
    s, doc = rest(st, "POST", "/chat/fetchProfilePictureUrl/cr1", {"number": PEER})
    check(s == 200 and doc == {"wuid": PEER_JID, "profilePictureUrl": None},
          "fetchProfilePictureUrl of a number without a picture -> null (%s)" % json.dumps(doc))

    off = log_size(st)
    sim.call("POST", "/inject-record", {"jid": me, "node": {"tag": "presence", "attrs": {
        "from": PEER_JID, "type": "unavailable", "last": "1700000000"}}})
    sim.call("POST", "/inject-record", {"jid": me, "node": {"tag": "chatstate", "attrs": {"from": PEER_JID},
                                                     "content": [{"tag": "composing", "attrs": {}}]}})
    sim.call("POST", "/inject-record", {"jid": me, "node": {"tag": "chatstate", "attrs": {
        "from": GROUP, "participant": PEER_JID},
        "content": [{"tag": "composing", "attrs": {"media": "audio"}}]}})
    ups = wait_for("presence.update", lambda: len(events(st, "presence.update", "cr1", since=off)) >= 3
                   and events(st, "presence.update", "cr1", since=off), 5) or []
    got = [u[2] for u in ups]
    check(got[:3] == [
        {"id": PEER_JID, "presences": {PEER_JID: {"lastKnownPresence": "unavailable", "lastSeen": 1700000000}}},
        {"id": PEER_JID, "presences": {PEER_JID: {"lastKnownPresence": "composing"}}},
        {"id": GROUP, "presences": {PEER_JID: {"lastKnownPresence": "recording"}}}],
        "incoming presence / chatstate -> presence.update (%s)" % json.dumps(got)[:300])

    # whatsappNumbers: the simulator answers usync contact queries once told who is on WhatsApp
    sim.call("POST", "/inject-record", {"jid": me, "onWhatsApp": [PEER]})
    s, doc = rest(st, "POST", "/chat/whatsappNumbers/cr1", {"numbers": [PEER, "+1 (555) 000-2222"]})
    check(s == 200 and doc == [{"jid": PEER_JID, "exists": True, "number": PEER, "lid": PEER[::-1] + "@lid"},
                               {"jid": "15550002222@s.whatsapp.net", "exists": False,
                                "number": "+1 (555) 000-2222"}],
          "whatsappNumbers -> 200 [{jid, exists, number, lid}] in request order (%s)" % json.dumps(doc)[:300])
    rec = sim.call("POST", "/inject-record", {"jid": me})[1].get("recorded", [])
    usync = [k for n in rec if n["tag"] == "iq" and n["attrs"].get("xmlns") == "usync" for k in kids(n)]
    q = [t["tag"] for u in usync for c in kids(u) if c["tag"] == "query" for t in kids(c)]
    users = [c for u in usync for l in kids(u) if l["tag"] == "list" for c in kids(l)]
    contact = [kids(u)[0] for u in users if kids(u)]
    check(usync and usync[-1]["attrs"].get("context") == "interactive" and q[-2:] == ["contact", "lid"] and
          contact and bytes.fromhex(contact[0]["content"]).decode() == "+" + PEER,
          "usync <query><contact/><lid/></query>, <user><contact>+digits</contact> (%s)" % json.dumps(usync)[:300])

    # markMessageAsRead: grouped per chat and participant, first id in the attribute
    s, doc = rest(st, "POST", "/chat/markMessageAsRead/cr1", {"readMessages": [
        {"id": "R1", "fromMe": False, "remoteJid": PEER_JID},
        {"id": "R2", "fromMe": True, "remoteJid": PEER_JID},
        {"id": "R3", "fromMe": False, "remoteJid": GROUP, "participant": PEER_JID},
        {"id": "R4", "fromMe": False, "remoteJid": PEER_JID}]})
    check(s == 201 and doc == {"message": "Read messages", "read": "success"}, "markMessageAsRead -> 201")
    rec = [n for n in collect(sim, me, lambda ns: sum(n["tag"] == "receipt" for n in ns) >= 2)
           if n["tag"] == "receipt"]
    shapes = [(n["attrs"].get("id"), n["attrs"].get("to"), n["attrs"].get("participant"), n["attrs"].get("type"),
               [i["attrs"].get("id") for l in kids(n) for i in kids(l)]) for n in rec]
    check(shapes == [("R1", PEER_JID, None, "read", ["R4"]), ("R3", GROUP, PEER_JID, "read", [])] and
          all(str(n["attrs"].get("t", "")).isdigit() for n in rec),
          "read receipts: one per chat (+participant), the rest in <list><item id/>, fromMe skipped (%s)" % shapes)

    # sendPresence: subscribe, the chat state, paused after the delay
    t0 = time.monotonic()
    s, doc = rest(st, "POST", "/chat/sendPresence/cr1", {"number": PEER, "presence": "recording", "delay": 400})
    took = time.monotonic() - t0
    check(s == 201 and doc == {"presence": "recording"} and took >= 0.35,
          "sendPresence -> 201 {presence} after the delay (%.2f s)" % took)
    rec = [n for n in collect(sim, me, lambda ns: any(k["tag"] == "paused" for n in ns for k in kids(n)))
           if n["tag"] in ("presence", "chatstate")]
    seq = [(n["tag"], n["attrs"].get("type"), [(k["tag"], k["attrs"].get("media")) for k in kids(n)]) for n in rec
           if n["attrs"].get("to") == PEER_JID]
    check(seq == [("presence", "subscribe", []), ("chatstate", None, [("composing", "audio")]),
                  ("chatstate", None, [("paused", None)])],
          "sendPresence recording: subscribe, <composing media=audio/>, then <paused/> (%s)" % seq)
    s, doc = rest(st, "POST", "/chat/sendPresence/cr1", {"number": PEER, "presence": "available", "delay": 0})
    check(s == 201 and doc == {"presence": "available"}, "sendPresence available -> 201")

    # calls: without rejectCall only the event; with it the reject stanza too
    off = log_size(st)
    call = {"tag": "call", "attrs": {"from": PEER_JID, "id": "CALLST1", "t": "1700000000"},
            "content": [{"tag": "offer", "attrs": {"call-id": "CALLID1", "call-creator": PEER_JID},
                         "content": [{"tag": "video", "attrs": {}}]}]}
    sim.call("POST", "/inject-record", {"jid": me, "node": call})
    cev = wait_for("call event", lambda: events(st, "call", "cr1", since=off), 5) or []
    data = cev[0][2] if cev else None
    check(isinstance(data, dict) and data == {
        "chatId": PEER_JID, "from": PEER_JID, "id": "CALLID1", "date": "2023-11-14T22:13:20.000Z",
        "offline": False, "status": "offer", "isVideo": True, "isGroup": False},
          "<call><offer> -> call event with Baileys' call object (%s)" % json.dumps(data)[:300])
    rec = collect(sim, me, lambda ns: any(n["tag"] == "ack" and n["attrs"].get("class") == "call" for n in ns))
    time.sleep(0.2)
    rec += sim.call("POST", "/inject-record", {"jid": me})[1].get("recorded", [])
    check(any(n["tag"] == "ack" and n["attrs"].get("class") == "call" and n["attrs"].get("id") == "CALLST1"
              for n in rec), "the call stanza is acked (class=call)")
    check(not any(n["tag"] == "call" for n in rec), "rejectCall off: no reject sent")
    s, _ = rest(st, "POST", "/settings/set/cr1", {"rejectCall": True, "msgCall": "I do not take calls",
                                                  "groupsIgnore": False, "alwaysOnline": True,
                                                  "readMessages": False, "readStatus": False,
                                                  "syncFullHistory": False})
    check(s == 201, "settings/set rejectCall, msgCall, alwaysOnline -> 201")
    off = log_size(st)
    call["attrs"]["id"] = "CALLST2"
    call["content"][0]["attrs"]["call-id"] = "CALLID2"
    rec = sim.call("POST", "/inject-record", {"jid": me, "node": call})[1].get("recorded", [])
    wait_for("call event 2", lambda: events(st, "call", "cr1", since=off), 5)

    def more_until_reject():
        rec.extend(sim.call("POST", "/inject-record", {"jid": me})[1].get("recorded", []))
        return any(n["tag"] == "call" for n in rec)
    wait_for("reject", more_until_reject, 5)
    rejects = [n for n in rec if n["tag"] == "call"]
    r = kids(rejects[0]) if rejects else []
    check(rejects and rejects[0]["attrs"].get("to") == PEER_JID and r and r[0]["tag"] == "reject" and
          r[0]["attrs"] == {"call-id": "CALLID2", "call-creator": PEER_JID, "count": "0"},
          "rejectCall: <call to=caller><reject call-id call-creator count=0/> (%s)" % json.dumps(rejects)[:200])
    log = open(st.path("logs", "connd.log")).read()[off:]
    check(wait_for("msgCall", lambda: 'msg="call reply message"' in
                   open(st.path("logs", "connd.log")).read()[off:], 10),
          "msgCall: the reply text went through the send path (its outcome logged)")
    check(any(n["tag"] == "presence" and n["attrs"].get("type") == "available" for n in rec) or
          "available" in sim.state().get("stats", {}).get("presences", [])[-2:],
          "alwaysOnline turned on at runtime -> <presence type=available>")
    del log


def crabline_part(st, crab):
    import urllib.request

    def inject(message_id, text, push="Crab Peer", chat=PEER_JID):
        body = {"chatJid": chat, "senderJid": PEER_JID, "text": text, "messageId": message_id,
                "pushName": push}
        req = urllib.request.Request(crab.inbound, method="POST", data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json",
                                              "X-Crabline-Admin-Token": crab.admin_token})
        urllib.request.urlopen(req, timeout=10).read()

    def receipts(pred):
        return [n for n in crab.recorded() if n.get("tag") == "receipt" and pred(n.get("attrs", {}))]

    # contacts and chats from inbound messages
    off = log_size(st)
    inject("3EB0CAFE000000000000A1", "one")
    wait_for("upsert 1", lambda: events(st, "messages.upsert", "cr1", since=off), 5)
    cu = wait_for("contacts.upsert", lambda: events(st, "contacts.upsert", "cr1", since=off), 5) or []
    check(cu and isinstance(cu[0][2], dict) and cu[0][2].get("remoteJid") == PEER_JID and
          cu[0][2].get("pushName") == "Crab Peer" and "profilePicUrl" in cu[0][2] and cu[0][2].get("instanceId"),
          "first message -> contacts.upsert {remoteJid, pushName, profilePicUrl, instanceId} (%s)"
          % json.dumps(cu[:1])[:200])
    ch = wait_for("chats.upsert", lambda: events(st, "chats.upsert", "cr1", since=off), 5) or []
    check(ch and ch[0][2] == [{"remoteJid": PEER_JID, "instanceId": ch[0][2][0].get("instanceId"),
                               "name": "Crab Peer", "unreadMessages": 1}],
          "first message -> chats.upsert [{remoteJid, instanceId, name, unreadMessages}] (%s)"
          % json.dumps(ch[:1])[:200])
    off = log_size(st)
    inject("3EB0CAFE000000000000A2", "two")
    wait_for("chats.update", lambda: events(st, "chats.update", "cr1", since=off), 5)
    check(not events(st, "contacts.update", "cr1", since=off) and not events(st, "contacts.upsert", "cr1", since=off),
          "same push name again: no contacts event")
    check(not events(st, "chats.upsert", "cr1", since=off), "second message -> chats.update, not upsert")
    off = log_size(st)
    inject("3EB0CAFE000000000000A3", "three", push="Crab Renamed")
    cu = wait_for("contacts.update", lambda: events(st, "contacts.update", "cr1", since=off), 5) or []
    check(cu and cu[0][2].get("pushName") == "Crab Renamed", "changed push name -> contacts.update")
    wait_for("chats.update 2", lambda: events(st, "chats.update", "cr1", since=off), 5)

    s, doc = rest(st, "POST", "/chat/findContacts/cr1", {"where": {"remoteJid": PEER_JID}})
    check(s == 200 and isinstance(doc, list) and len(doc) == 1 and doc[0].get("pushName") == "Crab Renamed" and
          doc[0].get("isGroup") is False and doc[0].get("type") == "contact" and len(doc[0].get("id", "")) == 36,
          "findContacts -> the contact (%s)" % json.dumps(doc)[:200])
    s, doc = rest(st, "POST", "/chat/findChats/cr1", {})
    chat = [c for c in doc if c.get("remoteJid") == PEER_JID] if s == 200 and isinstance(doc, list) else []
    check(chat and chat[0].get("unreadCount") == 3 and
          (chat[0].get("lastMessage") or {}).get("key", {}).get("id") == "3EB0CAFE000000000000A3" and
          chat[0].get("pushName") == "Crab Renamed" and chat[0].get("isSaved") is True and
          chat[0].get("windowActive") is True,
          "findChats -> unreadCount 3, lastMessage the newest (%s)" % json.dumps(chat)[:300])

    # markMessageAsRead (crabline's decoder knows no <list>/<item> tokens, so one id here; the
    # grouped form is checked against the simulator): receipt, row READ, unread 0
    s, doc = rest(st, "POST", "/chat/markMessageAsRead/cr1", {"readMessages": [
        {"id": "3EB0CAFE000000000000A3", "fromMe": False, "remoteJid": PEER_JID}]})
    check(s == 201 and doc == {"message": "Read messages", "read": "success"},
          "markMessageAsRead -> 201 {message, read} (%s %s)" % (s, doc))
    rr = wait_for("read receipt", lambda: receipts(lambda a: a.get("type") == "read" and
                                                   a.get("id") == "3EB0CAFE000000000000A3"), 5) or []
    check(rr and rr[0]["attrs"].get("to") == PEER_JID and str(rr[0]["attrs"].get("t", "")).isdigit(),
          "crabline recorded <receipt type=read id to t> (%s)" % json.dumps(rr[:1])[:200])
    s, doc = rest(st, "POST", "/chat/findChats/cr1", {"where": {"remoteJid": PEER_JID}})
    check(s == 200 and len(doc) == 1 and doc[0].get("unreadCount") == 0, "after markMessageAsRead: unreadCount 0")
    s, doc = rest(st, "POST", "/chat/findMessages/cr1", {"where": {"key": {"id": "3EB0CAFE000000000000A3"}}})
    recs = (doc or {}).get("messages", {}).get("records", []) if s == 200 else []
    check(recs and recs[0].get("MessageUpdate") == [{"status": "READ"}], "the stored row is READ")

    # readMessages: an incoming message is read at once
    s, _ = rest(st, "POST", "/settings/set/cr1", {"rejectCall": False, "groupsIgnore": True,
                                                  "alwaysOnline": False, "readMessages": True,
                                                  "readStatus": False, "syncFullHistory": False})
    check(s == 201, "settings/set readMessages, groupsIgnore -> 201")
    inject("3EB0CAFE000000000000B1", "auto read")
    check(wait_for("auto read", lambda: receipts(lambda a: a.get("type") == "read" and
                                                 a.get("id") == "3EB0CAFE000000000000B1"), 5),
          "readMessages: the new message got a read receipt")
    time.sleep(0.3)
    s, doc = rest(st, "POST", "/chat/findChats/cr1", {"where": {"remoteJid": PEER_JID}})
    check(s == 200 and doc and doc[0].get("unreadCount") == 0, "readMessages: unreadCount stays 0")

    # groupsIgnore: a group message is receipted, not stored, no event
    off = log_size(st)
    inject("3EB0CAFE000000000000C1", "in a group", chat=GROUP)
    check(wait_for("group receipt", lambda: receipts(lambda a: a.get("id") == "3EB0CAFE000000000000C1" and
                                                     a.get("to") == GROUP), 5),
          "groupsIgnore: the group message is receipted")
    time.sleep(0.5)
    check(not events(st, "messages.upsert", "cr1", since=off), "groupsIgnore: no messages.upsert")
    s, doc = rest(st, "POST", "/chat/findMessages/cr1", {"where": {"key": {"id": "3EB0CAFE000000000000C1"}}})
    check(s == 200 and doc["messages"]["total"] == 0, "groupsIgnore: not stored")


def body(run):
    sim = run.add(wasim.Sim(run.tmp, refs=6))  # raises Skip without node/npm
    crab = run.add(Crabline(run.tmp, sim.node))
    st = wa_stack(run, sim, log_level="debug",  # events() reads payloads from connd.log
                  WAGATE_CONNECT_WAIT_MS="4000")
    create_instance(st, "cr1")

    link_by_qr(st, sim, "cr1", "cr1 linked against the simulator")
    s, rows = rest(st, "GET", "/instance/fetchInstances?instanceName=cr1")
    me = rows[0].get("ownerJid") if s == 200 and rows else None
    check(bool(me), "ownerJid known (%s)" % me)
    sim_part(st, sim, me)
    login_to_crabline(st, crab, "cr1")
    crabline_part(st, crab)

    # a sendPresence still holding its delay when the instance goes away is answered at once
    import threading
    box = {}
    t0 = time.monotonic()
    th = threading.Thread(target=lambda: box.update(r=rest(st, "POST", "/chat/sendPresence/cr1", {
        "number": PEER, "presence": "composing", "delay": 4000})))
    th.start()
    time.sleep(0.5)
    s, _ = rest(st, "DELETE", "/instance/delete/cr1")
    th.join(10)
    took = time.monotonic() - t0
    check(s == 200 and box.get("r", (0,))[0] == 201 and took < 3.5,
          "delete during a sendPresence delay: the call is answered at once (%.2f s, %s)"
          % (took, box.get("r")))
    reports = st.sanitizer_reports()
    check(not reports, "no sanitizer report")


def main():
    return suite.main(body, "wgchat")


if __name__ == "__main__":
    sys.exit(main())
