"""suite.py: what every WhatsApp integration suite shares: check() and its tally, the REST
helpers, the start of a Stack linked to the simulator, linking by QR and logging in again to
another server (crabline) from the stored credentials, and main(), the run that turns a
stack.Skip into exit 77, dumps the logs on a failure and stops what the suite started.

One suite per process: the tally is this module's state."""
import json
import os
import tempfile
import time
import traceback

import wasim
from wasim import log_size, wait_for

stack = wasim.stack
FAILS = []    # what failed, in order
PASSED = [0]  # how many checks passed


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if cond:
        PASSED[0] += 1
    else:
        FAILS.append(what)


def soft_wait_for(what, fn, timeout=15.0):
    """wasim.wait_for, but a timeout is a failed check (None), not an exception."""
    try:
        return wait_for(what, fn, timeout)
    except AssertionError:
        print("     (timed out waiting for %s)" % what, flush=True)
        return None


def rest(st, method, path, body=None, key=None):
    """(status, JSON document, or the raw body when it is not JSON); key defaults to the global one."""
    headers = {"apikey": key or st.api_key, "content-type": "application/json"}
    status, _, raw = st.request(method, path, headers=headers,
                                body=json.dumps(body).encode() if body is not None else None,
                                timeout=20)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def state_of(st, name):
    s, doc = rest(st, "GET", "/instance/connectionState/" + name)
    return doc["instance"].get("state") if s == 200 else None


def create_instance(st, name):
    """POST /instance/create of a WHATSAPP-BAILEYS instance, checked to answer 201; its document."""
    s, doc = rest(st, "POST", "/instance/create", {"instanceName": name, "integration": "WHATSAPP-BAILEYS"})
    check(s == 201, "create %s -> 201" % name)
    return doc


def wa_stack(run, sim, log_level=None, **env):
    """A started WaStack, lighttpd in front, whose connd talks to sim (WA_CERT_CHECK=on with its
    root key) with env on top; stopped by run. log_level: connd's LOG_LEVEL ("debug" for a test
    that reads event payloads from connd.log with wasim.events(); default WG_WA_LOG or info);
    wagate-fcgi logs at WG_WA_LOG or info."""
    wa_env = {"WA_SERVER_URL": sim.ws_url, "WA_ROOT_KEY": sim.root_key, "WA_CERT_CHECK": "on"}
    wa_env.update(env)
    default = os.environ.get("WG_WA_LOG", "info")
    st = run.add(wasim.WaStack(wa_env, front="lighttpd", log_level=log_level or default,
                               fcgi_log_level=default))
    st.start()
    return st


def scan_qr(st, sim, name, what="linked against the simulator"):
    """connect, then the simulator scans the QR: a check that it paired."""
    s, qr = rest(st, "GET", "/instance/connect/" + name)
    s, res = sim.call("POST", "/scan", {"qr": (qr or {}).get("code")})
    check(s == 200 and res.get("paired") is True, what)


def link_by_qr(st, sim, name, what="linked against the simulator"):
    """scan_qr, then wait (raising on a timeout) until the instance is open."""
    scan_qr(st, sim, name, what)
    wait_for(name + " open on the simulator", lambda: state_of(st, name) == "open", 15)


def login_to_crabline(st, crab, name, **env):
    """Restart connd against crabline (WA_CERT_CHECK=off; no profile picture query: crabline's
    decoder cannot read it and closes the socket), env on top; wait (raising on a timeout) until
    the instance is open from its stored credentials. Returns connd.log's size before the start."""
    st.stop_connd()
    st.wa_env = {"WA_SERVER_URL": crab.url, "WA_CERT_CHECK": "off", "WAGATE_PROFILE_PICTURE": "false",
                 "WAGATE_CONNECT_WAIT_MS": "4000"}
    st.wa_env.update(env)
    off = log_size(st)
    st.start_connd()
    wait_for(name + " open on crabline", lambda: state_of(st, name) == "open", 15)
    return off


class Listener:
    """A python3-socketio client recording every event of one namespace as (name, payload) in .box."""

    def __init__(self, url, nsp, auth):
        import socketio
        self.nsp = nsp
        self.box = []
        self.c = socketio.Client(reconnection=False)

        @self.c.on("*", namespace=nsp)
        def any_event(event, *args):
            self.box.append((event, args[0] if len(args) == 1 else list(args)))

        self.c.connect(url, namespaces=[nsp], auth=auth, transports=["websocket"], wait_timeout=5)

    def call(self, event, data):
        return self.c.call(event, data, namespace=self.nsp, timeout=5)

    def find(self, pred, timeout=10.0):
        """The payload of the first event pred(name, payload) accepts, waiting up to timeout; None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for ev, data in list(self.box):
                if pred(ev, data):
                    return data
            time.sleep(0.05)
        return None

    def stop(self):
        try:
            self.c.disconnect()
        except Exception:  # noqa: BLE001
            pass


class Run:
    """What a suite started: .tmp its directory; add() registers a thing to stop at the end
    (stop defaults to thing.stop), in the reverse order; the first Stack added is the one whose
    logs a failure dumps, and a thing with dump_tail() prints it too."""

    def __init__(self, prefix):
        self.tmp = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        self.st = None
        self.things = []  # (thing, its stop function)

    def add(self, thing, stop=None):
        if self.st is None and isinstance(thing, stack.Stack):
            self.st = thing
        self.things.append((thing, stop or thing.stop))
        return thing

    def dump(self, log_lines):
        if self.st:
            self.st.dump_logs(log_lines)
        for thing, _ in self.things:
            if hasattr(thing, "dump_tail"):
                thing.dump_tail()

    def stop(self):
        for _, stop in reversed(self.things):
            stop()


def main(body, prefix, log_lines=80):
    """Runs body(run) and returns the exit code: 77 on stack.Skip, 1 when a check failed or body
    raised (the traceback printed, the logs dumped), else 0."""
    run = None
    try:
        run = Run(prefix)
        body(run)
    except stack.Skip as e:
        print("SKIP:", e)
        return 77
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        FAILS.append(str(e) or type(e).__name__)
    finally:
        if run:
            if FAILS:
                run.dump(log_lines)
            run.stop()
    print("%d passed, %d failed" % (PASSED[0], len(FAILS)))
    return 1 if FAILS else 0
