#!/usr/bin/python3
"""test_allocator.py: connd runs on the allocator its build chose, and says which.

The build links connd with jemalloc unless WAGATE_JEMALLOC=OFF or a sanitizer build
(WAGATE_SANITIZE, WAGATE_FUZZ: those bring their own allocator); the choice is read from the
build's CMakeCache.txt. Checked:
  * `connd --version` names that allocator ("allocator: jemalloc <version>" as jemalloc itself
    reports it, or "allocator: glibc <version>");
  * a running connd (behind lighttpd) has libjemalloc mapped exactly when it should, and
    answers a REST call (so the process really serves on it).
Prints "N passed, N failed"; exit 1 on failure, 77 when lighttpd is not installed.
"""
import json
import os
import re
import subprocess
import sys

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
        with open("/proc/%d/maps" % pid) as f:
            mapped = any("libjemalloc" in l for l in f)
        report("running connd has libjemalloc mapped: %s" % want_jemalloc, mapped == want_jemalloc,
               "mapped=%s" % mapped)
        status, _, body = st.request("GET", "/instance/fetchInstances",
                                     headers={"apikey": st.api_key})
        report("it answers GET /instance/fetchInstances",
               status == 200 and isinstance(json.loads(body), list), "%s %r" % (status, body))
    finally:
        st.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
