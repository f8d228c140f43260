#!/usr/bin/python3
"""stack.py: start the real wagate programs behind a real web server, for tests and benchmarks.

A Stack owns one fresh directory under /tmp (short, so unix socket paths stay < 108 bytes), free
loopback ports picked by binding port 0 (so `ctest -j` is safe), and every process it starts:

    connd          build/connd/connd, env WAGATE_DATA_DIR, WAGATE_IPC_SOCKET, AUTHENTICATION_API_KEY
    wagate-fcgi    front "apache": started here with --listen <dir>/fcgi.sock (mod_proxy_fcgi);
                   the other fronts: started by the web server itself
    the front      lighttpd -D -f  |  apache2 -DFOREGROUND -f, with lighttpd/wagate.conf,
                   apache/wagate.conf or apache/wagate-fcgid.conf rendered by render-conf;
                   "apache-htaccess": a shared-hosting stand-in (htaccess-host.conf) serving a
                   document root with apache/htaccess.example as .htaccess, the wagate.fcgi
                   wrapper it documents, and manager/ = a copy of www/

Readiness is awaited with bounded deadlines; stop() always tears everything down (SIGTERM, then
SIGKILL after a grace period) including FastCGI processes a web server spawned, found by the run
directory in their environment. When run as root, every process is started as `nobody` (the
web servers are tested unprivileged, spec socketio-and-proxy §5).

Binaries come from $WG_BUILD_DIR (default <source>/build), configs from $WG_SOURCE_DIR (default:
two levels above this file). A missing web server raises Skip (the suites exit 77).

Command line (for people and `./wagate serve`-like uses):
  stack.py [--front lighttpd|apache|apache-fcgid] [--keep] [-- COMMAND ARGS...]
  Starts the stack, prints its URL and global key, runs COMMAND with WG_BASE_URL, WG_API_KEY and
  WG_RUN_DIR in its environment (or waits for Ctrl-C without one), then tears down. Exit status:
  COMMAND's, 77 when a tool is missing, 1 when the stack did not start.
Environment knobs: WG_KEEP=1 keeps the run directory; WG_STACK_VERBOSE=1 prints progress.
"""
import http.client
import json
import os
import pwd
import grp
import secrets
import shutil
import signal
import socket
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

FRONTS = ("lighttpd", "apache", "apache-fcgid", "apache-htaccess")
APACHE_MODULES = "/usr/lib/apache2/modules"


def _load_renderer():
    """render-conf has no .py suffix (it is a command); load it as a module."""
    import importlib.machinery
    import importlib.util
    path = os.path.join(HERE, "render-conf")
    loader = importlib.machinery.SourceFileLoader("render_conf", path)
    spec = importlib.util.spec_from_loader("render_conf", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


render_conf = _load_renderer()


class Skip(Exception):
    """A tool the test needs is not installed: the caller exits 77."""


class StackError(Exception):
    """The stack did not come up (message says which part, logs are in the run directory)."""


def source_dir():
    return os.environ.get("WG_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))


def build_dir():
    return os.environ.get("WG_BUILD_DIR") or os.path.join(source_dir(), "build")


def free_port():
    """A loopback TCP port nobody listens on right now (bind 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(name, extra=("/usr/sbin", "/sbin")):
    found = shutil.which(name)
    if found:
        return found
    for d in extra:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def log(msg):
    if os.environ.get("WG_STACK_VERBOSE"):
        sys.stderr.write("stack: %s\n" % msg)


class Proc:
    """One child process we started: its Popen, log file and role name."""

    def __init__(self, name, popen, logpath):
        self.name = name
        self.popen = popen
        self.logpath = logpath

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None


def become_subreaper():
    """Orphans of our children (e.g. FastCGI processes whose web server exited first) are
    re-parented to us instead of to PID 1, which in some containers never reaps them; stop()
    reaps them. Linux prctl(PR_SET_CHILD_SUBREAPER); harmless where unavailable."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def reap_orphans():
    """Collect exit statuses of re-parented orphans (only after our Popen children are waited)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie of ours still "exists"; treat it as gone
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Stack:
    def __init__(self, front="lighttpd", max_body=65536, fcgi_env=None, log_level="info",
                 api_key=None, fcgi_log_level=None, connd_env=None, connd_args=()):
        if front not in FRONTS:
            raise ValueError("front must be one of %s" % (FRONTS,))
        self.front = front
        self.max_body = max_body
        self.fcgi_env = dict(fcgi_env or {})
        self.connd_extra_env = dict(connd_env or {})  # e.g. WEBSOCKET_ENABLED=true
        self.connd_args = list(connd_args)            # e.g. ["--test-hooks"]
        # connd's level must be info or debug: readiness is its msg=ready line (info)
        self.log_level = log_level
        self.fcgi_log_level = fcgi_log_level or log_level
        # None: let connd generate the key (read back from $WAGATE_DATA_DIR/apikey)
        self.api_key = secrets.token_hex(16) if api_key is None else api_key
        self.generate_key = api_key == ""
        self.procs = {}          # role -> Proc
        self.dir = None
        self.port = None
        self.sio_port = None
        self.src = source_dir()
        self.bld = build_dir()
        self.connd_bin = os.path.join(self.bld, "connd", "connd")
        self.fcgi_bin = os.path.join(self.bld, "fcgi-app", "wagate-fcgi")
        self.drop_to = None      # (uid, gid) when we run as root
        if os.geteuid() == 0:
            self.drop_to = (pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid)

    # ---- paths ------------------------------------------------------------------------------------
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def data_dir(self):
        return self.path("data")

    @property
    def ipc_socket(self):
        return self.path("connd.sock")

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    # ---- lifecycle --------------------------------------------------------------------------------
    def check_tools(self):
        """Raise Skip for a missing web server, StackError for missing wagate binaries."""
        if self.front == "lighttpd":
            if not which("lighttpd"):
                raise Skip("lighttpd is not installed")
        else:
            if not which("apache2"):
                raise Skip("apache2 is not installed")
            mods = ["mod_mpm_event", "mod_proxy", "mod_proxy_http", "mod_alias", "mod_mime",
                    "mod_dir", "mod_authz_core"]
            if self.front == "apache":
                mods.append("mod_proxy_fcgi")
            else:
                mods.append("mod_fcgid")
            if self.front == "apache-htaccess":
                mods.append("mod_rewrite")
            for m in mods:
                if not os.path.exists(os.path.join(APACHE_MODULES, m + ".so")):
                    raise Skip("%s is not installed (%s)" % (m, APACHE_MODULES))
        for b in (self.connd_bin, self.fcgi_bin):
            if not os.access(b, os.X_OK):
                raise StackError("%s not built (WG_BUILD_DIR=%s)" % (b, self.bld))

    def start(self):
        self.check_tools()
        become_subreaper()
        self.dir = tempfile.mkdtemp(prefix="wg", dir="/tmp")
        os.makedirs(self.data_dir)
        os.makedirs(self.path("logs"))
        if self.drop_to:
            os.chmod(self.dir, 0o755)
            for d in (self.dir, self.data_dir, self.path("logs")):
                os.chown(d, *self.drop_to)
        self.port = free_port()
        self.sio_port = free_port()
        try:
            self.start_connd()
            if self.front == "apache":
                self.start_fcgi_listener()
            for attempt in range(3):
                try:
                    self.start_front()
                    break
                except StackError:
                    # another test may have taken the port between free_port() and the bind
                    if attempt == 2 or not self.front_lost_port():
                        raise
                    self.terminate(self.front)
                    self.port = free_port()
        except BaseException:
            self.stop()
            raise
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _preexec(self):
        os.setsid()
        if self.drop_to:
            os.setgroups([])
            os.setgid(self.drop_to[1])
            os.setuid(self.drop_to[0])

    def spawn(self, role, argv, env, cwd=None):
        logpath = self.path("logs", role + ".log")
        logf = open(logpath, "ab")
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WG_RUN_DIR": self.dir}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                full_env[k] = os.environ[k]
        full_env.update(env)
        log("start %s: %s" % (role, " ".join(argv)))
        p = subprocess.Popen(argv, env=full_env, stdin=subprocess.DEVNULL, stdout=logf,
                             stderr=subprocess.STDOUT, cwd=cwd or self.dir,
                             preexec_fn=self._preexec, close_fds=True)
        logf.close()
        proc = Proc(role, p, logpath)
        self.procs[role] = proc
        return proc

    def connd_env(self):
        env = {"WAGATE_DATA_DIR": self.data_dir, "WAGATE_IPC_SOCKET": self.ipc_socket,
               "WAGATE_SIO_PORT": str(self.sio_port), "LOG_LEVEL": self.log_level}
        if not self.generate_key:
            env["AUTHENTICATION_API_KEY"] = self.api_key
        env.update(self.connd_extra_env)
        return env

    def start_connd(self, deadline_s=15.0):
        proc = self.spawn("connd", [self.connd_bin] + self.connd_args, self.connd_env())
        # ready = a log line with msg=ready (written after the last stop), and the socket exists
        end = time.monotonic() + deadline_s
        seen = False
        start_offset = getattr(self, "_connd_log_offset", 0)
        while time.monotonic() < end:
            if not proc.alive():
                raise StackError("connd exited with %s during start-up:\n%s"
                                 % (proc.popen.returncode, self.tail("connd")))
            with open(proc.logpath, "rb") as f:
                f.seek(start_offset)
                seen = b"msg=ready" in f.read()
            if seen and os.path.exists(self.ipc_socket):
                break
            time.sleep(0.05)
        else:
            raise StackError("connd not ready within %.0f s (msg=ready seen: %s):\n%s"
                             % (deadline_s, seen, self.tail("connd")))
        if self.generate_key:
            with open(os.path.join(self.data_dir, "apikey")) as f:
                self.api_key = f.read().strip()
        return proc

    def stop_connd(self):
        self._connd_log_offset = os.path.getsize(self.path("logs", "connd.log"))
        return self.terminate("connd")

    def fcgi_env_vars(self):
        env = {"WAGATE_DATA_DIR": self.data_dir, "WAGATE_IPC_SOCKET": self.ipc_socket,
               "WAGATE_MAX_BODY_BYTES": str(self.max_body), "LOG_LEVEL": self.fcgi_log_level}
        env.update(self.fcgi_env)
        return env

    def start_fcgi_listener(self, deadline_s=10.0):
        sock = self.path("fcgi.sock")
        proc = self.spawn("wagate-fcgi", [self.fcgi_bin, "--listen", sock], self.fcgi_env_vars())
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if not proc.alive():
                raise StackError("wagate-fcgi exited with %s during start-up:\n%s"
                                 % (proc.popen.returncode, self.tail("wagate-fcgi")))
            if os.path.exists(sock):
                try:
                    with socket.socket(socket.AF_UNIX) as s:
                        s.connect(sock)
                    return proc
                except OSError:
                    pass
            time.sleep(0.05)
        raise StackError("wagate-fcgi did not listen on %s within %.0f s:\n%s"
                         % (sock, deadline_s, self.tail("wagate-fcgi")))

    def render_values(self):
        user = pwd.getpwuid(self.drop_to[0] if self.drop_to else os.geteuid()).pw_name
        group = grp.getgrgid(self.drop_to[1] if self.drop_to else os.getegid()).gr_name
        return {
            "PORT": str(self.port), "BIND": "127.0.0.1", "RUN_DIR": self.dir,
            "WWW_DIR": os.path.join(self.src, "www"), "FCGI_BIN": self.fcgi_bin,
            "FCGI_SOCKET": self.path("fcgi.sock"), "DATA_DIR": self.data_dir,
            "IPC_SOCKET": self.ipc_socket, "SIO_PORT": str(self.sio_port),
            "MAX_BODY_BYTES": str(self.max_body), "LOG_LEVEL": self.fcgi_log_level,
            "USER": user, "GROUP": group, "APACHE_MODULES": APACHE_MODULES,
            "DOCROOT": self.path("htdocs"),
        }

    def render(self, template_rel, out_name):
        out = self.path(out_name)
        render_conf.render_file(os.path.join(self.src, template_rel), out, self.render_values(),
                                strict_unused=False)
        return out

    def front_command(self):
        """(template, argv) of the front; also used by the syntax test (with -t/-tt)."""
        if self.front == "lighttpd":
            conf = self.render("lighttpd/wagate.conf", "lighttpd.conf")
            return conf, [which("lighttpd"), "-D", "-f", conf]
        if self.front == "apache-htaccess":
            self.make_docroot()
            conf = self.render("tests/integration/htaccess-host.conf", "apache.conf")
            return conf, [which("apache2"), "-f", conf, "-DFOREGROUND"]
        tmpl = "apache/wagate.conf" if self.front == "apache" else "apache/wagate-fcgid.conf"
        conf = self.render(tmpl, "apache.conf")
        return conf, [which("apache2"), "-f", conf, "-DWAGATE_STANDALONE", "-DFOREGROUND"]

    def make_docroot(self):
        """A shared-hosting customer's document root, laid out as apache/htaccess.example says."""
        root = self.path("htdocs")
        shutil.copytree(os.path.join(self.src, "www"), os.path.join(root, "manager"))
        shutil.copy(os.path.join(self.src, "apache", "htaccess.example"),
                    os.path.join(root, ".htaccess"))
        env = self.fcgi_env_vars()
        env["WAGATE_FCGI_THREADS"] = "1"
        wrapper = os.path.join(root, "wagate.fcgi")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n")
            for k, v in sorted(env.items()):
                f.write("export %s='%s'\n" % (k, v))
            f.write("exec '%s'\n" % self.fcgi_bin)
        os.chmod(wrapper, 0o755)
        if self.drop_to:
            for d, dirs, files in os.walk(root):
                os.chown(d, *self.drop_to)
                for x in files:
                    os.chown(os.path.join(d, x), *self.drop_to)

    def start_front(self, deadline_s=15.0):
        conf, argv = self.front_command()
        if self.front in ("apache-fcgid", "apache-htaccess"):
            os.makedirs(self.path("fcgid"), exist_ok=True)
            if self.drop_to:
                os.chown(self.path("fcgid"), *self.drop_to)
        proc = self.spawn(self.front, argv, {})
        end = time.monotonic() + deadline_s
        last = None
        while time.monotonic() < end:
            if not proc.alive():
                raise StackError("%s exited with %s during start-up:\n%s\n%s"
                                 % (self.front, proc.popen.returncode, self.tail(self.front),
                                    self.tail_file(self.front_error_log(), 15)))
            try:
                st, _, _ = self.request("GET", "/manager/", timeout=2)
                if st == 200:
                    return proc
                last = "GET /manager/ -> %d" % st
            except OSError as e:
                last = str(e)
            time.sleep(0.05)
        raise StackError("%s not serving within %.0f s (%s):\n%s" % (
            self.front, deadline_s, last, self.tail_file(self.front_error_log(), 15)))

    def front_lost_port(self):
        for p in (self.path("logs", self.front + ".log"), self.front_error_log()):
            try:
                with open(p, "rb") as f:
                    if b"Address already in use" in f.read():
                        os.rename(p, p + ".bind-failed")
                        return True
            except OSError:
                pass
        return False

    def front_error_log(self):
        if self.front == "lighttpd":
            return self.path("lighttpd-error.log")
        return self.path("apache-error.log")

    # ---- processes --------------------------------------------------------------------------------
    def spawned_pids(self):
        """Processes started on our behalf by a web server (FastCGI children): found by our run
        directory in their environment. Our own direct children are not included."""
        mine = {p.pid for p in self.procs.values()}
        found = []
        marker = self.dir.encode() + b"/"
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            if pid in mine or pid == os.getpid():
                continue
            try:
                with open("/proc/%d/environ" % pid, "rb") as f:
                    env = f.read()
            except OSError:
                continue
            if marker in env:
                found.append(pid)
        return found

    def pids(self):
        """role -> list of pids, for RSS measurement (FastCGI children listed as wagate-fcgi)."""
        out = {}
        for role, p in self.procs.items():
            if p.alive():
                out.setdefault(role, []).append(p.pid)
        for pid in self.spawned_pids():
            try:
                exe = os.readlink("/proc/%d/exe" % pid)
            except OSError:
                exe = ""
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            role = "wagate-fcgi" if "wagate-fcgi" in (exe + cmd) else self.front
            out.setdefault(role, []).append(pid)
        for role in out:
            out[role] = sorted(set(out[role]))
        return out

    def terminate(self, role, grace_s=5.0):
        """SIGTERM the process of role (and its process group), SIGKILL after grace_s.
        Returns the exit status (negative = signal)."""
        proc = self.procs.pop(role, None)
        if proc is None:
            return None
        if proc.alive():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                proc.popen.send_signal(signal.SIGTERM)
            try:
                proc.popen.wait(grace_s)
            except subprocess.TimeoutExpired:
                sys.stderr.write("stack: %s (pid %d) ignored SIGTERM for %.0f s, SIGKILL\n"
                                 % (role, proc.pid, grace_s))
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    proc.popen.kill()
                proc.popen.wait()
        # its process group may hold helpers it started (lighttpd's FastCGI children)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        return proc.popen.returncode

    def stop(self):
        """Tear everything down; never raises. Front first (so it stops spawning), then the
        FastCGI program, then connd, then stragglers found by environment."""
        for role in (self.front, "wagate-fcgi", "connd"):
            try:
                self.terminate(role)
            except Exception as e:  # keep tearing down
                sys.stderr.write("stack: stopping %s: %s\n" % (role, e))
        for role in list(self.procs):
            self.terminate(role)
        if self.dir:
            stragglers = self.spawned_pids()
            for pid in stragglers:
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
            end = time.monotonic() + 3
            while stragglers and time.monotonic() < end:
                stragglers = [p for p in stragglers if pid_alive(p)]
                time.sleep(0.05)
            for pid in stragglers:
                sys.stderr.write("stack: pid %d (spawned FastCGI) ignored SIGTERM, SIGKILL\n" % pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.1)
            reap_orphans()
            if not os.environ.get("WG_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)
            else:
                sys.stderr.write("stack: kept %s\n" % self.dir)

    # ---- logs -------------------------------------------------------------------------------------
    def tail_file(self, path, n=40):
        try:
            with open(path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
        except OSError:
            return "(no %s)" % path
        return "\n".join("  | " + l for l in lines[-n:])

    def tail(self, role, n=40):
        return "== %s ==\n%s" % (role, self.tail_file(self.path("logs", role + ".log"), n))

    def all_logs(self):
        paths = [self.path("logs", f) for f in sorted(os.listdir(self.path("logs")))]
        paths.append(self.front_error_log())
        return paths

    def sanitizer_reports(self):
        """Lines of ASan/UBSan/LSan reports in any log (a report fails the suite)."""
        bad = []
        for p in self.all_logs():
            try:
                with open(p, "rb") as f:
                    for line in f.read().decode(errors="replace").splitlines():
                        if ("ERROR: AddressSanitizer" in line or "ERROR: LeakSanitizer" in line
                                or "runtime error:" in line):
                            bad.append("%s: %s" % (os.path.basename(p), line.strip()))
            except OSError:
                pass
        return bad

    def dump_logs(self, n=60):
        for p in self.all_logs():
            sys.stderr.write("== %s ==\n%s\n" % (p, self.tail_file(p, n)))

    # ---- HTTP -------------------------------------------------------------------------------------
    def request(self, method, path, headers=None, body=None, timeout=10):
        """One request on a fresh connection. body: bytes, str, or an object sent as JSON.
        Returns (status, {lower-case header: value}, body bytes)."""
        hdrs = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="start connd + wagate-fcgi + a web server")
    ap.add_argument("--front", default="lighttpd", choices=FRONTS)
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    ap.add_argument("--max-body", type=int, default=10485760)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv[1:])
    if a.keep:
        os.environ["WG_KEEP"] = "1"
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    st = Stack(a.front, max_body=a.max_body)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        st.start()
    except Skip as e:
        print("SKIP: %s" % e)
        return 77
    except StackError as e:
        print("stack did not start: %s" % e)
        return 1
    try:
        print("wagate (%s) at %s  apikey %s  dir %s" % (a.front, st.base_url, st.api_key, st.dir))
        sys.stdout.flush()
        if not cmd:
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
            return 0
        env = dict(os.environ, WG_BASE_URL=st.base_url, WG_API_KEY=st.api_key, WG_RUN_DIR=st.dir)
        return subprocess.call(cmd, env=env)
    finally:
        st.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
