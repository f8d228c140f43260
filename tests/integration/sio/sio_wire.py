"""sio_wire.py: a raw Engine.IO v4 / Socket.IO v5 client for tests, Python 3 stdlib only.

Speaks the wire format itself (HTTP long-polling with \\x1e framing, RFC 6455 WebSocket frames)
so the conformance tests can send exactly what the official suites send, including malformed
packets, and see exactly what the server answers. Every call has a timeout; nothing here asserts.
"""
import base64
import hashlib
import http.client as httpclient
import json
import os
import socket
import struct
import time

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SEP = "\x1e"


class HttpResult:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "HTTP %s %r" % (self.status, self.body[:200])


def http(port, method, path, body=None, headers=None, timeout=5.0):
    """One request on a fresh connection. Returns HttpResult; status None if the server hung up."""
    conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        hdrs = {"Connection": "close"}
        hdrs.update(headers or {})
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        return HttpResult(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    except (httpclient.HTTPException, ConnectionError, socket.timeout) as e:
        return HttpResult(None, {}, str(e).encode())
    finally:
        conn.close()


def polling_open(port, base, extra=""):
    """Polling handshake; returns (sid, open packet dict, HttpResult)."""
    r = http(port, "GET", "%s?EIO=4&transport=polling%s" % (base, extra))
    if r.status != 200 or not r.text.startswith("0"):
        raise AssertionError("polling handshake failed: %r" % r)
    first = r.text.split(SEP)[0]
    pkt = json.loads(first[1:])
    return pkt["sid"], pkt, r


class WebSocket:
    """A client WebSocket: handshake, masked frames out, frames in (with a persistent buffer)."""

    def __init__(self, port, path, headers=None, timeout=5.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:  # a small window makes a client that stops reading back up quickly
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""
        self.closed = False
        self.close_code = None
        key = base64.b64encode(os.urandom(16)).decode()
        extra = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n%s\r\n" % (path, port, key, extra)).encode())
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                head += chunk
        except (socket.timeout, ConnectionError):
            pass
        head, _, rest = head.partition(b"\r\n\r\n")
        lines = head.decode("latin1").split("\r\n")
        self.status_line = lines[0]
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.upgraded = " 101 " in self.status_line + " " and self.headers.get(
            "sec-websocket-accept") == base64.b64encode(
                hashlib.sha1(key.encode() + WS_GUID).digest()).decode()
        self.buf = rest
        if not self.upgraded:
            self.closed = True

    def _send(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        try:
            self.sock.sendall(head + mask + data)
        except OSError:
            self.closed = True

    def send(self, text):
        self._send(0x1, text.encode() if isinstance(text, str) else text)

    def send_binary(self, data):
        self._send(0x2, data)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _need(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                # deadline passed: take only what is already there, without waiting
                self.sock.setblocking(False)
                try:
                    chunk = self.sock.recv(65536)
                except BlockingIOError:
                    raise socket.timeout()
                if not chunk:
                    raise ConnectionError("closed")
                self.buf += chunk
                continue
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk

    def recv(self, timeout=2.0):
        """Next data frame -> ("text", str) | ("binary", bytes) | ("close", code) | (None, None)
        on timeout. Pings from the WebSocket layer are answered; they are not Engine.IO pings."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._need(2, deadline)
                b0, b1 = self.buf[0], self.buf[1]
                ln, off = b1 & 0x7F, 2
                if ln == 126:
                    self._need(4, deadline)
                    ln, off = struct.unpack("!H", self.buf[2:4])[0], 4
                elif ln == 127:
                    self._need(10, deadline)
                    ln, off = struct.unpack("!Q", self.buf[2:10])[0], 10
                self._need(off + ln, deadline)
            except socket.timeout:
                return None, None
            except (ConnectionError, OSError):
                self.closed = True
                return "close", self.close_code
            payload = self.buf[off:off + ln]
            self.buf = self.buf[off + ln:]
            op = b0 & 0x0F
            if op == 0x8:
                self.closed = True
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return "close", self.close_code
            if op == 0x9:
                self._send(0xA, payload)
                continue
            if op == 0x1:
                return "text", payload.decode("utf-8", "replace")
            if op == 0x2:
                return "binary", payload
            # continuation / pong: ignore

    def recv_text(self, timeout=2.0, skip_pings=False):
        """Next text frame (or None); skip_pings drops Engine.IO "2" frames."""
        deadline = time.monotonic() + timeout
        while True:
            kind, data = self.recv(max(0.0, deadline - time.monotonic()))
            if kind == "text" and skip_pings and data == "2":
                continue
            if kind in ("text", None):
                return data
            if kind == "close":
                return None

    def wait_closed(self, timeout=2.0):
        """True when the server closed the connection within timeout (frames before are read)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kind, _ = self.recv(max(0.0, deadline - time.monotonic()))
            if kind == "close":
                return True
        return self.closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def ws_open(port, base, extra="", headers=None, rcvbuf=None):
    """WebSocket-only Engine.IO session; returns (ws, open packet dict)."""
    ws = WebSocket(port, "%s?EIO=4&transport=websocket%s" % (base, extra), headers=headers,
                   rcvbuf=rcvbuf)
    if not ws.upgraded:
        raise AssertionError("websocket upgrade failed: %s" % ws.status_line)
    first = ws.recv_text(3)
    if not first or not first.startswith("0"):
        raise AssertionError("no open packet, got %r" % first)
    return ws, json.loads(first[1:])


def sio_connect(port, nsp="/", auth=None, base="/socket.io/", extra="", headers=None,
                rcvbuf=None):
    """WebSocket + Socket.IO CONNECT; returns (ws, reply packet text)."""
    ws, _ = ws_open(port, base, extra, headers, rcvbuf)
    prefix = "" if nsp == "/" else nsp + ","
    ws.send("40" + prefix + (json.dumps(auth, separators=(",", ":")) if auth is not None else ""))
    return ws, ws.recv_text(3, skip_pings=True)
