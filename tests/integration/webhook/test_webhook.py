#!/usr/bin/python3
"""Webhook delivery end to end: the real connd, driven over its IPC socket, POSTing to a real
local HTTP receiver (receiver.py) that answers 2xx/4xx/5xx, hangs, or is down.

Cases: per-instance and global delivery with Evolution's envelope, byEvents URLs, custom
headers, jwt_key -> Bearer JWT and the X-Wagate-Signature HMAC (both verified by the receiver),
apikey exposure, event filters, non-retryable statuses, the backoff schedule (short delays via
env), a hanging destination that does not delay another one, receiver down then back (everything
arrives, in order), the failed list and replay through the IPC API, https with a self-signed
certificate (fails visibly, then works with WAGATE_WEBHOOK_CA_FILE), SIGTERM during an attempt
(nothing lost). Exit 0 = pass, 1 = fail, 77 = skipped (no connd binary).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgtest  # noqa: E402
from wgtest import Connd, Receiver, webhook_msg  # noqa: E402

FAST_RETRY = {"WEBHOOK_RETRY_INITIAL_DELAY_SECONDS": "0.1", "WEBHOOK_RETRY_MAX_DELAY_SECONDS": "0.4",
              "WEBHOOK_RETRY_JITTER_FACTOR": "0", "WEBHOOK_REQUEST_TIMEOUT_MS": "2000"}
ALL_LIFECYCLE = ["INSTANCE_CREATE", "INSTANCE_DELETE", "REMOVE_INSTANCE"]
WORK = tempfile.mkdtemp(prefix="wgwhtest")
RESULTS = []
CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def run_case(fn):
    """Runs one case with its own processes; records pass/fail."""
    procs = []

    def track(p):
        procs.append(p)
        return p
    start = time.time()
    try:
        fn(track)
        RESULTS.append((fn.__name__, None))
        print("ok   %-40s %.1fs" % (fn.__name__, time.time() - start), flush=True)
    except Exception:
        RESULTS.append((fn.__name__, traceback.format_exc()))
        print("FAIL %s\n%s" % (fn.__name__, traceback.format_exc()), flush=True)
        for p in procs:
            if isinstance(p, Connd):
                print("---- connd log ----\n" + p.logs()[-4000:])
    finally:
        for p in reversed(procs):
            try:
                p.cleanup() if isinstance(p, Connd) else p.stop()
            except Exception as e:  # a cleanup failure is a failure too
                RESULTS.append((fn.__name__ + "/cleanup", repr(e)))


def by_path(records, prefix):
    return [r for r in records if r["path"].startswith(prefix)]


def events_of(records):
    return [(r["json"]["event"], r["json"]["instance"]) for r in records]


# ---------------------------------------------------------------- cases

@case
def instance_and_global_envelope_headers_jwt_hmac(track):
    r = track(Receiver(WORK).start())
    r.control(jwt_key="jwt-secret-1", secret="hmac-secret-1")
    c = track(Connd({"WEBHOOK_GLOBAL_ENABLED": "true", "WEBHOOK_GLOBAL_URL": r.url + "/global",
                     "WEBHOOK_EVENTS_INSTANCE_CREATE": "true", "WEBHOOK_EVENTS_INSTANCE_DELETE": "true",
                     "SERVER_URL": "https://api.example.test"}).start())
    ipc = c.ipc()
    wh = webhook_msg(r.url + "/inst", events=ALL_LIFECYCLE, by_events=True,
                     headers={"X-Custom": "v1", "X-Num": 7, "jwt_key": "jwt-secret-1"},
                     secret="hmac-secret-1")
    field, inst = ipc.create("env1", webhook=wh)
    assert field == wgtest.R_INSTANCE, field
    assert ipc.delete("env1")[0] == wgtest.R_DONE
    recs = r.wait_count(5)
    inst_recs = by_path(recs, "/inst/")
    glob = by_path(recs, "/global")
    # byEvents: one URL (so one destination, one order) per event type
    assert sorted(x["path"] for x in inst_recs) == ["/inst/instance-create",
                                                    "/inst/instance-delete",
                                                    "/inst/remove-instance"], inst_recs
    inst_recs.sort(key=lambda x: ["/inst/instance-create", "/inst/instance-delete",
                                  "/inst/remove-instance"].index(x["path"]))
    assert events_of(glob) == [("instance.create", "env1"), ("instance.delete", "env1")]
    assert [x["path"] for x in glob] == ["/global", "/global"]  # no byEvents globally
    for x in inst_recs:
        h = x["headers"]
        assert h["x-custom"] == "v1" and h["x-num"] == "7", h
        assert "jwt_key" not in h
        assert x["jwt_ok"] is True, h.get("authorization")
        assert x["sig_ok"] is True, h.get("x-wagate-signature")
        assert re.fullmatch(r"[0-9a-f-]{36}", h["x-wagate-delivery"])
        assert h["x-wagate-attempt"] == "1"
        assert h["content-type"] == "application/json"
    for x in glob:
        assert "authorization" not in x["headers"] and "x-wagate-signature" not in x["headers"]
    env = inst_recs[0]["json"]
    assert list(env) == ["event", "instance", "data", "destination", "date_time", "server_url",
                         "apikey"], list(env)
    assert env["destination"] == r.url + "/inst"
    assert env["apikey"] is None and env["server_url"] == "https://api.example.test"
    assert env["data"] == {"instanceName": "env1", "instanceId": env["data"]["instanceId"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", env["date_time"])
    stamp = time.mktime(time.strptime(env["date_time"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    assert abs(stamp - time.time()) < 60, "date_time is not UTC"
    assert glob[0]["json"]["destination"] == r.url + "/inst"  # Evolution: the instance URL wins
    assert inst_recs[2]["json"]["data"] is None  # remove.instance
    # the same delivery id never appears twice here (no retries)
    ids = [x["headers"]["x-wagate-delivery"] for x in recs]
    assert len(set(ids)) == len(ids)


@case
def apikey_exposed_and_global_by_events(track):
    r = track(Receiver(WORK).start())
    c = track(Connd({"WEBHOOK_GLOBAL_ENABLED": "true", "WEBHOOK_GLOBAL_URL": r.url + "/g",
                     "WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS": "true",
                     "WEBHOOK_EVENTS_INSTANCE_CREATE": "true",
                     "AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES": "true"}).start())
    ipc = c.ipc()
    ipc.create("exp1", token="TOKEN-EXP-1")
    rec = r.wait_count(1)[0]
    assert rec["path"] == "/g/instance-create", rec["path"]
    assert rec["json"]["apikey"] == "TOKEN-EXP-1"
    assert rec["json"]["destination"] == r.url + "/g/instance-create"
    assert "server_url" not in rec["json"] and "sender" not in rec["json"]


@case
def filters(track):
    r = track(Receiver(WORK).start())
    c = track(Connd({"WEBHOOK_GLOBAL_ENABLED": "true", "WEBHOOK_GLOBAL_URL": r.url + "/g",
                     "WEBHOOK_EVENTS_INSTANCE_CREATE": "true"}).start())
    ipc = c.ipc()
    # only INSTANCE_DELETE subscribed on the instance; globally only INSTANCE_CREATE
    ipc.create("f1", webhook=webhook_msg(r.url + "/i1", events=["INSTANCE_DELETE"]))
    # disabled webhook: nothing from it
    ipc.create("f2", webhook=webhook_msg(r.url + "/i2", enabled=False, events=ALL_LIFECYCLE))
    # not an http(s) URL: never called (Evolution's rule)
    ipc.create("f3", webhook=webhook_msg("ftp://127.0.0.1/x", events=ALL_LIFECYCLE))
    ipc.delete("f1")
    ipc.delete("f2")
    # webhook/set turns f3's webhook to a valid one: later events follow the new config
    field, _ = ipc.webhook_set("f3", webhook_msg(r.url + "/i3", events=["REMOVE_INSTANCE"]))
    assert field == wgtest.R_WEBHOOK, field
    ipc.delete("f3")
    r.wait_count(5)
    time.sleep(0.5)
    got = [(x["path"], x["json"]["event"], x["json"]["instance"]) for x in r.read()]
    assert sorted(got) == sorted([("/g", "instance.create", "f1"), ("/g", "instance.create", "f2"),
                                  ("/g", "instance.create", "f3"),
                                  ("/i1", "instance.delete", "f1"),
                                  ("/i3", "remove.instance", "f3")]), got


@case
def non_retryable_and_exhausted_then_replay(track):
    r = track(Receiver(WORK).start())
    r.control(rules=[{"prefix": "/nr", "status": 404}, {"prefix": "/five", "status": 500}])
    env = dict(FAST_RETRY, WEBHOOK_RETRY_MAX_ATTEMPTS="3")
    c = track(Connd(env).start())
    ipc = c.ipc()
    ipc.create("nr1", webhook=webhook_msg(r.url + "/nr", events=["INSTANCE_CREATE"]))
    ipc.create("five1", webhook=webhook_msg(r.url + "/five", events=["INSTANCE_CREATE"]))
    wgtest.wait_until(lambda: ipc.failed("nr1")[1] == 1 and ipc.failed("five1")[1] == 1, 10,
                      what="both deliveries failed")
    time.sleep(0.3)
    recs = r.read()
    assert len(by_path(recs, "/nr")) == 1, "404 is not retried"
    five = by_path(recs, "/five")
    assert len(five) == 3, len(five)
    assert [x["headers"]["x-wagate-attempt"] for x in five] == ["1", "2", "3"]
    assert len({x["headers"]["x-wagate-delivery"] for x in five}) == 1
    lst, total = ipc.failed("five1")
    assert total == 1 and lst[0]["attempts"] == 3 and lst[0]["last_status"] == 500, lst
    assert lst[0]["state"] == "failed" and lst[0]["event"] == "instance.create"
    assert lst[0]["payload"]["instance"] == "five1" and lst[0]["source"] == "instance"
    nr, _ = ipc.failed("nr1")
    assert nr[0]["attempts"] == 1 and nr[0]["last_status"] == 404 and nr[0]["last_error"] == "HTTP 404"
    # the receiver is fixed; replay one by id, the other with "all"
    r.control(rules=[])
    assert ipc.retry("five1", [lst[0]["id"]]) == 1
    assert ipc.retry("nr1") == 1
    assert ipc.retry("nr1") == 0  # nothing failed any more (or already pending)
    r.wait_count(6)
    wgtest.wait_until(lambda: ipc.failed("five1")[1] == 0 and ipc.failed("nr1")[1] == 0, 5,
                      what="failed lists empty")
    last_five = by_path(r.read(), "/five")[-1]
    assert last_five["status"] == 200
    assert last_five["headers"]["x-wagate-delivery"] == lst[0]["id"]  # same delivery id
    assert last_five["headers"]["x-wagate-attempt"] == "1"


@case
def backoff_schedule(track):
    r = track(Receiver(WORK).start())
    r.control(rules=[{"prefix": "/b", "status": 503}])
    env = {"WEBHOOK_RETRY_INITIAL_DELAY_SECONDS": "0.2", "WEBHOOK_RETRY_MAX_DELAY_SECONDS": "0.5",
           "WEBHOOK_RETRY_JITTER_FACTOR": "0", "WEBHOOK_RETRY_MAX_ATTEMPTS": "5"}
    c = track(Connd(env).start())
    c.ipc().create("bo1", webhook=webhook_msg(r.url + "/b", events=["INSTANCE_CREATE"]))
    recs = r.wait_count(5, 10)
    t = [x["t"] for x in recs]
    gaps = [b - a for a, b in zip(t, t[1:])]
    want = [0.2, 0.4, 0.5, 0.5]  # 0.2 * 2^(n-1), capped at 0.5
    for g, w in zip(gaps, want):
        assert w - 0.02 <= g <= w + 0.25, (gaps, want)
    # fixed delay when exponential backoff is off
    r2 = track(Receiver(WORK).start())
    r2.control(rules=[{"prefix": "/", "status": 503}])
    env2 = dict(env, WEBHOOK_RETRY_USE_EXPONENTIAL_BACKOFF="false", WEBHOOK_RETRY_MAX_ATTEMPTS="4")
    c2 = track(Connd(env2).start())
    c2.ipc().create("bo2", webhook=webhook_msg(r2.url + "/b", events=["INSTANCE_CREATE"]))
    t2 = [x["t"] for x in r2.wait_count(4, 10)]
    for g in [b - a for a, b in zip(t2, t2[1:])]:
        assert 0.18 <= g <= 0.45, t2


@case
def hanging_destination_does_not_delay_others(track):
    r = track(Receiver(WORK).start())
    r.control(rules=[{"prefix": "/slow", "hang": True}])
    env = dict(FAST_RETRY, WEBHOOK_REQUEST_TIMEOUT_MS="4000", WEBHOOK_RETRY_MAX_ATTEMPTS="1")
    c = track(Connd(env).start())
    ipc = c.ipc()
    ipc.create("slow1", webhook=webhook_msg(r.url + "/slow", events=ALL_LIFECYCLE))
    t0 = time.time()
    for i in range(20):
        ipc.create("fast%d" % i, webhook=webhook_msg(r.url + "/fast", events=["INSTANCE_CREATE"]))
    fast = r.wait_count(20, 5, pred=lambda x: x["path"] == "/fast")
    assert time.time() - t0 < 3, "fast destination waited for the hanging one"
    assert events_of(fast) == [("instance.create", "fast%d" % i) for i in range(20)]
    # the hanging attempt times out and, with 1 attempt allowed, fails visibly
    lst = wgtest.wait_until(lambda: ipc.failed("slow1")[0], 10, what="timeout recorded")
    assert lst[0]["last_status"] is None and "timed out" in (lst[0]["last_error"] or ""), lst


@case
def receiver_down_then_back_in_order(track):
    port = wgtest.free_port()
    r = track(Receiver(WORK, port=port).start())
    c = track(Connd(dict(FAST_RETRY, WEBHOOK_RETRY_MAX_ATTEMPTS="1000")).start())
    ipc = c.ipc()
    names = ["down%d" % i for i in range(30)]
    ipc.create(names[0], webhook=webhook_msg(r.url + "/d", events=ALL_LIFECYCLE))
    r.wait_count(1)
    r.stop()
    for n in names[1:]:
        ipc.create(n, webhook=webhook_msg(r.url + "/d", events=ALL_LIFECYCLE))
    for n in names[:10]:
        ipc.delete(n)
    time.sleep(1.5)  # several failed attempts against a closed port
    r.start()
    want = [("instance.create", n) for n in names]
    for n in names[:10]:
        want += [("instance.delete", n), ("remove.instance", n)]
    recs = r.wait_count(len(want), 15)
    got = []
    for e in events_of(recs):  # first receipt of each event (at-least-once may repeat)
        if e not in got:
            got.append(e)
    assert got == want, (got[:12], want[:12])


@case
def https_bad_certificate_then_trusted_ca(track):
    if not shutil.which("openssl"):
        print("     (openssl CLI missing: https case skipped)")
        return
    cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = track(Receiver(WORK, tls=(cert, key)).start())
    c = track(Connd(dict(FAST_RETRY, WEBHOOK_RETRY_MAX_ATTEMPTS="1")).start())
    ipc = c.ipc()
    ipc.create("tls1", webhook=webhook_msg(r.url + "/t", events=["INSTANCE_CREATE"]))
    lst = wgtest.wait_until(lambda: ipc.failed("tls1")[0], 10, what="certificate failure")
    err = lst[0]["last_error"] or ""
    assert "certificate" in err.lower() or "ssl" in err.lower(), err
    assert r.read() == [], "a request passed an unverified certificate"
    assert "webhook delivery failed" in c.logs()
    c.stop()
    # the same receiver trusted through WAGATE_WEBHOOK_CA_FILE: the replay gets through
    c2 = track(Connd(dict(FAST_RETRY, WAGATE_WEBHOOK_CA_FILE=cert), workdir=c.dir).start())
    ipc2 = c2.ipc()
    assert ipc2.retry("tls1") == 1
    rec = r.wait_count(1, 10)[0]
    assert rec["json"]["instance"] == "tls1"


@case
def sigterm_during_attempt_keeps_the_delivery(track):
    r = track(Receiver(WORK).start())
    r.control(rules=[{"prefix": "/h", "hang": True, "times": 1}])
    c = track(Connd(dict(FAST_RETRY, WEBHOOK_REQUEST_TIMEOUT_MS="30000")).start())
    c.ipc().create("term1", webhook=webhook_msg(r.url + "/h", events=["INSTANCE_CREATE"]))
    first = r.wait_count(1)[0]
    t0 = time.time()
    assert c.stop(10) == 0
    assert time.time() - t0 < 5, "SIGTERM waited for the hanging receiver"
    c2 = track(Connd(workdir=c.dir, env=FAST_RETRY).start())
    recs = r.wait_count(2, 10)
    assert recs[1]["status"] == 200
    assert recs[1]["headers"]["x-wagate-delivery"] == first["headers"]["x-wagate-delivery"]
    c2.stop()


def main():
    if not os.path.exists(os.path.join(wgtest.build_dir(), "connd", "connd")):
        print("connd not built: skip")
        return 77
    only = sys.argv[1:]
    for fn in CASES:
        if not only or fn.__name__ in only:
            run_case(fn)
    failed = [name for name, err in RESULTS if err]
    shutil.rmtree(WORK, ignore_errors=True)
    print("%d passed, %d failed" % (len(RESULTS) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
