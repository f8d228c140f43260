"""sio_probe.py: check that a front proxies /socket.io/ (long-polling and WebSocket upgrade) to
connd's WAGATE_SIO_PORT, with or without a real Socket.IO server there.

If nothing listens on the port yet (connd without Socket.IO), a stand-in is started on it for the
duration of the probe: it answers polling requests with `0{"stub":true,...}` echoing the path
and headers it received, and completes WebSocket upgrades, echoing one text frame. If connd
listens there, the probe expects a real Engine.IO v4 open packet (`0{"sid":...`) instead.
Python 3 standard library only.
"""
import base64
import hashlib
import json
import os
import socket
import struct
import threading

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_accept(key):
    return base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return lines[0], headers, rest


def read_frame(sock, pending=b""):
    """One WebSocket frame -> (opcode, payload); handles masking and 16/64-bit lengths."""
    buf = pending

    def need(n):
        nonlocal buf
        while len(buf) < n:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed while reading a frame")
            buf += chunk
    need(2)
    b0, b1 = buf[0], buf[1]
    ln, off = b1 & 0x7F, 2
    if ln == 126:
        need(4)
        ln, off = struct.unpack("!H", buf[2:4])[0], 4
    elif ln == 127:
        need(10)
        ln, off = struct.unpack("!Q", buf[2:10])[0], 10
    mask = None
    if b1 & 0x80:
        need(off + 4)
        mask, off = buf[off:off + 4], off + 4
    need(off + ln)
    payload = bytearray(buf[off:off + ln])
    if mask:
        for i in range(ln):
            payload[i] ^= mask[i % 4]
    return b0 & 0x0F, bytes(payload)


def make_frame(payload, masked):
    head = bytes([0x81])
    n = len(payload)
    mbit = 0x80 if masked else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n < 65536:
        head += bytes([mbit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class Stub:
    """The stand-in Socket.IO backend on 127.0.0.1:port (see module doc)."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.stopped = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        try:
            c.settimeout(10)
            line, headers, rest = read_head(c)
            parts = line.split(" ")
            path = parts[1] if len(parts) > 1 else ""
            if headers.get("upgrade", "").lower() == "websocket":
                c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
                           % ws_accept(headers.get("sec-websocket-key", ""))).encode())
                op, payload = read_frame(c, rest)
                c.sendall(make_frame(b"echo:" + payload, masked=False))
                return
            body = ("0" + json.dumps({"stub": True, "path": path, "method": parts[0],
                                      "apikey": headers.get("apikey"),
                                      "forwarded_for": headers.get("x-forwarded-for")})).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.stopped = True
        self.sock.close()


def port_in_use(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def websocket_roundtrip(front_port, path, send_probe, timeout=10):
    """Upgrade through the front; returns (status line, accept ok, first frame payload or None).
    send_probe (the stub): send "probe" first and get "echo:probe" back; else (a real Engine.IO
    server) the first frame is its open packet."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", front_port), timeout=timeout) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                   "apikey: probe-key\r\n\r\n" % (path, front_port, key)).encode())
        line, headers, rest = read_head(s)
        ok = headers.get("sec-websocket-accept") == ws_accept(key)
        if " 101 " not in line + " ":
            return line, ok, None
        if send_probe:
            s.sendall(make_frame(b"probe", masked=True))
        _, payload = read_frame(s, rest)
        return line, ok, payload
