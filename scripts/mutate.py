#!/usr/bin/env python3
"""Deliberate breaks of the code, each of which some test must catch (`make mutate`).

A claim is proven when breaking the code that makes it true makes a test fail. Each entry of
tests/mutations.txt names a file, a snippet of it and what to put instead, and the tests that
must then fail. This script copies the tree (tracked and untracked, not ignored, files) to a
scratch folder, builds it once per configuration, then for each mutation: applies it, rebuilds,
runs the named tests, and restores the file. It reports every mutation whose tests all still
passed ("survived") and exits 1 if there is any, or if a snippet is no longer in its file.

usage: scripts/mutate.py [--list FILE] [--only SUBSTRING] [--keep DIR]

Format of the list (blank lines and lines starting with # are ignored):
    == a short name of the claim
    file: core/partition.c
    config: native | aarch64      (which build runs the tests)
    tests: test_name [test_name ...]
    - the original lines (one or more lines, each starting with "- ")
    + the replacement lines (zero or more, each starting with "+ ")
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def parse(path):
    muts, cur = [], None
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("== "):
            cur = {"name": line[3:].strip(), "old": [], "new": [], "line": n}
            muts.append(cur)
        elif not line.strip() or line.startswith("#"):
            continue
        elif cur is None:
            sys.exit(f"{path}:{n}: expected '== name' before anything else")
        elif line.startswith("- ") or line == "-":
            cur["old"].append(line[2:])
        elif line.startswith("+ ") or line == "+":
            cur["new"].append(line[2:])
        elif ":" in line:
            k, v = line.split(":", 1)
            if k.strip() not in ("file", "config", "tests"):
                sys.exit(f"{path}:{n}: unknown key {k.strip()!r} (expected file, config, tests)")
            cur[k.strip()] = v.strip()
        else:
            sys.exit(f"{path}:{n}: expected 'key: value', '- old' or '+ new'")
    for m in muts:
        for k in ("file", "config", "tests"):
            if k not in m:
                sys.exit(f"{path}:{m['line']}: mutation {m['name']!r} lacks '{k}:'")
        if not m["old"]:
            sys.exit(f"{path}:{m['line']}: mutation {m['name']!r} has no '- ' lines")
        if m["config"] not in ("native", "aarch64"):
            sys.exit(f"{path}:{m['line']}: config must be native or aarch64")
    return muts


def sh(cmd, cwd, **kw):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, **kw)


def main(argv):
    list_file, only, keep = ROOT / "tests" / "mutations.txt", None, None
    while argv:
        a = argv.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--list", "--only", "--keep") and argv:
            v = argv.pop(0)
            if a == "--list":
                list_file = pathlib.Path(v)
            elif a == "--only":
                only = v
            else:
                keep = pathlib.Path(v)
        else:
            print(f"mutate: unknown or incomplete option {a} (see --help)", file=sys.stderr)
            return 2
    muts = [m for m in parse(list_file) if not only or only in m["name"]]
    work = keep or pathlib.Path(tempfile.mkdtemp(prefix="ruvix-mutate-"))
    files = sh(["git", "ls-files", "-co", "--exclude-standard"], ROOT).stdout.split()
    for f in files:
        src, dst = ROOT / f, work / f
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    builds = {}
    configs = {m["config"] for m in muts}
    # The aarch64 build's main_job test runs scripts/run.sh, which needs the native build
    # beside it (tests/scripts/main_job_test.py skips without one, and a skip passes).
    if "aarch64" in configs:
        configs.add("native")
    for cfg in sorted(configs):
        b = work / "build" / cfg
        args = ["-Darm64_sysroot=" + str(ROOT / ".deps" / "arm64")]
        if cfg == "aarch64":
            args += ["--cross-file", "arch/aarch64/cross.ini"]
        if not (b / "build.ninja").exists():
            r = sh(["meson", "setup", b, *args], work)
            if r.returncode:
                print(r.stdout + r.stderr)
                return 2
        r = sh(["ninja", "-C", b], work)
        if r.returncode:
            print(f"mutate: the unmutated tree does not build ({cfg}):\n{r.stdout[-3000:]}")
            return 2
        builds[cfg] = b
    survived, missing, caught = [], [], 0
    for m in muts:
        path = work / m["file"]
        text = path.read_text()
        old, new = "\n".join(m["old"]) + "\n", "\n".join(m["new"]) + ("\n" if m["new"] else "")
        if text.count(old) != 1:
            missing.append(m)
            print(f"MISSING  {m['name']}: the '- ' lines occur {text.count(old)} times in {m['file']}")
            continue
        try:
            path.write_text(text.replace(old, new))
            b = builds[m["config"]]
            r = sh(["ninja", "-C", b], work)
            if r.returncode:
                print(f"caught   {m['name']}: it does not build")
                caught += 1
                continue
            r = sh(["meson", "test", "-C", b, "--no-rebuild", *m["tests"].split()], work,
                   timeout=1200)
            if r.returncode:
                print(f"caught   {m['name']}")
                caught += 1
            else:
                print(f"SURVIVED {m['name']}: {m['tests']} still pass")
                survived.append(m)
        finally:
            path.write_text(text)
    sh(["ninja", "-C", builds[muts[0]["config"]]], work) if muts else None
    print(f"{caught} caught, {len(survived)} survived, {len(missing)} missing "
          f"(of {len(muts)} mutations in {list_file.name})")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if survived or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
