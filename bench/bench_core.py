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
import tempfile

from benchlib import host_cpu, qemu_version


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
    with tempfile.TemporaryDirectory() as tmp:
        qemu = subprocess.run(
            ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
             "-cpu", "cortex-a72", "-smp", "2", "-m", "256M", "-nographic", "-no-reboot",
             "-monitor", "none", "-semihosting-config", "enable=on,target=native",
             "-icount", "shift=0,sleep=off",
             "-kernel", str(build / "aarch64" / "arch" / "aarch64" / "ruvix.img"),
             "-append", f"ruvix.test=bench ruvix.manifest=demo ruvix.wlog={tmp}/bench.wlog"],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    if qemu.returncode != 0:
        print(f"bench_core: QEMU run failed ({qemu.returncode}):\n{qemu.stdout}", file=sys.stderr)
        return 1
    lines = [l for l in host.stdout.splitlines() + qemu.stdout.splitlines() if l.startswith("{")]
    for line in lines:
        fig = json.loads(line)
        if fig["backend"] != "host":
            fig["unit"] = "instructions"
            fig["name"] = fig["name"].replace("_ns", "_instructions")
            fig["machine"] = f"QEMU {qemu_version()} virt cortex-a72, -icount shift=0 on {host_cpu()}"
        print(json.dumps(fig), flush=True)
    if len(lines) != 8:
        print(f"bench_core: expected 8 figures, got {len(lines)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
