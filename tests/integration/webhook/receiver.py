#!/usr/bin/python3
"""receiver.py: a webhook receiver for tests and the benchmark (Python 3 stdlib only).

Run as a process:  receiver.py PORT LOGFILE [--tls CERT KEY] [--quiet-log]
It serves HTTP/1.1 with keep-alive on 127.0.0.1:PORT and appends one JSON line per request to
LOGFILE: {"t": unix seconds, "path", "headers": {lower-case name: value}, "body": text,
"status": answered status or "hang", "jwt_ok": null|true|false, "sig_ok": null|true|false}.

Behaviour is set at run time with POST /_control, a JSON object:
  {"rules": [{"prefix": "/a", "status": 500, "times": 2}, {"prefix": "/", "hang": true}],
   "jwt_key": "...", "secret": "..."}
The first rule whose prefix matches the path (and whose "times" is not used up) decides: answer
"status" (default 200) or "hang" (never answer). No rule: 200. jwt_key/secret make the receiver
verify the Authorization Bearer HS256 JWT / the X-Wagate-Signature HMAC and log the verdict.
GET /_ping answers 200 (readiness). "Down" is simply: the test stops this process.
--quiet-log logs only path, delivery id and time (benchmark: less I/O per request).
"""
import base64
import hashlib
import hmac
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"rules": [], "jwt_key": None, "secret": None}
LOCK = threading.Lock()
LOG = None
QUIET = False


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def check_jwt(header, key):
    """True when header is 'Bearer <HS256 JWT signed with key>' with Evolution's claims."""
    if not header or not header.startswith("Bearer "):
        return False
    parts = header[7:].split(".")
    if len(parts) != 3:
        return False
    mac = hmac.new(key.encode(), (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(mac, b64url_decode(parts[2])):
        return False
    head = json.loads(b64url_decode(parts[0]))
    claims = json.loads(b64url_decode(parts[1]))
    return (head.get("alg") == "HS256" and claims.get("app") == "evolution"
            and claims.get("action") == "webhook" and claims["exp"] - claims["iat"] == 600
            and abs(claims["iat"] - time.time()) < 120)


def check_sig(header, secret, body):
    if not header or not header.startswith("sha256="):
        return False
    want = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, header[7:])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # one small response = headers + body in two writes: without this, Nagle and the
        # client's delayed ACK add ~40 ms to every request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(200 if self.path == "/_ping" else 404, b"ok")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/_control":
            with LOCK:
                STATE.update(json.loads(body))
            self.reply(200, b"ok")
            return
        action = {"status": 200}
        with LOCK:
            for rule in STATE["rules"]:
                if not self.path.startswith(rule.get("prefix", "/")):
                    continue
                if "times" in rule:
                    if rule["times"] <= 0:
                        continue
                    rule["times"] -= 1
                action = rule
                break
            jwt_key, secret = STATE["jwt_key"], STATE["secret"]
        hang = bool(action.get("hang"))
        status = "hang" if hang else int(action.get("status", 200))
        if QUIET:
            rec = {"t": time.time(), "path": self.path,
                   "id": self.headers.get("X-Wagate-Delivery"), "body": body.decode()}
        else:
            rec = {"t": time.time(), "path": self.path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace"), "status": status,
                   "jwt_ok": check_jwt(self.headers.get("Authorization"), jwt_key) if jwt_key else None,
                   "sig_ok": check_sig(self.headers.get("X-Wagate-Signature"), secret, body)
                   if secret else None}
        line = json.dumps(rec) + "\n"
        with LOCK:
            LOG.write(line)
            LOG.flush()
        if hang:
            time.sleep(3600)
            return
        self.reply(status, b'{"ok":true}' if status < 300 else b'{"error":"test"}')


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request (the crash test does that) is not an error here


def main():
    global LOG, QUIET
    port, path = int(sys.argv[1]), sys.argv[2]
    QUIET = "--quiet-log" in sys.argv
    LOG = open(path, "a", encoding="utf-8")
    server = Server(("127.0.0.1", port), Handler)
    if "--tls" in sys.argv:
        import ssl
        i = sys.argv.index("--tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
