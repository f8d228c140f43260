#!/usr/bin/python3
"""Proves our linking simulator (tests/wa/sim/wa-sim.mjs) against the real Baileys 7.0.0-rc13
client from npm before connd is pointed at it: Baileys links by QR and by pairing code, verifies
nothing is off in pair-success (the simulator checks Baileys' device signature), restarts on 515
and logs in. Exit 77 when node/npm is missing."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wasim  # noqa: E402


def main():
    try:
        tmp = tempfile.mkdtemp(prefix="wgwb", dir="/tmp")
        sim = wasim.Sim(tmp)
    except wasim.stack.Skip as e:
        print("SKIP: %s" % e)
        return 77
    try:
        r = subprocess.run([sim.node, os.path.join(wasim.WA_DIR, "sim", "prove-baileys.mjs"),
                            sim.ws_url, sim.admin_url], cwd=wasim.WA_DIR, timeout=90,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace")
        print(out)
        if r.returncode != 0 or "PROVED" not in out:
            print(open(sim.logpath).read()[-3000:])
            return 1
        return 0
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
