#!/usr/bin/python3
"""The WhatsApp link lifecycle seen by real Socket.IO clients (issues 3 + 5), end to end: Debian's
python3-socketio connects through lighttpd to the instance namespace (Evolution's dialect) and to
/api/events (the Baileys dialect, subscribed), while the REST API links an instance to our
simulator (tests/wa/sim, WA_CERT_CHECK=on with its test root) by QR, and then logs it out.

Checked on the wire, with Evolution's envelope: qrcode.updated with the QR code and a PNG data
URL, connection.update connecting -> open (wuid, profileName, statusReason 200) -> close on
logout; on /api/events: auth.qr {qr, base64}, connection.update {qr}, connection.update
{connection: open}, then close with lastDisconnect. Exit 77 without node/npm, lighttpd or
python3-socketio. Prints 'N passed, N failed'."""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402
from suite import FAILS, PASSED, Listener, check, rest  # noqa: E402

stack = wasim.stack
def main():
    try:
        import socketio  # noqa: F401
    except ImportError:
        print("skip: python3-socketio missing")
        return 77
    sim = st = None
    clients = []
    try:
        tmp = tempfile.mkdtemp(prefix="wgwe", dir="/tmp")
        try:
            sim = wasim.Sim(tmp, refs=6)
        except stack.Skip as e:
            print("skip:", e)
            return 77
        env = {"WA_SERVER_URL": sim.ws_url, "WA_ROOT_KEY": sim.root_key, "WA_CERT_CHECK": "on",
               "WAGATE_CONNECT_WAIT_MS": "4000", "WEBSOCKET_ENABLED": "true"}
        st = wasim.WaStack(env, front="lighttpd")
        missing = st.check_tools()
        if missing:
            print("skip: missing", missing)
            return 77
        st.start()
        s, created = rest(st, "POST", "/instance/create",
                          {"instanceName": "live", "integration": "WHATSAPP-BAILEYS",
                           "websocket": {"enabled": True, "events": []}})
        check(s == 201, "create with websocket enabled -> 201")
        token = created["hash"]["apikey"] if s == 201 else ""

        evo = Listener(st.base_url, "/live", {"apikey": token})
        clients.append(evo)
        api = Listener(st.base_url, "/api/events", {"token": token})
        clients.append(api)
        api.c.emit("subscribe", ["connection.update", "auth.qr"], namespace="/api/events")
        time.sleep(0.3)

        s, qr = rest(st, "GET", "/instance/connect/live")
        check(s == 200 and (qr or {}).get("count") == 1, "REST connect -> QR object")
        code = (qr or {}).get("code", "")

        upd = evo.find(lambda e, d: e == "qrcode.updated")
        check(upd is not None, "Evolution dialect: qrcode.updated arrived")
        if upd:
            check(set(upd) == {"event", "instance", "data", "server_url", "date_time", "sender",
                               "apikey"}, "envelope has exactly Evolution's seven keys")
            check(upd["instance"] == "live" and upd["apikey"] == token, "envelope instance and apikey")
            q = (upd.get("data") or {}).get("qrcode", {})
            check(q.get("code") == code, "qrcode.updated carries the same QR code as REST")
            check((q.get("base64") or "").startswith("data:image/png;base64,"),
                  "qrcode.updated carries the PNG data URL")
            check(len(upd["date_time"]) == 24 and upd["date_time"].endswith("Z"),
                  "date_time is UTC ISO-8601 with milliseconds")
        connecting = evo.find(lambda e, d: e == "connection.update"
                          and d["data"].get("state") == "connecting")
        check(connecting is not None, "Evolution dialect: connection.update connecting")
        aqr = api.find(lambda e, d: e == "auth.qr")
        check(aqr is not None and aqr.get("qr") == code and aqr.get("instance") == "live",
              "/api/events: auth.qr {qr, instance}")
        cqr = api.find(lambda e, d: e == "connection.update" and d.get("qr") == code)
        check(cqr is not None, "/api/events: connection.update {qr}")

        s, res = sim.call("POST", "/scan", {"qr": code})
        check(s == 200 and res.get("paired") is True, "simulator phone scanned the QR")
        opened = evo.find(lambda e, d: e == "connection.update"
                      and d["data"].get("state") == "open", timeout=15)
        check(opened is not None and opened["data"].get("wuid") == "15550001111@s.whatsapp.net"
              and opened["data"].get("statusReason") == 200
              and opened["data"].get("profileName") == "Sim Phone",
              "Evolution dialect: connection.update open with wuid, profileName, 200")
        check(opened is not None and opened.get("sender") == "15550001111@s.whatsapp.net",
              "envelope sender is the linked account once open")
        aopen = api.find(lambda e, d: e == "connection.update" and d.get("connection") == "open")
        check(aopen is not None, "/api/events: connection.update {connection: open}")

        s, _ = rest(st, "DELETE", "/instance/logout/live")
        check(s == 200, "REST logout -> 200")
        closed = evo.find(lambda e, d: e == "connection.update"
                      and d["data"].get("state") == "close")
        check(closed is not None and closed["data"].get("statusReason") == 401,
              "Evolution dialect: connection.update close 401 after logout")
        aclose = api.find(lambda e, d: e == "connection.update" and d.get("connection") == "close")
        check(aclose is not None and "lastDisconnect" in aclose,
              "/api/events: connection.update close with lastDisconnect")
    finally:
        for c in clients:
            c.stop()
        if st:
            st.stop()
        if sim:
            sim.stop()
    print("%d passed, %d failed" % (PASSED[0], len(FAILS)))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
