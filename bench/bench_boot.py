#!/usr/bin/env python3
"""boot_to_first_witness_ns: virtual time from reset to the first witness record, booting the
real image on QEMU virt under -icount shift=0,sleep=off (1 instruction = 1 ns, deterministic).
Specification: < 250 ms. Our bar: < 1 ms."""
import argparse
import re
import sys

from benchlib import boot_icount, figure, icount_machine

RUNS = 5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    samples = []
    for _ in range(RUNS):
        r = boot_icount(a.build, "", timeout=60)
        m = re.search(r"^witness: first record at (\d+) ns", r.stdout, re.M)
        if r.returncode != 0 or not m:
            print(f"bench_boot: boot failed (status {r.returncode}):\n{r.stdout}", file=sys.stderr)
            return 1
        samples.append(int(m.group(1)))
    figure("boot_to_first_witness_ns", "ns", samples, "aarch64-qemu-icount", icount_machine(),
           spec_max=250_000_000, bar_max=1_000_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
