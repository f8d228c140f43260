#!/usr/bin/python3
"""The network loop's pause (WAGATE_LOOP_COALESCE_US, connd/core/loop.c): connd logged in to
crabline's WhatsApp Web server (offline_peer.py), a burst of inbound messages, once with a long
pause and once with none.

What is proved:
  * with a pause of P microseconds the loop thread wakes at most about once per P: during the
    burst it sleeps (voluntary context switches of connd's main thread, /proc) at most twice per
    turn (poll() and the pause), and between two turn ends lie at least P (a pause, or the quiet
    that makes a turn go unpaused), so at most 2 * (elapsed / P + 2) + slack times, far fewer
    than once per message;
  * only a stream is paused: with the same P (100 ms), an isolated REST request whose answer
    needs the store worker (findMessages) after a quiet longer than P is answered well within P
    (the fastest of 5 under 60 ms), where pausing after every turn would hold the worker's
    completion, hence the answer, for a whole P;
  * nothing is lost or doubled by it: every message of both bursts is receipted (counted by the
    server) and stored exactly once (SQLite, read-only);
  * the pause is bounded: a value over 100000 makes connd refuse to start, naming the variable.
The switch counts of both runs are printed for information (the run with no pause is not
asserted against: how often an unpaused loop wakes depends on the machine's load).
Exit 77 when node/npm or lighttpd is missing."""
import os
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402
import offline_peer  # noqa: E402
from offline_peer import rest, state_of  # noqa: E402
from wasim import wait_for  # noqa: E402

stack = wasim.stack
FAILS = []
NAME = "co1"
N = 300           # messages per burst
PAUSE_US = 100000  # the long pause of the first run (100 ms, the largest allowed)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def loop_sleeps(pid):
    """Voluntary context switches of connd's main (loop) thread so far."""
    with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise RuntimeError("no voluntary_ctxt_switches for %d" % pid)


def stored(st, prefix):
    """{key id: rows} of the stored inbound messages whose id starts with prefix (read-only)."""
    db = sqlite3.connect("file:%s?mode=ro" % st.path("data", "wagate.db"), uri=True, timeout=10)
    try:
        rows = db.execute("SELECT key_id, count(*) FROM message WHERE from_me = 0 AND key_id LIKE ?"
                          " GROUP BY key_id", (prefix + "%",)).fetchall()
    finally:
        db.close()
    return dict(rows)


def burst(st, peer, prefix, pause_us):
    """Starts connd with this pause, injects N messages at once, waits for all N receipts.
    Returns (loop sleeps during the burst, seconds)."""
    st.wa_env["WAGATE_LOOP_COALESCE_US"] = str(pause_us)
    st.start_connd()
    wait_for(NAME + " open on crabline", lambda: state_of(st, NAME) == "open", 15)
    time.sleep(0.5)  # the login's own traffic (pre-key count, presence) is over
    pid = st.procs["connd"].pid
    peer.call("POST", "/reset-counters", {})
    ids = ["%s%016X" % (prefix, i) for i in range(N)]
    s0, t0 = loop_sleeps(pid), time.monotonic()
    peer.inject(ids, text="coalesce")
    done = wait_for("%d receipts" % N, lambda: peer.state()["receipts"] >= N, 60, step=0.005)
    s1, t1 = loop_sleeps(pid), time.monotonic()
    check(bool(done), "pause %d us: the server counted a receipt for each of the %d messages"
          % (pause_us, N))
    rows = stored(st, prefix)
    check(len(rows) == N and all(c == 1 for c in rows.values()),
          "pause %d us: every message stored exactly once (%d distinct, max %d rows)"
          % (pause_us, len(rows), max(rows.values()) if rows else 0))
    if pause_us:
        isolated_requests(st, pause_us)
    st.stop_connd()
    return s1 - s0, t1 - t0


def isolated_requests(st, pause_us):
    """5 findMessages, each after a quiet longer than the pause: the fastest answers well
    within the pause (no pause after a turn that follows a quiet)."""
    times = []
    for _ in range(5):
        time.sleep(2.5 * pause_us / 1e6)
        t = time.monotonic()
        s, doc = rest(st, "POST", "/chat/findMessages/" + NAME, {"where": {"key": {"fromMe": False}},
                                                                "limit": 1})
        times.append(time.monotonic() - t)
        check(s == 200 and (doc or {}).get("messages", {}).get("total", 0) >= N,
              "findMessages -> %s with the burst's messages" % s)
    best = min(times) * 1000
    print("isolated findMessages with a %d ms pause: %s ms" % (pause_us // 1000,
                                                              " ".join("%.1f" % (x * 1000) for x in times)))
    check(best < 60, "an isolated request is not held by the %d ms pause: fastest of 5 in %.1f ms"
          % (pause_us // 1000, best))


def refuses_bad_value(st):
    """connd with WAGATE_LOOP_COALESCE_US=100001 exits at start-up; returns (the error names
    the variable, its last line)."""
    st.wa_env["WAGATE_LOOP_COALESCE_US"] = "100001"
    try:
        st.start_connd(deadline_s=5)
    except stack.StackError as e:
        text = str(e)
        return "WAGATE_LOOP_COALESCE_US" in text, text.strip().splitlines()[-1][:160]
    st.stop_connd()
    return False, "connd started"


def main():
    sim = peer = st = None
    try:
        tmp = tempfile.mkdtemp(prefix="wgcoal", dir="/tmp")
        sim = wasim.Sim(tmp, refs=6)  # raises Skip without node/npm
        peer = offline_peer.OfflinePeer(tmp, sim.node)
        env = {"WA_SERVER_URL": sim.ws_url, "WA_ROOT_KEY": sim.root_key, "WA_CERT_CHECK": "on",
               "WAGATE_CONNECT_WAIT_MS": "4000"}
        st = wasim.WaStack(env, front="lighttpd", log_level="info")
        st.start()
        offline_peer.link_then_use(st, sim, NAME, offline_peer.offline_env(peer))

        sleeps, secs = burst(st, peer, "3EB0A1", PAUSE_US)
        bound = 2 * (secs * 1e6 / PAUSE_US + 2) + 20
        print("pause %d us: %d messages in %.2f s, loop thread slept %d times (bound %.0f)"
              % (PAUSE_US, N, secs, sleeps, bound))
        check(sleeps <= bound and sleeps < N / 2,
              "with a %d ms pause the loop woke at most ~once per pause: %d sleeps for %d messages"
              " in %.2f s (bound %.0f)" % (PAUSE_US // 1000, sleeps, N, secs, bound))

        sleeps0, secs0 = burst(st, peer, "3EB0A0", 0)
        print("no pause: %d messages in %.2f s, loop thread slept %d times (information)"
              % (N, secs0, sleeps0))

        ok, why = refuses_bad_value(st)
        check(ok, "WAGATE_LOOP_COALESCE_US=100001: connd refuses to start, naming it (%s)" % why)
    except stack.Skip as e:
        print("SKIP:", e)
        return 77
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        check(False, "test crashed: %s" % e)
        if st:
            st.dump_logs(30)
    finally:
        wasim.stop_all(st, peer, sim)
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
