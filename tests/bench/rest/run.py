#!/usr/bin/python3
"""tests/bench/rest/run.py: REST throughput and latency of wagate vs a minimal Express 4 app.

1. Starts connd + wagate-fcgi behind lighttpd (tests/integration/stack.py), creates an instance,
   records the idle RSS of connd + wagate-fcgi + lighttpd (VmRSS from /proc/<pid>/status).
2. Runs wrk against GET /instance/connectionState/<name> with the apikey header
   (wrk-apikey.lua), after a short warm-up.
3. Starts express-app.js (npm express@4, installed into tests/bench/node_modules on first use
   with `npm install --no-save`), records its idle RSS, runs the same wrk load.
4. Prints requests/s, p50/p99 latency and idle RSS of each, and the ratios, and the CPU time
   (user + system, from /proc/<pid>/stat) each side's processes spent per request during the
   load: on a shared machine requests/s moves with everyone else's work, CPU per request much
   less.

Not a ctest: numbers depend on the machine; they are only meaningful side by side from one run.
Usage: run.py [--duration S] [--connections N] [--threads N] [--key global|token]
Exit: 0 done, 77 wrk/node/npm/lighttpd missing, 1 error. Env WG_BUILD_DIR as for the tests.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(os.path.dirname(BENCH), "integration"))
import stack as stackmod  # noqa: E402

NAME = "bench"


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pids):
    """utime + stime of the processes (all their threads), in clock ticks."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total


def run_wrk(url, key, a, pids=()):
    env = dict(os.environ, WG_APIKEY=key)
    argv = ["wrk", "-t%d" % a.threads, "-c%d" % a.connections, "-d%ds" % a.duration,
            "--timeout", "5s", "-s", os.path.join(HERE, "wrk-apikey.lua"), url]
    # warm-up: one second, results discarded
    subprocess.run(argv[:3] + ["-d1s"] + argv[4:], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    ticks = cpu_ticks(pids)
    out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         check=False).stdout.decode(errors="replace")
    ticks = cpu_ticks(pids) - ticks
    m = re.search(r"^WRK_RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError("wrk printed no result:\n" + out)
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    # CPU of the measured run only (not the warm-up)
    r["cpu_us_per_req"] = ticks * 1e6 / os.sysconf("SC_CLK_TCK") / max(r["requests"], 1)
    r["errors"] = sum(r[k] for k in ("non2xx", "connect_err", "read_err", "write_err", "timeout"))
    return r


def ensure_express():
    if os.path.exists(os.path.join(BENCH, "node_modules", "express", "package.json")):
        return
    print("# installing express@4 into %s/node_modules (npm install --no-save)" % BENCH)
    subprocess.run(["npm", "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
                    "--loglevel=error"], cwd=BENCH, check=True)


def get(url, key):
    req = urllib.request.Request(url, headers={"apikey": key})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def bench_wagate(a):
    # wagate-fcgi logs each request at info: keep that off the measured path
    st = stackmod.Stack("lighttpd", max_body=10485760, fcgi_log_level="warn")
    st.start()
    try:
        status, _, body = st.request("POST", "/instance/create", {"apikey": st.api_key},
                                     {"instanceName": NAME, "integration": "WHATSAPP-BAILEYS"})
        if status != 201:
            raise RuntimeError("create: %d %s" % (status, body[:300]))
        token = json.loads(body)["hash"]["apikey"]
        key = st.api_key if a.key == "global" else token
        url = st.base_url + "/instance/connectionState/" + NAME
        status, body = get(url, key)
        if status != 200:
            raise RuntimeError("connectionState: %d %s" % (status, body[:300]))
        time.sleep(1.0)
        pids = st.pids()
        rss = {role: sum(rss_kib(p) for p in ps) for role, ps in pids.items()}
        res = run_wrk(url, key, a, [p for ps in pids.values() for p in ps])
        res["rss"] = rss
        res["rss_total"] = sum(rss.values())
        res["pids"] = pids
        res["sample"] = body.decode(errors="replace")
        return res, st.api_key, token
    finally:
        st.stop()


def bench_express(a, global_key, token):
    ensure_express()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PORT=str(port), AUTHENTICATION_API_KEY=global_key,
               INSTANCE_NAME=NAME, INSTANCE_TOKEN=token, NODE_ENV="production",
               NODE_PATH=os.path.join(BENCH, "node_modules"))
    p = subprocess.Popen(["node", os.path.join(HERE, "express-app.js")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=BENCH)
    try:
        line = p.stdout.readline().decode()
        if "listening" not in line:
            raise RuntimeError("express-app did not start: %s" % line)
        url = "http://127.0.0.1:%d/instance/connectionState/%s" % (port, NAME)
        key = global_key if a.key == "global" else token
        status, body = get(url, key)
        if status != 200:
            raise RuntimeError("express connectionState: %d %s" % (status, body[:300]))
        time.sleep(1.0)
        res = run_wrk(url, key, a, [p.pid])
        res["rss_total"] = rss_kib(p.pid)
        res["rss"] = {"node": res["rss_total"]}
        res["sample"] = body.decode(errors="replace")
        return res
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    ap.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 32)))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 2)))
    ap.add_argument("--key", choices=("global", "token"), default="token",
                    help="which apikey the load uses (default: the instance token)")
    a = ap.parse_args(argv[1:])
    for tool in ("wrk", "node", "npm"):
        if not shutil.which(tool):
            print("SKIP: %s is not installed" % tool)
            return 77
    try:
        w, gkey, token = bench_wagate(a)
        e = bench_express(a, gkey, token)
    except stackmod.Skip as ex:
        print("SKIP: %s" % ex)
        return 77
    except (stackmod.StackError, RuntimeError, subprocess.CalledProcessError, OSError) as ex:
        print("bench failed: %s" % ex)
        return 1

    print("# GET /instance/connectionState/%s, apikey = %s, wrk -t%d -c%d -d%ds, %d CPUs"
          % (NAME, a.key, a.threads, a.connections, a.duration, os.cpu_count()))
    print("# wagate answers: %s" % w["sample"].strip())
    print("# express answers: %s" % e["sample"].strip())
    print("%-28s %12s %10s %10s %12s %8s %12s" % ("", "requests/s", "p50 ms", "p99 ms",
                                                   "idle RSS MiB", "errors", "CPU us/req"))
    for label, r in (("wagate (lighttpd+fcgi+connd)", w), ("express 4 (node)", e)):
        print("%-28s %12.0f %10.2f %10.2f %12.1f %8d %12.1f"
              % (label, r["rps"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["rss_total"] / 1024,
                 r["errors"], r["cpu_us_per_req"]))
    print("idle RSS of wagate by process (KiB): %s" % ", ".join(
        "%s %d" % (k, v) for k, v in sorted(w["rss"].items())))
    ratio = lambda x, y: x / y if y else float("inf")  # noqa: E731
    print("ratio wagate/express: requests/s %.2fx, p99 latency %.2fx, idle RSS %.2fx, "
          "CPU per request %.2fx"
          % (ratio(w["rps"], e["rps"]), ratio(w["p99_us"], e["p99_us"]),
             ratio(w["rss_total"], e["rss_total"]),
             ratio(w["cpu_us_per_req"], e["cpu_us_per_req"])))
    if w["errors"] or e["errors"]:
        print("WARNING: errors/non-2xx during the load (wagate %d, express %d): numbers are suspect"
              % (w["errors"], e["errors"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
