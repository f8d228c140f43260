"""wgtest.py: what the webhook tests and the benchmark share (Python 3 stdlib only).

- A tiny protobuf encoder/decoder for the messages of proto/ipc.proto the tests use, and an IPC
  client that speaks connd's framing (4-byte big-endian length + one Request / Reply).
- Connd: starts build/connd/connd on a fresh data directory with a given environment, waits for
  its socket, stops it with SIGTERM or SIGKILL, restarts it on the same data.
- Receiver: starts receiver.py on a free port, reads its JSON-lines log, sets its rules.
Binaries come from $WG_BUILD_DIR (default <source>/build-webhook, then build).
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("WG_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", "..", ".."))
KEY = "webhook-test-global-key"


def build_dir():
    if os.environ.get("WG_BUILD_DIR"):
        return os.environ["WG_BUILD_DIR"]
    for name in ("build-webhook", "build"):
        if os.path.exists(os.path.join(SOURCE, name, "connd", "connd")):
            return os.path.join(SOURCE, name)
    return os.path.join(SOURCE, "build")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout, step=0.02, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


# ---------------------------------------------------------------- protobuf

def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(field, n):
    return varint(field << 3) + varint(int(n))


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return varint((field << 3) | 2) + varint(len(data)) + data


def decode(buf):
    """{field: [values]}; varints as int, length-delimited as bytes."""
    out, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        field, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(buf, i)
        elif wt == 2:
            n, i = read_varint(buf, i)
            v, i = bytes(buf[i:i + n]), i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(field, []).append(v)
    return out


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def webhook_msg(url, enabled=True, events=(), by_events=False, headers=None, secret=None,
                base64=False):
    m = f_varint(1, enabled) + f_bytes(2, url)
    if headers is not None:
        m += f_bytes(3, json.dumps(headers))
    m += f_varint(4, by_events) + f_varint(5, base64)
    for e in events:
        m += f_bytes(6, e)
    if secret:
        m += f_bytes(7, secret)
    return m


# Request oneof field numbers (proto/ipc.proto)
OP_CREATE, OP_DELETE, OP_WEBHOOK_SET = 11, 15, 18
OP_WEBHOOK_FAILED, OP_WEBHOOK_RETRY = 40, 41
# Reply oneof field numbers
R_ERROR, R_DONE, R_INSTANCE, R_WEBHOOK, R_DELIVERIES, R_RETRIED = 10, 11, 12, 17, 40, 41


def request(req_id, op, body=b"", apikey=KEY, instance=None):
    m = f_varint(1, req_id)
    if apikey:
        m += f_bytes(2, apikey)
    if instance:
        m += f_bytes(3, instance)
    m += f_bytes(op, body)
    return struct.pack(">I", len(m)) + m


class Ipc:
    """A connection to connd's IPC socket. send() pipelines; replies come back by id."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.sock.close()

    def send(self, op, body=b"", instance=None, apikey=KEY):
        rid = self.next_id
        self.next_id += 1
        self.sock.sendall(request(rid, op, body, apikey, instance))
        return rid

    def recv(self):
        """One reply: (id, result field, decoded result message or raw)."""
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    frame, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    msg = decode(frame)
                    rid = msg[1][0]
                    for field, vals in msg.items():
                        if field >= 10:
                            return rid, field, decode(vals[0])
                    return rid, None, {}
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("connd closed the IPC connection")
            self.buf += chunk

    def call(self, op, body=b"", instance=None, apikey=KEY):
        rid = self.send(op, body, instance, apikey)
        got, field, msg = self.recv()
        assert got == rid, (got, rid)
        return field, msg

    # conveniences
    def create(self, name, webhook=None, token=None):
        body = f_bytes(1, name) + f_bytes(2, "WHATSAPP-BAILEYS")
        if token:
            body += f_bytes(3, token)
        if webhook:
            body += f_bytes(8, webhook)
        return self.call(OP_CREATE, body)

    def delete(self, name):
        return self.call(OP_DELETE, b"", instance=name)

    def webhook_set(self, name, webhook):
        return self.call(OP_WEBHOOK_SET, f_bytes(1, webhook), instance=name)

    def failed(self, name, limit=0):
        field, msg = self.call(OP_WEBHOOK_FAILED, f_varint(1, limit) if limit else b"",
                               instance=name)
        assert field == R_DELIVERIES, (field, msg)
        out = []
        for raw in msg.get(1, []):
            d = decode(raw)
            out.append({"id": d[1][0].decode(), "event": d[2][0].decode(),
                        "url": d[3][0].decode(), "source": d[4][0].decode(),
                        "state": d[5][0].decode(), "attempts": d[6][0],
                        "last_status": d[7][0] if 7 in d else None,
                        "last_error": d[8][0].decode() if 8 in d else None,
                        "payload": json.loads(d[11][0]) if 11 in d else None})
        return out, (msg.get(2) or [0])[0]

    def retry(self, name, ids=()):
        body = b"".join(f_bytes(1, i) for i in ids)
        field, msg = self.call(OP_WEBHOOK_RETRY, body, instance=name)
        assert field == R_RETRIED, (field, msg)
        return msg[1][0]


# ---------------------------------------------------------------- processes

class Connd:
    """connd on its own data directory; env adds/overrides variables."""

    def __init__(self, env=None, workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="wgwh")
        self.sock = os.path.join(self.dir, "c.sock")
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith(("WEBHOOK_", "WAGATE_", "AUTHENTICATION_", "SERVER_URL")):
                del self.env[k]
        self.env.update({"WAGATE_DATA_DIR": os.path.join(self.dir, "data"),
                         "WAGATE_IPC_SOCKET": self.sock, "AUTHENTICATION_API_KEY": KEY,
                         "LOG_LEVEL": "warn"})
        self.env.update(env or {})
        self.proc = None
        self.log_path = os.path.join(self.dir, "connd.log")

    def start(self):
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        binary = os.path.join(build_dir(), "connd", "connd")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([binary], env=self.env, stdout=self.log, stderr=self.log)
        # the socket file appears at bind(), a moment before listen(): wait
        # until a connection is accepted, not only for the file
        wait_until(lambda: self._accepts() or self.proc.poll() is not None, 20,
                   what="connd socket")
        if self.proc.poll() is not None:
            raise RuntimeError("connd exited %s: %s" % (self.proc.returncode, self.logs()))
        return self

    def _accepts(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.sock)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def ipc(self):
        return Ipc(self.sock)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("connd did not stop on SIGTERM")
        return self.proc.returncode if self.proc else 0

    def logs(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        """Stops connd; a sanitizer report or a failed exit in its log is an error."""
        try:
            rc = self.stop()
            logs = self.logs()
            if "Sanitizer" in logs or "runtime error:" in logs:
                raise AssertionError("sanitizer report in connd's log:\n" + logs[-3000:])
            if rc not in (0, -signal.SIGKILL):
                raise AssertionError("connd exited %s:\n%s" % (rc, logs[-2000:]))
        finally:
            if not os.environ.get("WG_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)


class Receiver:
    def __init__(self, workdir, port=None, tls=None, quiet=False):
        self.port = port or free_port()
        self.log_path = os.path.join(workdir, "recv-%d.jsonl" % self.port)
        self.tls, self.quiet = tls, quiet
        self.proc = None
        self.pos = 0
        self.records = []

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def start(self):
        args = [sys.executable, os.path.join(HERE, "receiver.py"), str(self.port), self.log_path]
        if self.tls:
            args += ["--tls", self.tls[0], self.tls[1]]
        if self.quiet:
            args.append("--quiet-log")
        self.proc = subprocess.Popen(args)
        if self.tls:
            wait_until(self._port_open, 10, what="receiver")
        else:
            wait_until(self._ping, 10, what="receiver")
        return self

    def _port_open(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def _ping(self):
        try:
            return urllib.request.urlopen(self.url + "/_ping", timeout=0.5).status == 200
        except OSError:
            return False

    def control(self, **state):
        req = urllib.request.Request(self.url + "/_control", data=json.dumps(state).encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=5).read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def read(self):
        """All records so far (incrementally parsed)."""
        try:
            with open(self.log_path, encoding="utf-8") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return self.records
        end = data.rfind("\n") + 1
        for line in data[:end].splitlines():
            rec = json.loads(line)
            if "body" in rec and rec["body"]:
                try:
                    rec["json"] = json.loads(rec["body"])
                except ValueError:
                    rec["json"] = None
            self.records.append(rec)
        self.pos += len(data[:end].encode("utf-8"))
        return self.records

    def wait_count(self, n, timeout=20, pred=None):
        def enough():
            recs = [r for r in self.read() if pred is None or pred(r)]
            return recs if len(recs) >= n else None
        return wait_until(enough, timeout, what="%d webhook requests at %s" % (n, self.url))
