#!/usr/bin/env python3
"""The coherence partitioner beside METIS 5.1 on the same graphs (bench/partition_metis.c):
partition_cut_vs_metis and partition_time_vs_metis per graph family and size, and over all
families per size (issue 11's peer figures). Host wall clock for the times: noisy, so they are
ratios measured in one run. Prints nothing (and a note on stderr) in a build without METIS."""
import argparse
import pathlib
import subprocess
import sys

from benchlib import host_cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    exe = pathlib.Path(a.build) / "native" / "bench" / "bench-partition-metis"
    if not exe.exists():
        print("bench_metis: no bench-partition-metis (libmetis-dev missing, or the engine "
              "compiled out); skipped", file=sys.stderr)
        return 0
    r = subprocess.run([exe, host_cpu()], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"bench_metis: failed ({r.returncode}): {r.stderr}", file=sys.stderr)
        return 1
    sys.stdout.write(r.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
