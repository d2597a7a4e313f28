#!/usr/bin/env python3
"""Fail when a tracked C file differs from what clang-format (with the root .clang-format) makes
of it. usage: check_format.py CLANG_FORMAT SOURCE_ROOT"""
import pathlib
import subprocess
import sys

clang_format, root = sys.argv[1], pathlib.Path(sys.argv[2])
files = subprocess.run(["git", "-C", root, "ls-files", "*.c", "*.h"], capture_output=True,
                       text=True).stdout.split()
if not files:  # not a git checkout: format every C file under the known source folders
    files = [str(p.relative_to(root)) for d in ("core", "coherence", "arch", "sim", "tools", "tests")
             for p in (root / d).rglob("*.[ch]")]
bad = []
for f in files:
    r = subprocess.run([clang_format, "--dry-run", "--Werror", root / f], capture_output=True,
                       text=True)
    if r.returncode != 0:
        bad.append(f)
for f in bad:
    print(f"not formatted: {f} (run: make format)")
print(f"{len(files) - len(bad)} of {len(files)} files formatted")
sys.exit(1 if bad else 0)
