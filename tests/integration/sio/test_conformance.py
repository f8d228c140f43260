#!/usr/bin/python3
"""test_conformance.py TARGET: our own socket-level tests for every behaviour the official
Engine.IO (24 cases) and Socket.IO (32 cases) compliance suites check (spec socketio-and-proxy.md
§3.2, §3.3), against `connd --sio-conformance` over real TCP.

TARGET direct:   connd --sio-conformance on a free port; the Engine.IO cases on /engine.io/ (raw
                 echo server) and the Socket.IO suite's 16 Engine.IO + 16 Socket.IO cases on
                 /socket.io/.
TARGET lighttpd | apache: the same server on the stack's WAGATE_SIO_PORT behind the front
                 (which proxies only /socket.io/): the Socket.IO suite's 32 cases through it.
Exit 0 all passed, 1 a failure, 77 a tool is missing. Written from the spec, not from the suites.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import stack  # noqa: E402
from sio_wire import SEP, WebSocket, http, polling_open, sio_connect, ws_open  # noqa: E402

OPEN_KEYS = {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}
results = {"passed": 0, "failed": 0}


def case(name):
    def wrap(fn):
        fn.case_name = name
        return fn
    return wrap


def run(fn, *args):
    label = "%s [%s]" % (fn.case_name, args[1] if len(args) > 1 else "")
    try:
        fn(*args)
        results["passed"] += 1
        print("ok   %s" % label)
    except Exception as e:  # a failed case must not stop the others
        results["failed"] += 1
        print("FAIL %s: %s: %s" % (label, type(e).__name__, e))


def eq(a, b, what):
    if a != b:
        raise AssertionError("%s: got %r, expected %r" % (what, a, b))


def true(c, what):
    if not c:
        raise AssertionError(what)


def err400(r, what, code=None):
    true(r.status in (400, 403), "%s: status %r, expected 400" % (what, r.status))
    if code is not None and r.status == 400:
        eq(r.json().get("code"), code, what + " code")


# ---------------------------------------------------------------- Engine.IO cases (§3.2)

@case("E1 polling handshake: open packet keys and values")
def e_handshake(port, base):
    sid, pkt, r = polling_open(port, base)
    eq(set(pkt), OPEN_KEYS, "open packet keys")
    eq(pkt["upgrades"], ["websocket"], "upgrades")
    eq((pkt["pingInterval"], pkt["pingTimeout"], pkt["maxPayload"]), (300, 200, 1000000), "timings")
    true(r.headers.get("content-type", "").startswith("text/plain"), "content-type text/plain")
    true(isinstance(sid, str) and sid, "sid is a string")


@case("E2 invalid EIO (missing, abc, 3) -> 400 code 5")
def e_bad_eio(port, base):
    for q in ("transport=polling", "EIO=abc&transport=polling", "EIO=3&transport=polling"):
        err400(http(port, "GET", "%s?%s" % (base, q)), q, 5)


@case("E3 invalid transport (missing, abc) -> 400 code 0")
def e_bad_transport(port, base):
    for q in ("EIO=4", "EIO=4&transport=abc"):
        err400(http(port, "GET", "%s?%s" % (base, q)), q, 0)


@case("E4 POST and PUT without sid -> 400")
def e_bad_method(port, base):
    err400(http(port, "POST", base + "?EIO=4&transport=polling", body=""), "POST")
    err400(http(port, "PUT", base + "?EIO=4&transport=polling", body=""), "PUT")


@case("E5 websocket handshake: open packet with upgrades []")
def e_ws_handshake(port, base):
    ws, pkt = ws_open(port, base)
    eq(set(pkt), OPEN_KEYS, "open packet keys")
    eq(pkt["upgrades"], [], "upgrades")
    ws.close()


@case("E6 websocket with invalid EIO is refused")
def e_ws_bad_eio(port, base):
    ws = WebSocket(port, base + "?EIO=abc&transport=websocket")
    true(not ws.upgraded or ws.wait_closed(1), "no working session (%s)" % ws.status_line)
    ws.close()


@case("E7 websocket with invalid transport is refused")
def e_ws_bad_transport(port, base):
    ws = WebSocket(port, base + "?EIO=4&transport=abc")
    true(not ws.upgraded or ws.wait_closed(1), "no working session (%s)" % ws.status_line)
    ws.close()


def poll(port, base, sid, timeout=3.0):
    return http(port, "GET", "%s?EIO=4&transport=polling&sid=%s" % (base, sid), timeout=timeout)


def post(port, base, sid, body, ctype="text/plain;charset=UTF-8"):
    return http(port, "POST", "%s?EIO=4&transport=polling&sid=%s" % (base, sid), body=body,
                headers={"Content-Type": ctype})


@case("E8 polling: one text packet echoed")
def e_poll_echo(port, base):
    sid, _, _ = polling_open(port, base)
    r = post(port, base, sid, "4hello")
    eq((r.status, r.text), (200, "ok"), "POST answer")
    eq(poll(port, base, sid).text, "4hello", "GET body")


@case("E9 polling: three packets echoed in one body")
def e_poll_three(port, base):
    sid, _, _ = polling_open(port, base)
    post(port, base, sid, SEP.join(["4test1", "4test2", "4test3"]))
    eq(poll(port, base, sid).text, SEP.join(["4test1", "4test2", "4test3"]), "GET body")


@case("E10 polling: text and base64 binary echoed verbatim")
def e_poll_binary(port, base):
    sid, _, _ = polling_open(port, base)
    post(port, base, sid, "4hello" + SEP + "bAQIDBA==")
    eq(poll(port, base, sid).text, "4hello" + SEP + "bAQIDBA==", "GET body")


@case("E11 polling: invalid packet closes the session")
def e_poll_invalid(port, base):
    sid, _, _ = polling_open(port, base)
    r = post(port, base, sid, "abc")
    true(r.status in (400, None), "POST abc: %r" % r)
    err400(poll(port, base, sid), "GET after", 1)


def parked_get(port, base, sid):
    """Starts a GET in a thread; returns a function that waits for its result."""
    import threading
    box = {}
    t = threading.Thread(target=lambda: box.update(r=poll(port, base, sid, 5)), daemon=True)
    t.start()
    time.sleep(0.05)

    def wait():
        t.join(5)
        return box.get("r")
    return wait


@case("E12 polling: duplicate GET -> 400, the first gets 1, then the session is gone")
def e_poll_dup(port, base):
    sid, _, _ = polling_open(port, base)
    first = parked_get(port, base, sid)
    time.sleep(0.005)
    r2 = http(port, "GET", "%s?EIO=4&transport=polling&sid=%s&t=burst" % (base, sid))
    true(r2.status in (400, 500), "second GET %r" % r2)
    r1 = first()
    eq((r1.status, r1.text), (200, "1"), "first GET")
    err400(poll(port, base, sid), "GET after")


@case("E13 websocket: text echoed")
def e_ws_echo(port, base):
    ws, _ = ws_open(port, base)
    ws.send("4hello")
    eq(ws.recv_text(2, skip_pings=True), "4hello", "echo")
    ws.close()


@case("E14 websocket: binary frame echoed as binary")
def e_ws_binary(port, base):
    ws, _ = ws_open(port, base)
    ws.send_binary(b"\x01\x02\x03\x04")
    while True:
        kind, data = ws.recv(2)
        if kind == "text" and data == "2":
            continue
        break
    eq((kind, data), ("binary", b"\x01\x02\x03\x04"), "echo")
    ws.close()


@case("E15 websocket: invalid packet closes")
def e_ws_invalid(port, base):
    ws, _ = ws_open(port, base)
    ws.send("abc")
    true(ws.wait_closed(1), "server closed the websocket")
    ws.close()


@case("E16 polling heartbeat: ping held in GET, pong accepted, x3")
def e_poll_heartbeat(port, base):
    sid, _, _ = polling_open(port, base)
    for i in range(3):
        r = poll(port, base, sid)
        eq((r.status, r.text), (200, "2"), "ping %d" % i)
        eq(post(port, base, sid, "3").status, 200, "pong %d" % i)


@case("E17 polling heartbeat: no pong -> session gone at +500 ms")
def e_poll_timeout(port, base):
    sid, _, _ = polling_open(port, base)
    time.sleep(0.5)
    r = poll(port, base, sid)
    if r.status == 200 and r.text == "2":
        # the suite's own race: the GET left at +500 ms and met the ping queued at +300 ms;
        # the session must still be gone a moment later (proxies and sanitizers add latency)
        time.sleep(0.06)
        r = poll(port, base, sid)
    err400(r, "GET after timeout", 1)


@case("E18 websocket heartbeat: ping/pong x3")
def e_ws_heartbeat(port, base):
    ws, _ = ws_open(port, base)
    for i in range(3):
        eq(ws.recv_text(1), "2", "ping %d" % i)
        ws.send("3")
    ws.close()


@case("E19 websocket heartbeat: no pong -> closed")
def e_ws_timeout(port, base):
    ws, _ = ws_open(port, base)
    true(ws.wait_closed(1.5), "closed after the ping timeout")
    ws.close()


@case("E20 polling close: pending GET answered 6, then session gone")
def e_poll_close(port, base):
    sid, _, _ = polling_open(port, base)
    first = parked_get(port, base, sid)
    eq(post(port, base, sid, "1").status, 200, "POST 1")
    r = first()
    eq((r.status, r.text), (200, "6"), "pending GET")
    err400(poll(port, base, sid), "GET after")


@case("E21 websocket close: client 1 -> closed")
def e_ws_close(port, base):
    ws, _ = ws_open(port, base)
    ws.send("1")
    true(ws.wait_closed(1.5), "closed")
    ws.close()


@case("E22 upgrade: probe, noop to polling, 5, then messages on websocket")
def e_upgrade(port, base, echo=True):
    sid, _, _ = polling_open(port, base)
    ws = WebSocket(port, "%s?EIO=4&transport=websocket&sid=%s" % (base, sid))
    true(ws.upgraded, "101 (%s)" % ws.status_line)
    ws.send("2probe")
    eq(ws.recv_text(2), "3probe", "probe answer")
    r = poll(port, base, sid)
    eq((r.status, r.text), (200, "6"), "polling GET during upgrade")
    ws.send("5")
    if echo:
        ws.send("4hello")
        eq(ws.recv_text(2, skip_pings=True), "4hello", "echo over websocket")
    ws.close()


@case("E23 upgrade back-to-back: polling refused afterwards")
def e_upgrade_fast(port, base, echo=True):
    sid, _, _ = polling_open(port, base)
    ws = WebSocket(port, "%s?EIO=4&transport=websocket&sid=%s" % (base, sid))
    ws.send("2probe")
    ws.send("5")
    eq(ws.recv_text(2), "3probe", "probe answer")
    time.sleep(0.05)
    err400(poll(port, base, sid), "polling GET after upgrade")
    if echo:
        ws.send("4hello")
        eq(ws.recv_text(2, skip_pings=True), "4hello", "echo over websocket")
    ws.close()


@case("E24 second websocket with the same sid: 101 then closed")
def e_second_ws(port, base):
    sid, _, _ = polling_open(port, base)
    ws = WebSocket(port, "%s?EIO=4&transport=websocket&sid=%s" % (base, sid))
    ws.send("2probe")
    ws.send("5")
    eq(ws.recv_text(2), "3probe", "probe answer")
    time.sleep(0.05)
    ws2 = WebSocket(port, "%s?EIO=4&transport=websocket&sid=%s" % (base, sid))
    true(ws2.upgraded, "second websocket completes the 101 (%s)" % ws2.status_line)
    true(ws2.wait_closed(1), "then it is closed")
    ws.close()
    ws2.close()


# ---------------------------------------------------------------- Socket.IO cases (§3.3)

def sio(port, nsp="/", auth=None):
    ws, reply = sio_connect(port, nsp, auth)
    return ws, reply


def sid_of(reply, prefix):
    true(reply and reply.startswith(prefix), "CONNECT reply %r starts with %r" % (reply, prefix))
    body = json.loads(reply[len(prefix):])
    eq(set(body), {"sid"}, "CONNECT reply keys")
    return body["sid"]


@case("S1 connect to / without auth")
def s_connect_main(port, base):
    ws, reply = sio(port)
    sid_of(reply, "40")
    eq(ws.recv_text(2, skip_pings=True), '42["auth",{}]', "auth event")
    ws.close()


@case("S2 connect to / with auth")
def s_connect_auth(port, base):
    ws, reply = sio(port, "/", {"token": "123"})
    sid_of(reply, "40")
    eq(ws.recv_text(2, skip_pings=True), '42["auth",{"token":"123"}]', "auth event")
    ws.close()


@case("S3 connect to /custom without auth")
def s_connect_custom(port, base):
    ws, reply = sio(port, "/custom")
    sid_of(reply, "40/custom,")
    eq(ws.recv_text(2, skip_pings=True), '42/custom,["auth",{}]', "auth event")
    ws.close()


@case("S4 connect to /custom with auth")
def s_connect_custom_auth(port, base):
    ws, reply = sio(port, "/custom", {"token": "abc"})
    sid_of(reply, "40/custom,")
    eq(ws.recv_text(2, skip_pings=True), '42/custom,["auth",{"token":"abc"}]', "auth event")
    ws.close()


@case("S5 unknown namespace -> exact CONNECT_ERROR, connection kept")
def s_connect_invalid(port, base):
    ws, _ = ws_open(port, base)
    ws.send("40/random")
    eq(ws.recv_text(2, skip_pings=True), '44/random,{"message":"Invalid namespace"}', "error")
    ws.send("40")
    true((ws.recv_text(2, skip_pings=True) or "").startswith("40{"), "still usable")
    ws.close()


@case("S6 invalid first packet -> closed")
def s_invalid_first(port, base):
    ws, _ = ws_open(port, base)
    ws.send("4abc")
    true(ws.wait_closed(1.5), "closed")
    ws.close()


@case("S7 no CONNECT -> closed (connect timeout)")
def s_no_connect(port, base):
    ws, _ = ws_open(port, base)
    # answer pings so only the connect timeout (1000 ms) can close it
    deadline = time.monotonic() + 2.0
    closed = False
    while time.monotonic() < deadline and not closed:
        kind, data = ws.recv(0.2)
        if kind == "text" and data == "2":
            ws.send("3")
        closed = kind == "close"
    true(closed, "closed within 2 s")
    ws.close()


def connected_main(port):
    ws, reply = sio(port)
    sid_of(reply, "40")
    eq(ws.recv_text(2, skip_pings=True), '42["auth",{}]', "auth event")
    return ws


@case("S8 disconnect from /: next frame is the ping")
def s_disconnect(port, base):
    ws = connected_main(port)
    ws.send("41")
    eq(ws.recv_text(1), "2", "next frame")
    ws.close()


@case("S9 connect/disconnect /custom then message on / (within pingTimeout)")
def s_multiplex(port, base):
    ws = connected_main(port)
    eq(ws.recv_text(1), "2", "ping")  # never answered: 200 ms from here
    ws.send("40/custom")
    sid_of(ws.recv_text(1), "40/custom,")
    eq(ws.recv_text(1), '42/custom,["auth",{}]', "auth on /custom")
    ws.send("41/custom")
    ws.send('42["message","message to main namespace"]')
    eq(ws.recv_text(1), '42["message-back","message to main namespace"]', "reply on /")
    ws.close()


@case("S10 event with plain arguments echoed")
def s_event(port, base):
    ws = connected_main(port)
    ws.send('42["message",1,"2",{"3":[true]}]')
    eq(ws.recv_text(2, skip_pings=True), '42["message-back",1,"2",{"3":[true]}]', "echo")
    ws.close()


def recv_binaries(ws, n):
    out = []
    while len(out) < n:
        kind, data = ws.recv(2)
        if kind == "text" and data == "2":
            continue
        eq(kind, "binary", "attachment frame")
        out.append(data)
    return out


@case("S11 binary event echoed with attachments in order")
def s_binary_event(port, base):
    ws = connected_main(port)
    ws.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]')
    ws.send_binary(b"\x01\x02\x03")
    ws.send_binary(b"\x04\x05\x06")
    eq(ws.recv_text(2, skip_pings=True),
       '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', "header")
    eq(recv_binaries(ws, 2), [b"\x01\x02\x03", b"\x04\x05\x06"], "attachments")
    ws.close()


@case("S12 event with ack")
def s_ack(port, base):
    ws = connected_main(port)
    ws.send('42456["message-with-ack",1,"2",{"3":[false]}]')
    eq(ws.recv_text(2, skip_pings=True), '43456[1,"2",{"3":[false]}]', "ack")
    ws.close()


@case("S13 binary event with ack -> binary ack")
def s_binary_ack(port, base):
    ws = connected_main(port)
    ws.send('452-789["message-with-ack",{"_placeholder":true,"num":0},'
            '{"_placeholder":true,"num":1}]')
    ws.send_binary(b"\x01\x02\x03")
    ws.send_binary(b"\x04\x05\x06")
    eq(ws.recv_text(2, skip_pings=True),
       '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', "header")
    eq(recv_binaries(ws, 2), [b"\x01\x02\x03", b"\x04\x05\x06"], "attachments")
    ws.close()


@case("S14 invalid packet 4abc after connect -> closed")
def s_invalid_after(port, base):
    ws = connected_main(port)
    ws.send("4abc")
    true(ws.wait_closed(1.5), "closed")
    ws.close()


@case("S15 event payload not an array (42{}) -> closed")
def s_invalid_payload(port, base):
    ws = connected_main(port)
    ws.send("42{}")
    true(ws.wait_closed(1.5), "closed")
    ws.close()


@case("S16 invalid ack id (42abc[...]) -> closed")
def s_invalid_ack(port, base):
    ws = connected_main(port)
    ws.send('42abc["message-with-ack",1,"2",{"3":[false]}]')
    true(ws.wait_closed(1.5), "closed")
    ws.close()


ENGINE_CASES = [e_handshake, e_bad_eio, e_bad_transport, e_bad_method, e_ws_handshake, e_ws_bad_eio,
                e_ws_bad_transport, e_poll_echo, e_poll_three, e_poll_binary, e_poll_invalid,
                e_poll_dup, e_ws_echo, e_ws_binary, e_ws_invalid, e_poll_heartbeat, e_poll_timeout,
                e_ws_heartbeat, e_ws_timeout, e_poll_close, e_ws_close, e_upgrade, e_upgrade_fast,
                e_second_ws]
# the Socket.IO suite's Engine.IO part: no message echo (there is no echo server there)
SIO_ENGINE_CASES = [e_handshake, e_bad_eio, e_bad_transport, e_bad_method, e_ws_handshake,
                    e_ws_bad_eio, e_ws_bad_transport, e_poll_heartbeat, e_poll_timeout,
                    e_ws_heartbeat, e_ws_timeout, e_poll_close, e_ws_close, e_upgrade,
                    e_upgrade_fast, e_second_ws]
SIO_CASES = [s_connect_main, s_connect_auth, s_connect_custom, s_connect_custom_auth,
             s_connect_invalid, s_invalid_first, s_no_connect, s_disconnect, s_multiplex, s_event,
             s_binary_event, s_ack, s_binary_ack, s_invalid_after, s_invalid_payload, s_invalid_ack]


def start_conformance(port, logpath):
    connd = os.path.join(stack.build_dir(), "connd", "connd")
    log = open(logpath, "ab")
    p = subprocess.Popen([connd, "--sio-conformance", str(port)], stdout=log,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    for _ in range(100):
        r = http(port, "GET", "/socket.io/?EIO=4&transport=polling", timeout=1)
        if r.status == 200:
            return p
        time.sleep(0.05)
    p.kill()
    raise stack.StackError("connd --sio-conformance did not answer on %d" % port)


def stop_conformance(p, logpath):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "killed"
    with open(logpath, "rb") as f:
        log = f.read().decode(errors="replace")
    bad = [l for l in log.splitlines() if "Sanitizer" in l or "runtime error:" in l]
    if rc != 0 or bad:
        results["failed"] += 1
        print("FAIL conformance server exit %s\n%s" % (rc, "\n".join(bad or log.splitlines()[-20:])))


def main(argv):
    target = argv[1] if len(argv) > 1 else "direct"
    import tempfile
    logdir = tempfile.mkdtemp(prefix="wgsio")
    logpath = os.path.join(logdir, "conformance.log")
    if target == "direct":
        port = stack.free_port()
        p = start_conformance(port, logpath)
        try:
            for fn in ENGINE_CASES:
                run(fn, port, "/engine.io/")
            for fn in SIO_ENGINE_CASES:
                run(_noecho(fn) if fn in (e_upgrade, e_upgrade_fast) else fn, port,
                    "/socket.io/")
            for fn in SIO_CASES:
                run(fn, port, "/socket.io/")
        finally:
            stop_conformance(p, logpath)
    else:
        st = stack.Stack(target)
        try:
            st.start()
        except stack.Skip as e:
            print("SKIP: %s" % e)
            return 77
        try:
            p = start_conformance(st.sio_port, logpath)
            try:
                for fn in SIO_ENGINE_CASES:
                    run(_noecho(fn) if fn in (e_upgrade, e_upgrade_fast) else fn, st.port,
                        "/socket.io/")
                for fn in SIO_CASES:
                    run(fn, st.port, "/socket.io/")
            finally:
                stop_conformance(p, logpath)
            bad = st.sanitizer_reports()
            if bad:
                results["failed"] += 1
                print("FAIL sanitizer reports:\n" + "\n".join(bad))
        finally:
            st.stop()
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


def _noecho(fn):
    def wrapped(port, base):
        fn(port, base, echo=False)
    wrapped.case_name = fn.case_name
    return wrapped


if __name__ == "__main__":
    sys.exit(main(sys.argv))
