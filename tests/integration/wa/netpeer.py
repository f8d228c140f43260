"""netpeer.py: the simulated WhatsApp network for messaging tests: the simulator
(tests/wa/sim/wa-sim.mjs, with its routing half in sim/net/) and Baileys 7 peers
(tests/wa/sim/peer.mjs), each a real makeWASocket client linked by QR as its own
account and driven through its loopback control API.

Missing node/npm raise stack.Skip (the tests exit 77), as in wasim.py."""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import wasim

stack = wasim.stack


def http_json(method, url, body=None, timeout=20):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raw = e.read() or b"{}"
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"error": raw.decode(errors="replace")}


class NetSim(wasim.Sim):
    """wa-sim with a stanza record directory; .net() is GET /net."""

    def __init__(self, run_dir, **kw):
        self.record_dir = os.path.join(run_dir, "stanzas")
        os.makedirs(self.record_dir, exist_ok=True)
        super().__init__(run_dir, extra_args=["--record-dir", self.record_dir], **kw)

    def net(self):
        return self.call("GET", "/net")[1]

    def drained(self):
        """GET /net when no online device has a stanza waiting for its receipt or ack, else None."""
        n = self.net()
        return n if not [d for x in n["accounts"] for d in x["devices"] if d["online"] and d["outbox"]] else None

    def stanzas(self, jid, since=0, tag=None):
        """what a device (number:device@…) or every device of a number sent, oldest first"""
        q = "/stanzas?jid=%s&since=%d" % (jid, since) + ("&tag=" + tag if tag else "")
        return self.call("GET", q)[1].get("stanzas", [])


class Peer:
    """One Baileys 7 client of the simulated network (tests/wa/sim/peer.mjs)."""

    def __init__(self, sim, run_dir, number, name):
        self.number, self.name = str(number), name
        self.jid = self.number + "@s.whatsapp.net"
        base = os.path.join(run_dir, "peer-" + self.number)
        os.makedirs(base, exist_ok=True)
        self.ready = os.path.join(base, "ready.json")
        self.logpath = os.path.join(run_dir, "logs", "peer-%s.log" % self.number)
        os.makedirs(os.path.dirname(self.logpath), exist_ok=True)
        self.cmd = [sim.node, os.path.join(wasim.WA_DIR, "sim", "peer.mjs"), "--ws", sim.ws_url,
                    "--admin", sim.admin_url, "--number", self.number, "--name", name,
                    "--auth-dir", os.path.join(base, "auth"), "--ready-file", self.ready]
        self.proc = None
        self.start()

    def start(self, timeout=45):
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        self.proc = subprocess.Popen(self.cmd, cwd=wasim.WA_DIR, stdout=open(self.logpath, "ab"),
                                     stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise stack.StackError("peer %s did not open:\n%s" % (self.number, open(self.logpath).read()[-3000:]))
            time.sleep(0.1)
        info = json.load(open(self.ready))
        self.url, self.me, self.lid = info["controlUrl"], info["me"], info.get("lid")

    def call(self, path, body=None):
        return http_json("POST" if body is not None else "GET", self.url + path, body)

    def do(self, path, body):
        """POST a control command; raises when the peer refuses it."""
        s, doc = self.call(path, body)
        if s != 200:
            raise AssertionError("peer %s %s -> %s %s" % (self.number, path, s, str(doc)[:1500]))
        return doc

    def events(self, name=None, since=0):
        evs = self.call("/events?since=%d" % since)[1].get("events", [])
        return [e for e in evs if name is None or e["event"] == name]

    def seq(self):
        return self.call("/state")[1].get("seq", 0)

    def received_texts(self, since=0):
        """(key, text, raw message info) for every messages.upsert message carrying text."""
        out = []
        for e in self.events("messages.upsert", since):
            for m in e["data"].get("messages", []):
                msg = m.get("message") or {}
                text = msg.get("conversation") or (msg.get("extendedTextMessage") or {}).get("text")
                if text is not None:
                    out.append((m.get("key", {}), text, m))
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
