#!/usr/bin/python3
"""test_process.py: what the connd process loads: the allocator its build chose, and libcurl
only once webhook delivery starts.

The build links connd with jemalloc unless WAGATE_JEMALLOC=OFF or a sanitizer build
(WAGATE_SANITIZE, WAGATE_FUZZ: those bring their own allocator); the choice is read from the
build's CMakeCache.txt. libcurl is never linked: connd/webhook/curl_lib loads it when the first
webhook is to be delivered (its libraries cost about 4 MB of RSS). Checked:
  * `connd --version` names that allocator ("allocator: jemalloc <version>" as jemalloc itself
    reports it, or "allocator: glibc <version>");
  * a running connd (behind lighttpd) has libjemalloc mapped exactly when it should, and
    answers a REST call (so the process really serves on it);
  * with no webhook configured it has no libcurl (nor GnuTLS) mapped, after serving requests;
  * with a global webhook for instance.create, creating an instance delivers the event to a
    local HTTP receiver, and then libcurl is mapped.
Prints "N passed, N failed"; exit 1 on failure, 77 when lighttpd is not installed.
"""
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack as stackmod  # noqa: E402

passed = failed = 0


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def cache_flag(cache, name):
    m = re.search(r"^%s:BOOL=(\S+)$" % re.escape(name), cache, re.M)
    return bool(m) and m.group(1).upper() in ("ON", "1", "TRUE", "YES")


def mapped(pid, name):
    with open("/proc/%d/maps" % pid) as f:
        return any(name in l for l in f)


class Receiver(http.server.BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        Receiver.bodies.append(self.rfile.read(n))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def webhook_loads_curl():
    """A global webhook on instance.create: the delivery starts libcurl, then it is mapped."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/hook" % srv.server_address[1]
    st = stackmod.Stack(front="lighttpd", connd_env={
        "WEBHOOK_GLOBAL_ENABLED": "true", "WEBHOOK_GLOBAL_URL": url,
        "WEBHOOK_EVENTS_INSTANCE_CREATE": "true"})
    st.start()
    try:
        pid = st.procs["connd"].pid
        report("webhook configured, nothing delivered yet: no libcurl mapped",
               not mapped(pid, "libcurl"))
        status, _, body = st.request("POST", "/instance/create", headers={"apikey": st.api_key},
                                     body={"instanceName": "proc1", "integration": "WHATSAPP-BAILEYS"})
        end = time.monotonic() + 10
        while not Receiver.bodies and time.monotonic() < end:
            time.sleep(0.05)
        got = [json.loads(b) for b in Receiver.bodies]
        report("instance.create delivered by webhook",
               status == 201 and any(g.get("event") == "instance.create" for g in got),
               "%s %r %r" % (status, body[:200], got[:1]))
        report("and now libcurl is mapped", mapped(pid, "libcurl"))
    finally:
        st.stop()
        srv.shutdown()


def main():
    build = stackmod.build_dir()
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        cache = f.read()
    want_jemalloc = (cache_flag(cache, "WAGATE_JEMALLOC") and not cache_flag(cache, "WAGATE_SANITIZE")
                     and not cache_flag(cache, "WAGATE_FUZZ"))
    print("# build %s: expecting %s" % (build, "jemalloc" if want_jemalloc else "glibc"))
    connd = os.path.join(build, "connd", "connd")
    out = subprocess.run([connd, "--version"], capture_output=True, text=True, timeout=10)
    line = out.stdout.strip()
    if want_jemalloc:
        ok = re.fullmatch(r"connd \S+ \(allocator: jemalloc \d+\.\d+\.\d+\S*\)", line)
    else:
        ok = re.fullmatch(r"connd \S+ \(allocator: glibc \d+\.\d+\)", line)
    report("connd --version names the allocator", out.returncode == 0 and ok, repr(line))
    st = stackmod.Stack(front="lighttpd")
    try:
        st.start()
    except stackmod.Skip as e:
        print("SKIP: %s" % e)
        return 77
    try:
        pid = st.procs["connd"].pid
        je = mapped(pid, "libjemalloc")
        report("running connd has libjemalloc mapped: %s" % want_jemalloc, je == want_jemalloc,
               "mapped=%s" % je)
        status, _, body = st.request("GET", "/instance/fetchInstances",
                                     headers={"apikey": st.api_key})
        report("it answers GET /instance/fetchInstances",
               status == 200 and isinstance(json.loads(body), list), "%s %r" % (status, body))
        report("no webhook: no libcurl, no GnuTLS mapped",
               not mapped(pid, "libcurl") and not mapped(pid, "libgnutls"))
    finally:
        st.stop()
    webhook_loads_curl()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
