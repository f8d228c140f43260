#!/usr/bin/python3
"""test_configs.py: the web-server configs render and pass the servers' own syntax checks.

For lighttpd/wagate.conf, apache/wagate.conf and apache/wagate-fcgid.conf:
  * render-conf fills every placeholder (`--list` agrees, nothing @LIKE_THIS@ is left) and
    refuses to render with a value missing (exit 2);
  * `lighttpd -tt -f` (syntax + module load) / `apache2 -t -f ... -DWAGATE_STANDALONE`;
  * the Apache configs also pass `apache2 -t` when Included inside a <VirtualHost> of another
    server (the "add it to the Apache you already run" path, stand-alone section skipped).
  (.htaccess files are only read at request time: apache/htaccess.example is exercised by
    test_rest.py's apache-htaccess front instead.)
Needs no wagate binary. Prints "N passed, N failed"; exit 1 on failure, 77 when neither
lighttpd nor apache2 is installed.
"""
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack as stackmod  # noqa: E402

SRC = stackmod.source_dir()
RENDER = os.path.join(stackmod.HERE, "render-conf")
passed = failed = 0


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok - %s" % name)
    else:
        failed += 1
        print("FAIL - %s\n    %s" % (name, detail.strip().replace("\n", "\n    ")))


def run(argv, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, **kw)
    return p.returncode, p.stdout.decode(errors="replace")


def values(tmp):
    return {
        "PORT": str(stackmod.free_port()), "BIND": "127.0.0.1", "RUN_DIR": tmp,
        "WWW_DIR": os.path.join(SRC, "www"), "FCGI_BIN": os.path.join(tmp, "wagate-fcgi"),
        "FCGI_SOCKET": os.path.join(tmp, "fcgi.sock"), "DATA_DIR": os.path.join(tmp, "data"),
        "IPC_SOCKET": os.path.join(tmp, "connd.sock"), "SIO_PORT": str(stackmod.free_port()),
        "MAX_BODY_BYTES": "10485760", "LOG_LEVEL": "info", "USER": "nobody", "GROUP": "nogroup",
        "APACHE_MODULES": stackmod.APACHE_MODULES,
    }


def render_checks(tmp, rel, vals):
    """Render rel into tmp with the CLI; return the output path (or None)."""
    tmpl = os.path.join(SRC, rel)
    rc, out = run([RENDER, "--list", tmpl])
    names = out.split()
    report("%s: render-conf --list names its placeholders" % rel, rc == 0 and names,
           "rc %d: %s" % (rc, out))
    dest = os.path.join(tmp, os.path.basename(rel) + ".rendered")
    args = ["%s=%s" % (n, vals[n]) for n in names if n in vals]
    unknown = [n for n in names if n not in vals]
    report("%s: every placeholder is a documented name" % rel, not unknown, "unknown %s" % unknown)
    rc, out = run([RENDER, tmpl, dest] + args)
    report("%s: renders" % rel, rc == 0, out)
    if rc != 0:
        return None
    with open(dest) as f:
        text = f.read()
    left = re.findall(r"@[A-Z][A-Z0-9_]*@", text)
    report("%s: no placeholder left" % rel, not left, "left: %s" % left)
    rc, out = run([RENDER, tmpl, os.path.join(tmp, "partial")] + args[1:])
    report("%s: a missing value is an error (exit 2, no output)" % rel,
           rc == 2 and not os.path.exists(os.path.join(tmp, "partial")), "rc %d %s" % (rc, out))
    rc, out = run([RENDER, tmpl, os.path.join(tmp, "extra")] + args + ["NOT_USED_X=1"])
    report("%s: an unused value is an error unless --allow-unused" % rel, rc == 2, out)
    return dest


def main():
    have_lighttpd = stackmod.which("lighttpd")
    have_apache = stackmod.which("apache2")
    if not have_lighttpd and not have_apache:
        print("SKIP: neither lighttpd nor apache2 is installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="wgc", dir="/tmp")
    try:
        vals = values(tmp)
        os.makedirs(os.path.join(tmp, "fcgid"))
        if have_lighttpd:
            conf = render_checks(tmp, "lighttpd/wagate.conf", vals)
            if conf:
                rc, out = run([have_lighttpd, "-tt", "-f", conf])
                report("lighttpd -tt -f lighttpd/wagate.conf", rc == 0, out)
        else:
            print("# lighttpd not installed: its config is not checked")
        if have_apache:
            for rel, module in (("apache/wagate.conf", "proxy_fcgi"),
                                ("apache/wagate-fcgid.conf", "fcgid")):
                if not os.path.exists(os.path.join(stackmod.APACHE_MODULES, "mod_%s.so" % module)):
                    print("# mod_%s not installed: %s not checked" % (module, rel))
                    continue
                conf = render_checks(tmp, rel, vals)
                if not conf:
                    continue
                rc, out = run([have_apache, "-t", "-f", conf, "-DWAGATE_STANDALONE"])
                report("apache2 -t %s (stand-alone)" % rel, rc == 0 and "Syntax OK" in out, out)
                # Included in a VirtualHost of some other server: modules loaded by that server.
                host = os.path.join(tmp, "host-%s.conf" % module)
                mods = ["mpm_event", "authz_core", "alias", "dir", "mime", "proxy", "proxy_http",
                        module]
                with open(host, "w") as f:
                    f.write('ServerRoot "%s"\nListen 127.0.0.1:%s\nServerName localhost\n'
                            'PidFile "%s/host.pid"\nErrorLog "%s/host-error.log"\n'
                            'DefaultRuntimeDir "%s"\nMutex file:%s default\n'
                            % (tmp, vals["PORT"], tmp, tmp, tmp, tmp))
                    for m in mods:
                        f.write("LoadModule %s_module %s/mod_%s.so\n"
                                % (m, stackmod.APACHE_MODULES, m))
                    if module == "fcgid":
                        f.write('FcgidIPCDir "%s/fcgid"\nFcgidProcessTableFile "%s/fcgid/shm"\n'
                                % (tmp, tmp))
                    f.write('<VirtualHost 127.0.0.1:%s>\n  ServerName wagate.example\n'
                            '  Include "%s"\n</VirtualHost>\n' % (vals["PORT"], conf))
                rc, out = run([have_apache, "-t", "-f", host])
                report("apache2 -t with %s included by another server" % rel,
                       rc == 0 and "Syntax OK" in out, out)
        else:
            print("# apache2 not installed: its configs are not checked")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
