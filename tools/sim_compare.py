#!/usr/bin/env python3
"""ruvix-sim compare: run several policies over an offered-load sweep of one trace.

  ruvix-sim compare --trace T --machine M --policies naive,edf --loads 0.5,0.7,0.9 --out DIR
                    [--manifest X] [--seed S] [--load-basis busiest|mean]

Offered load is CPU utilisation. With --load-basis busiest (the default) it is that of the
busiest CPU: the most work any one CPU did in a first run at the trace's own pace (compute,
switches and penalties, report.json's cpu_busy_ns) divided by the arrival span. Partitions
stay on their home CPUs, so that CPU saturates first, and a load of 1 is where it would be
busy all the time. With --load-basis mean it is the trace's compute divided by (its arrival
span x the machine's CPUs), which hides an overloaded CPU behind idle ones. Each load is
reached by scaling arrival times (ruvix-sim run --time-scale). When most critical requests
miss their deadline at every load for some policy, a warning says so (and summary.json
carries it): the sweep then shows overload, not the policies.
Writes DIR/POLICY-LOAD/{report.json,witness.wlog,cdf.dat}, DIR/summary.json, gnuplot PNGs
(latency-cdf.png, p99-vs-load.png, cross-node-bytes.png) with their data (p99.dat,
cross.dat), and prints a table. Progress goes to
a terminal only. Nothing is left half-written: summary.json and the plots appear last, renamed
into place.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys


def fail(msg, status=1):
    print(f"ruvix-sim compare: {msg}", file=sys.stderr)
    sys.exit(status)


def trace_work(path):
    """Total compute (ns) and arrival span (ns) of a trace, streaming."""
    compute, first, last, version = 0, None, 0, None
    try:
        with open(path) as f:
            for line in f:
                t = line.split()
                if not t or t[0].startswith("#"):
                    continue
                if t[0] == "ruvix-trace":
                    version = t[1] if len(t) > 1 else None
                elif t[0] == "request":
                    at = int(t[1])
                    first = at if first is None else first
                    last = at
                    if version == "0":
                        compute += int(t[3])
                    else:
                        compute += sum(int(s.split(":")[2]) for s in t[4:] if s.startswith("c:"))
    except (OSError, ValueError, IndexError) as e:
        fail(f"{path}: cannot read the trace ({e}); `ruvix-sim run` says what is wrong")
    if first is None or last <= first:
        fail(f"{path}: needs at least two requests at different times for a load sweep")
    return compute, last - first


def run(sim, args, out, extra):
    cmd = [sim, "run", "--trace", args.trace, "--machine", args.machine, "--out", str(out),
           "--seed", str(args.seed)] + (["--manifest", args.manifest] if args.manifest else [])
    r = subprocess.run(cmd + extra, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        fail(f"`{' '.join(map(str, cmd + extra))}` failed")
    return json.loads((out / "report.json").read_text())


def gnuplot(script, cwd):
    if not shutil.which("gnuplot"):
        fail("gnuplot is not installed (Debian: apt-get install gnuplot-nox; scripts/deps.sh)")
    r = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        fail(f"gnuplot: {r.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser(prog="ruvix-sim compare")
    ap.add_argument("--sim", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--machine", required=True)
    ap.add_argument("--policies", default="naive,edf")
    ap.add_argument("--loads", default="0.5,0.7,0.9")
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--load-basis", choices=["busiest", "mean"], default="busiest")
    a = ap.parse_args()
    policies = [p for p in a.policies.split(",") if p]
    try:
        loads = [float(x) for x in a.loads.split(",") if x]
    except ValueError:
        fail(f"--loads wants numbers like 0.5,0.7,0.9, got '{a.loads}'", 2)
    if not policies or not loads or any(not 0 < x <= 10 for x in loads):
        fail("need at least one policy and loads in (0, 10]", 2)
    if len({f"{x:g}" for x in loads}) != len(loads) or len(set(policies)) != len(policies):
        fail("each policy and each load once, please", 2)
    if not shutil.which("gnuplot"):
        fail("gnuplot is not installed (Debian: apt-get install gnuplot-nox; scripts/deps.sh)")
    out = pathlib.Path(a.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(f"{out}: {e.strerror}")
    tty = sys.stderr.isatty()

    compute, span = trace_work(a.trace)
    probe = run(a.sim, a, out / ".probe", [])
    shutil.rmtree(out / ".probe")
    cpus = probe["machine"]["cpus"]
    if a.load_basis == "busiest":
        base = max(probe["cpu_busy_ns"]) / span
    else:
        base = compute / (span * cpus)

    results, total, k = [], len(policies) * len(loads), 0
    for policy in policies:
        for load in loads:
            k += 1
            if tty:
                print(f"\r[{k}/{total}] {policy} at load {load:.2f} ", end="", file=sys.stderr,
                      flush=True)
            d = out / f"{policy}-{load:g}"
            scale = base / load
            if scale > 1e6:
                fail(f"load {load:g} would stretch arrivals {scale:.3g} times (at most 1e6); "
                     f"the trace's own load is {base:.3g}")
            rep = run(a.sim, a, d, ["--policy", policy, "--time-scale", f"{scale:.9g}",
                                    "--cdf", str(d / "cdf.dat")])
            results.append({"policy": policy, "load": load, "time_scale": scale,
                            "dir": d.name, "latency_ns": rep["latency_ns"],
                            "deadline_misses": rep["deadline_misses"],
                            "throughput_rps": rep["throughput_rps"],
                            "local_bytes": rep["local_bytes"],
                            "cross_node_bytes": rep["cross_node_bytes"],
                            "switches": rep["switches"], "witness": rep["witness"]})
    if tty:
        print("", file=sys.stderr)

    # Table: critical p99 when there is critical work, else all.
    cls = "critical" if any(r["latency_ns"]["critical"]["count"] for r in results) else "all"
    print(f"{'policy':<9} {'load':>5} {cls + ' p99 ns':>16} {'all p99 ns':>14} "
          f"{'misses':>7} {'cross-node B':>14} {'local B':>12}")
    for r in results:
        print(f"{r['policy']:<9} {r['load']:>5.2f} {r['latency_ns'][cls]['p99']:>16} "
              f"{r['latency_ns']['all']['p99']:>14} "
              f"{r['deadline_misses']['critical'] + r['deadline_misses']['batch']:>7} "
              f"{r['cross_node_bytes']:>14} {r['local_bytes']:>12}")

    # Plots: gnuplot data files and scripts, PNGs through pngcairo.
    top = max(loads)
    with open(out / "p99.dat", "w") as f:
        for policy in policies:
            f.write(f"# {policy}\n")
            for r in results:
                if r["policy"] == policy:
                    f.write(f"{r['load']} {r['latency_ns'][cls]['p99']}\n")
            f.write("\n\n")
    with open(out / "cross.dat", "w") as f:
        for i, policy in enumerate(policies):
            r = next(r for r in results if r["policy"] == policy and r["load"] == top)
            f.write(f"{i} \"{policy}\" {r['cross_node_bytes']}\n")
    col = 3 if cls == "critical" else 2
    cdf_plots = ", ".join(f"'{p}-{top:g}/cdf.dat' using 1:{col} with steps title '{p}'"
                          for p in policies)
    p99_plots = ", ".join(f"'p99.dat' index {i} using 1:2 with linespoints title '{p}'"
                          for i, p in enumerate(policies))
    gnuplot(f"""set terminal pngcairo size 900,560
set output 'latency-cdf.png.tmp'
set title 'Latency CDF ({cls} requests) at offered load {top:g}'
set xlabel 'latency (ns)'; set ylabel 'fraction of requests'; set logscale x; set key bottom right
plot {cdf_plots}
set output 'p99-vs-load.png.tmp'
unset logscale x; set logscale y
set title 'p99 latency ({cls}) vs offered load'; set xlabel 'offered load'; set ylabel 'p99 (ns)'
set key top left
plot {p99_plots}
set output 'cross-node-bytes.png.tmp'
unset logscale y; set style fill solid 0.6; set boxwidth 0.6; set yrange [0:*]
set title 'Cross-node message bytes at offered load {top:g}'; set ylabel 'bytes'; unset xlabel
plot 'cross.dat' using 1:3:xtic(2) with boxes notitle
""", out)
    for name in ("latency-cdf.png", "p99-vs-load.png", "cross-node-bytes.png"):
        os.replace(out / f"{name}.tmp", out / name)
    warnings = []
    for policy in policies:
        runs = [r for r in results if r["policy"] == policy]
        if all(r["latency_ns"]["critical"]["count"] and
               2 * r["deadline_misses"]["critical"] > r["latency_ns"]["critical"]["count"]
               for r in runs):
            at = ", ".join(f"{r['load']:g}" for r in runs)
            warnings.append(f"{policy}: most critical requests miss their deadline at every "
                            f"load ({at}): the sweep shows overload, not the policy; try lower "
                            "--loads")
    for w in warnings:
        print(f"ruvix-sim compare: warning: {w}", file=sys.stderr)
    summary = {"trace": a.trace, "machine": a.machine, "seed": a.seed,
               "load_basis": a.load_basis, "base_load": base, "class": cls,
               "warnings": warnings, "runs": results,
               "plots": ["latency-cdf.png", "p99-vs-load.png", "cross-node-bytes.png"]}
    with open(out / "summary.json.tmp", "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    os.replace(out / "summary.json.tmp", out / "summary.json")
    print(f"ruvix-sim compare: {out}/summary.json and three plots in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
