#!/usr/bin/python3
"""test_webhook_rest.py: failed webhook deliveries, seen and replayed through the REST API behind
real lighttpd (GET /webhook/failed/:name, POST /webhook/retry/:name), with the real receiver.

1. An instance is created with a webhook pointing at a port where nothing listens, with one
   attempt allowed: instance.create fails to deliver and is kept as failed.
2. GET /webhook/failed/:name shows it (event, url, attempts, error); the auth matrix holds.
3. The receiver starts on that port; POST /webhook/retry/:name delivers it, with the same
   X-Wagate-Delivery id the failed row showed, and the failed list empties.
Prints 'N passed, N failed'; exit 77 when lighttpd is missing."""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import stack as stackmod  # noqa: E402

passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok  ", what)
    else:
        failed += 1
        print("FAIL", what, detail)


def call(base, method, path, key=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if key:
        req.add_header("apikey", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def wait_for(pred, seconds):
    end = time.time() + seconds
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    return pred()


def main():
    hook_port = stackmod.free_port()
    env = {"WEBHOOK_RETRY_MAX_ATTEMPTS": "1", "WEBHOOK_RETRY_INITIAL_DELAY_SECONDS": "0.1",
           "WEBHOOK_REQUEST_TIMEOUT_MS": "2000"}
    st = stackmod.Stack(front="lighttpd", connd_env=env)
    missing = st.check_tools()
    if missing:
        print("skip: missing", missing)
        return 77
    receiver = None
    with st:
        base, key = st.base_url, st.api_key
        url = "http://127.0.0.1:%d/hook" % hook_port
        code, body = call(base, "POST", "/instance/create", key,
                          {"instanceName": "hooked", "integration": "WHATSAPP-BAILEYS",
                           "webhook": {"enabled": True, "url": url, "events": ["INSTANCE_CREATE"]}})
        check(code == 201, "create with a webhook to a closed port -> 201", (code, body))
        token = body["hash"]["apikey"] if code == 201 else ""
        call(base, "POST", "/instance/create", key,
             {"instanceName": "other", "integration": "WHATSAPP-BAILEYS"})

        def failed_list():
            c, b = call(base, "GET", "/webhook/failed/hooked", key)
            return b if c == 200 and b and b.get("total") else None

        listing = wait_for(failed_list, 10)
        check(listing is not None, "the undeliverable event shows in GET /webhook/failed")
        row = (listing or {}).get("deliveries", [{}])[0]
        check(row.get("event") == "instance.create", "failed row: event", row)
        check(row.get("url") == url, "failed row: url", row)
        check(row.get("attempts") == 1 and row.get("state") == "failed", "failed row: state", row)
        check(bool(row.get("lastError")), "failed row: the reason is visible", row)
        check(isinstance(row.get("payload"), dict) and row["payload"].get("event") == "instance.create",
              "failed row: the envelope is kept", row)

        # auth: own token ok, no key / other instance's token refused, unknown instance 404
        c, _ = call(base, "GET", "/webhook/failed/hooked", token)
        check(c == 200, "own token may list its failed deliveries", c)
        c, b = call(base, "GET", "/webhook/failed/hooked")
        check(c == 401 and b == {"status": 401, "error": "Unauthorized",
                                 "response": {"message": "Unauthorized"}}, "no key -> 401", (c, b))
        _, ob = call(base, "GET", "/instance/fetchInstances?instanceName=other", key)
        other_token = ob[0]["token"] if ob else ""
        c, _ = call(base, "GET", "/webhook/failed/hooked", other_token)
        check(c == 401, "another instance's token -> 401", c)
        c, _ = call(base, "POST", "/webhook/retry/missing", key, {})
        check(c == 404, "retry on an unknown instance -> 404", c)
        c, _ = call(base, "POST", "/webhook/retry/hooked", key, {"ids": "nope"})
        check(c == 400, "retry with a malformed ids list -> 400", c)

        logpath = os.path.join(st.dir, "receiver.log")
        receiver = subprocess.Popen([sys.executable, os.path.join(HERE, "receiver.py"),
                                     str(hook_port), logpath], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        check(wait_for(lambda: _port_open(hook_port), 10), "the receiver is up")
        c, b = call(base, "POST", "/webhook/retry/hooked", key, {})
        check(c == 201 and b and b.get("retried") == 1, "POST /webhook/retry -> 201 {retried:1}",
              (c, b))

        def received():
            try:
                with open(logpath) as f:
                    lines = [json.loads(x) for x in f if x.strip()]
            except OSError:
                return None
            hooks = [x for x in lines if x["path"] == "/hook"]
            return hooks or None

        got = wait_for(received, 10) or []
        check(len(got) == 1, "the replayed event reached the receiver once", len(got))
        if got:
            env_body = json.loads(got[0]["body"])
            check(env_body.get("event") == "instance.create" and env_body.get("instance") == "hooked",
                  "replayed envelope: event and instance", env_body)
            check(got[0]["headers"].get("x-wagate-delivery") == row.get("id"),
                  "replay keeps the delivery id", (got[0]["headers"].get("x-wagate-delivery"),
                                                   row.get("id")))
        check(wait_for(lambda: failed_list() is None, 10),
              "the failed list is empty after a successful replay")
    if receiver:
        receiver.terminate()
        receiver.wait(5)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def _port_open(port):
    import socket
    s = socket.socket()
    try:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
    finally:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
