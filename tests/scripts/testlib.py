"""Small helpers shared by the test scripts: running commands and checking results."""
import pathlib
import subprocess
import sys


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(cmd, **kw):
    """Run @cmd, return CompletedProcess with text output."""
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def main(tests):
    """Run each (name, function) in @tests; print one line per test; exit 1 on any failure."""
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok {name}")
        except Failure as e:
            failed += 1
            print(f"FAIL {name}: {e}")
    print(f"{len(tests) - failed} of {len(tests)} checks ok")
    sys.exit(1 if failed else 0)


def shared_verifier(root):
    """The independent verifier from ../shared/tools, or None when it is not there."""
    p = pathlib.Path(root).parent / "shared" / "tools" / "witness_verify.py"
    return p if p.exists() else None


def check_shared_verifier(root, log):
    """LOG passes the independent verifier; returns its path, or None (with a note) when
    ../shared/tools lacks it."""
    shared = shared_verifier(root)
    if shared:
        s = run(["python3", shared, log])
        check(s.returncode == 0, f"independent verifier rejects the log: {s.stdout}")
    else:
        print("note: ../shared/tools/witness_verify.py absent; independent check skipped")
    return shared
