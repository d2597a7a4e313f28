#!/usr/bin/env python3
"""Coherence engine epoch time against graph size (bench/coherence_bench.c), 16 to 256
partitions on 4 parts, on both backends:

- host: build/native/bench/bench-coherence, wall-clock ns per epoch;
- aarch64: the image booted with ruvix.test=bench-coherence under -icount shift=0, where one
  ns of virtual time is one instruction: the figures are instructions per epoch.

One mincut_epoch_ns line per size and backend, then one mincut_largest_size_within_budget
line per backend: the largest size whose median epoch stays within the DC-2 budget (50 us;
under icount, 50,000 instructions). Epochs run without a budget so the full search is timed.

Last, placement_quality_pct_above_optimum (bench/coherence_quality.c): on 144 graphs of 8 to 14
nodes, how far the partitioner's cut lies above the brute-force optimum, on average (spec: at
most 5) and at worst."""
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
    exe = build / "native" / "bench" / "bench-coherence"
    if not exe.exists():
        print(f"bench_coherence: {exe} is missing (coherence engine disabled?)", file=sys.stderr)
        return 1
    host = subprocess.run([exe, host_cpu()], capture_output=True, text=True)
    if host.returncode != 0:
        print(f"bench_coherence: host run failed: {host.stderr}", file=sys.stderr)
        return 1
    qemu = boot_icount(build, "ruvix.test=bench-coherence", timeout=600)
    if qemu.returncode != 0:
        print(f"bench_coherence: QEMU run failed ({qemu.returncode}):\n{qemu.stdout}",
              file=sys.stderr)
        return 1
    figs = [json.loads(l) for l in host.stdout.splitlines() + qemu.stdout.splitlines()
            if l.startswith("{")]
    largest = {}
    for fig in figs:
        if fig["backend"] != "host":
            fig["unit"] = "virtual ns (instructions under icount)"
            fig["machine"] = icount_machine()
        print(json.dumps(fig), flush=True)
        if fig["name"] != "mincut_epoch_ns":
            continue
        if fig["median_within_budget"]:
            largest[fig["backend"]] = max(largest.get(fig["backend"], 0), fig["partitions"])
        largest.setdefault(fig["backend"], 0)
    for backend, size in largest.items():
        machine = next(f["machine"] for f in figs if f["backend"] == backend)
        print(json.dumps({"name": "mincut_largest_size_within_budget", "unit": "partitions",
                          "value": size, "budget_ns": 50000, "backend": backend,
                          "machine": machine}), flush=True)
    if len(figs) != 16:
        print(f"bench_coherence: expected 16 figures, got {len(figs)}", file=sys.stderr)
        return 1
    quality = subprocess.run([build / "native" / "bench" / "bench-coherence-quality", host_cpu()],
                             capture_output=True, text=True)
    if quality.returncode != 0:
        print(f"bench_coherence: quality run failed: {quality.stderr}", file=sys.stderr)
        return 1
    print(quality.stdout.strip(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
