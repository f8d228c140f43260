"""offline_peer.py: crabline's WhatsApp Web server with WhatsApp's offline-queue redelivery
(tests/wa/sim/crabline-offline.mjs) as a child process, and linking an instance against the
simulator before pointing connd at it. Used by test_inbound_crash.py and tests/bench/messages.

The server is crabline's own websocket server code (handshake, iq answers, decrypting our
pkmsg/msg, the inbound <message><plaintext> stanza); crabline-offline.mjs only adds an admin API
that remembers which injected messages were never receipted and queues them again at every new
connection, as a real WhatsApp server does."""
import json
import os
import subprocess
import time
import urllib.request

import wasim
from test_crabline import rest, state_of  # noqa: F401  (re-exported for the users)

stack = wasim.stack
SELF = "15550001111"
PEER = "15551234567"


class OfflinePeer:
    """crabline-offline.mjs; .ws_url for WA_SERVER_URL, .inject(), .state(), .ids()."""

    def __init__(self, run_dir, node, port=0, verbose=False):
        self.node, self.dir = node, run_dir
        ready = os.path.join(run_dir, "crabline-offline.json")
        self.logpath = os.path.join(run_dir, "crabline-offline.log")
        self.proc = subprocess.Popen(
            [node, os.path.join(wasim.WA_DIR, "sim", "crabline-offline.mjs"), "--ready-file", ready,
             "--port", str(port), "--self-jid", SELF + "@s.whatsapp.net"],
            cwd=wasim.WA_DIR, env=dict(os.environ, WA_SIM_VERBOSE="1") if verbose else None,
            stdout=open(self.logpath, "ab"), stderr=subprocess.STDOUT)
        end = time.monotonic() + 20
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise stack.StackError("crabline-offline did not start:\n" +
                                       open(self.logpath).read()[-2000:])
            time.sleep(0.05)
        info = json.load(open(ready))
        self.ws_url, self.admin_url = info["wsUrl"], info["adminUrl"]

    def call(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    def inject(self, ids, text="msg", sender=PEER):
        """Queue inbound text messages with these ids from sender; returns when crabline has
        written them to the open session (or queued them while none is open)."""
        msgs = [{"id": i, "text": "%s %s" % (text, i)} for i in ids]
        return self.call("POST", "/inject", {"from": sender + "@s.whatsapp.net", "messages": msgs})

    def state(self):
        return self.call("GET", "/state")

    def ids(self):
        return self.call("GET", "/ids")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def link_then_use(st, sim, name, wa_env):
    """Create instance name, link it by QR against the simulator (credentials stored encrypted,
    as in production), stop connd and set wa_env for its next start (the caller starts it)."""
    s, _ = rest(st, "POST", "/instance/create", {"instanceName": name, "integration": "WHATSAPP-BAILEYS"})
    if s != 201:
        raise stack.StackError("create %s -> %s" % (name, s))
    s, qr = rest(st, "GET", "/instance/connect/" + name)
    s, res = sim.call("POST", "/scan", {"qr": (qr or {}).get("code")})
    if s != 200 or res.get("paired") is not True:
        raise stack.StackError("linking %s against the simulator failed: %s" % (name, res))
    wasim.wait_for(name + " open on the simulator", lambda: state_of(st, name) == "open", 15)
    st.stop_connd()
    st.wa_env = wa_env


def offline_env(peer, **extra):
    """connd's environment for the offline peer (crabline cannot answer w:profile:picture)."""
    env = {"WA_SERVER_URL": peer.ws_url, "WA_CERT_CHECK": "off", "WAGATE_PROFILE_PICTURE": "false",
           "WAGATE_RECONNECT_MIN_MS": "200", "WAGATE_RECONNECT_MAX_MS": "1000"}
    env.update(extra)
    return env
