#!/usr/bin/python3
"""The message events end to end, as the spec shapes them, on all three delivery paths at once:
connd + wagate-fcgi behind lighttpd, logged in to crabline (credentials linked by QR against our
simulator first, as in test_crabline.py), with
  1. Evolution's Socket.IO dialect: python3-socketio on the instance namespace /ev1, enabled by
     POST /websocket/set/ev1 with an events list that leaves CONNECTION_UPDATE out;
  2. the /api/events dialect: python3-socketio with auth {token}, emit('subscribe', [...]);
  3. a webhook receiver (tests/integration/webhook/receiver.py) set by POST /webhook/set/ev1,
     byEvents false, then true.
Driven by inbound texts injected with crabline's admin API (a first contact that arrives before
the /api/events subscribe, a new contact with a push name, a second message in the same chat, a
push-name change), POST /message/sendText, POST /chat/markMessageAsRead, a crabline restart that
redelivers a message id, and an unsubscribe.

Checked on each path: the envelope (Evolution: exactly {event, instance, data, server_url,
date_time, sender, apikey}; webhook: {event, instance, data, destination, date_time, sender,
server_url, apikey} in that order, destination the instance URL even with byEvents), the same
`data` on both Evolution paths, messages.upsert data = messageRaw (spec §3.1 / §4.1), our own send
as send.message only (Baileys' type "append" on /api/events), contacts.upsert then
contacts.update, chats.upsert then chats.update, the Baileys names and shapes of /api/events
(connd/realtime/baileys_map.h), the event filters (websocket events list; nothing on
/api/events before subscribe or after unsubscribe), date_time true UTC ISO-8601 with
milliseconds while connd runs in a non-UTC time zone, and every message id delivered at most once
as messages.upsert per path despite crabline's redelivery.
Exit 77 without node/npm, lighttpd or python3-socketio."""
import datetime
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "webhook"))
import wasim  # noqa: E402
from wasim import events, log_size, wait_for  # noqa: E402
from test_crabline import Crabline, is_receipt  # noqa: E402
import suite  # noqa: E402
from suite import Listener, check, create_instance, link_by_qr, login_to_crabline, rest, state_of, wa_stack  # noqa: E402
import wgtest  # noqa: E402

stack = wasim.stack
NAME = "ev1"
OWNER = "15550001111@s.whatsapp.net"  # the simulator's phone, linked by QR
PEER = "15551234567@s.whatsapp.net"
EARLY = "15557654321@s.whatsapp.net"
SERVER_URL = "http://wagate.example:8080"
EVO_KEYS = {"event", "instance", "data", "server_url", "date_time", "sender", "apikey"}
HOOK_KEYS = ["event", "instance", "data", "destination", "date_time", "sender", "server_url",
             "apikey"]
RAW_KEYS = {"key", "pushName", "status", "message", "messageType", "messageTimestamp", "instanceId",
            "source"}  # messageRaw of a text without a quote: no contextInfo
WS_EVENTS = ["MESSAGES_UPSERT", "SEND_MESSAGE", "MESSAGES_UPDATE", "CONTACTS_UPSERT",
             "CONTACTS_UPDATE", "CHATS_UPSERT", "CHATS_UPDATE"]  # no CONNECTION_UPDATE
API_EVENTS = ["messages.upsert", "messages.update", "contacts.upsert", "contacts.update",
              "chats.upsert", "chats.update", "connection.update"]
M0, M1, M2, M3, M4, M5 = ("3EB0E7E7000000000000%02X" % i for i in range(6))


def short(v, n=300):
    return json.dumps(v)[:n]


class Paths:
    """The three paths, each as a list of (event, envelope-or-payload)."""

    def __init__(self, evo, api, hook):
        self.evo, self.api, self.hook = evo, api, hook

    def evo_events(self):
        return list(self.evo.box)

    def api_events(self):
        return list(self.api.box)

    def hook_events(self):
        return [(r["json"].get("event"), r["json"], r["path"]) for r in self.hook.read()
                if isinstance(r.get("json"), dict)]

    def marks(self):
        return len(self.evo.box), len(self.api.box), len(self.hook.read())


def msg_id(data):
    return (data or {}).get("key", {}).get("id") if isinstance(data, dict) else None


def date_ok(s, now):
    """True UTC ISO-8601 with milliseconds, close to now (connd runs with a +05:30 TZ)."""
    if not isinstance(s, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s):
        return False
    t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return abs(t.timestamp() - now) < 30


def evo_envelope_ok(env, event, token):
    return (isinstance(env, dict) and set(env) == EVO_KEYS and env["event"] == event and
            env["instance"] == NAME and env["server_url"] == SERVER_URL and env["sender"] == OWNER and
            env["apikey"] == token and date_ok(env["date_time"], time.time()))


def hook_envelope_ok(env, event, url):
    return (isinstance(env, dict) and list(env) == HOOK_KEYS and env["event"] == event and
            env["instance"] == NAME and env["destination"] == url and env["sender"] == OWNER and
            env["server_url"] == SERVER_URL and env["apikey"] is None and
            date_ok(env["date_time"], time.time()))


def message_raw_ok(data, mid, text, push, chat=PEER):
    """Spec §3.1 / §4.1 messageRaw of an incoming text."""
    return (isinstance(data, dict) and set(data) == RAW_KEYS and
            data.get("key") == {"remoteJid": chat, "fromMe": False, "id": mid, "addressingMode": "pn"} and
            data.get("pushName") == push and data.get("status") == "DELIVERY_ACK" and
            data.get("message") == {"conversation": text} and data.get("messageType") == "conversation" and
            isinstance(data.get("messageTimestamp"), int) and
            not isinstance(data.get("messageTimestamp"), bool) and
            abs(data["messageTimestamp"] - time.time()) < 120 and
            isinstance(data.get("instanceId"), str) and len(data["instanceId"]) == 36 and
            data.get("source") in ("web", "android", "ios", "desktop", "unknown"))


def after(box, mark, pred):
    return [x for x in box[mark:] if pred(x)]


def baileys_item(name, item):
    """Evolution's contact / chat row as /api/events sends it: Baileys' Contact {id, notify,
    imgUrl} or Chat {id, name, unreadCount}, null fields left out."""
    pairs = ((("id", "remoteJid"), ("notify", "pushName"), ("imgUrl", "profilePicUrl"))
             if name.startswith("contacts") else
             (("id", "remoteJid"), ("name", "name"), ("unreadCount", "unreadMessages")))
    return {to: item[frm] for to, frm in pairs if item.get(frm) is not None}


def inbound_round(crab, paths, token, url, instance_id, mid, text, push, chat, expect,
                  api_subscribed=True):
    """Injects one text and checks it on every path. expect: the follow-up events in order
    (names), e.g. ["contacts.upsert", "chats.upsert"]."""
    e0, a0, h0 = paths.marks()
    crab.inject_text(mid, text, chat, push_name=push)
    want = ["messages.upsert"] + expect
    evo = wait_for("%s on /%s" % (mid, NAME), lambda: len(paths.evo_events()[e0:]) >= len(want) and
                   paths.evo_events()[e0:], 8) or []
    hook = wait_for("%s at the webhook" % mid,
                    lambda: len(paths.hook_events()[h0:]) >= len(want) and paths.hook_events()[h0:], 8) or []
    if api_subscribed:
        wait_for("%s on /api/events" % mid, lambda: len(paths.api_events()[a0:]) >= len(want), 8)
    time.sleep(0.3)  # anything extra would show up now
    evo, hook, api = paths.evo_events()[e0:], paths.hook_events()[h0:], paths.api_events()[a0:]
    tag = "%s (%s)" % (mid[-2:], text)
    check([e for e, _ in evo] == want, "%s: Evolution dialect got %s (%s)" % (tag, want, [e for e, _ in evo]))
    check([e for e, _, _ in hook] == want, "%s: webhook got %s in order (%s)" % (tag, want, [e for e, _, _ in hook]))
    check(all(evo_envelope_ok(env, e, token) for e, env in evo),
          "%s: Evolution envelopes exact (7 keys, instance, server_url, sender, apikey, UTC date_time) %s"
          % (tag, short(evo[:1], 400)))
    check(all(hook_envelope_ok(env, e, url) for e, env, _ in hook) and all(p == "/" for _, _, p in hook),
          "%s: webhook envelopes exact (8 keys in §4.3 order, destination, apikey null) at the URL itself %s"
          % (tag, short(hook[:1], 400)))
    check(len(evo) == len(hook) and all(a[1].get("data") == b[1].get("data") for a, b in zip(evo, hook)),
          "%s: webhook data identical to the Socket.IO data" % tag)
    up = evo[0][1].get("data") if evo else None
    check(message_raw_ok(up, mid, text, push, chat), "%s: messages.upsert data is messageRaw (%s)" % (tag, short(up)))
    by = {e: env.get("data") for e, env in evo}
    if "contacts.upsert" in expect or "contacts.update" in expect:
        ce = "contacts.upsert" if "contacts.upsert" in expect else "contacts.update"
        check(by.get(ce) == {"remoteJid": chat, "pushName": push, "profilePicUrl": None,
                             "instanceId": instance_id},
              "%s: %s data {remoteJid, pushName, profilePicUrl, instanceId} (%s)" % (tag, ce, short(by.get(ce))))
    if "chats.upsert" in expect:
        check(by.get("chats.upsert") == [{"remoteJid": chat, "instanceId": instance_id, "name": push,
                                          "unreadMessages": 1}],
              "%s: chats.upsert data [{remoteJid, instanceId, name, unreadMessages}] (%s)"
              % (tag, short(by.get("chats.upsert"))))
    if "chats.update" in expect:
        check(by.get("chats.update") == [{"remoteJid": chat, "instanceId": instance_id}],
              "%s: chats.update data [{remoteJid, instanceId}] (%s)" % (tag, short(by.get("chats.update"))))
    if not api_subscribed:
        check(api == [], "%s: /api/events delivers nothing before subscribe (%s)" % (tag, short(api, 200)))
        return evo, hook, api
    check([e for e, _ in api] == want, "%s: /api/events got %s (%s)" % (tag, want, [e for e, _ in api]))
    ap = dict(api)
    mu = ap.get("messages.upsert")
    check(isinstance(mu, dict) and set(mu) == {"messages", "type", "instance"} and mu["type"] == "notify" and
          mu["instance"] == NAME and isinstance(mu["messages"], list) and len(mu["messages"]) == 1,
          "%s: /api/events messages.upsert {messages:[msg], type:notify, instance} (%s)" % (tag, short(mu)))
    am = (mu or {}).get("messages", [None])[0] if isinstance(mu, dict) else None
    check(isinstance(am, dict) and isinstance(up, dict) and am.get("key") == up.get("key") and
          am.get("message") == up.get("message") and am.get("pushName") == push and
          am.get("messageTimestamp") == up.get("messageTimestamp") and am.get("status") == 3,
          "%s: /api/events msg: the same key, message, pushName, messageTimestamp; status Baileys' 3 "
          "(DELIVERY_ACK) (%s)" % (tag, short(am)))
    for name in expect:
        want_items = by.get(name)
        want_items = want_items if isinstance(want_items, list) else [want_items]
        want_items = [dict(baileys_item(name, i), instance=NAME) for i in want_items]
        check(ap.get(name) == want_items, "%s: /api/events %s is Baileys' %s array + instance (%s)"
              % (tag, name, "Contact" if name.startswith("contacts") else "Chat", short(ap.get(name))))
    return evo, hook, api


def body(run):
    sim = run.add(wasim.Sim(run.tmp, refs=6))  # raises Skip without node/npm
    crab = run.add(Crabline(run.tmp, sim.node))
    st = wa_stack(run, sim, log_level="debug",  # events() reads payloads from connd.log
                  WAGATE_CONNECT_WAIT_MS="4000")

    # ------------------------------------------------ link by QR (simulator), then crabline
    created = create_instance(st, NAME)
    token = created["hash"]["apikey"]
    instance_id = created["instance"]["instanceId"]
    link_by_qr(st, sim, NAME)
    # a +05:30 zone without tzdata: a local-time date_time with a Z (Evolution's bug) shows
    login_to_crabline(st, crab, NAME, WEBSOCKET_ENABLED="true", SERVER_URL=SERVER_URL, TZ="IST-5:30",
                      WAGATE_RECONNECT_MIN_MS="300", WAGATE_RECONNECT_MAX_MS="1000")

    # ------------------------------------------------ the three subscribers
    s, doc = rest(st, "POST", "/websocket/set/" + NAME, {"websocket": {"enabled": True, "events": WS_EVENTS}})
    check(s == 201 and doc.get("enabled") is True and doc.get("events") == WS_EVENTS,
          "websocket/set with an events list -> 201 (%s)" % short(doc, 200))
    recv = run.add(wgtest.Receiver(run.tmp).start())
    hook_body = {"webhook": {"enabled": True, "url": recv.url, "byEvents": False, "events": WS_EVENTS}}
    s, doc = rest(st, "POST", "/webhook/set/" + NAME, hook_body)
    check(s == 201 and doc.get("webhookByEvents") is False, "webhook/set byEvents false -> 201")
    evo = run.add(Listener(st.base_url, "/" + NAME, {"apikey": token}))
    api = run.add(Listener(st.base_url, "/api/events", {"token": token}))
    paths = Paths(evo, api, recv)
    time.sleep(0.3)

    # ------------------------------------------------ before subscribe: nothing on /api/events
    inbound_round(crab, paths, token, recv.url, instance_id, M0, "early", "Early Bird", EARLY,
                  ["contacts.upsert", "chats.upsert"], api_subscribed=False)
    ack = api.call("subscribe", API_EVENTS + ["no.such.event"])
    check(isinstance(ack, dict) and ack.get("ok") is True and
          sorted(ack.get("subscribed", [])) == sorted(API_EVENTS) and ack.get("unknown") == ["no.such.event"],
          "/api/events subscribe ack {ok, subscribed, unknown} (%s)" % short(ack))

    # ------------------------------------------------ a new contact, the same chat again, a new push name
    inbound_round(crab, paths, token, recv.url, instance_id, M1, "hello", "Crab Peer", PEER,
                  ["contacts.upsert", "chats.upsert"])
    inbound_round(crab, paths, token, recv.url, instance_id, M2, "again", "Crab Peer", PEER,
                  ["chats.update"])
    inbound_round(crab, paths, token, recv.url, instance_id, M3, "renamed", "Crab Renamed", PEER,
                  ["contacts.update", "chats.update"])

    # ------------------------------------------------ our own send: send.message, not messages.upsert
    e0, a0, h0 = paths.marks()
    s, raw = rest(st, "POST", "/message/sendText/" + NAME, {"number": PEER.split("@")[0], "text": "from us"})
    sent_id = raw.get("key", {}).get("id") if isinstance(raw, dict) else None
    check(s == 201 and raw.get("status") == "PENDING" and raw.get("key", {}).get("fromMe") is True,
          "sendText -> 201 messageRaw PENDING (%s)" % short(raw))
    check(wait_for("crabline accepted", lambda: crab.accepted_text(sent_id) == "from us", 8),
          "crabline decrypted our text")
    wait_for("send.message", lambda: paths.evo_events()[e0:] and paths.hook_events()[h0:] and
             paths.api_events()[a0:], 8)
    time.sleep(0.4)
    evs, hks, aps = paths.evo_events()[e0:], paths.hook_events()[h0:], paths.api_events()[a0:]
    check([e for e, _ in evs] == ["send.message"] and [e for e, _, _ in hks] == ["send.message"],
          "our send: send.message only on Evolution and the webhook, no messages.upsert (%s / %s)"
          % ([e for e, _ in evs], [e for e, _, _ in hks]))
    sm = evs[0][1] if evs else {}
    sd = sm.get("data") if isinstance(sm, dict) else None
    check(evo_envelope_ok(sm, "send.message", token) and hks and
          hook_envelope_ok(hks[0][1], "send.message", recv.url) and hks[0][1]["data"] == sd,
          "send.message envelopes exact on both paths, same data")
    # connd announces our send at the server ack (README "What works today"), so status is
    # SERVER_ACK; Evolution emits it right after the send with the 201's PENDING (§3.1)
    check(isinstance(sd, dict) and set(sd) == RAW_KEYS and
          sd.get("key") == {"remoteJid": PEER, "fromMe": True, "id": sent_id} and
          sd.get("status") == "SERVER_ACK" and sd.get("message") == {"conversation": "from us"} and
          sd.get("messageType") == "conversation" and isinstance(sd.get("messageTimestamp"), int) and
          sd.get("instanceId") == instance_id and sd.get("source") in ("web", "unknown"),
          "send.message data: messageRaw of our text, status SERVER_ACK (%s)" % short(sd))
    check(isinstance(sd, dict) and dict(sd, status="PENDING") == raw,
          "send.message data is the 201 reply's messageRaw but for the status (§3.1)")
    am = aps[0][1]["messages"][0] if aps and aps[0][1].get("messages") else {}
    check([e for e, _ in aps] == ["messages.upsert"] and aps[0][1].get("type") == "append" and
          aps[0][1].get("instance") == NAME and msg_id(am) == sent_id and am.get("status") == 2 and
          am.get("message") == sd.get("message") and am.get("key") == sd.get("key"),
          "/api/events: our send as messages.upsert type append, status Baileys' 2 (%s)" % short(aps, 300))

    # ------------------------------------------------ markMessageAsRead: a receipt, no message event
    e0, a0, h0 = paths.marks()
    s, doc = rest(st, "POST", "/chat/markMessageAsRead/" + NAME,
                  {"readMessages": [{"id": M3, "fromMe": False, "remoteJid": PEER}]})
    check(s == 201 and doc == {"message": "Read messages", "read": "success"}, "markMessageAsRead -> 201")
    check(wait_for("read receipt", lambda: crab.count(lambda n: n.get("tag") == "receipt" and
                                                     n.get("attrs", {}).get("type") == "read" and
                                                     n.get("attrs", {}).get("id") == M3), 5),
          "crabline recorded the read receipt")
    time.sleep(0.5)
    msg_events = ("messages.upsert", "send.message")
    check(not [e for e, _ in paths.evo_events()[e0:] if e in msg_events] and
          not [e for e, _ in paths.api_events()[a0:] if e in msg_events] and
          not [e for e, _, _ in paths.hook_events()[h0:] if e in msg_events],
          "markMessageAsRead announces no message on any path (%s %s %s)"
          % (paths.evo_events()[e0:], paths.api_events()[a0:], paths.hook_events()[h0:]))

    # ------------------------------------------------ crabline restart: connection.update filtered,
    # and a redelivered message id is receipted without a second messages.upsert
    e0, a0, h0 = paths.marks()
    off = log_size(st)
    receipts_before = crab.count(is_receipt(M1))
    crab.stop()
    wait_for("reconnecting", lambda: state_of(st, NAME) == "connecting", 10)
    crab.start()
    wait_for("open again", lambda: state_of(st, NAME) == "open", 15)
    crab.inject_text(M1, "hello", PEER, push_name="Crab Peer")
    check(wait_for("receipt again", lambda: crab.count(is_receipt(M1)) > receipts_before, 8),
          "redelivered message id: receipt sent again (%d before the restart)" % receipts_before)
    time.sleep(0.5)
    conn = events(st, "connection.update", NAME, since=off)
    check(len(conn) >= 2, "connd published connection.update on the restart (%d)" % len(conn))
    check(not [e for e, _ in paths.evo_events()[e0:] if e == "connection.update"] and
          not [e for e, _, _ in paths.hook_events()[h0:] if e == "connection.update"],
          "CONNECTION_UPDATE is not in the events lists: not delivered on /%s nor to the webhook" % NAME)
    states = [d.get("connection") for e, d in paths.api_events()[a0:] if e == "connection.update"]
    check("connecting" in states and states[-1] == "open" and
          all(d.get("instance") == NAME for e, d in paths.api_events()[a0:] if e == "connection.update"),
          "/api/events (subscribed to it): connection.update connecting ... open (%s)" % states)
    check(not events(st, "messages.upsert", NAME, since=off) and
          not [e for e, _ in paths.evo_events()[e0:] if e == "messages.upsert"] and
          not [e for e, _ in paths.api_events()[a0:] if e == "messages.upsert"] and
          not [e for e, _, _ in paths.hook_events()[h0:] if e == "messages.upsert"],
          "redelivered message id: no second messages.upsert on any path")

    # ------------------------------------------------ webhook byEvents true: kebab paths, same envelope
    hook_body["webhook"]["byEvents"] = True
    s, doc = rest(st, "POST", "/webhook/set/" + NAME, hook_body)
    check(s == 201 and doc.get("webhookByEvents") is True, "webhook/set byEvents true -> 201")
    e0, a0, h0 = paths.marks()
    crab.inject_text(M4, "by events", PEER, push_name="Crab Renamed")
    hks = wait_for("byEvents", lambda: len(paths.hook_events()[h0:]) >= 2 and paths.hook_events()[h0:], 8) or []
    # two destination URLs now, and order is kept per destination only (README, Webhooks)
    check(sorted((e, p) for e, _, p in hks) == [("chats.update", "/chats-update"),
                                                 ("messages.upsert", "/messages-upsert")],
          "byEvents: POST url/messages-upsert and url/chats-update (%s)" % [(e, p) for e, _, p in hks])
    mu = [env for e, env, _ in hks if e == "messages.upsert"]
    check(all(hook_envelope_ok(env, e, recv.url) for e, env, _ in hks) and mu and
          message_raw_ok(mu[0]["data"], M4, "by events", "Crab Renamed"),
          "byEvents: same envelope, destination still the instance URL (§4.3)")

    # ------------------------------------------------ unsubscribe: /api/events stops
    ack = api.call("unsubscribe", API_EVENTS)
    check(isinstance(ack, dict) and ack.get("ok") is True and ack.get("subscribed") == [],
          "/api/events unsubscribe ack: nothing left (%s)" % short(ack))
    e0, a0, h0 = paths.marks()
    crab.inject_text(M5, "after unsubscribe", PEER, push_name="Crab Renamed")
    wait_for("M5 on Evolution", lambda: [1 for e, d in paths.evo_events()[e0:]
                                         if e == "messages.upsert" and msg_id(d.get("data")) == M5], 8)
    time.sleep(0.5)
    check(paths.api_events()[a0:] == [], "/api/events after unsubscribe: nothing (%s)"
          % short(paths.api_events()[a0:], 200))

    # ------------------------------------------------ every id at most once as messages.upsert, per path
    ids = [M0, M1, M2, M3, M4, M5]
    evo_ids = [msg_id(d.get("data")) for e, d in paths.evo_events() if e == "messages.upsert"]
    hook_ids = [msg_id(d.get("data")) for e, d, _ in paths.hook_events() if e == "messages.upsert"]
    api_ids = [msg_id(m) for e, d in paths.api_events() if e == "messages.upsert"
               for m in d.get("messages", []) if d.get("type") == "notify"]
    check(evo_ids == ids and hook_ids == ids and api_ids == [M1, M2, M3, M4],
          "each message id exactly once as messages.upsert: Evolution %s, webhook %s, /api/events %s"
          % ([i[-2:] for i in evo_ids], [i[-2:] for i in hook_ids], [i[-2:] for i in api_ids]))
    check(sent_id not in evo_ids + hook_ids, "our own message never came back as messages.upsert")
    reports = st.sanitizer_reports()
    check(not reports, "no sanitizer report")


def main():
    try:
        import socketio  # noqa: F401
    except ImportError:
        print("SKIP: python3-socketio missing")
        return 77
    return suite.main(body, "wgmev", log_lines=60)


if __name__ == "__main__":
    sys.exit(main())
