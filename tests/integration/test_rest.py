#!/usr/bin/python3
"""test_rest.py FRONT [--smoke]: the REST conformance suite, run through a real web server.

FRONT is lighttpd, apache (mod_proxy_fcgi), apache-fcgid or apache-htaccess (shared hosting:
apache/htaccess.example in a document root of a stand-in host config). Starts connd + wagate-fcgi + FRONT
with stack.py, then checks, against the contract of evolution-api.md §1-§3 as wagate documents it:
every instance route, the auth matrix (no key, wrong key, global key, own token, another
instance's token, unknown instance), exact error envelopes, validation (400) changing nothing,
413, 404/405, concurrent creates of one name, persistence across a connd restart, 503 within a
second while connd is down, that /manager/ is served as files, and that /socket.io/ polling and
WebSocket upgrades reach WAGATE_SIO_PORT (a stand-in there until connd serves Socket.IO).
--smoke runs a short subset (used for the mod_fcgid fronts) and lets connd generate the key.

Prints one line per check ("ok - ..." / "FAIL - ..." with request, expected and got), then
"N passed, N failed". Exit 0 all passed, 1 any failure, 77 when the web server is not installed.
"""
import json
import os
import signal
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack as stackmod  # noqa: E402
import sio_probe  # noqa: E402

INTEGRATION = "WHATSAPP-BAILEYS"
MAX_BODY = 65536


def unauthorized():
    return {"status": 401, "error": "Unauthorized", "response": {"message": "Unauthorized"}}


def not_found_instance(name):
    return {"status": 404, "error": "Not Found",
            "response": {"message": ['The "%s" instance does not exist' % name]}}


def in_use(name):
    return {"status": 403, "error": "Forbidden",
            "response": {"message": ['This name "%s" is already in use.' % name]}}


def not_connected(name):
    return {"status": 400, "error": "Bad Request",
            "response": {"message": ['The "%s" instance is not connected' % name]}}


def cannot(method, path):
    return {"status": 404, "error": "Not Found", "response": {"message": ["Cannot %s %s" % (method, path)]}}


DELETED = {"status": "SUCCESS", "error": False, "response": {"message": "Instance deleted"}}


class Result:
    """A response: status, headers, raw body, and .json (None when the body is not JSON)."""

    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
            self.is_json = bool(body)
        except (ValueError, UnicodeDecodeError):
            self.json, self.is_json = None, False

    def show(self):
        text = self.body[:400].decode("utf-8", "replace")
        return "%d %s%s" % (self.status, text, "…" if len(self.body) > 400 else "")


class Suite:
    def __init__(self, st):
        self.st = st
        self.passed = 0
        self.failed = 0
        self.keys = {"none": None, "wrong": "wrong-" + "0" * 27}

    # ---- plumbing -------------------------------------------------------------------------------
    def key(self, label):
        return self.keys[label]

    def call(self, method, path, key="global", body=None, headers=None):
        hdrs = dict(headers or {})
        k = self.keys[key] if key in self.keys else key
        if k is not None:
            hdrs["apikey"] = k
        t0 = time.monotonic()
        status, rh, data = self.st.request(method, path, hdrs, body)
        return Result(status, rh, data, time.monotonic() - t0)

    def report(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok - %s" % name)
        else:
            self.failed += 1
            print("FAIL - %s\n    %s" % (name, detail.replace("\n", "\n    ")))
        sys.stdout.flush()
        return ok

    def expect(self, name, method, path, key="global", body=None, status=None, exact=None,
               check=None, headers=None):
        """Send one request; pass when status matches, the JSON equals `exact` (if given) and
        check(result) returns None (else it returns a string saying what is wrong)."""
        try:
            r = self.call(method, path, key, body, headers)
        except OSError as e:
            self.report(name, False, "request: %s %s (apikey=%s)\nerror: %s" % (method, path, key, e))
            return None
        problems = []
        if status is not None and r.status != status:
            problems.append("status %d, expected %d" % (r.status, status))
        if exact is not None and r.json != exact:
            problems.append("body differs; expected %s" % json.dumps(exact))
        if check is not None and not problems:
            try:
                why = check(r)
            except Exception as e:  # a check that trips on an unexpected shape is a failure
                why = "%s: %s" % (type(e).__name__, e)
            if why:
                problems.append(why)
        shown_body = body if body is None or isinstance(body, (str, bytes)) else json.dumps(body)
        if isinstance(shown_body, (str, bytes)) and len(shown_body) > 200:
            shown_body = "<%d bytes>" % len(shown_body)
        self.report(name, not problems,
                    "request: %s %s apikey=%s body=%s\nproblem: %s\ngot: %s"
                    % (method, path, key, shown_body, "; ".join(problems), r.show()))
        return r

    # ---- helpers --------------------------------------------------------------------------------
    def create(self, name, key="global", **extra):
        body = {"instanceName": name, "integration": INTEGRATION}
        body.update(extra)

        def chk(r):
            inst = r.json.get("instance") or {}
            h = r.json.get("hash")
            if inst.get("instanceName") != name:
                return "instance.instanceName is %r" % inst.get("instanceName")
            if not isinstance(inst.get("instanceId"), str) or not inst["instanceId"]:
                return "instance.instanceId missing"
            if inst.get("integration") != INTEGRATION:
                return "instance.integration is %r" % inst.get("integration")
            if inst.get("status") != "created":
                return "instance.status is %r, expected \"created\"" % inst.get("status")
            if not isinstance(h, dict) or not isinstance(h.get("apikey"), str) or not h["apikey"]:
                return "hash.apikey missing (hash=%r)" % (h,)
            return None

        r = self.expect("create %s" % name, "POST", "/instance/create", key, body, 201, check=chk)
        if r is None or r.status != 201 or not isinstance(r.json, dict):
            return None
        try:
            tok = r.json["hash"]["apikey"]
        except (KeyError, TypeError):
            return None
        self.keys["tok_" + name] = tok
        return {"name": name, "id": r.json["instance"]["instanceId"], "token": tok}

    def fetch_all(self):
        r = self.call("GET", "/instance/fetchInstances")
        if r.status != 200 or not isinstance(r.json, list):
            raise AssertionError("fetchInstances: %s" % r.show())
        return r.json

    def snapshot(self):
        """The durable, comparable part of every instance row, sorted by name."""
        rows = self.fetch_all()
        keep = ("name", "id", "token", "integration", "connectionStatus", "createdAt")
        return sorted(json.dumps({k: row.get(k) for k in keep}, sort_keys=True) for row in rows)

    def error_shape(self, status, text=None):
        """A check: the envelope {"status":N,"error":str,"response":{"message":[str,...]}}."""
        def chk(r):
            j = r.json
            if not isinstance(j, dict):
                return "not a JSON object"
            if set(j) != {"status", "error", "response"}:
                return "envelope keys %s" % sorted(j)
            if j["status"] != status:
                return "envelope status %r" % j["status"]
            if not isinstance(j["error"], str) or not j["error"]:
                return "envelope error %r" % j["error"]
            if text is not None and j["error"] != text:
                return "envelope error %r, expected %r" % (j["error"], text)
            if not isinstance(j["response"], dict) or set(j["response"]) != {"message"}:
                return "envelope response %r" % j["response"]
            m = j["response"]["message"]
            if not isinstance(m, list) or not m or not all(isinstance(x, str) for x in m):
                return "response.message %r is not a non-empty array of strings" % (m,)
            return None
        return chk


# ---- groups of checks ------------------------------------------------------------------------------
def check_static(s):
    s.expect("GET / without key", "GET", "/", "none", status=200,
             check=lambda r: None if isinstance(r.json, dict) and r.json.get("status") == 200
             else "body is not {\"status\":200,...}")
    s.expect("GET /manager/ serves the page", "GET", "/manager/", "none", status=200,
             check=lambda r: None if b"wagate manager" in r.body and
             r.headers.get("content-type", "").startswith("text/html") else
             "not the manager page (content-type %s)" % r.headers.get("content-type"))
    s.expect("GET /manager/app.js", "GET", "/manager/app.js", "none", status=200,
             check=lambda r: None if "javascript" in r.headers.get("content-type", "") else
             "content-type %s" % r.headers.get("content-type"))
    s.expect("GET /manager/style.css", "GET", "/manager/style.css", "none", status=200)
    s.expect("GET /manager redirects to /manager/", "GET", "/manager", "none", status=301,
             check=lambda r: None if r.headers.get("location", "").endswith("/manager/") else
             "Location: %s" % r.headers.get("location"))

    s.expect("CORS preflight passes through the front", "OPTIONS", "/instance/fetchInstances",
             "none", headers={"Origin": "http://app.example",
                              "Access-Control-Request-Method": "GET",
                              "Access-Control-Request-Headers": "apikey"},
             check=lambda r: None if r.status in (200, 204) and
             "access-control-allow-origin" in r.headers else
             "status %d, Access-Control-Allow-Origin %r" % (
                 r.status, r.headers.get("access-control-allow-origin")))
    check_socketio(s)


def check_socketio(s):
    """/socket.io/ is proxied to WAGATE_SIO_PORT, polling and WebSocket (see sio_probe.py)."""
    if s.st.front == "apache-htaccess":
        return  # .htaccess cannot proxy WebSocket; htaccess.example routes /socket.io/ to wagate
    real = sio_probe.port_in_use(s.st.sio_port)
    stub = None if real else sio_probe.Stub(s.st.sio_port)
    try:
        path = "/socket.io/?EIO=4&transport=polling"

        def polling(r):
            if not r.body.startswith(b"0{"):
                return "not an Engine.IO open packet (the request went elsewhere)"
            if real:
                return None
            seen = json.loads(r.body[1:])
            if seen.get("path") != path:
                return "backend saw path %r" % seen.get("path")
            if seen.get("apikey") != "probe-key":
                return "apikey header not forwarded"
            return None
        s.expect("/socket.io/ polling reaches the Socket.IO port (%s)"
                 % ("connd" if real else "stand-in"), "GET", path, "probe-key", status=200,
                 check=polling)
        ws_path = "/socket.io/?EIO=4&transport=websocket"
        try:
            line, accept_ok, payload = sio_probe.websocket_roundtrip(s.st.port, ws_path,
                                                                     send_probe=not real)
            want = (lambda p: p is not None and p.startswith(b"0{")) if real else \
                (lambda p: p == b"echo:probe")
            s.report("/socket.io/ WebSocket upgrade through the proxy (%s)"
                     % ("connd" if real else "stand-in"),
                     " 101 " in line + " " and accept_ok and want(payload),
                     "GET %s with Upgrade: websocket -> %r, accept ok %s, first frame %r"
                     % (ws_path, line, accept_ok, payload))
        except OSError as e:
            s.report("/socket.io/ WebSocket upgrade through the proxy", False, str(e))
    finally:
        if stub:
            stub.close()


def check_create_and_fetch(s, a, b):
    s.expect("create without key -> 401", "POST", "/instance/create", "none",
             {"instanceName": "nokey", "integration": INTEGRATION}, 401, unauthorized())
    s.expect("create with wrong key -> 401", "POST", "/instance/create", "wrong",
             {"instanceName": "nokey", "integration": INTEGRATION}, 401, unauthorized())
    s.expect("create with an instance token -> 401", "POST", "/instance/create", "tok_" + a["name"],
             {"instanceName": "nokey", "integration": INTEGRATION}, 401, unauthorized())
    s.expect("create duplicate -> 403", "POST", "/instance/create", "global",
             {"instanceName": a["name"], "integration": INTEGRATION}, 403, in_use(a["name"]))
    s.expect("create duplicate without key -> 401 (key first)", "POST", "/instance/create", "none",
             {"instanceName": a["name"], "integration": INTEGRATION}, 401, unauthorized())

    def row_of(rows, name):
        hits = [x for x in rows if isinstance(x, dict) and x.get("name") == name]
        return hits[0] if len(hits) == 1 else None

    def all_check(r):
        if not isinstance(r.json, list):
            return "not an array"
        for inst in (a, b):
            row = row_of(r.json, inst["name"])
            if row is None:
                return "no single row named %s" % inst["name"]
            for k in ("name", "instanceName", "id", "token", "connectionStatus"):
                if k not in row:
                    return "row %s lacks %s" % (inst["name"], k)
            if row["id"] != inst["id"] or row["token"] != inst["token"]:
                return "row %s: id/token differ from create's (%s/%s)" % (
                    inst["name"], row["id"], row["token"])
            if row["instanceName"] != inst["name"]:
                return "row %s: instanceName %r" % (inst["name"], row["instanceName"])
            if row["connectionStatus"] != "close":
                return "row %s: connectionStatus %r" % (inst["name"], row["connectionStatus"])
        return None
    s.expect("fetchInstances (global) lists both with id/token/connectionStatus", "GET",
             "/instance/fetchInstances", "global", status=200, check=all_check)

    def only(inst):
        def chk(r):
            if not isinstance(r.json, list) or len(r.json) != 1:
                return "expected exactly one row"
            if r.json[0].get("name") != inst["name"] or r.json[0].get("id") != inst["id"]:
                return "wrong row"
            return None
        return chk
    s.expect("fetchInstances?instanceName= (global)", "GET",
             "/instance/fetchInstances?instanceName=" + a["name"], "global", status=200, check=only(a))
    s.expect("fetchInstances?instanceId= (global)", "GET",
             "/instance/fetchInstances?instanceId=" + b["id"], "global", status=200, check=only(b))
    s.expect("fetchInstances with own token -> only own row", "GET", "/instance/fetchInstances",
             "tok_" + a["name"], status=200, check=only(a))
    s.expect("fetchInstances with own token + own instanceName", "GET",
             "/instance/fetchInstances?instanceName=" + a["name"], "tok_" + a["name"], status=200,
             check=only(a))
    s.expect("fetchInstances with token A filtered to B -> 401", "GET",
             "/instance/fetchInstances?instanceName=" + b["name"], "tok_" + a["name"], None, 401,
             unauthorized())
    s.expect("fetchInstances without key -> 401", "GET", "/instance/fetchInstances", "none", None,
             401, unauthorized())
    s.expect("fetchInstances with wrong key -> 401", "GET", "/instance/fetchInstances", "wrong",
             None, 401, unauthorized())
    s.expect("fetchInstances?instanceName=<unknown> (global) -> 404", "GET",
             "/instance/fetchInstances?instanceName=ghost", "global", status=404,
             check=s.error_shape(404, "Not Found"))
    s.expect("apikey header name is case-insensitive", "GET",
             "/instance/connectionState/" + a["name"], "none", status=200,
             headers={"APIKEY": s.keys["global"]})


def instance_routes(name):
    """(label, method, path, body, success status, check-or-None) for every instance route."""
    settings = {"rejectCall": True, "msgCall": "busy", "groupsIgnore": False, "alwaysOnline": False,
                "readMessages": True, "readStatus": False, "syncFullHistory": False}
    webhook = {"webhook": {"enabled": True, "url": "http://127.0.0.1:9/hook-" + name,
                           "byEvents": False, "base64": False, "events": ["MESSAGES_UPSERT"]}}
    websocket = {"websocket": {"enabled": True, "events": ["MESSAGES_UPSERT"]}}
    proxy = {"enabled": False, "host": "127.0.0.1", "port": "3128", "protocol": "http"}

    def state_check(r):
        inst = (r.json or {}).get("instance") or {}
        if inst.get("instanceName") != name or inst.get("state") != "close":
            return "expected {\"instance\":{\"instanceName\":%r,\"state\":\"close\"}}" % name
        return None

    def settings_set_check(r):
        got = ((r.json or {}).get("settings") or {})
        inner = got.get("settings") or {}
        if got.get("instanceName") != name:
            return "settings.instanceName %r" % got.get("instanceName")
        diff = [k for k, v in settings.items() if inner.get(k) != v]
        return "settings.settings differs in %s" % diff if diff else None

    def settings_find_check(r):
        j = r.json or {}
        diff = [k for k, v in settings.items() if j.get(k) != v]
        return "differs from what was set in %s" % diff if diff else None

    def find_field(obj, key):
        """key at the top level or one object down (row vs {"webhook":row})."""
        if isinstance(obj, dict):
            if key in obj:
                return obj[key]
            for v in obj.values():
                if isinstance(v, dict) and key in v:
                    return v[key]
        return None

    def webhook_check(r):
        if find_field(r.json, "url") != webhook["webhook"]["url"]:
            return "url is not the one set"
        if find_field(r.json, "enabled") is not True:
            return "enabled is not true"
        return None

    def websocket_check(r):
        # Evolution answers 201 with an empty body when WEBSOCKET_ENABLED is off; else the row
        if not r.body.strip() or r.json is None:
            return None
        return None if find_field(r.json, "enabled") is True else "enabled is not true"

    return [
        ("connectionState", "GET", "/instance/connectionState/" + name, None, 200, state_check),
        ("logout (close)", "DELETE", "/instance/logout/" + name, None, 400, "not_connected"),
        ("settings/set", "POST", "/settings/set/" + name, settings, 201, settings_set_check),
        ("settings/find", "GET", "/settings/find/" + name, None, 200, settings_find_check),
        ("webhook/set", "POST", "/webhook/set/" + name, webhook, 201, webhook_check),
        ("webhook/find", "GET", "/webhook/find/" + name, None, 200, webhook_check),
        ("websocket/set", "POST", "/websocket/set/" + name, websocket, 201, websocket_check),
        ("websocket/find", "GET", "/websocket/find/" + name, None, 200, websocket_check),
        ("proxy/set", "POST", "/proxy/set/" + name, proxy, 201, None),
        ("proxy/find", "GET", "/proxy/find/" + name, None, 200, None),
    ]


def check_auth_matrix(s, a, b):
    """Every instance route x every kind of key, on A (exists) and on an unknown instance."""
    for label, method, path, body, ok_status, chk in instance_routes(a["name"]):
        for key in ("none", "wrong", "tok_" + b["name"]):
            s.expect("%s: %s -> 401" % (label, key if not key.startswith("tok_") else "other token"),
                     method, path, key, body, 401, unauthorized())
        for key in ("global", "tok_" + a["name"]):
            who = "global key" if key == "global" else "own token"
            if chk == "not_connected":
                s.expect("%s: %s -> %d" % (label, who, ok_status), method, path, key, body,
                         ok_status, not_connected(a["name"]))
            else:
                s.expect("%s: %s -> %d" % (label, who, ok_status), method, path, key, body,
                         ok_status, check=chk)
    ghost = "ghost-" + a["name"]
    for label, method, path, body, _, _ in instance_routes(ghost) + [
            ("delete", "DELETE", "/instance/delete/" + ghost, None, 200, None)]:
        s.expect("%s on unknown instance: no key -> 401" % label, method, path, "none", body, 401,
                 unauthorized())
        s.expect("%s on unknown instance: wrong key -> 401" % label, method, path, "wrong", body,
                 401, unauthorized())
        s.expect("%s on unknown instance: a token -> 401" % label, method, path,
                 "tok_" + a["name"], body, 401, unauthorized())
        s.expect("%s on unknown instance: global -> 404" % label, method, path, "global", body,
                 404, not_found_instance(ghost))


def check_odd_requests(s, a):
    """Odd paths, escapes and transports: a 4xx (never a 5xx or a hang), valid JSON where wagate
    answers, and the service still answering afterwards."""
    n = a["name"]
    tok = s.keys["tok_" + n]
    if tok.lower() != tok:
        s.expect("token in another letter case -> 401", "GET", "/instance/connectionState/" + n,
                 tok.lower(), None, 401, unauthorized())
    for path in ["/instance/connectionState/", "/instance/connectionState/%00",
                 "/instance/connectionState/a%2Fb", "/instance/connectionState/%22%5C%3Cx%3E",
                 "/instance/connectionState/" + n + "/extra", "/instance//connectionState/" + n,
                 "/instance/connectionState/" + "x" * 4000, "/instance/connectionState/%ZZ",
                 "/instance/fetchInstances?instanceName=%22%5C%3Cx%3E",
                 "/settings/find/..%2F..%2Fetc%2Fpasswd"]:
        def chk(r):
            if not 400 <= r.status < 500:
                return "status %d is not a 4xx" % r.status
            ctype = r.headers.get("content-type", "")
            if "json" in ctype and not isinstance(r.json, dict):
                return "JSON content-type but not a JSON object"
            return None
        s.expect("odd request GET %s -> 4xx" % (path if len(path) < 80 else path[:60] + "..."),
                 "GET", path, "global", check=chk)
    # an empty filter is no filter (Evolution: `instanceName ? [instanceName] : null`); a
    # garbled query string is ignored or refused, but never a 5xx
    s.expect("fetchInstances?instanceName= (empty) lists all", "GET",
             "/instance/fetchInstances?instanceName=", "global", status=200,
             check=lambda r: None if isinstance(r.json, list) and
             any(x.get("name") == n for x in r.json) else "not the full list")
    s.expect("fetchInstances?%%% -> 200 or 4xx JSON", "GET", "/instance/fetchInstances?%%%",
             "global", check=lambda r: None if r.status < 500 and r.json is not None
             else "status %d" % r.status)
    s.expect("still answering after odd requests", "GET", "/instance/connectionState/" + n,
             "global", None, 200)

    # several requests on one kept-alive client connection
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", s.st.port, timeout=10)
    statuses = []
    try:
        for _ in range(3):
            conn.request("GET", "/instance/connectionState/" + n, headers={"apikey": tok})
            r = conn.getresponse()
            r.read()
            statuses.append(r.status)
    except (OSError, http.client.HTTPException) as e:
        statuses.append(str(e))
    finally:
        conn.close()
    s.report("3 requests on one keep-alive connection", statuses == [200, 200, 200],
             "got %s" % statuses)

    # a chunked request body (no Content-Length), as some HTTP clients send
    body = json.dumps({"instanceName": "chunked", "integration": INTEGRATION}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", s.st.port, timeout=10)
    try:
        conn.putrequest("POST", "/instance/create")
        conn.putheader("apikey", s.keys["global"])
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        half = len(body) // 2
        for part in (body[:half], body[half:]):
            conn.send(b"%x\r\n%s\r\n" % (len(part), part))
        conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        got = (r.status, r.read()[:300])
    except (OSError, http.client.HTTPException) as e:
        got = (0, str(e).encode())
    finally:
        conn.close()
    s.report("create with a chunked request body -> 201", got[0] == 201,
             "request: POST /instance/create, Transfer-Encoding: chunked, %d bytes\ngot: %d %s"
             % (len(body), got[0], got[1].decode(errors="replace")))
    if got[0] == 201:
        s.call("DELETE", "/instance/delete/chunked")


def check_delete(s, a, b):
    for key in ("none", "wrong", "tok_" + b["name"]):
        s.expect("delete A with %s -> 401" % key.replace("tok_" + b["name"], "B's token"), "DELETE",
                 "/instance/delete/" + a["name"], key, None, 401, unauthorized())
    s.expect("A still there after refused deletes", "GET",
             "/instance/connectionState/" + a["name"], "global", status=200)
    # own token deletes its instance
    c = s.create("del-own")
    if c:
        warm_up_state_snapshot(s, c)  # the next answers must not come from a stale snapshot
        s.expect("delete with own token -> 200", "DELETE", "/instance/delete/del-own",
                 "tok_del-own", None, 200, DELETED)
        s.expect("deleted instance -> 404 for global", "GET", "/instance/connectionState/del-own",
                 "global", None, 404, not_found_instance("del-own"))
        s.expect("deleted instance's token -> 401", "GET", "/instance/connectionState/del-own",
                 "tok_del-own", None, 401, unauthorized())
        s.expect("deleted instance not listed", "GET", "/instance/fetchInstances", "global",
                 status=200, check=lambda r: None if all(x.get("name") != "del-own" for x in r.json)
                 else "still listed")
    d = s.create("del-global")
    if d:
        warm_up_state_snapshot(s, d)
        s.expect("delete with global key -> 200", "DELETE", "/instance/delete/del-global", "global",
                 None, 200, DELETED)
        s.expect("delete again -> 404", "DELETE", "/instance/delete/del-global", "global", None,
                 404, not_found_instance("del-global"))
        e = s.create("del-global")
        if e:
            s.report("re-created name gets a new id and token",
                     e["id"] != d["id"] and e["token"] != d["token"],
                     "old %s new %s" % (d, e))
            s.expect("old token does not open the re-created instance", "GET",
                     "/instance/connectionState/del-global", d["token"], None, 401, unauthorized())
            for i in range(10):
                s.expect("new token opens the re-created instance at once (%d)" % i, "GET",
                         "/instance/connectionState/del-global", e["token"], None, 200)
                s.expect("old token still refused (%d)" % i, "GET",
                         "/instance/connectionState/del-global", d["token"], None, 401,
                         unauthorized())
            s.call("DELETE", "/instance/delete/del-global")


def check_bad_input(s, a):
    before = s.snapshot()
    settings_before = s.call("GET", "/settings/find/" + a["name"]).body
    webhook_before = s.call("GET", "/webhook/find/" + a["name"]).body
    bad = s.error_shape(400, "Bad Request")

    create_bodies = [
        ("malformed JSON", '{"instanceName": "bad1", "integration": '),
        ("empty body", ""),
        ("JSON array", "[]"),
        ("JSON string", '"bad1"'),
        ("JSON null", "null"),
        ("empty object", {}),
        ("missing integration", {"instanceName": "bad1"}),
        ("missing instanceName", {"integration": INTEGRATION}),
        ("instanceName a number", {"instanceName": 123, "integration": INTEGRATION}),
        ("instanceName an array", {"instanceName": ["bad1"], "integration": INTEGRATION}),
        ("instanceName null", {"instanceName": None, "integration": INTEGRATION}),
        ("integration a number", {"instanceName": "bad1", "integration": 5}),
        ("unknown integration", {"instanceName": "bad1", "integration": "WHATSAPP-NOPE"}),
        ("trailing garbage", '{"instanceName":"bad1","integration":"WHATSAPP-BAILEYS"} x'),
    ]
    for bad_name in ["", "-abc", ".abc", "_abc", "a b", "a/b", "a\\b", "caf\u00e9", "a" * 65,
                     "a\u0000b", "a?b", "a%b", "a\"b", "a\nb", "../x"]:
        create_bodies.append(("invalid name %r" % bad_name,
                              {"instanceName": bad_name, "integration": INTEGRATION}))
    for label, body in create_bodies:
        hdrs = {"Content-Type": "application/json"}
        s.expect("create with %s -> 400" % label, "POST", "/instance/create", "global", body, 400,
                 check=bad, headers=hdrs)

    n = a["name"]
    for label, path, body in [
        ("settings/set malformed JSON", "/settings/set/" + n, "{"),
        ("settings/set missing fields", "/settings/set/" + n, {"rejectCall": True}),
        ("settings/set wrong type", "/settings/set/" + n,
         {"rejectCall": "yes", "groupsIgnore": False, "alwaysOnline": False, "readMessages": False,
          "readStatus": False, "syncFullHistory": False}),
        ("webhook/set empty object", "/webhook/set/" + n, {}),
        ("webhook/set flat (not nested)", "/webhook/set/" + n,
         {"enabled": True, "url": "http://127.0.0.1:9/flat"}),
        ("webhook/set missing url", "/webhook/set/" + n, {"webhook": {"enabled": True, "events": []}}),
        ("webhook/set enabled not boolean", "/webhook/set/" + n,
         {"webhook": {"enabled": "yes", "url": "http://127.0.0.1:9/x", "events": []}}),
        ("websocket/set missing enabled", "/websocket/set/" + n, {"websocket": {"events": []}}),
        ("proxy/set empty object", "/proxy/set/" + n, {}),
    ]:
        s.expect("%s -> 400" % label, "POST", path, "global", body, 400, check=bad)

    # 404 and 405
    s.expect("unknown route -> 404", "GET", "/nope", "global", None, 404, cannot("GET", "/nope"))
    s.expect("unknown /instance route -> 404", "GET", "/instance/nope", "global", None, 404,
             cannot("GET", "/instance/nope"))
    for method, path in [("PUT", "/instance/create"), ("GET", "/instance/create"),
                         ("POST", "/instance/fetchInstances"),
                         ("POST", "/instance/connectionState/" + n),
                         ("GET", "/instance/delete/" + n), ("POST", "/instance/delete/" + n),
                         ("GET", "/settings/set/" + n), ("DELETE", "/webhook/find/" + n)]:
        s.expect("%s %s -> 405" % (method, path), method, path, "global", None, 405,
                 check=s.error_shape(405, "Method Not Allowed"))

    # 413: one byte over WAGATE_MAX_BODY_BYTES is refused, exactly the limit is accepted
    def padded(name, size):
        body = {"instanceName": name, "integration": INTEGRATION, "pad": ""}
        base = len(json.dumps(body, separators=(",", ":")))
        body["pad"] = "x" * (size - base)
        text = json.dumps(body, separators=(",", ":"))
        assert len(text) == size
        return text
    s.expect("body of WAGATE_MAX_BODY_BYTES+1 -> 413", "POST", "/instance/create", "global",
             padded("big413", MAX_BODY + 1), 413, check=s.error_shape(413, "Payload Too Large"),
             headers={"Content-Type": "application/json"})
    s.expect("body of 4 x WAGATE_MAX_BODY_BYTES -> 413", "POST", "/instance/create", "global",
             padded("big413", 4 * MAX_BODY), 413, check=s.error_shape(413, "Payload Too Large"),
             headers={"Content-Type": "application/json"})

    after = s.snapshot()
    s.report("bad input changed no instance (fetchInstances before == after)", before == after,
             "before %s\nafter  %s" % (before, after))
    s.report("bad input changed no settings", settings_before ==
             s.call("GET", "/settings/find/" + n).body, "settings/find changed")
    s.report("bad input changed no webhook", webhook_before ==
             s.call("GET", "/webhook/find/" + n).body, "webhook/find changed")

    # boundary: exactly the limit is fine (and 64-char names, names with . _ -)
    r = s.expect("body of exactly WAGATE_MAX_BODY_BYTES -> 201", "POST", "/instance/create",
                 "global", padded("edge413", MAX_BODY), 201,
                 headers={"Content-Type": "application/json"})
    if r is not None and r.status == 201:
        s.call("DELETE", "/instance/delete/edge413")
    for good in ["a" * 64, "0start", "a.b-c_d", "Z"]:
        inst = s.create(good)
        if inst:
            s.expect("delete %s" % good, "DELETE", "/instance/delete/" + good, "global", None, 200,
                     DELETED)


def check_concurrent_create(s, n_threads=20):
    name = "race"
    results = []
    barrier = threading.Barrier(n_threads)
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(10)
            r = s.call("POST", "/instance/create", "global",
                       {"instanceName": name, "integration": INTEGRATION})
            out = (r.status, r.json)
        except Exception as e:  # recorded as a failure below
            out = (0, str(e))
        with lock:
            results.append(out)
    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    created = [r for r in results if r[0] == 201]
    refused = [r for r in results if r[0] == 403 and r[1] == in_use(name)]
    s.report("%d concurrent creates of one name: exactly one 201, the rest 403" % n_threads,
             len(created) == 1 and len(refused) == n_threads - 1,
             "got statuses %s" % sorted(r[0] for r in results))
    s.expect("one row for the raced name", "GET", "/instance/fetchInstances?instanceName=" + name,
             "global", status=200,
             check=lambda r: None if isinstance(r.json, list) and len(r.json) == 1 else
             "%d rows" % len(r.json or []))
    if created:
        tok = created[0][1]["hash"]["apikey"]
        s.expect("the winner's token is the stored one", "GET",
                 "/instance/connectionState/" + name, tok, None, 200)

    # distinct names in parallel: all succeed (exercises the FastCGI threads and connd)
    names = ["par%02d" % i for i in range(n_threads)]
    results.clear()
    barrier = threading.Barrier(n_threads)

    def worker2(nm):
        try:
            barrier.wait(10)
            r = s.call("POST", "/instance/create", "global",
                       {"instanceName": nm, "integration": INTEGRATION})
            out = r.status
        except Exception:
            out = 0
        with lock:
            results.append(out)
    threads = [threading.Thread(target=worker2, args=(nm,)) for nm in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    s.report("%d concurrent creates of distinct names: all 201" % n_threads,
             results.count(201) == n_threads, "got statuses %s" % sorted(results))
    listed = {x.get("name") for x in s.fetch_all()}
    s.report("all of them listed", set(names) <= listed, "missing %s" % (set(names) - listed))
    for nm in names + [name]:
        s.call("DELETE", "/instance/delete/" + nm)


def warm_up_state_snapshot(s, a, n=40):
    """Enough own-token connectionState calls that every wagate-fcgi thread holds a live IPC
    connection and has mapped connd's state snapshot (the path that skips the round trip)."""
    for _ in range(n):
        s.call("GET", "/instance/connectionState/" + a["name"], "tok_" + a["name"])


def check_connd_killed(s, a):
    """kill -9 connd: its state snapshot file stays behind, but nothing may be answered from it:
    own-token connectionState is 503 within a second; after a restart it is served again."""
    warm_up_state_snapshot(s, a)
    proc = s.st.procs.pop("connd")
    s.st._connd_log_offset = os.path.getsize(s.st.path("logs", "connd.log"))
    os.kill(proc.pid, signal.SIGKILL)
    proc.popen.wait()
    for i in range(3):
        r = s.expect("connd killed: own-token connectionState -> 503 (%d)" % i, "GET",
                     "/instance/connectionState/" + a["name"], "tok_" + a["name"], None, 503,
                     check=s.error_shape(503, "Service Unavailable"))
        if r is not None:
            s.report("connd killed: answered in < 1 s (%d)" % i, r.elapsed < 1.0,
                     "took %.3f s" % r.elapsed)
    s.st.start_connd()
    for i in range(20):
        s.expect("after kill -9 and restart: own token works (%d)" % i, "GET",
                 "/instance/connectionState/" + a["name"], "tok_" + a["name"], None, 200)
    s.expect("after kill -9 and restart: wrong token still 401", "GET",
             "/instance/connectionState/" + a["name"], "wrong", None, 401, unauthorized())


def check_connd_down(s, a):
    """Stop connd: requests answer 503 within a second; start it again: everything is back."""
    before = s.snapshot()
    warm_up_state_snapshot(s, a)
    s.st.stop_connd()
    for method, path, key, body in [
            ("GET", "/instance/connectionState/" + a["name"], "tok_" + a["name"], None),
            ("GET", "/instance/connectionState/" + a["name"], "global", None),
            ("GET", "/instance/fetchInstances", "global", None),
            ("POST", "/instance/create", "global", {"instanceName": "whiledown",
                                                    "integration": INTEGRATION})]:
        r = s.expect("connd down: %s %s -> 503" % (method, path), method, path, key, body, 503,
                     check=s.error_shape(503, "Service Unavailable"))
        if r is not None:
            s.report("connd down: %s %s answered in < 1 s" % (method, path), r.elapsed < 1.0,
                     "took %.3f s" % r.elapsed)
    s.st.start_connd()
    after = s.snapshot()
    s.report("after connd restart: same instances, ids and tokens", before == after,
             "before %s\nafter  %s" % (before, after))
    s.expect("after restart: own token still works", "GET",
             "/instance/connectionState/" + a["name"], "tok_" + a["name"], None, 200)
    s.expect("after restart: duplicate create still 403", "POST", "/instance/create", "global",
             {"instanceName": a["name"], "integration": INTEGRATION}, 403, in_use(a["name"]))
    s.expect("after restart: nothing created while down", "GET",
             "/instance/fetchInstances?instanceName=whiledown", "global", status=404,
             check=s.error_shape(404, "Not Found"))
    # both suites set rejectCall true on `a` before this point
    s.expect("after restart: settings survived", "GET", "/settings/find/" + a["name"], "global",
             status=200, check=lambda r: None if (r.json or {}).get("rejectCall") is True
             else "rejectCall is not the value set before the restart")


def run_full(s):
    check_static(s)
    a = s.create("alpha")
    b = s.create("beta.2_x-Y")
    if not (a and b):
        s.report("cannot continue without two instances", False, "create failed")
        return
    check_create_and_fetch(s, a, b)
    check_auth_matrix(s, a, b)
    check_bad_input(s, a)
    check_odd_requests(s, a)
    check_delete(s, a, b)
    check_concurrent_create(s)
    check_connd_down(s, a)
    check_connd_killed(s, a)


def run_smoke(s):
    """Short pass for the mod_fcgid front: connd generated the global key itself."""
    path = os.path.join(s.st.data_dir, "apikey")
    mode = os.stat(path).st_mode & 0o777
    s.report("connd generated $WAGATE_DATA_DIR/apikey with mode 0600", mode == 0o600,
             "mode %o" % mode)
    check_static(s)
    a = s.create("smoke")
    b = s.create("smoke2")
    if not (a and b):
        return
    s.expect("fetchInstances (global)", "GET", "/instance/fetchInstances", "global", status=200,
             check=lambda r: None if {"smoke", "smoke2"} <= {x.get("name") for x in r.json}
             else "not listed")
    s.expect("fetchInstances with own token", "GET", "/instance/fetchInstances", "tok_smoke",
             status=200, check=lambda r: None if [x.get("name") for x in r.json] == ["smoke"]
             else "not just its own row")
    s.expect("connectionState (own token)", "GET", "/instance/connectionState/smoke", "tok_smoke",
             status=200)
    s.expect("connectionState (other token) -> 401", "GET", "/instance/connectionState/smoke",
             "tok_smoke2", None, 401, unauthorized())
    s.expect("no key -> 401", "GET", "/instance/connectionState/smoke", "none", None, 401,
             unauthorized())
    s.expect("unknown instance -> 404", "GET", "/instance/connectionState/ghost", "global", None,
             404, not_found_instance("ghost"))
    s.expect("duplicate -> 403", "POST", "/instance/create", "global",
             {"instanceName": "smoke", "integration": INTEGRATION}, 403, in_use("smoke"))
    s.expect("malformed JSON -> 400", "POST", "/instance/create", "global", "{", 400,
             check=s.error_shape(400, "Bad Request"))
    # apache-fcgid: over mod_fcgid's default FcgidMaxRequestLen (128 KiB) too, which the config
    # must raise; apache-htaccess cannot raise it (not allowed in .htaccess): stay below it there
    pad = MAX_BODY + 1000 if s.st.front == "apache-htaccess" else 3 * MAX_BODY
    big = json.dumps({"instanceName": "big", "integration": INTEGRATION, "pad": "x" * pad})
    s.expect("body of %d bytes (limit %d) -> 413" % (len(big), MAX_BODY), "POST",
             "/instance/create", "global", big, 413, check=s.error_shape(413, "Payload Too Large"))
    s.expect("logout while close -> 400", "DELETE", "/instance/logout/smoke", "global", None, 400,
             not_connected("smoke"))
    s.expect("settings/set", "POST", "/settings/set/smoke", "global",
             {"rejectCall": True, "groupsIgnore": True, "alwaysOnline": False,
              "readMessages": False, "readStatus": False, "syncFullHistory": False}, 201)
    s.expect("webhook/set", "POST", "/webhook/set/smoke", "global",
             {"webhook": {"enabled": True, "url": "http://127.0.0.1:9/h", "events": []}}, 201)
    check_concurrent_create(s, n_threads=8)
    s.expect("delete (own token)", "DELETE", "/instance/delete/smoke2", "tok_smoke2", None, 200,
             DELETED)
    check_connd_down(s, a)


def main(argv):
    args = [x for x in argv[1:] if not x.startswith("--")]
    smoke = "--smoke" in argv
    front = args[0] if args else "lighttpd"
    st = stackmod.Stack(front, max_body=MAX_BODY, api_key="" if smoke else None)
    try:
        st.start()
    except stackmod.Skip as e:
        print("SKIP: %s" % e)
        return 77
    except stackmod.StackError as e:
        print("FAIL - stack start (%s)\n    %s" % (front, str(e).replace("\n", "\n    ")))
        print("0 passed, 1 failed")
        return 1
    s = Suite(st)
    s.keys["global"] = st.api_key
    print("# %s at %s (dir %s)" % (front, st.base_url, st.dir))
    try:
        (run_smoke if smoke else run_full)(s)
    except Exception as e:
        import traceback
        s.report("suite aborted: %s: %s" % (type(e).__name__, e), False, traceback.format_exc())
    finally:
        reports = st.sanitizer_reports()
        s.report("no sanitizer reports in the logs", not reports, "\n".join(reports[:20]))
        if s.failed:
            st.dump_logs()
        st.stop()
    print("%d passed, %d failed" % (s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
