"""wasim.py: helpers for the WhatsApp integration tests: the npm peers (tests/wa, installed on
demand with `npm install --no-save`), the linking simulator (tests/wa/sim/wa-sim.mjs) as a child
process, and a Stack whose connd talks to it.

Missing node/npm, or an npm install that cannot complete, raise stack.Skip (the tests exit 77)."""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import stack  # noqa: E402

WA_DIR = os.path.join(stack.source_dir(), "tests", "wa")


def ensure_npm():
    """node + tests/wa/node_modules, installing once (npm install --no-save)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise stack.Skip("node/npm not installed")
    # Baileys 7 needs Node 20 or newer (Debian 12's own nodejs is 18): an older node is a
    # missing tool, not a failure
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    try:
        major = int(out.lstrip("v").split(".")[0])
    except ValueError:
        major = 0
    if major < 20:
        raise stack.Skip("Node %s is older than the 20 Baileys 7 needs" % (out or "?"))
    marker = os.path.join(WA_DIR, "node_modules", "@whiskeysockets", "baileys", "package.json")
    if not os.path.exists(marker):
        r = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund"], cwd=WA_DIR,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        if r.returncode != 0 or not os.path.exists(marker):
            raise stack.Skip("npm install in tests/wa failed:\n" + r.stdout.decode()[-2000:])
    return node


class Sim:
    """The simulator process; .ws_url, .admin_url, .root_key once started."""

    def __init__(self, run_dir, refs=6, name="Sim Phone", extra_args=()):
        self.node = ensure_npm()
        self.ready = os.path.join(run_dir, "wa-sim.json")
        self.logpath = os.path.join(run_dir, "logs", "wa-sim.log")
        os.makedirs(os.path.dirname(self.logpath), exist_ok=True)
        env = dict(os.environ, WA_SIM_VERBOSE="1")
        self.proc = subprocess.Popen(
            [self.node, os.path.join(WA_DIR, "sim", "wa-sim.mjs"), "--ready-file", self.ready,
             "--refs", str(refs), "--name", name] + list(extra_args),
            cwd=WA_DIR, env=env, stdout=open(self.logpath, "ab"), stderr=subprocess.STDOUT)
        end = time.monotonic() + 20
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise stack.StackError("wa-sim did not start:\n" + open(self.logpath).read()[-2000:])
            time.sleep(0.05)
        info = json.load(open(self.ready))
        self.ws_url, self.admin_url, self.root_key = info["wsUrl"], info["adminUrl"], info["rootKey"]

    def call(self, method, path, body=None, timeout=15):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def state(self):
        return self.call("GET", "/state")[1]

    def dump_tail(self, n=3000):
        print("--- wa-sim log tail")
        print(open(self.logpath, errors="replace").read()[-n:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class WaStack(stack.Stack):
    """A Stack whose connd links to the simulator (WA_CERT_CHECK=on with its test root)."""

    def __init__(self, wa_env, **kw):
        super().__init__(**kw)
        self.wa_env = wa_env

    def connd_env(self):
        env = super().connd_env()
        env.update(self.wa_env)
        return env


def events(st, name=None, instance=None, since=0):
    """connd's event log lines (events/log_sink) as (name, instance, data) from byte offset since.
    The payloads are only logged at debug: a test that reads them starts connd with
    LOG_LEVEL=debug (suite.wa_stack(..., log_level="debug")); an info line (event, instance and
    key id only) raises instead of passing for an event without data."""
    out = []
    with open(st.path("logs", "connd.log"), "rb") as f:
        f.seek(since)
        for raw in f.read().decode(errors="replace").splitlines():
            if "msg=event " not in raw:
                continue
            if " data=" not in raw:
                raise AssertionError("connd logged an event without its payload (info level): "
                                     "events() needs connd at LOG_LEVEL=debug: " + raw[:200])
            parts = dict(p.split("=", 1) for p in raw.split(" ")
                         if "=" in p and not p.startswith("data="))
            data = raw.split(" data=", 1)[1] if " data=" in raw else "null"
            if data.startswith('"'):
                data = json.loads(data)
            try:
                data = json.loads(data)
            except ValueError:
                pass
            if name and parts.get("event") != name:
                continue
            if instance and parts.get("instance") != instance:
                continue
            out.append((parts.get("event"), parts.get("instance"), data))
    return out


def log_size(st):
    return os.path.getsize(st.path("logs", "connd.log"))


def stop_all(*parts):
    """Stops each of parts that is not None, in order; one that fails to stop does not keep the
    others running (teardown in a finally)."""
    for p in parts:
        if p:
            try:
                p.stop()
            except Exception:  # noqa: BLE001
                pass


def wait_for(what, fn, timeout=15.0, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(step)
