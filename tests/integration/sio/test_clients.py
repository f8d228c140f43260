#!/usr/bin/python3
"""test_clients.py FRONT CLIENT: real Socket.IO clients against connd's endpoint through a real
web server. FRONT: lighttpd | apache. CLIENT: python (Debian python3-socketio, this interpreter
must be /usr/bin/python3) | node (npm socket.io-client@4 from tests/node_modules, installed with
`npm install --no-save` on first use).

python: traditional mode (namespace disabled), the full auth matrix on an instance namespace, the
  root in global mode and /api/events, envelopes of REST-produced events (instance create and
  delete), per-instance filters, /api/events subscribe/unsubscribe and scoping, Baileys payloads,
  one render per event, sendText/sendNode acks, reconnection after a connd restart.
node: websocket-only and polling-with-upgrade on an instance namespace (event delivery, acks,
  auth refusal), /api/events with subscribe, reconnection after a connd restart.
Events that no REST call can produce yet (messages, connection.update) are put on the bus by
connd's --test-hooks namespace /wagate-test. Exit 0 pass, 1 fail, 77 tool missing.
"""
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import stack  # noqa: E402

INTEGRATION = "WHATSAPP-BAILEYS"
ENVELOPE_KEYS = ["event", "instance", "data", "server_url", "date_time", "sender", "apikey"]
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
results = {"passed": 0, "failed": 0}


def check(cond, what):
    if cond:
        results["passed"] += 1
        print("ok   %s" % what)
    else:
        results["failed"] += 1
        print("FAIL %s" % what)
    return cond


def wait_for(pred, timeout=3.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Env:
    """The stack plus REST helpers and a test-hook publisher."""

    def __init__(self, front):
        self.st = stack.Stack(front, connd_env={"WEBSOCKET_ENABLED": "true",
                                                "WEBSOCKET_GLOBAL_EVENTS": "true"},
                              connd_args=["--test-hooks"])
        self.tokens = {}

    def start(self):
        self.st.start()
        self.url = self.st.base_url

    def rest(self, method, path, body=None, key=None):
        s, _, b = self.st.request(method, path, {"apikey": key or self.st.api_key}, body)
        try:
            return s, json.loads(b) if b else None
        except ValueError:
            return s, b

    def create(self, name, ws_enabled=None, events=()):
        s, j = self.rest("POST", "/instance/create", {"instanceName": name,
                                                       "integration": INTEGRATION})
        if s != 201:
            raise AssertionError("create %s: %s %r" % (name, s, j))
        self.tokens[name] = j["hash"]["apikey"]
        if ws_enabled is not None:
            self.ws_set(name, ws_enabled, events)
        return j["instance"]["instanceId"]

    def ws_set(self, name, enabled, events=()):
        s, j = self.rest("POST", "/websocket/set/%s" % name,
                         {"websocket": {"enabled": enabled, "events": list(events)}})
        if s != 201:
            raise AssertionError("websocket/set %s: %s %r" % (name, s, j))


# ------------------------------------------------------------------------------------ python

def py_client(env, nsp, auth=None, headers=None, query="", transports=None, reconnection=False,
              wait_timeout=3):
    """Connects a python-socketio client; returns (client, events list, connect_error or None)."""
    import socketio
    c = socketio.Client(reconnection=reconnection, reconnection_delay=0.2,
                        reconnection_delay_max=1)
    box = {"events": [], "error": None, "connects": 0, "disconnects": 0}

    @c.on("*", namespace=nsp)
    def any_event(event, *args):
        box["events"].append((event, args[0] if len(args) == 1 else list(args)))

    @c.on("connect", namespace=nsp)
    def on_connect():
        box["connects"] += 1

    @c.on("disconnect", namespace=nsp)
    def on_disconnect():
        box["disconnects"] += 1

    @c.on("connect_error", namespace=nsp)
    def on_error(data):
        box["error"] = data
    try:
        c.connect(env.url + query, namespaces=[nsp], auth=auth, headers=headers or {},
                  transports=transports or ["polling", "websocket"], wait_timeout=wait_timeout)
    except Exception as e:  # socketio.exceptions.ConnectionError
        if box["error"] is None:
            box["error"] = {"message": "exception: %s" % e}
    return c, box


def refused(env, nsp, fragment, what, **kw):
    # python-socketio waits wait_timeout after a CONNECT_ERROR before it gives up
    c, box = py_client(env, nsp, wait_timeout=0.5, **kw)
    err = box["error"] or {}
    msg = err.get("message", "") if isinstance(err, dict) else str(err)
    ok = check(box["connects"] == 0 and fragment in msg,
               "%s: refused with %r (got %r)" % (what, fragment, err))
    try:
        c.disconnect()
    except Exception:
        pass
    return ok


def accepted(env, nsp, what, **kw):
    c, box = py_client(env, nsp, **kw)
    ok = check(box["connects"] == 1 and c.connected, "%s: accepted (error %r)" % (what,
                                                                            box["error"]))
    return c, box, ok


def publish(env, instance, event, data, count=1):
    """Puts events on connd's bus through the test-hook namespace."""
    c, box = py_client(env, "/wagate-test", auth={"apikey": env.st.api_key},
                       transports=["websocket"])
    try:
        return c.call("publish", {"instance": instance, "event": event, "data": data,
                                  "count": count}, namespace="/wagate-test", timeout=3)
    finally:
        c.disconnect()


def stats(env):
    c, _ = py_client(env, "/wagate-test", auth={"apikey": env.st.api_key},
                     transports=["websocket"])
    try:
        return c.call("stats", {}, namespace="/wagate-test", timeout=3)
    finally:
        c.disconnect()


def find(box, event, pred=lambda d: True, timeout=3.0):
    return wait_for(lambda: next((d for e, d in box["events"] if e == event and pred(d)), None),
                    timeout)


def envelope_ok(env_obj, event, instance, token, what):
    if not check(isinstance(env_obj, dict), "%s: %s envelope arrived" % (what, event)):
        return False
    ok = check(list(env_obj) == ENVELOPE_KEYS, "%s: envelope keys %s" % (what, list(env_obj)))
    ok &= check(env_obj["event"] == event and env_obj["instance"] == instance,
                "%s: event/instance %s/%s" % (what, env_obj["event"], env_obj["instance"]))
    dt = env_obj["date_time"]
    fresh = False
    if isinstance(dt, str) and DATE_RE.match(dt):
        t = datetime.strptime(dt, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        fresh = abs((datetime.now(timezone.utc) - t).total_seconds()) < 10
    ok &= check(fresh, "%s: date_time %r is true UTC with ms" % (what, dt))
    ok &= check(env_obj["apikey"] == token, "%s: apikey is the instance token" % what)
    ok &= check(env_obj["sender"] is None and env_obj["server_url"] is None,
                "%s: sender/server_url null before connection / without SERVER_URL" % what)
    return ok


def python_suite(env):
    st = env.st
    gk = st.api_key
    env.create("alpha", True)
    env.create("beta", True, ["CONNECTION_UPDATE"])
    env.create("gamma")  # websocket never enabled
    ta, tb = env.tokens["alpha"], env.tokens["beta"]

    # traditional mode + auth matrix (instance namespace)
    refused(env, "/gamma", "namespace disabled", "/gamma not enabled, global key",
            auth={"apikey": gk})
    refused(env, "/alpha", "apikey is required", "/alpha without key")
    refused(env, "/alpha", "invalid apikey", "/alpha bogus key", auth={"apikey": "nope"})
    refused(env, "/alpha", "wrong instance", "/alpha with beta's token", auth={"apikey": tb})
    refused(env, "/nosuch", "Invalid namespace", "unknown namespace", auth={"apikey": gk})
    for what, kw in (("auth {apikey}", {"auth": {"apikey": ta}}),
                     ("auth {token}", {"auth": {"token": ta}}),
                     ("query apikey", {"query": "?apikey=" + ta}),
                     ("header apikey", {"headers": {"apikey": ta}}),
                     ("global key", {"auth": {"apikey": gk}})):
        c, _, _ = accepted(env, "/alpha", "/alpha " + what, **kw)
        c.disconnect()
    # root (global mode) and /api/events auth
    refused(env, "/", "global API key", "/ with an instance token", auth={"apikey": ta})
    refused(env, "/", "apikey is required", "/ without key")
    refused(env, "/api/events", "invalid apikey", "/api/events bogus token",
            auth={"token": "nope"})

    # envelopes of REST-produced events
    root, rbox, _ = accepted(env, "/", "/ with the global key", auth={"apikey": gk},
                             transports=["websocket"])
    alpha, abox, _ = accepted(env, "/alpha", "/alpha listener", auth={"token": ta})
    env.create("delta", True)
    td = env.tokens["delta"]
    envelope_ok(find(rbox, "instance.create", lambda d: d.get("instance") == "delta"),
                "instance.create", "delta", td, "root gets REST create")
    dl, dbox, _ = accepted(env, "/delta", "/delta listener", auth={"apikey": td},
                           transports=["websocket"])
    s, _ = env.rest("DELETE", "/instance/delete/delta")
    check(s == 200, "DELETE /instance/delete/delta -> 200 (%s)" % s)
    d = find(dbox, "instance.delete")
    envelope_ok(d, "instance.delete", "delta", td, "/delta gets REST delete")
    if d:
        check(d["data"].get("instanceName") == "delta", "instance.delete data.instanceName")
    check(wait_for(lambda: dbox["disconnects"] == 1 or not dl.connected, 3),
          "/delta clients are disconnected when the instance is removed")
    check(find(rbox, "remove.instance", lambda d: d.get("instance") == "delta") is not None,
          "root gets remove.instance")
    check(not any(e == "instance.create" for e, _ in abox["events"]),
          "/alpha does not get other instances' events")

    # filters: beta only wants CONNECTION_UPDATE
    beta, bbox, _ = accepted(env, "/beta", "/beta listener", auth={"apikey": tb},
                             transports=["websocket"])
    publish(env, "beta", "messages.upsert", {"key": {"id": "M1"}})
    publish(env, "beta", "connection.update", {"instance": "beta", "state": "connecting",
                                               "statusReason": 200})
    cu = find(bbox, "connection.update")
    check(cu is not None and cu["data"]["state"] == "connecting", "filter lets CONNECTION_UPDATE in")
    check(not any(e == "messages.upsert" for e, _ in bbox["events"]),
          "filter keeps messages.upsert out of /beta")
    check(find(rbox, "messages.upsert", lambda d: d["instance"] == "beta") is not None,
          "global root is unfiltered")

    # one render per event, however many clients
    alpha2, a2box, _ = accepted(env, "/alpha", "second /alpha listener", auth={"apikey": ta},
                                transports=["websocket"])
    before = stats(env)
    publish(env, "alpha", "chats.update", [{"remoteJid": "1@s.whatsapp.net"}])
    find(abox, "chats.update")
    find(a2box, "chats.update")
    after = stats(env)
    check(after["evolution_renders"] - before["evolution_renders"] == 1,
          "one envelope render for 3 receivers (%s -> %s)" % (before, after))
    check(all(find(b, "chats.update") for b in (abox, a2box)) and
          find(rbox, "chats.update") is not None, "all three receivers got it")
    alpha2.disconnect()

    # /api/events
    ev_a, eabox, _ = accepted(env, "/api/events", "/api/events with alpha's token",
                              auth={"token": ta})
    ev_g, egbox, _ = accepted(env, "/api/events", "/api/events with the global key",
                              auth={"token": gk}, transports=["websocket"])
    publish(env, "alpha", "messages.upsert", {"key": {"id": "EARLY"}})
    time.sleep(0.3)
    check(not eabox["events"] and not egbox["events"], "nothing before subscribe")
    ack = ev_a.call("subscribe", ["messages.upsert", "connection.update", "bogus.name"],
                    namespace="/api/events", timeout=3)
    check(isinstance(ack, dict) and ack.get("ok") and ack.get("unknown") == ["bogus.name"] and
          sorted(ack.get("subscribed", [])) == ["connection.update", "messages.upsert"],
          "subscribe ack %r" % (ack,))
    ev_g.call("subscribe", ["messages.upsert"], namespace="/api/events", timeout=3)
    publish(env, "alpha", "messages.upsert", {"key": {"id": "A1"}, "pushName": "x"})
    publish(env, "beta", "messages.upsert", {"key": {"id": "B1"}})
    m = find(eabox, "messages.upsert")
    check(isinstance(m, dict) and m.get("type") == "notify" and m.get("instance") == "alpha" and
          m.get("messages", [{}])[0].get("key", {}).get("id") == "A1",
          "Baileys messages.upsert {messages:[...], type, instance} %r" % (m,))
    check(find(egbox, "messages.upsert", lambda d: d["instance"] == "beta") is not None and
          find(egbox, "messages.upsert", lambda d: d["instance"] == "alpha") is not None,
          "global /api/events client gets every instance's events")
    time.sleep(0.2)
    check(not any(d.get("instance") == "beta" for e, d in eabox["events"]),
          "token client does not get another instance's events")
    publish(env, "alpha", "connection.update", {"instance": "alpha", "state": "close",
                                                "statusReason": 401})
    cu = find(eabox, "connection.update")
    check(isinstance(cu, dict) and cu.get("connection") == "close" and
          cu["lastDisconnect"]["error"]["output"]["statusCode"] == 401,
          "Baileys connection.update {connection, lastDisconnect} %r" % (cu,))
    check(not any(e == "connection.update" for e, _ in egbox["events"]),
          "not subscribed -> not delivered")
    ev_a.call("unsubscribe", ["messages.upsert"], namespace="/api/events", timeout=3)
    n = len([1 for e, _ in eabox["events"] if e == "messages.upsert"])
    publish(env, "alpha", "messages.upsert", {"key": {"id": "A2"}})
    time.sleep(0.3)
    check(len([1 for e, _ in eabox["events"] if e == "messages.upsert"]) == n,
          "unsubscribe stops delivery")

    # sendText / sendNode acks
    a = alpha.call("sendText", {"number": "5511999999999", "text": "hi"}, namespace="/alpha",
                   timeout=3)
    check(isinstance(a, dict) and a.get("ok") is False and a["error"]["code"] == "not_open"
          and "not open" in a["error"]["message"], "sendText ack says not open: %r" % (a,))
    a = alpha.call("sendNode", {"instanceId": "beta", "stanza": {"tag": "iq"}},
                   namespace="/alpha", timeout=3)
    check(isinstance(a, dict) and a["error"]["code"] == "wrong_instance",
          "sendNode for another instance refused: %r" % (a,))
    a = alpha.call("sendText", {"number": "1"}, namespace="/alpha", timeout=3)
    check(isinstance(a, dict) and a["error"]["code"] == "bad_request", "bad sendText: %r" % (a,))
    a = root.call("sendNode", {"stanza": {"tag": "iq", "attrs": {"type": "get"}}}, namespace="/",
                  timeout=3)
    check(isinstance(a, dict) and a["error"]["code"] == "bad_request",
          "sendNode on / needs instanceId: %r" % (a,))
    a = root.call("sendNode", {"instanceId": "alpha", "stanza": {"tag": "iq", "attrs":
                                                                 {"type": "get"}, "content": []}},
                  namespace="/", timeout=3)
    check(isinstance(a, dict) and a["error"]["code"] == "not_open",
          "sendNode with the global key: not open: %r" % (a,))
    for c in (root, alpha, beta, ev_a, ev_g):
        c.disconnect()

    # reconnection after a connd restart
    rc, rbox2 = py_client(env, "/alpha", auth={"apikey": ta}, reconnection=True)
    check(rbox2["connects"] == 1, "reconnecting client connected")
    st.stop_connd()
    st.start_connd()
    check(wait_for(lambda: rbox2["connects"] >= 2, 10), "client reconnected after connd restart")
    publish(env, "alpha", "contacts.update", [{"remoteJid": "2@s.whatsapp.net"}])
    check(find(rbox2, "contacts.update") is not None, "and keeps receiving")
    rc.disconnect()


# ------------------------------------------------------------------------------------ node

class NodeClient:
    def __init__(self, opts):
        script = os.path.join(HERE, "node_client.js")
        self.p = subprocess.Popen(["node", script, json.dumps(opts)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 1

    def _read(self):
        for line in self.p.stdout:
            try:
                self.q.put(json.loads(line))
            except ValueError:
                pass

    def expect(self, pred, timeout=5.0):
        for m in self.seen:
            if pred(m):
                self.seen.remove(m)
                return m
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                m = self.q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if pred(m):
                return m
            self.seen.append(m)
        return None

    def emit(self, name, *args):
        i = self.next_id
        self.next_id += 1
        self.p.stdin.write(json.dumps({"id": i, "emit": name, "args": list(args)}) + "\n")
        self.p.stdin.flush()
        m = self.expect(lambda m: m.get("type") == "ack" and m.get("id") == i)
        return m["args"][0] if m and m.get("args") else m

    def close(self):
        try:
            self.p.stdin.write('{"exit":true}\n')
            self.p.stdin.flush()
            self.p.wait(3)
        except Exception:
            self.p.kill()


def ensure_node_modules():
    tests = os.path.dirname(os.path.dirname(HERE))
    if os.path.isdir(os.path.join(tests, "node_modules", "socket.io-client")):
        return True
    if not shutil.which("node") or not shutil.which("npm"):
        return False
    import fcntl
    with open("/tmp/wagate-npm-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isdir(os.path.join(tests, "node_modules", "socket.io-client")):
            subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund"], cwd=tests,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    return os.path.isdir(os.path.join(tests, "node_modules", "socket.io-client"))


def node_suite(env):
    gk = env.st.api_key
    env.create("nodeinst", True)
    tok = env.tokens["nodeinst"]
    for transports, label in ((["websocket"], "websocket-only"),
                              (["polling", "websocket"], "polling+upgrade")):
        c = NodeClient({"url": env.url + "/nodeinst", "transports": transports,
                        "auth": {"token": tok}})
        m = c.expect(lambda m: m["type"] in ("connect", "connect_error"))
        check(m is not None and m["type"] == "connect", "node %s: connected (%r)" % (label, m))
        if label == "polling+upgrade":
            o = c.expect(lambda m: m["type"] == "open")
            check(o and o.get("transport") == "polling", "node %s: opens on polling" % label)
            up = c.expect(lambda m: m["type"] == "upgrade")
            check(up is not None and up["transport"] == "websocket", "node: upgraded to websocket")
        publish(env, "nodeinst", "messages.upsert", {"key": {"id": "N1"}})
        ev = c.expect(lambda m: m["type"] == "event" and m["event"] == "messages.upsert")
        env_obj = ev["args"][0] if ev else None
        check(isinstance(env_obj, dict) and list(env_obj) == ENVELOPE_KEYS and
              env_obj["data"]["key"]["id"] == "N1" and env_obj["apikey"] == tok,
              "node %s: envelope delivered %r" % (label, env_obj))
        a = c.emit("sendText", {"number": "5511999999999", "text": "hi"})
        check(isinstance(a, dict) and a.get("error", {}).get("code") == "not_open",
              "node %s: sendText ack %r" % (label, a))
        c.close()
    c = NodeClient({"url": env.url + "/nodeinst", "transports": ["websocket"],
                    "auth": {"token": "wrong"}})
    m = c.expect(lambda m: m["type"] in ("connect", "connect_error"))
    check(m is not None and m["type"] == "connect_error" and m["message"] == "invalid apikey" and
          m["data"]["reason"] == "invalid_key", "node: refused with {message, data} %r" % (m,))
    c.close()
    c = NodeClient({"url": env.url + "/api/events", "auth": {"token": gk}})
    check(c.expect(lambda m: m["type"] == "connect") is not None, "node /api/events connected")
    a = c.emit("subscribe", ["connection.update"])
    check(isinstance(a, dict) and a.get("subscribed") == ["connection.update"],
          "node subscribe ack %r" % (a,))
    publish(env, "nodeinst", "connection.update", {"instance": "nodeinst", "state": "open",
                                                   "statusReason": 200})
    ev = c.expect(lambda m: m["type"] == "event" and m["event"] == "connection.update")
    check(ev is not None and ev["args"][0] == {"connection": "open", "instance": "nodeinst"},
          "node /api/events connection.update %r" % (ev,))
    # reconnection after a connd restart
    env.st.stop_connd()
    env.st.start_connd()
    check(c.expect(lambda m: m["type"] == "connect", 10) is not None,
          "node client reconnected after connd restart")
    c.close()


def main(argv):
    front = argv[1] if len(argv) > 1 else "lighttpd"
    kind = argv[2] if len(argv) > 2 else "python"
    if kind == "python":
        try:
            import socketio  # noqa: F401
            import websocket  # noqa: F401  (without it python-socketio silently stays on polling)
        except ImportError as e:
            print("SKIP: python3-socketio / python3-websocket missing (%s)" % e)
            return 77
    elif not ensure_node_modules():
        print("SKIP: node/npm or socket.io-client not available")
        return 77
    env = Env(front)
    try:
        env.start()
    except stack.Skip as e:
        print("SKIP: %s" % e)
        return 77
    try:
        (python_suite if kind == "python" else node_suite)(env)
        bad = env.st.sanitizer_reports()
        check(not bad, "no sanitizer reports %s" % bad[:3])
    except Exception as e:
        import traceback
        traceback.print_exc()
        check(False, "suite raised %s" % e)
    finally:
        if results["failed"]:
            env.st.dump_logs(40)
        env.st.stop()
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
