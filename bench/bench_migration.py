#!/usr/bin/env python3
"""Live migration on QEMU virt under -icount shift=0 (1 instruction = 1 ns, so every figure is
exact and repeats): the image boots manifests/migration.dts, two ping-pong pairs placed
crosswise (a, d on cpu0; b, c on cpu1), and the kernel's coherence engine
(arch/aarch64/placement.c) moves partitions until each pair shares a CPU.

- mincut_epoch_ns (backend aarch64-qemu-icount-kernel): the kernel's own epochs on the live
  4-partition graph, from the closing "coherence:" line.
- cross_cpu_reduction_pct: bytes sent across CPUs with the engine, against the manifest's
  placement, under which every byte crosses (the no-migration QEMU test checks that).
- migrations: moves made, and vCPU arrivals on a new CPU (each moved partition ran there).
- commedge_roundtrip_instructions for each pair, with the migration in the first epoch.

Without the coherence engine in the image (-Dcoherence=disabled) it prints nothing and says so
on stderr."""
import argparse
import json
import re
import sys

from benchlib import boot_icount, icount_machine

BACKEND = "aarch64-qemu-icount-kernel"


def emit(obj, machine):
    obj.update(backend=BACKEND, machine=machine)
    print(json.dumps(obj), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    r = boot_icount(a.build, "ruvix.manifest=migration")
    if r.returncode != 0:
        print(f"bench_migration: boot failed ({r.returncode}):\n{r.stdout}", file=sys.stderr)
        return 1
    out = r.stdout
    if re.search(r"^coherence: compiled out$", out, re.M):
        print("bench_migration: the image has no coherence engine; nothing to measure",
              file=sys.stderr)
        return 0
    s = re.search(r"^coherence: (\d+) epochs \((\d+) stale\), (\d+) moves, (\d+) vCPU arrivals "
                  r"on a new CPU, epoch ns median (\d+) max (\d+)$", out, re.M)
    t = re.search(r"^edge traffic: (\d+) bytes across CPUs, (\d+) within$", out, re.M)
    pings = re.findall(r"^\[(\w)\] ping: (\d+) round trips, 0 bad replies, instructions min (\d+) "
                       r"median (\d+) max (\d+)$", out, re.M)
    if not s or not t or len(pings) != 2:
        print(f"bench_migration: console lacks the closing figures:\n{out}", file=sys.stderr)
        return 1
    machine = icount_machine()
    epochs, stale, moves, arrivals, med, hi = (int(x) for x in s.groups())
    emit({"name": "mincut_epoch_ns", "unit": "virtual ns (instructions under icount)",
          "partitions": 4, "n": epochs, "median": med, "max": hi, "stale_epochs": stale,
          "median_within_budget": med <= 50000, "graph": "migration manifest, live traffic"},
         machine)
    across, within = int(t.group(1)), int(t.group(2))
    total = across + within
    emit({"name": "cross_cpu_reduction_pct", "unit": "%",
          "value": round(100.0 * (total - across) / total, 1),
          "graph": "migration manifest (2 ping-pong pairs, crosswise)",
          "bytes_across_manifest_placement": total, "bytes_across_coherence": across},
         machine)
    emit({"name": "migrations", "unit": "partitions", "value": moves,
          "vcpu_arrivals_on_new_cpu": arrivals}, machine)
    for name, n, lo, med, hi in pings:
        emit({"name": "commedge_roundtrip_instructions", "unit": "instructions", "n": int(n),
              "min": int(lo), "median": int(med), "max": int(hi),
              "pair": f"{name} (ping), moved in epoch 0 of the migration manifest"}, machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
