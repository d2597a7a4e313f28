#!/usr/bin/env python3
"""Partition benchmarks on QEMU virt under -icount shift=0 (1 instruction = 1 ns, so every
figure is an instruction count and the same on every run):

- partition_switch_instructions: from the HVC trap in one EL1 partition to the first
  instruction back in the other (manifests/switch.dts, partitions/switch.c; 1,199 switches).
  Full EL1 context: GPRs, 24 EL1 system registers, VTTBR; FP/SIMD is switched lazily (saved on
  kernel entry when a partition owns it, loaded on its next FP instruction), and these two
  programs use none. Specification < 10 us; our bar: median <= 1,000 instructions.
- commedge_roundtrip_instructions: ping sends, pong receives and replies, ping receives
  (manifests/partitions.dts; 1,000 round trips), six witness records included.
- boot_to_first_partition_ns: reset to the moment the kernel enters the first partition
  (virtual time, read just before the timer is armed and the eret: a few dozen instructions
  early).

The counter the programs read ticks every 16 instructions (CNTFRQ 62.5 MHz), so single
samples are multiples of 16."""
import argparse
import json
import re
import sys

from benchlib import boot_icount, icount_machine


def boot(build, manifest):
    r = boot_icount(build, f"ruvix.manifest={manifest}")
    if r.returncode != 0:
        raise SystemExit(f"bench_partitions: boot of {manifest} failed ({r.returncode}):\n{r.stdout}")
    return r.stdout


def figure(name, unit, n, lo, med, hi, machine, **extra):
    obj = {"name": name, "unit": unit, "n": n, "min": lo, "median": med, "max": hi,
           "backend": "aarch64-qemu-icount", "machine": machine}
    obj.update(extra)
    print(json.dumps(obj), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    machine = icount_machine()
    out = boot(a.build, "switch")
    m = re.search(r"^\[\w+\] switch: (\d+) switches, instructions min (\d+) median (\d+) max (\d+)",
                  out, re.M)
    figure("partition_switch_instructions", "instructions", int(m.group(1)), int(m.group(2)),
           int(m.group(3)), int(m.group(4)), machine, spec_max_ns=10000, bar_median=1000,
           fp_simd="lazy: saved on kernel entry if owned, loaded on first use; unused here")
    out = boot(a.build, "partitions")
    m = re.search(r"^\[ping\] ping: (\d+) round trips, 0 bad replies, instructions min (\d+) median (\d+) "
                  r"max (\d+)", out, re.M)
    figure("commedge_roundtrip_instructions", "instructions", int(m.group(1)), int(m.group(2)),
           int(m.group(3)), int(m.group(4)), machine)
    t = int(re.search(r"^partitions: entering \S+ at (\d+) ns since reset", out, re.M).group(1))
    figure("boot_to_first_partition_ns", "ns", 1, t, t, t, machine,
           note="deterministic under icount: one boot is the figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
