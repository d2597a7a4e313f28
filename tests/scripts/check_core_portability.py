#!/usr/bin/env python3
"""Check that the core stays portable: freestanding C that reaches the machine only through the
HAL (docs/layout.md).

1. Every undefined symbol of every object in the core's static library is either defined by
   another core object, declared in the HAL header (core/include/ruvix/hal.h), or one of the
   four routines GCC may call even in freestanding code (memcpy, memmove, memset, memcmp).
2. Core sources include only <ruvix/...> headers, the compiler's freestanding headers, and
   "private.h" headers that sit beside them in the core.
3. Core sources contain no inline assembly.

usage: check_core_portability.py --nm NM --hal HAL_H --src DIR [DIR...] --lib LIB
       check_core_portability.py ... --expect-violation SYMBOL   (self-test on a bad library)
"""
import argparse
import pathlib
import re
import subprocess
import sys

COMPILER_RUNTIME = {"memcpy", "memmove", "memset", "memcmp"}
FREESTANDING_HEADERS = {"stdarg.h", "stdbool.h", "stddef.h", "stdint.h", "limits.h",
                        "stdalign.h", "stdnoreturn.h", "float.h", "iso646.h"}


def hal_functions(hal_h):
    text = pathlib.Path(hal_h).read_text()
    return set(re.findall(r"\b(hal_[a-z0-9_]+)\s*\(", text))


def symbols(nm, lib):
    """Map object -> (defined, undefined) global symbols."""
    out = subprocess.run([nm, "-A", "-g", lib], capture_output=True, text=True, check=True).stdout
    objs = {}
    for line in out.splitlines():
        # "lib.a:obj.o:0000 T name" or "lib.a:obj.o:         U name"
        m = re.match(r"^(.*?):([^:]+\.o(?:bj)?):\s*(?:[0-9a-fA-F]+\s+)?([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        obj, kind, name = m.group(2), m.group(3), m.group(4)
        d, u = objs.setdefault(obj, (set(), set()))
        (u if kind == "U" else d).add(name)
    return objs


def check_sources(dirs):
    problems = []
    for d in dirs:
        for path in sorted(pathlib.Path(d).rglob("*")):
            if path.suffix not in (".c", ".h"):
                continue
            for no, line in enumerate(path.read_text().splitlines(), 1):
                m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                private = m and m.group(1) == '"' and (path.parent / m.group(2)).exists()
                if m and not (private or m.group(2).startswith("ruvix/")
                              or m.group(2) in FREESTANDING_HEADERS):
                    problems.append(f"{path}:{no}: includes {m.group(1)}{m.group(2)}: only "
                                    "<ruvix/...> and freestanding headers are allowed in the core")
                if re.search(r"\b(__asm__|asm)\s*(volatile|__volatile__)?\s*\(", line):
                    problems.append(f"{path}:{no}: inline assembly in the core")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", required=True)
    ap.add_argument("--hal", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--src", nargs="*", default=[])
    ap.add_argument("--expect-violation")
    a = ap.parse_args()

    allowed = hal_functions(a.hal) | COMPILER_RUNTIME
    objs = symbols(a.nm, a.lib)
    if not objs:
        print(f"FAIL: no objects found in {a.lib}")
        return 1
    defined = set().union(*(d for d, _ in objs.values()))
    problems = []
    for obj, (_, undefined) in sorted(objs.items()):
        for name in sorted(undefined - defined - allowed):
            problems.append(f"{obj}: references '{name}', which is neither the HAL nor the core")
    problems += check_sources(a.src)

    if a.expect_violation:
        hit = [p for p in problems if f"'{a.expect_violation}'" in p]
        if hit:
            print(f"OK: the check catches {a.expect_violation}: {hit[0]}")
            return 0
        print(f"FAIL: the check missed '{a.expect_violation}' in {a.lib}")
        return 1
    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"OK: {len(objs)} core objects reference only the HAL ({len(allowed - COMPILER_RUNTIME)} "
          f"functions) and {', '.join(sorted(COMPILER_RUNTIME))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
