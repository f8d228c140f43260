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
open again when it is back; an inbound message injected by crabline's admin API is acked; logout
sends remove-companion-device. Also: WA_CERT_CHECK=off with a non-loopback WA_SERVER_URL makes
connd refuse to start.
Not possible with crabline (see the report in README "Tests"): stream errors (crabline never
sends <stream:error>), a pre-key upload (it always reports 50 pre-keys), linking.
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

stack = wasim.stack
FAILS = []
WARNING = 'msg="WA_CERT_CHECK=off: the server certificate is not verified"'
SELF = "15550001111"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def rest(st, method, path, body=None):
    headers = {"apikey": st.api_key, "content-type": "application/json"}
    status, _, raw = st.request(method, path, headers=headers,
                                body=json.dumps(body).encode() if body is not None else None,
                                timeout=20)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def state_of(st, name):
    s, doc = rest(st, "GET", "/instance/connectionState/" + name)
    return doc["instance"].get("state") if s == 200 else None


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

    def count(self, pred):
        return sum(1 for n in self.recorded() if pred(n))


def kids(node):
    c = node.get("content")
    return c if isinstance(c, list) else []


def is_iq(xmlns, child=None):
    return lambda n: (n.get("tag") == "iq" and n.get("attrs", {}).get("xmlns") == xmlns and
                      (child is None or any(k.get("tag") == child for k in kids(n))))


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


def main():
    sim = crab = st = None
    try:
        tmp = tempfile.mkdtemp(prefix="wgcrab", dir="/tmp")
        sim = wasim.Sim(tmp, refs=6)  # raises Skip without node/npm
        crab = Crabline(tmp, sim.node)
        env = {"WA_SERVER_URL": sim.ws_url, "WA_ROOT_KEY": sim.root_key, "WA_CERT_CHECK": "on",
               "WAGATE_KEEPALIVE_MS": "1000", "WAGATE_RECONNECT_MIN_MS": "300",
               "WAGATE_RECONNECT_MAX_MS": "1500", "WAGATE_CONNECT_WAIT_MS": "4000"}
        st = wasim.WaStack(env, front="lighttpd", log_level=os.environ.get("WG_WA_LOG", "info"))
        st.start()

        ok, why = refused_off_non_loopback(st)
        check(ok, "WA_CERT_CHECK=off with a non-loopback WA_SERVER_URL: connd refuses to start (%s)"
              % (why.strip().splitlines() or [""])[-1][:160])

        # ------------------------------------------------ credentials: link by QR (simulator)
        s, _ = rest(st, "POST", "/instance/create", {"instanceName": "cr1", "integration": "WHATSAPP-BAILEYS"})
        check(s == 201, "create cr1 -> 201")
        s, qr = rest(st, "GET", "/instance/connect/cr1")
        s, res = sim.call("POST", "/scan", {"qr": (qr or {}).get("code")})
        check(s == 200 and res.get("paired") is True, "linked against the simulator (stored encrypted)")
        wait_for("cr1 open on the simulator", lambda: state_of(st, "cr1") == "open", 15)
        st.stop_connd()

        # ------------------------------------------------ login to crabline
        st.wa_env = {"WA_SERVER_URL": crab.url, "WA_CERT_CHECK": "off",
                     "WAGATE_KEEPALIVE_MS": "1000", "WAGATE_RECONNECT_MIN_MS": "300",
                     "WAGATE_RECONNECT_MAX_MS": "1500", "WAGATE_CONNECT_WAIT_MS": "4000"}
        off = log_size(st)
        st.start_connd()
        wait_for("cr1 open on crabline", lambda: state_of(st, "cr1") == "open", 15)
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

        # inbound message via crabline's admin API: connd (no message layer yet) acks it
        if crab.inbound and crab.admin_token:
            req = urllib.request.Request(
                crab.inbound, method="POST",
                data=json.dumps({"chatJid": "15551234567@s.whatsapp.net",
                                 "senderJid": "15551234567@s.whatsapp.net", "text": "hi"}).encode(),
                headers={"content-type": "application/json", "X-Crabline-Admin-Token": crab.admin_token})
            try:
                urllib.request.urlopen(req, timeout=10).read()
            except Exception as e:  # noqa: BLE001
                print("inbound post failed:", e)
            check(wait_for("ack", lambda: crab.count(lambda n: n.get("tag") == "ack" and
                                                     n.get("attrs", {}).get("class") == "message") >= 1, 5),
                  "inbound <message> from crabline acked (class=message)")

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
    except stack.Skip as e:
        print("SKIP:", e)
        return 77
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        FAILS.append(str(e))
    finally:
        if st and FAILS:
            st.dump_logs(80)
            if crab:
                print("--- crabline recorder tail")
                for n in crab.recorded()[-15:]:
                    print(json.dumps(n)[:200])
        if st:
            st.stop()
        if crab:
            crab.stop()
        if sim:
            sim.stop()
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
