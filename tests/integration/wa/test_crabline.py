#!/usr/bin/python3
"""connd logged in to crabline (npm @openclaw/crabline 0.1.27), the fake WhatsApp Web server for
logged-in clients, through the REST API behind lighttpd (issue 5, test-peers.md §3).

crabline has no QR or pairing flow and presents a canned certificate chain that no verification
accepts. So:
  1. credentials come through the supported path: the instance is linked by QR against our
     simulator (tests/wa/sim, WA_CERT_CHECK=on), which stores them encrypted (connd/link/vault.c,
     connd/store/session.c) exactly as a real link does;
  2. connd is restarted with WA_SERVER_URL = crabline's loopback URL and WA_CERT_CHECK=off; it logs
     in from the stored credentials (crabline accepts any login ClientPayload).

Covered against crabline: login -> <success> -> open without a QR; the WA_CERT_CHECK=off warning
at every connect; passive iq, pre-key count iq (crabline answers 50, so no upload follows);
presence (setPresence); keepalive pings answered; keepalive lost (crabline frozen with SIGSTOP)
-> 408 -> backoff reconnect -> open; server gone (crabline killed) -> 428 -> backoff reconnects ->
open again when it is back; an inbound message injected by crabline's admin API is stored, receipted and
announced as messages.upsert (messageRaw), and its redelivery after a crabline restart is receipted
without a second event; sendText (usync, pre-key bundle, pkmsg; crabline decrypts exactly our
plaintext; server ack -> send.message SERVER_ACK; delay -> composing/paused; blank text and a
non-number -> 400); findMessages (filters, paging); over Socket.IO: messages.upsert delivered and
the sendText command really sends; logout
sends remove-companion-device. Also: WA_CERT_CHECK=off with a non-loopback WA_SERVER_URL makes
connd refuse to start.
Not possible with crabline (see the report in README "Tests"): stream errors (crabline never
sends <stream:error>), a pre-key upload (it always reports 50 pre-keys), linking, receipts for
our messages (it never sends <receipt>, so receipts -> messages.update is not covered end to end).
Exit 77 when node/npm or lighttpd is missing."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402
from wasim import events, log_size, wait_for  # noqa: E402
import suite  # noqa: E402
from suite import check, create_instance, link_by_qr, login_to_crabline, rest, state_of, wa_stack  # noqa: E402,F401  (rest, state_of: offline_peer re-exports them)

stack = wasim.stack
WARNING = 'msg="WA_CERT_CHECK=off: the server certificate is not verified"'
SELF = "15550001111"


class Crabline:
    """crabline serve whatsapp on a fixed port (so it can be restarted at the same URL) with a
    fixed access token; .url is the Baileys websocket URL, .recorded() the client stanzas."""

    def __init__(self, run_dir, node):
        self.node, self.dir = node, run_dir
        self.port = stack.free_port()
        self.token = "crabtoken" + os.urandom(6).hex()
        self.recorder = os.path.join(run_dir, "crabline.jsonl")
        self.proc = None
        self.start()

    def start(self):
        ready = os.path.join(self.dir, "crabline-ready.json")
        if os.path.exists(ready):
            os.unlink(ready)
        env = dict(os.environ, CRABLINE_ACCESS_TOKEN=self.token)
        cli = os.path.join(wasim.WA_DIR, "node_modules", "@openclaw", "crabline", "dist", "src",
                           "bin", "crabline.js")
        self.proc = subprocess.Popen(
            [self.node, cli, "--json", "serve", "whatsapp", "--port", str(self.port),
             "--ready-file", ready, "--recorder", self.recorder,
             "--self-jid", SELF + "@s.whatsapp.net"],
            cwd=self.dir, env=env, stdout=open(os.path.join(self.dir, "crabline.log"), "ab"),
            stderr=subprocess.STDOUT)
        end = time.monotonic() + 20
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise stack.StackError("crabline did not start")
            time.sleep(0.05)
        info = json.load(open(ready))
        self.url = info["endpoints"]["baileysWebSocketUrl"]
        self.inbound = info["endpoints"].get("adminInboundUrl")
        self.admin_token = info.get("adminToken")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def dump_tail(self, n=15, width=200):
        print("--- crabline recorder tail")
        for node in self.recorded()[-n:]:
            print(json.dumps(node)[:width])

    def recorded(self):
        out = []
        if os.path.exists(self.recorder):
            for line in open(self.recorder, errors="replace"):
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("method") == "WEBSOCKET" and isinstance(ev.get("body"), dict):
                    out.append(ev["body"])
        return out

    def accepted_text(self, message_id):
        """The plaintext crabline decrypted for our message id, from its recorder."""
        if not message_id or not os.path.exists(self.recorder):
            return None
        for line in open(self.recorder, errors="replace"):
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            msg = ev.get("body") if isinstance(ev, dict) else None
            if ev.get("accepted") and isinstance(msg, dict) and \
                    msg.get("key", {}).get("id") == message_id:
                return (msg.get("message") or {}).get("conversation")
        return None

    def count(self, pred):
        return sum(1 for n in self.recorded() if pred(n))

    def inject_text(self, message_id, text, chat, sender=None, push_name="Crab Peer"):
        """crabline's admin inbound API: the client gets <message><plaintext> from sender
        (default: chat) in chat, with that push name. Raises on an HTTP error."""
        body = {"chatJid": chat, "senderJid": sender or chat, "text": text,
                "messageId": message_id, "pushName": push_name}
        req = urllib.request.Request(
            self.inbound, method="POST", data=json.dumps(body).encode(),
            headers={"content-type": "application/json", "X-Crabline-Admin-Token": self.admin_token})
        urllib.request.urlopen(req, timeout=10).read()


def kids(node):
    c = node.get("content")
    return c if isinstance(c, list) else []


def is_iq(xmlns, child=None):
    return lambda n: (n.get("tag") == "iq" and n.get("attrs", {}).get("xmlns") == xmlns and
                      (child is None or any(k.get("tag") == child for k in kids(n))))


PEER = "15551234567"
INBOUND_ID = "3EB0C0FFEE000000000001"


def inject(crab, message_id, text):
    """crabline's admin inbound API: the client gets <message><plaintext>."""
    req = urllib.request.Request(
        crab.inbound, method="POST",
        data=json.dumps({"chatJid": PEER + "@s.whatsapp.net", "senderJid": PEER + "@s.whatsapp.net",
                         "text": text, "messageId": message_id, "pushName": "Crab Peer"}).encode(),
        headers={"content-type": "application/json", "X-Crabline-Admin-Token": crab.admin_token})
    try:
        urllib.request.urlopen(req, timeout=10).read()
    except Exception as e:  # noqa: BLE001
        print("inbound post failed:", e)


def is_receipt(message_id):
    return lambda n: (n.get("tag") == "receipt" and n.get("attrs", {}).get("id") == message_id and
                      "type" not in n.get("attrs", {}))


def socket_io(st, crab):
    """Evolution's Socket.IO namespace of cr1 (python3-socketio): an injected message arrives as
    messages.upsert, and the sendText command really sends (crabline decrypts it)."""
    try:
        import socketio
    except ImportError:
        print("skip Socket.IO checks: python3-socketio is not installed")
        return
    s, _ = rest(st, "POST", "/websocket/set/cr1", {"websocket": {"enabled": True, "events": []}})
    check(s == 201, "websocket/set cr1 -> 201")
    c = socketio.Client(reconnection=False)
    box = []
    c.on("messages.upsert", lambda data: box.append(data), namespace="/cr1")
    try:
        c.connect(st.base_url, namespaces=["/cr1"], auth={"apikey": st.api_key},
                  transports=["websocket"], wait_timeout=5)
        inject(crab, "3EB0C0FFEE000000000002", "over socket.io")
        wait_for("sio messages.upsert", lambda: box, 5)
        data = box[0].get("data", {}) if box and isinstance(box[0], dict) else {}
        check(data.get("key", {}).get("id") == "3EB0C0FFEE000000000002" and
              data.get("message") == {"conversation": "over socket.io"},
              "messages.upsert delivered over Socket.IO (%s)" % json.dumps(box[:1])[:200])
        ack = c.call("sendText", {"number": PEER, "text": "sent by a socket"}, namespace="/cr1",
                     timeout=10)
        result = ack.get("result") if isinstance(ack, dict) else None
        check(isinstance(ack, dict) and ack.get("ok") is True and isinstance(result, dict) and
              result.get("key", {}).get("fromMe") is True,
              "Socket.IO sendText ack ok with the messageRaw (%s)" % json.dumps(ack)[:200])
        mid = result.get("key", {}).get("id") if isinstance(result, dict) else None
        check(wait_for("crabline accepted sio", lambda: crab.accepted_text(mid) == "sent by a socket", 5),
              "Socket.IO sendText: crabline decrypted exactly our plaintext")
    finally:
        c.disconnect()


def refused_off_non_loopback(st):
    """connd with WA_CERT_CHECK=off and a non-loopback URL exits at start-up with a reason."""
    d = tempfile.mkdtemp(prefix="wgcl", dir="/tmp")
    env = {"PATH": os.environ.get("PATH", ""), "WAGATE_DATA_DIR": d,
           "WAGATE_IPC_SOCKET": os.path.join(d, "c.sock"), "WAGATE_SIO_PORT": str(stack.free_port()),
           "AUTHENTICATION_API_KEY": "k" * 32, "WA_SERVER_URL": "ws://192.0.2.7:8080/ws/chat",
           "WA_CERT_CHECK": "off", "LOG_LEVEL": "info"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    try:
        r = subprocess.run([st.connd_bin], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=15)
    except subprocess.TimeoutExpired:
        return False, "connd did not exit"
    out = r.stdout.decode(errors="replace")
    return (r.returncode != 0 and "WA_CERT_CHECK=off is refused" in out and
            "ERROR: AddressSanitizer" not in out), out[-300:]


def body(run):
    sim = run.add(wasim.Sim(run.tmp, refs=6))  # raises Skip without node/npm
    crab = run.add(Crabline(run.tmp, sim.node))
    st = wa_stack(run, sim, log_level="debug",  # events() reads payloads from connd.log
                  WAGATE_KEEPALIVE_MS="1000", WAGATE_RECONNECT_MIN_MS="300",
                  WAGATE_RECONNECT_MAX_MS="1500", WAGATE_CONNECT_WAIT_MS="4000")

    ok, why = refused_off_non_loopback(st)
    check(ok, "WA_CERT_CHECK=off with a non-loopback WA_SERVER_URL: connd refuses to start (%s)"
          % (why.strip().splitlines() or [""])[-1][:160])

    # ------------------------------------------------ credentials: link by QR (simulator)
    create_instance(st, "cr1")
    link_by_qr(st, sim, "cr1", "linked against the simulator (stored encrypted)")

    # ------------------------------------------------ login to crabline
    off = login_to_crabline(st, crab, "cr1", WEBSOCKET_ENABLED="true", WAGATE_KEEPALIVE_MS="1000",
                            WAGATE_RECONNECT_MIN_MS="300", WAGATE_RECONNECT_MAX_MS="1500")
    check(True, "connd logged in to crabline from the stored credentials: open")
    check(not [e for e in events(st, "qrcode.updated", "cr1", since=off)], "no QR on login")
    s, doc = rest(st, "GET", "/instance/connect/cr1")
    check(s == 200 and "base64" not in str(doc),
          "connect on an open instance answers without a QR (%s)" % str(doc)[:80])
    check(wait_for("passive iq", lambda: crab.count(is_iq("passive")) >= 1, 5),
          "crabline recorded the passive iq")
    check(wait_for("prekey count", lambda: crab.count(is_iq("encrypt", "count")) >= 1, 5),
          "crabline recorded the pre-key count iq")
    s, _ = rest(st, "POST", "/instance/setPresence/cr1", {"presence": "available"})
    check(s in (200, 201), "setPresence -> %s" % s)
    check(wait_for("presence", lambda: crab.count(lambda n: n.get("tag") == "presence" and
                                                  n.get("attrs", {}).get("type") == "available") >= 1, 5),
          "crabline recorded <presence type=available>")
    pings = wait_for("3 pings", lambda: crab.count(is_iq("w:p", "ping")) >= 3 and
                     crab.count(is_iq("w:p", "ping")), 8)
    check(pings >= 3, "keepalive: %d pings recorded by crabline, all answered (still open)" % pings)
    check(state_of(st, "cr1") == "open", "still open after several keepalive periods")
    check(crab.count(is_iq("encrypt", "list")) == 0,
          "no pre-key upload (crabline reports 50 pre-keys; upload itself is covered by wa_link)")

    # inbound message via crabline's admin API (issue 6 "Receiving"): stored, then the
    # delivery receipt, then messages.upsert with Evolution's messageRaw shape
    check(bool(crab.inbound and crab.admin_token), "crabline has an admin inbound URL")
    off = log_size(st)
    inject(crab, INBOUND_ID, "hi from crabline")
    check(wait_for("receipt", lambda: crab.count(is_receipt(INBOUND_ID)) >= 1, 5),
          "inbound <message> answered with a delivery <receipt id=...> (no type)")
    ups = wait_for("messages.upsert", lambda: events(st, "messages.upsert", "cr1", since=off), 5) or []
    check(len(ups) == 1, "one messages.upsert event (%d)" % len(ups))
    data = ups[0][2] if ups else {}
    want_key = {"remoteJid": PEER + "@s.whatsapp.net", "fromMe": False, "id": INBOUND_ID,
                "addressingMode": "pn"}  # Baileys 7 keys always carry it
    check(isinstance(data, dict) and data.get("key") == want_key and
          data.get("message") == {"conversation": "hi from crabline"} and
          data.get("messageType") == "conversation" and data.get("pushName") == "Crab Peer" and
          data.get("status") == "DELIVERY_ACK" and data.get("source") == "web" and
          isinstance(data.get("messageTimestamp"), int) and data.get("instanceId"),
          "messages.upsert data is the messageRaw shape (%s)" % json.dumps(data)[:300])
    check(not crab.count(lambda n: n.get("tag") == "ack" and
                         n.get("attrs", {}).get("id") == INBOUND_ID),
          "a stored message gets a receipt, not an ack")

    # sendText (issue 6 "Sending"): usync, bundle, pkmsg; crabline decrypts exactly our text
    off = log_size(st)
    text = "hello crabline, from wagate \u00e9\U0001F600"
    s, raw = rest(st, "POST", "/message/sendText/cr1", {"number": PEER, "text": text})
    check(s == 201 and isinstance(raw, dict) and raw.get("key", {}).get("fromMe") is True and
          raw["key"].get("remoteJid") == PEER + "@s.whatsapp.net" and
          raw.get("status") == "PENDING" and raw.get("message") == {"conversation": text} and
          raw.get("messageType") == "conversation" and str(raw["key"].get("id", "")).startswith("3EB0"),
          "sendText -> 201 messageRaw (%s %s)" % (s, json.dumps(raw)[:200]))
    sent_id = raw.get("key", {}).get("id") if isinstance(raw, dict) else None
    check(wait_for("crabline accepted", lambda: crab.accepted_text(sent_id) == text, 5),
          "crabline decrypted our pkmsg and recorded exactly our plaintext")
    check(crab.count(is_iq("usync")) >= 1 and crab.count(is_iq("encrypt", "key")) >= 1,
          "usync device list and pre-key bundle queries were made")
    sent = wait_for("send.message", lambda: events(st, "send.message", "cr1", since=off), 5) or []
    check(len(sent) == 1 and sent[0][2].get("status") == "SERVER_ACK" and
          sent[0][2].get("key", {}).get("id") == sent_id,
          "server ack -> send.message with status SERVER_ACK")
    s, raw = rest(st, "POST", "/message/sendText/cr1", {"number": PEER, "text": "typed", "delay": 300})
    mid = raw.get("key", {}).get("id") if isinstance(raw, dict) else None
    # the message first: with the device list cached no usync round trip orders the
    # REST answer after crabline recorded the chat states
    typed = wait_for("typed", lambda: crab.accepted_text(mid) == "typed", 5)
    states = [k.get("tag") for n in crab.recorded() if n.get("tag") == "chatstate" for k in kids(n)]
    check(s == 201 and states[-2:] == ["composing", "paused"] and typed,
          "sendText with delay: <chatstate> composing, then paused, then the message (%s)" % states)
    s, bad = rest(st, "POST", "/message/sendText/cr1", {"number": PEER, "text": "   "})
    check(s == 400 and "Text is required" in json.dumps(bad), "blank text -> 400 Text is required")
    s, bad = rest(st, "POST", "/message/sendText/cr1", {"number": "abc", "text": "x"})
    check(s == 400 and isinstance(bad, dict) and bad.get("response", {}).get("message") ==
          [{"jid": "abc@s.whatsapp.net", "exists": False, "number": "abc"}],
          "a number that is not a WhatsApp number -> 400 [{jid, exists:false, number}] (%s)"
          % json.dumps(bad)[:160])

    # findMessages: both messages from the message table, newest first, filters
    s, found = rest(st, "POST", "/chat/findMessages/cr1", {})
    recs = (found or {}).get("messages", {}).get("records", []) if s == 200 else []
    check(s == 200 and found["messages"].get("total") == 3 and len(recs) == 3 and
          found["messages"].get("currentPage") == 1 and found["messages"].get("pages") == 1,
          "findMessages -> 200 with the three messages (%s)" % json.dumps(found)[:200])
    ids = sorted(r.get("key", {}).get("id") for r in recs)
    check(ids == sorted([INBOUND_ID, sent_id, mid]), "findMessages records carry the keys")
    s, found = rest(st, "POST", "/chat/findMessages/cr1",
                    {"where": {"key": {"fromMe": False}}})
    recs = (found or {}).get("messages", {}).get("records", []) if s == 200 else []
    check(len(recs) == 1 and recs[0]["message"] == {"conversation": "hi from crabline"} and
          recs[0].get("pushName") == "Crab Peer" and recs[0].get("messageType") == "conversation",
          "findMessages where.key.fromMe=false -> the inbound message")
    s, found = rest(st, "POST", "/chat/findMessages/cr1", {"offset": 2, "page": 2})
    check(s == 200 and found["messages"]["pages"] == 2 and found["messages"]["currentPage"] == 2 and
          len(found["messages"]["records"]) == 1 and
          found["messages"]["records"][0]["key"]["id"] == INBOUND_ID,
          "findMessages paging (offset=2, page=2: the oldest)")
    socket_io(st, crab)

    # ------------------------------------------------ keepalive lost: freeze crabline
    off = log_size(st)
    os.kill(crab.proc.pid, signal.SIGSTOP)
    lost = wait_for("keepalive lost", lambda: "reason=408" in open(st.path("logs", "connd.log")).read()[off:], 12)
    os.kill(crab.proc.pid, signal.SIGCONT)
    check(bool(lost), "crabline frozen: keepalive lost -> connection closed with 408")
    check(any(isinstance(d, dict) and d.get("state") == "connecting" and d.get("statusReason") == 408
              for _, _, d in events(st, "connection.update", "cr1", since=off)),
          "connection.update connecting statusReason 408")
    wait_for("open after 408", lambda: state_of(st, "cr1") == "open", 15)
    check(True, "reconnected with backoff after 408: open")

    # ------------------------------------------------ server gone: kill crabline, restart it
    off = log_size(st)
    crab.stop()
    wait_for("428", lambda: "reason=428" in open(st.path("logs", "connd.log")).read()[off:], 8)
    time.sleep(1.5)
    log = open(st.path("logs", "connd.log")).read()[off:]
    delays = [int(x.split(" ")[0]) for x in log.split("delay_ms=")[1:]]
    check(len(delays) >= 2 and delays[-1] > delays[0],
          "crabline down: 428, reconnect attempts back off (%s ms)" % delays)
    crab.start()
    wait_for("open after crabline restart", lambda: state_of(st, "cr1") == "open", 15)
    check(True, "crabline back at the same URL: open again")

    # the restarted server delivers the same message id again: receipt, no second event
    off = log_size(st)
    before = crab.count(is_receipt(INBOUND_ID))  # the recorder outlives the restart
    inject(crab, INBOUND_ID, "hi from crabline")
    check(wait_for("receipt again", lambda: crab.count(is_receipt(INBOUND_ID)) > before, 5),
          "redelivered message id: receipt sent again")
    time.sleep(0.5)
    check(not events(st, "messages.upsert", "cr1", since=off),
          "redelivered message id: no second messages.upsert")

    # WA_CERT_CHECK=off warning at every connect of this connd run
    log = open(st.path("logs", "connd.log")).read()
    run = log[log.rfind("msg=ready"):] if "msg=ready" in log else log
    connects = run.count('msg="WhatsApp connecting"')
    warnings = run.count(WARNING)
    check(connects >= 3 and warnings >= connects,
          "WA_CERT_CHECK=off warning logged at every connect (%d warnings, %d connects)" % (warnings, connects))

    # ------------------------------------------------ logout
    s, _ = rest(st, "DELETE", "/instance/logout/cr1")
    check(s == 200, "logout -> 200")
    check(wait_for("remove-companion-device", lambda: crab.count(is_iq("md", "remove-companion-device")) >= 1, 5),
          "crabline recorded remove-companion-device")
    check(wait_for("close", lambda: state_of(st, "cr1") == "close", 5), "state close after logout")
    reports = st.sanitizer_reports()
    check(not reports, "no sanitizer report")


def main():
    return suite.main(body, "wgcrab")


if __name__ == "__main__":
    sys.exit(main())
