#!/usr/bin/env python3
"""boot_to_first_witness_ns: virtual time from reset to the first witness record, booting the
real image on QEMU virt under -icount shift=0,sleep=off (1 instruction = 1 ns, deterministic).
Specification: < 250 ms. Our bar: < 1 ms."""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

from benchlib import figure, host_cpu, qemu_version

RUNS = 5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    image = pathlib.Path(a.build) / "aarch64" / "arch" / "aarch64" / "ruvix.img"
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(RUNS):
            r = subprocess.run(
                ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                 "-cpu", "cortex-a72", "-smp", "2", "-m", "256M", "-nographic", "-no-reboot",
                 "-monitor", "none", "-semihosting-config", "enable=on,target=native",
                 "-icount", "shift=0,sleep=off", "-kernel", str(image),
                 "-append", f"ruvix.wlog={tmp}/bench.wlog"],
                capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
            m = re.search(r"first record at (\d+) ns", r.stdout)
            if r.returncode != 0 or not m:
                print(f"bench_boot: boot failed (status {r.returncode}):\n{r.stdout}", file=sys.stderr)
                return 1
            samples.append(int(m.group(1)))
    figure("boot_to_first_witness_ns", "ns", samples, "aarch64-qemu-icount",
           f"QEMU {qemu_version()} virt cortex-a72 x2, -icount shift=0 on {host_cpu()}",
           spec_max=250_000_000, bar_max=1_000_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
