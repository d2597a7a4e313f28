#!/usr/bin/env python3
"""Simulator throughput: sim_events_per_second and sim_peak_rss_bytes on a large generated
trace: `ruvix-trace gen` (format 1: 8 partitions in 2 groups, 1,000,000 request/response chains
of 3 compute steps and 2 messages, 20 % critical, 60 % load) on the numa2x2 machine with the
edf policy; about 6 million events. Wall-clock on a shared machine: compare runs made
together, not across days. Our bar: >= 5 million events/s on one core."""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

from benchlib import host_cpu

REQUESTS = 1_000_000


def write_trace(build, path):
    r = subprocess.run([build / "native" / "tools" / "ruvix-trace", "gen", "--requests",
                        str(REQUESTS), "--seed", "5", "-o", path], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench_sim: ruvix-trace gen failed: {r.stderr}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    sim = pathlib.Path(a.build) / "native" / "sim" / "ruvix-sim"
    with tempfile.TemporaryDirectory() as tmp:
        trace = pathlib.Path(tmp) / "big.trace"
        write_trace(pathlib.Path(a.build), trace)
        samples, rss = [], 0
        for _ in range(3):
            # GNU time reports the simulator's own peak RSS (a fork of this interpreter would
            # count Python's pages too).
            t0 = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", sim, "run", "--trace", trace,
                                "--machine", "numa2x2", "--policy", "edf", "--out",
                                pathlib.Path(tmp) / "out"],
                               capture_output=True, text=True)
            dt = time.perf_counter() - t0
            if r.returncode != 0:
                print(f"bench_sim: run failed: {r.stderr}", file=sys.stderr)
                return 1
            rss = max(rss, int(r.stderr.strip().splitlines()[-1]) * 1024)
            events = json.loads((pathlib.Path(tmp) / "out" / "report.json").read_text())["events"]
            samples.append(events / dt)
    samples.sort()
    machine = f"host {host_cpu()}, one core"
    print(json.dumps({"name": "sim_events_per_second", "unit": "events/s", "n": len(samples),
                      "min": round(samples[0]), "median": round(samples[1]),
                      "max": round(samples[-1]), "backend": "sim", "machine": machine,
                      "events": events, "bar_min": 5_000_000}), flush=True)
    print(json.dumps({"name": "sim_peak_rss_bytes", "unit": "bytes", "n": 1, "min": rss,
                      "median": rss, "max": rss, "backend": "sim", "machine": machine}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
