#!/usr/bin/env python3
"""Core micro-benchmarks (bench/core_bench.c) on both backends: the P1 capability check, the
P2 grant check, one witness record, and a gated derive + delete pair.

- host: build/native/bench/bench-core, wall-clock ns per call (median of 101 batches of 64);
- aarch64: the image booted with ruvix.test=bench under -icount shift=0, where one ns of
  virtual time is one instruction: the figures are instruction counts per call.

Specification (DC-3): P1 < 1 us, P2 < 100 us."""
import argparse
import json
import pathlib
import subprocess
import sys

from benchlib import boot_icount, host_cpu, icount_machine


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    build = pathlib.Path(a.build)
    host = subprocess.run([build / "native" / "bench" / "bench-core",
                           build / "native" / "manifests" / "demo.dtb", host_cpu()],
                          capture_output=True, text=True)
    if host.returncode != 0:
        print(f"bench_core: host run failed: {host.stderr}", file=sys.stderr)
        return 1
    qemu = boot_icount(build, "ruvix.test=bench ruvix.manifest=demo", timeout=300)
    if qemu.returncode != 0:
        print(f"bench_core: QEMU run failed ({qemu.returncode}):\n{qemu.stdout}", file=sys.stderr)
        return 1
    lines = [l for l in host.stdout.splitlines() + qemu.stdout.splitlines() if l.startswith("{")]
    for line in lines:
        fig = json.loads(line)
        if fig["backend"] != "host":
            fig["unit"] = "instructions"
            fig["name"] = fig["name"].replace("_ns", "_instructions")
            fig["machine"] = icount_machine()
        print(json.dumps(fig), flush=True)
    if len(lines) != 8:
        print(f"bench_core: expected 8 figures, got {len(lines)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
