#!/usr/bin/env python3
"""The README's first command's work, as `make run` does it (scripts/run.sh): boot RuVix on
QEMU, verify and replay its log to the kernel's digest, run the simulator on the default trace
and replay that log too. Run from the aarch64 build of a `make check` tree, where the native
build sits beside it; skipped (77) elsewhere. Usage: main_job_test.py SOURCE BUILD_DIR"""
import pathlib
import subprocess
import sys

src, build_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
root = build_dir.parent
if build_dir.name != "aarch64" or not (root / "native" / "sim" / "ruvix-sim").exists():
    print(f"skipped: {build_dir} is not the aarch64 build beside a native one")
    sys.exit(77)
r = subprocess.run(["bash", src / "scripts" / "run.sh", root], capture_output=True, text=True,
                   timeout=600)
out = r.stdout + r.stderr
ok = r.returncode == 0 and out.count("records re-executed, state digest") == 2
print(("ok" if ok else "FAIL") + f" main job: exit {r.returncode}")
if not ok:
    print(out[-4000:])
sys.exit(0 if ok else 1)
