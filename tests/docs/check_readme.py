#!/usr/bin/python3
"""Checks README.md against the code, so the docs cannot drift:
1. the configuration table equals `connd --help-markdown` (regenerate with ./wagate readme);
2. "Source layout" names every top-level folder, every folder under connd/ and tests/,
   and every C module (file stem) under connd/*/ and shared/.
Prints 'N passed, N failed' and exits non-zero on any failure."""
import os
import re
import subprocess
import sys

src = os.environ["WG_SOURCE_DIR"]
build = os.environ["WG_BUILD_DIR"]
readme = open(os.path.join(src, "README.md"), encoding="utf-8").read()
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


table = subprocess.run([os.path.join(build, "connd", "connd"), "--help-markdown"],
                       capture_output=True, text=True, check=True).stdout.strip()
m = re.search(r"<!-- config-table:begin[^>]*-->\n(.*?)<!-- config-table:end -->", readme, re.S)
check(m is not None, "README has the config-table markers")
if m:
    check(m.group(1).strip() == table,
          "README config table equals `connd --help-markdown` (run ./wagate readme)")

layout = readme.split("## Source layout", 1)[-1]
check("## Source layout" in readme, "README has a Source layout section")
skip = re.compile(r"^(\.|build|var$|node_modules$|scratch)")


def dirs(path):
    full = os.path.join(src, path)
    return sorted(d for d in os.listdir(full)
                  if os.path.isdir(os.path.join(full, d)) and not skip.match(d))


for d in dirs("."):
    check(f"`{d}/`" in layout, f"Source layout names top-level `{d}/`")
for parent in ("connd", "tests"):
    for d in dirs(parent):
        check(f"`{d}/`" in layout or f"`{parent}/{d}/`" in layout,
              f"Source layout names `{parent}/{d}/`")
for concern in dirs("connd") + ["../shared"]:
    folder = os.path.join(src, "connd", concern)
    for f in sorted(os.listdir(folder)):
        if f.endswith(".c"):
            stem = f[:-2]
            check(re.search(r"`%s[`(. ]" % re.escape(stem), layout) is not None,
                  f"Source layout names module `{stem}` ({concern})")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
