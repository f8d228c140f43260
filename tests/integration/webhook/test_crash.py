#!/usr/bin/python3
"""Crash safety of webhook delivery: kill -9 connd in the middle of a burst of 10,000 events,
restart it on the same data, and check that every event whose request got a success reply is
delivered at least once, none lost, in order per destination. Repeated ROUNDS times (argv[1],
default 3), each on a fresh data directory with a different kill point.

Events are real: instances created and deleted over the IPC socket, pipelined in batches; the
global webhook (WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS=true) sends instance.create to
<receiver>/g/instance-create and instance.delete to <receiver>/g/instance-delete: two
destinations whose expected order is the request order. A request in flight at the kill may
or may not have produced its event (it was never acknowledged): such events are optional, but
when they arrive they must still be in order. Exit 0 pass, 1 fail, 77 skip.
"""
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgtest  # noqa: E402
from wgtest import Connd, Receiver, f_bytes  # noqa: E402

EVENTS = int(os.environ.get("WG_CRASH_EVENTS", "10000"))
BATCH = 100


def create_body(name):
    return f_bytes(1, name) + f_bytes(2, "WHATSAPP-BAILEYS")


def run_round(rnd, work):
    r = Receiver(work, quiet=True).start()
    env = {"WEBHOOK_GLOBAL_ENABLED": "true", "WEBHOOK_GLOBAL_URL": r.url + "/g",
           "WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS": "true", "WEBHOOK_EVENTS_INSTANCE_CREATE": "true",
           "WEBHOOK_EVENTS_INSTANCE_DELETE": "true", "WEBHOOK_RETRY_MAX_ATTEMPTS": "1000",
           "WEBHOOK_RETRY_INITIAL_DELAY_SECONDS": "0.05", "WEBHOOK_RETRY_MAX_DELAY_SECONDS": "0.2"}
    c = Connd(env, workdir=os.path.join(work, "r%d" % rnd))
    os.makedirs(c.dir, exist_ok=True)
    c.start()
    kill_at = random.randint(EVENTS * 3 // 10, EVENTS * 7 // 10)
    seq = {}          # (event, name) -> issue order
    acked = set()     # events whose request got a success reply
    killed = False
    n = 0
    t0 = time.time()
    try:
        ipc = c.ipc()
        while len(acked) < EVENTS:
            names = ["r%d-%d" % (rnd, n + i) for i in range(BATCH)]
            n += BATCH
            for phase, op in (("instance.create", wgtest.OP_CREATE),
                              ("instance.delete", wgtest.OP_DELETE)):
                ids = {}
                for name in names:
                    seq[(phase, name)] = len(seq)
                    if op == wgtest.OP_CREATE:
                        ids[ipc.send(op, create_body(name))] = name
                    else:
                        ids[ipc.send(op, b"", instance=name)] = name
                if not killed and len(acked) + BATCH >= kill_at:
                    # the batch is on its way: kill connd while it works on it
                    time.sleep(random.uniform(0, 0.01))
                    c.kill9()
                    killed = True
                    kill_acked = len(acked)
                    ipc.close()
                    c.start()
                    ipc = c.ipc()
                    break
                for _ in ids:
                    rid, field, _msg = ipc.recv()
                    if field in (wgtest.R_INSTANCE, wgtest.R_DONE):
                        acked.add((phase, ids[rid]))
                    else:
                        raise AssertionError("request failed: %r %r" % (field, _msg))
        burst_s = time.time() - t0

        def complete():
            got = {(rec["body_json"]["event"], rec["body_json"]["instance"]) for rec in recs()}
            return acked <= got
        cache = {"n": 0, "list": []}

        def recs():
            rs = r.read()
            for rec in rs[cache["n"]:]:
                rec["body_json"] = rec.get("json") or wgtest.json.loads(rec["body"])
                cache["list"].append(rec)
            cache["n"] = len(rs)
            return cache["list"]
        wgtest.wait_until(complete, 60, step=0.2, what="every acknowledged event")
        deliver_s = time.time() - t0
        # order per destination: first receipts follow the request order
        records = recs()
        dup = 0
        for dest, event in (("/g/instance-create", "instance.create"),
                            ("/g/instance-delete", "instance.delete")):
            seen, last = set(), -1
            for rec in records:
                if rec["path"] != dest:
                    continue
                key = (rec["body_json"]["event"], rec["body_json"]["instance"])
                assert key[0] == event, (dest, key)
                if key in seen:
                    dup += 1
                    continue
                seen.add(key)
                assert seq[key] > last, "out of order at %s: %r" % (dest, key)
                last = seq[key]
        print("round %d: killed after %d acked events; %d acked in all, %d requests sent; "
              "%d received (%d duplicates); burst %.1fs, all delivered after %.1fs"
              % (rnd, kill_acked, len(acked), len(seq), len(records), dup, burst_s, deliver_s),
              flush=True)
    finally:
        c.cleanup()
        r.stop()


def main():
    if not os.path.exists(os.path.join(wgtest.build_dir(), "connd", "connd")):
        print("connd not built: skip")
        return 77
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    work = tempfile.mkdtemp(prefix="wgcrash")
    try:
        for rnd in range(rounds):
            run_round(rnd, work)
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
