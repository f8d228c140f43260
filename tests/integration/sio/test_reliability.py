#!/usr/bin/python3
"""test_reliability.py: connd's Socket.IO endpoint under conditions real clients do not create on
demand, with the raw wire client of sio_wire.py (Python stdlib) behind lighttpd and directly:

  * WEBSOCKET_ALLOWED_HOSTS on the client address: through the proxy (X-Forwarded-For from a
    trusted proxy), directly with a forged X-Forwarded-For (believed only from trusted proxies);
  * the root namespace without WEBSOCKET_GLOBAL_EVENTS is refused ("namespace disabled");
  * a client that stops reading is disconnected once its queue passes WAGATE_SIO_QUEUE_MAX_BYTES,
    with a logged reason, while a reading client keeps receiving;
  * SIGTERM closes WebSocket clients with a close frame and connd exits 0.
Exit 0 pass, 1 fail, 77 lighttpd missing.
"""
import json
import os
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import stack  # noqa: E402
from sio_wire import sio_connect  # noqa: E402

results = {"passed": 0, "failed": 0}


def check(cond, what):
    results["passed" if cond else "failed"] += 1
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    return cond


def connect_reply(port, nsp, auth, headers=None):
    ws, reply = sio_connect(port, nsp, auth, headers=headers)
    return ws, reply or ""


def error_reason(reply):
    try:
        return json.loads(reply[reply.index("{"):]).get("data", {}).get("reason")
    except ValueError:
        return None


def log_text(st):
    with open(st.path("logs", "connd.log"), "rb") as f:
        return f.read().decode(errors="replace")


def main():
    env = {"WEBSOCKET_ENABLED": "true", "WEBSOCKET_ALLOWED_HOSTS": "10.9.9.9",
           "WAGATE_SIO_QUEUE_MAX_BYTES": "65536"}
    st = stack.Stack("lighttpd", connd_env=env, connd_args=["--test-hooks"])
    try:
        st.start()
    except stack.Skip as e:
        print("SKIP: %s" % e)
        return 77
    try:
        s, _, b = st.request("POST", "/instance/create", {"apikey": st.api_key},
                             {"instanceName": "rel", "integration": "WHATSAPP-BAILEYS"})
        tok = json.loads(b)["hash"]["apikey"]
        st.request("POST", "/websocket/set/rel", {"apikey": st.api_key},
                   {"websocket": {"enabled": True, "events": []}})
        auth = {"apikey": tok}

        # allowed hosts
        ws, r = connect_reply(st.port, "/rel", auth)
        check(r.startswith("44/rel,") and error_reason(r) == "host_not_allowed"
              and "127.0.0.1 is not in WEBSOCKET_ALLOWED_HOSTS" in r,
              "through lighttpd, 127.0.0.1 not allowed: %s" % r)
        ws.close()
        ws, r = connect_reply(st.sio_port, "/rel", auth, {"X-Forwarded-For": "10.9.9.9"})
        check(r.startswith("40/rel,"), "direct from a trusted proxy with XFF 10.9.9.9: %s" % r)
        ws.close()
        ws, r = connect_reply(st.sio_port, "/rel", {"apikey": "bad"},
                              {"X-Forwarded-For": "10.9.9.9"})
        check(error_reason(r) == "invalid_key", "allowed host still needs the key: %s" % r)
        ws.close()
        check("reason=host_not_allowed" in log_text(st), "refusals are logged with the reason")
        ws, r = connect_reply(st.sio_port, "/", {"apikey": st.api_key},
                              {"X-Forwarded-For": "10.9.9.9"})
        check(error_reason(r) == "namespace_disabled",
              "/ without WEBSOCKET_GLOBAL_EVENTS refused: %s" % r)
        ws.close()

        st.stop_connd()
        st.connd_extra_env.update({"WAGATE_TRUSTED_PROXIES": "192.0.2.1",
                                   "WEBSOCKET_ALLOWED_HOSTS": "10.9.9.9,127.0.0.1"})
        st.start_connd()
        ws, r = connect_reply(st.sio_port, "/rel", auth, {"X-Forwarded-For": "10.9.9.9"})
        check(r.startswith("40/rel,"), "untrusted peer: XFF ignored, 127.0.0.1 allowed: %s" % r)
        ws.close()
        st.stop_connd()
        st.connd_extra_env.update({"WAGATE_TRUSTED_PROXIES": "192.0.2.1",
                                   "WEBSOCKET_ALLOWED_HOSTS": "10.9.9.9"})
        st.start_connd()
        ws, r = connect_reply(st.sio_port, "/rel", auth, {"X-Forwarded-For": "10.9.9.9"})
        check(error_reason(r) == "host_not_allowed", "forged XFF from an untrusted peer: %s" % r)
        ws.close()
        st.stop_connd()
        del st.connd_extra_env["WAGATE_TRUSTED_PROXIES"]
        st.connd_extra_env["WEBSOCKET_ALLOWED_HOSTS"] = "*"
        st.start_connd()
        ws, r = connect_reply(st.port, "/rel", auth)
        check(r.startswith("40/rel,"), "* allows any address: %s" % r)
        ws.close()

        # slow client over the queue cap: bursts below the cap, a client that stops reading
        slow, r = sio_connect(st.sio_port, "/rel", auth, rcvbuf=4096)
        fast, r2 = connect_reply(st.sio_port, "/rel", auth)
        check(r.startswith("40/rel,") and r2.startswith("40/rel,"), "two clients connected")
        pub, r3 = connect_reply(st.sio_port, "/wagate-test", {"apikey": st.api_key})
        pad = "x" * 500
        got = 0
        slow_gone = False
        for i in range(400):
            pub.send('42/wagate-test,%d["publish",{"instance":"rel","event":"messages.upsert",'
                     '"count":20,"data":{"pad":"%s"}}]' % (i, pad))
            pub.recv_text(5, skip_pings=True)
            while True:  # the fast client reads everything
                kind, data = fast.recv(0.0)
                if kind != "text":
                    break
                got += 1
            if i % 10 == 9 and "slow socket.io client disconnected" in log_text(st):
                slow_gone = True
                break
        check(slow_gone, "a client that stops reading is disconnected with a logged reason")
        check(log_text(st).count("slow socket.io client disconnected") == 1,
              "only the slow client was disconnected")
        pub.send('42/wagate-test,999["publish",{"instance":"rel","event":"chats.update","data":[]}]')
        seen = False
        end = time.monotonic() + 5
        while time.monotonic() < end and not seen:
            kind, data = fast.recv(0.5)
            seen = kind == "text" and "chats.update" in (data or "")
        check(seen and got > 0, "the reading client keeps receiving (%d frames)" % got)
        slow.close()
        pub.close()

        # SIGTERM: clean close of the WebSocket clients
        while fast.recv(0.1)[0] not in (None, "close"):
            pass
        rc = st.terminate("connd")
        kind, code = fast.recv(3)
        while kind == "text":
            kind, code = fast.recv(3)
        check(kind == "close" and code in (1000, 1001),
              "SIGTERM: client got a close frame (%s %s)" % (kind, code))
        check(rc == 0, "connd exited 0 after SIGTERM (%s)" % rc)
        fast.close()
        bad = st.sanitizer_reports()
        check(not bad, "no sanitizer reports %s" % bad[:3])
    except Exception as e:
        import traceback
        traceback.print_exc()
        check(False, "suite raised %s" % e)
    finally:
        if results["failed"]:
            st.dump_logs(30)
        st.stop()
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
