#!/usr/bin/python3
"""./wagate demo: wagate linked to the WhatsApp simulator, offline. Starts the simulator
(tests/wa/sim/wa-sim.mjs), connd and wagate-fcgi behind lighttpd with WA_SERVER_URL pointing at
the simulator (certificate check on, against the simulator's test root), prints a curl sequence
for a newcomer (create, connect, "scan", connectionState, logout) and waits for Ctrl-C."""
import os
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration", "wa"))
import wasim  # noqa: E402


def main():
    tmp = tempfile.mkdtemp(prefix="wgdemo", dir="/tmp")
    try:
        sim = wasim.Sim(tmp)
    except wasim.stack.Skip as e:
        print("demo needs node and npm: %s" % e)
        return 77
    st = wasim.WaStack({"WA_SERVER_URL": sim.ws_url, "WA_ROOT_KEY": sim.root_key,
                        "WA_CERT_CHECK": "on"}, front="lighttpd")
    try:
        st.start()
        u, k = st.base_url, st.api_key
        print(f"""
wagate is serving on {u} (global key {k}), linked to a simulated WhatsApp at {sim.ws_url}.
Logs: {st.dir}/logs/

1. create an instance
   curl -s -X POST {u}/instance/create -H 'apikey: {k}' -H 'content-type: application/json' \\
        -d '{{"instanceName":"demo","integration":"WHATSAPP-BAILEYS"}}'
2. start linking: the reply is the QR object {{pairingCode, code, base64, count}}
   curl -s {u}/instance/connect/demo -H 'apikey: {k}'
3. "scan" the QR with the simulated phone (paste the "code" value)
   curl -s -X POST {sim.admin_url}/scan -H 'content-type: application/json' -d '{{"qr":"<code>"}}'
4. the instance is open
   curl -s {u}/instance/connectionState/demo -H 'apikey: {k}'
   curl -s '{u}/instance/fetchInstances?instanceName=demo' -H 'apikey: {k}'
5. pairing code instead of QR: create with {{"qrcode":true,"number":"15550002222"}}, then
   curl -s -X POST {sim.admin_url}/pair-code -d '{{"phone":"15550002222","code":"<pairingCode>"}}'
6. log out (the simulated server drops the companion device)
   curl -s -X DELETE {u}/instance/logout/demo -H 'apikey: {k}'

Ctrl-C stops everything.""", flush=True)
        signal.sigwait([signal.SIGINT, signal.SIGTERM])
    finally:
        st.stop()
        sim.stop()
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT, signal.SIGTERM])
    sys.exit(main())
