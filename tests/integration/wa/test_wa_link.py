#!/usr/bin/python3
"""WhatsApp linking and connection lifecycle end to end (issue 5), through the REST API behind
lighttpd, against our linking simulator (tests/wa/sim/wa-sim.mjs, on Baileys 7 primitives) with
WA_CERT_CHECK=on and the simulator's test root as WA_ROOT_KEY. Events are read from connd's event
log lines.

Covered: create -> connect -> QR events -> scan -> pair-device-sign -> 515 -> login -> open
(ownerJid, profileName, pre-key upload, keepalive pings) -> connd restart logs in from the
encrypted stored credentials without a QR -> setPresence -> server drop reconnects with backoff ->
515 restart -> logout removes the companion and stays close (also across a restart); 401
device_removed -> logged out, no reconnect; 440 replaced -> close, no reconnect war; pairing code
via create {qrcode:true, number}; QRCODE_LIMIT -> refused (428); restart route; delete.
Exit 77 when node/npm or lighttpd is missing."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402
from wasim import events, log_size, wait_for  # noqa: E402
import suite  # noqa: E402
from suite import check, create_instance, rest, state_of, wa_stack  # noqa: E402

stack = wasim.stack


def body(run):
    sim = run.add(wasim.Sim(run.tmp, refs=6))
    st = wa_stack(run, sim, log_level="debug",  # events() reads payloads from connd.log
                  WAGATE_QR_TIMEOUT_MS="1500", QRCODE_LIMIT="3", WAGATE_KEEPALIVE_MS="1000",
                  WAGATE_RECONNECT_MIN_MS="300", WAGATE_RECONNECT_MAX_MS="2000", WAGATE_CONNECT_WAIT_MS="4000")

    # ---------------------------------------------------------------- QR linking
    create_instance(st, "wa1")
    s, qr = rest(st, "GET", "/instance/connect/wa1")
    check(s == 200 and isinstance(qr, dict) and qr.get("count") == 1, "connect -> QR object count 1 (%s)" % (str(qr)[:120],))
    code = qr.get("code") or ""
    check(code.startswith("https://wa.me/settings/linked_devices#2@SIMREF1-") and code.endswith(",1"),
          "QR text: linked_devices URL, first ref, platform 1")
    check((qr.get("base64") or "").startswith("data:image/png;base64,iVBORw0KGgo"), "QR base64 is a PNG data URL")
    check(qr.get("pairingCode") is None, "QR flow: pairingCode null")
    check(wait_for("qrcode.updated", lambda: events(st, "qrcode.updated", "wa1")), "qrcode.updated emitted")
    check(any(d.get("state") == "connecting" for _, _, d in events(st, "connection.update", "wa1") if isinstance(d, dict)),
          "connection.update connecting emitted")
    check(state_of(st, "wa1") == "connecting", "connectionState connecting while linking")
    s, again = rest(st, "GET", "/instance/connect/wa1")
    check(s == 200 and again.get("code") == code, "connect while linking returns the current QR")
    s, res = sim.call("POST", "/scan", {"qr": code})
    check(s == 200 and res.get("paired") is True, "simulator phone scanned; pair-device-sign verified (%s)" % res)
    wait_for("wa1 open", lambda: state_of(st, "wa1") == "open")
    check(True, "wa1 open after 515 restart and login")
    opened = [d for _, _, d in events(st, "connection.update", "wa1") if isinstance(d, dict) and d.get("state") == "open"]
    check(opened and opened[-1].get("wuid") == "15550001111@s.whatsapp.net" and opened[-1].get("statusReason") == 200
          and opened[-1].get("profileName") == "Sim Phone", "connection.update open with wuid, profileName, 200")
    check(opened and opened[-1].get("profilePictureUrl") == "https://pps.whatsapp.net/sim/15550001111.jpg",
          "connection.update open carries profilePictureUrl (w:profile:picture)")
    s, rows = rest(st, "GET", "/instance/fetchInstances?instanceName=wa1")
    check(s == 200 and rows[0].get("ownerJid") == "15550001111@s.whatsapp.net" and rows[0].get("profileName") == "Sim Phone",
          "instance row has ownerJid and profileName")
    check(s == 200 and rows[0].get("profilePicUrl") == "https://pps.whatsapp.net/sim/15550001111.jpg",
          "instance row has profilePicUrl")
    sstate = wait_for("pre-keys and pings", lambda: (lambda x: x if x["stats"]["prekeysUploaded"] >= 812 and x["stats"]["pings"] >= 1 else None)(sim.state()), timeout=10)
    check(sstate["stats"]["prekeysUploaded"] >= 812, "812 pre-keys uploaded after success")
    check(sstate["stats"]["pings"] >= 1, "keepalive pings answered")
    s, doc = rest(st, "GET", "/instance/connect/wa1")
    check(s == 200 and doc == {"instance": {"instanceName": "wa1", "state": "open"}}, "connect when open -> open state")
    s, doc = rest(st, "POST", "/instance/setPresence/wa1", {"presence": "available"})
    check(s == 201 and doc == {"presence": "available"}, "setPresence available -> 201")
    wait_for("presence seen", lambda: "available" in sim.state()["stats"]["presences"])
    s, doc = rest(st, "POST", "/instance/setPresence/wa1", {"presence": "bogus"})
    check(s == 400, "setPresence with a bad value -> 400")
    secret = os.path.join(st.data_dir, "secret.key")
    check(os.path.exists(secret) and (os.stat(secret).st_mode & 0o777) == 0o600, "secret.key created 0600")

    # ---------------------------------------------------------------- connd restart: login from stored creds
    logins = sim.state()["stats"]["logins"]
    st.stop_connd()
    wait_for("sim sees the close", lambda: not sim.state()["online"])
    check(True, "SIGTERM closed the WhatsApp socket")
    off = log_size(st)
    st.start_connd()
    wait_for("wa1 open after restart", lambda: state_of(st, "wa1") == "open", timeout=20)
    check(sim.state()["stats"]["logins"] == logins + 1, "restart logged in again from stored credentials")
    check(not events(st, "qrcode.updated", "wa1", since=off), "no QR after restart")

    # ---------------------------------------------------------------- transient drop -> backoff reconnect
    off = log_size(st)
    logins = sim.state()["stats"]["logins"]
    sim.call("POST", "/drop", {"jid": "15550001111"})
    wait_for("reconnected after drop", lambda: sim.state()["stats"]["logins"] == logins + 1, timeout=15)
    wait_for("open after drop", lambda: state_of(st, "wa1") == "open")
    reasons = [d.get("statusReason") for _, _, d in events(st, "connection.update", "wa1", since=off) if isinstance(d, dict)]
    check(428 in reasons and reasons[-1] == 200, "drop: connecting with 428, then open 200 (%s)" % reasons)
    with open(st.path("logs", "connd.log")) as f:
        check("WhatsApp reconnect scheduled" in f.read()[off:], "reconnect went through the backoff scheduler")

    # ---------------------------------------------------------------- 515 restart required
    logins = sim.state()["stats"]["logins"]
    sim.call("POST", "/stream-error", {"jid": "15550001111", "code": 515})
    wait_for("reconnect after 515", lambda: sim.state()["stats"]["logins"] == logins + 1, timeout=10)
    wait_for("open after 515", lambda: state_of(st, "wa1") == "open")
    check(True, "515 restart handled")

    # ---------------------------------------------------------------- 440 replaced: close, no war
    logins = sim.state()["stats"]["logins"]
    sim.call("POST", "/stream-error", {"jid": "15550001111", "conflict": "replaced"})
    wait_for("close after 440", lambda: state_of(st, "wa1") == "close")
    time.sleep(1.5)
    check(sim.state()["stats"]["logins"] == logins, "440 replaced: no reconnect")
    s, doc = rest(st, "GET", "/instance/connect/wa1")
    wait_for("open after manual connect", lambda: state_of(st, "wa1") == "open")
    check(True, "connect after 440 logs in again with the kept credentials")

    # ---------------------------------------------------------------- restart route
    logins = sim.state()["stats"]["logins"]
    s, doc = rest(st, "POST", "/instance/restart/wa1")
    check(s == 200, "restart -> 200 (%s)" % (doc,))
    wait_for("open after restart route", lambda: state_of(st, "wa1") == "open" and sim.state()["stats"]["logins"] == logins + 1)
    check(True, "restart route reconnects")

    # ---------------------------------------------------------------- logout
    off = log_size(st)
    s, doc = rest(st, "DELETE", "/instance/logout/wa1")
    check(s == 200, "logout -> 200")
    wait_for("server removed companion", lambda: sim.state()["stats"]["removed"] == 1)
    check(True, "logout told the server to remove the companion device")
    check(state_of(st, "wa1") == "close", "state close after logout")
    check(events(st, "logout.instance", "wa1", since=off), "logout.instance emitted")
    logins = sim.state()["stats"]["logins"]
    st.stop_connd()
    st.start_connd()
    time.sleep(1.5)
    check(state_of(st, "wa1") == "close" and sim.state()["stats"]["logins"] == logins, "logged-out instance stays close across restart")

    # ---------------------------------------------------------------- pairing code via create
    s, doc = rest(st, "POST", "/instance/create", {"instanceName": "wa2", "integration": "WHATSAPP-BAILEYS",
                                                  "qrcode": True, "number": "15550002222"})
    qrc = (doc or {}).get("qrcode") or {}
    pc = qrc.get("pairingCode") or ""
    check(s == 201 and len(pc) == 8 and all(c in "123456789ABCDEFGHJKLMNPQRSTVWXYZ" for c in pc),
          "create qrcode+number -> 201 with an 8-character pairing code (%s)" % (str(qrc)[:80],))
    wait_for("companion_hello", lambda: "15550002222" in sim.state()["linkCodes"])
    s, res = sim.call("POST", "/pair-code", {"phone": "15550002222", "code": pc})
    check(s == 200, "simulator phone entered the code")
    wait_for("wa2 open", lambda: state_of(st, "wa2") == "open", timeout=20)
    check(True, "pairing-code link opened (adv secret derived on both sides)")

    # ---------------------------------------------------------------- 401 device_removed
    off = log_size(st)
    logins = sim.state()["stats"]["logins"]
    sim.call("POST", "/stream-error", {"jid": "15550002222", "code": 401, "conflict": "device_removed"})
    wait_for("wa2 close after 401", lambda: state_of(st, "wa2") == "close")
    closes = [d for _, _, d in events(st, "connection.update", "wa2", since=off) if isinstance(d, dict)]
    check(closes and closes[-1].get("statusReason") == 401, "connection.update close 401")
    check(events(st, "status.instance", "wa2", since=off), "status.instance emitted on close")
    check(events(st, "logout.instance", "wa2", since=off), "401: logged out (credentials cleared)")
    time.sleep(1.5)
    check(sim.state()["stats"]["logins"] == logins, "401: no reconnect")

    # ---------------------------------------------------------------- QR limit -> refused
    rest(st, "POST", "/instance/create", {"instanceName": "wa3", "integration": "WHATSAPP-BAILEYS"})
    off = log_size(st)
    s, qr = rest(st, "GET", "/instance/connect/wa3")
    check(s == 200 and qr.get("count") == 1, "wa3 connect -> first QR")
    wait_for("refused", lambda: any(isinstance(d, dict) and d.get("state") == "refused"
                                    for _, _, d in events(st, "connection.update", "wa3", since=off)), timeout=20)
    ups = events(st, "qrcode.updated", "wa3", since=off)
    check(len(ups) == 4, "QRCODE_LIMIT=3: three QRs then the limit event (%d)" % len(ups))
    refused = [d for _, _, d in events(st, "connection.update", "wa3", since=off) if isinstance(d, dict) and d.get("state") == "refused"]
    check(refused and refused[0].get("statusReason") == 428, "refused with statusReason 428")
    wait_for("wa3 close", lambda: state_of(st, "wa3") == "close")

    # ---------------------------------------------------------------- delete
    s, doc = rest(st, "DELETE", "/instance/delete/wa2")
    check(s == 200, "delete -> 200")
    s, doc = rest(st, "GET", "/instance/connect/wa2")
    check(s == 404, "connect on a deleted instance -> 404")

    rep = st.sanitizer_reports()
    check(not rep, "no sanitizer reports")


def main():
    return suite.main(body, "wgwa")


if __name__ == "__main__":
    sys.exit(main())
