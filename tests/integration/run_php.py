#!/usr/bin/python3
"""run_php.py [FRONT]: start the stack (default behind lighttpd) and run test_php.php against it
with the Debian php-cli + php-curl our shared-hosting users have. Exit: PHP's status (0 pass,
1 fail), 77 when php or its curl extension or the web server is missing, 1 when the stack does
not start."""
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack as stackmod  # noqa: E402


def main(argv):
    front = argv[1] if len(argv) > 1 else "lighttpd"
    php = shutil.which("php")
    if not php:
        print("SKIP: php (php-cli) is not installed")
        return 77
    if subprocess.call([php, "-r", "exit(function_exists('curl_init') ? 0 : 1);"]) != 0:
        print("SKIP: php has no curl extension (php-curl)")
        return 77
    st = stackmod.Stack(front)
    try:
        st.start()
    except stackmod.Skip as e:
        print("SKIP: %s" % e)
        return 77
    except stackmod.StackError as e:
        print("FAIL - stack start: %s\n0 passed, 1 failed" % e)
        return 1
    try:
        env = dict(os.environ, WG_BASE_URL=st.base_url, WG_API_KEY=st.api_key)
        script = os.path.join(stackmod.HERE, "test_php.php")
        rc = subprocess.call([php, "-d", "display_errors=stderr", "-d", "error_reporting=-1", script],
                             env=env, timeout=120)
        if rc != 0:
            st.dump_logs()
        return rc
    finally:
        st.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
