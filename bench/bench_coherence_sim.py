#!/usr/bin/env python3
"""The coherence engine against round-robin placement (success criteria 3 and 4 of
../shared/DESIGN.md), in the simulator on numa2x2 (2 nodes of 2 CPUs).

- cross_node_reduction_pct, two lines per real communication graph (the MapLib CG and LULESH
  matrices and the three Nezha span traces in ../shared/traces, converted with
  `ruvix-trace convert`):
  - mode "static": placement quality. The whole recorded graph (bytes per partition pair,
    summed over the trace) is cut once by the partitioner (bench-coherence-graph, no time
    budget), starting from round-robin; the figure is 100 * (1 - cut / round-robin cut).
  - mode "replay": the live engine. The trace is replayed under --policy naive (round-robin,
    never moved) and --policy coherence (epochs, hysteresis, migration penalty); the figure is
    100 * (1 - coherence / naive) of cross_node_bytes.
  Specification: >= 20. Every graph is reported, also where it loses.
- replay_vs_static_pct and p99_coherence_vs_edf_pct, per graph and k = 2, 4, 8 (numa2x2,
  numa4x2, numa8x1): the live replay's reduction as a share of the static placement's (target
  >= 90), and the all-request p99 under coherence against edf at offered loads 0.5, 0.7 and
  0.9 of the busiest CPU (`ruvix-sim compare`; target: no worse than -2 %).
- p99_reduction_pct, one line per workload and offered load: a generated critical + batch
  trace (`ruvix-trace gen --requests 20000 --seed 2`, 4 KiB messages; and the same with
  64 KiB messages, where communication weighs more) swept over loads; the critical class's p99
  under coherence against naive and against edf (deadline only). Specification: >= 20
  against both. Each line also carries the bound of placement alone: edf with each group on one
  node from the start (grouped_placement_vs_edf).

Simulated time is deterministic, so these figures repeat exactly on any host. Converted
traces go to BUILD/bench-traces/ (never committed). Graphs whose source file is missing are
skipped with a note on stderr."""
import argparse
import collections
import json
import pathlib
import subprocess
import sys

from benchlib import host_cpu

LOADS = [0.5, 0.7, 0.9, 1.1]
REAL_LOADS = [0.5, 0.7, 0.9]  # the real graphs' p99 sweep (issue 11: loads 0.7 to 0.9)

# `ruvix-trace gen`'s 8 partitions form groups p0-p3 and p4-p7: this manifest puts each group
# on one node of numa2x2 (two per CPU), the placement the coherence policy converges to. With a
# manifest, messages go on its edges only: one per pair, each with a 128 KiB shared window (the
# largest message here is 64 KiB).
PAIRS = [(a, b) for a in range(8) for b in range(a + 1, 8)]
GROUPED_MANIFEST = """/dts-v1/;
/ {
\tcompatible = "ruvix,manifest";
\tpartitions {
""" + "".join(f"\t\tp{i} {{ cpu = <{c}>; }};\n" for i, c in enumerate((0, 1, 0, 1, 2, 3, 2, 3))) + """\t};
\tedges {
""" + "".join(f"\t\tp{a}-p{b} {{ ends = \"p{a}\", \"p{b}\"; "
              f"shared = /bits/ 64 <{0x50000000 + k * 0x20000:#x} 0x20000>; }};\n"
              for k, (a, b) in enumerate(PAIRS)) + """\t};
};
"""


def sim(build, trace, policy, out, extra=(), machine="numa2x2"):
    r = subprocess.run([build / "native" / "sim" / "ruvix-sim", "run", "--trace", trace,
                        "--machine", machine, "--policy", policy, "--out", out, *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"ruvix-sim {policy} on {trace}: {r.stderr}")
    return json.loads((out / "report.json").read_text())


def convert(build, kind, src, dst, opts=()):
    r = subprocess.run([build / "native" / "tools" / "ruvix-trace", "convert", "--from", kind,
                        src, "-o", dst, *opts], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"ruvix-trace convert {src}: {r.stderr}")


# The shipped machines with k NUMA nodes: CPUs, and CPUs per node (CPU c is on node c // per).
MACHINES = {"numa2x2": (4, 2), "numa4x2": (8, 2), "numa8x1": (8, 1)}


def static_cut(build, trace, machine="numa2x2"):
    """Round-robin and partitioned cut of the whole graph of TRACE on MACHINE: partition i
    (in declaration order) is on CPU i mod ncpus, node (i mod ncpus) // per; each node holds at
    most its share of the partitions, rounded up, or what round-robin put there, as in the
    simulator."""
    ncpus, per = MACHINES[machine]
    k = ncpus // per
    names, weight = {}, collections.Counter()
    for line in open(trace):
        if line.startswith("partition "):
            names[line.split()[1]] = len(names)
        elif line.startswith("request "):
            for step in line.split()[4:]:
                if step.startswith("m:"):
                    _, a, b, n = step.split(":")
                    weight[tuple(sorted((names[a], names[b])))] += int(n)
    n = len(names)
    place = [(i % ncpus) // per for i in range(n)]
    # Each node its share, rounded up, or more where round-robin put more (n = 4k + 2 on
    # numa2x2 puts 2k + 2 on node 0): the simulator widens a share the same way.
    cap = [max((n * per + ncpus - 1) // ncpus, place.count(node)) for node in range(k)]
    text = f"{n} {k}\n" + " ".join(map(str, cap)) + "\n" + " ".join(map(str, place)) + "\n"
    text += "".join(f"{a} {b} {w}\n" for (a, b), w in sorted(weight.items()))
    r = subprocess.run([build / "native" / "bench" / "bench-coherence-graph"], input=text,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"bench-coherence-graph on {trace}: {r.stderr}")
    f = r.stdout.split()
    return int(f[1]), int(f[3]), int(f[5])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    root = pathlib.Path(__file__).resolve().parent.parent
    shared = root.parent / "shared" / "traces"
    work = build / "bench-traces"
    work.mkdir(parents=True, exist_ok=True)
    machine = f"ruvix-sim numa2x2 (simulated time) on {host_cpu()}"

    # (name, converter, source, converter options, ruvix-sim options). The MapLib matrices
    # also as 100 rounds: the converter's 10 last about 5 ms, so the first 1 ms epoch already
    # comes after a fifth of the bytes; 100 show the engine once warm-up no longer dominates.
    graphs = [("maplib-cg", "maplib", shared / "maplib" / "cg.size.csv", (), ()),
              ("maplib-lulesh", "maplib", shared / "maplib" / "lulesh.size.csv", (), ()),
              ("maplib-cg-r100", "maplib", shared / "maplib" / "cg.size.csv",
               ("--rounds", "100"), ()),
              ("maplib-lulesh-r100", "maplib", shared / "maplib" / "lulesh.size.csv",
               ("--rounds", "100"), ())]
    # Nezha traces overload 4 CPUs as recorded (traces/README.md): stretch the arrivals.
    graphs += [(f"nezha-{p.stem}", "nezha", p, (), ("--time-scale", "30"))
               for p in sorted((shared / "nezha").glob("*_trace.csv"))]
    for name, kind, src, copts, extra in graphs:
        if not src.exists():
            print(f"bench_coherence_sim: {src} absent, {name} skipped", file=sys.stderr)
            continue
        trace = work / f"{name}.trace"
        convert(build, kind, src, trace, copts)
        base, cut, moved = static_cut(build, trace)
        print(json.dumps({
            "name": "cross_node_reduction_pct", "unit": "%", "graph": name, "mode": "static",
            "value": round(100 * (1 - cut / base), 2) if base else 0.0,
            "round_robin_cut_bytes": base, "partitioned_cut_bytes": cut, "moved": moved,
            "spec_min": 20, "backend": "host (bench-coherence-graph)", "machine": machine}),
            flush=True)
        naive = sim(build, trace, "naive", work / f"{name}-naive", extra)
        coh = sim(build, trace, "coherence", work / f"{name}-coherence", extra)
        base, got = naive["cross_node_bytes"], coh["cross_node_bytes"]
        print(json.dumps({
            "name": "cross_node_reduction_pct", "unit": "%", "graph": name, "mode": "replay",
            "value": round(100 * (1 - got / base), 2) if base else 0.0,
            "naive_cross_node_bytes": base, "coherence_cross_node_bytes": got,
            "partitions": coh["partitions"], "migrations": coh["migrations"],
            "epochs": coh["epochs"], "stale_cut_epochs": coh["stale_cut_epochs"],
            "mincut_ns_per_epoch": coh["mincut_ns_per_epoch"], "spec_min": 20,
            "backend": "sim", "machine": machine}), flush=True)
        # The live replay's reduction as a share of the static placement's, at k = 2, 4, 8.
        for mname in MACHINES:
            base_cut, cut, _ = static_cut(build, trace, mname)
            static = 100 * (1 - cut / base_cut) if base_cut else 0.0
            nv = sim(build, trace, "naive", work / f"{name}-{mname}-naive", extra, mname)
            cv = sim(build, trace, "coherence", work / f"{name}-{mname}-coherence", extra, mname)
            b, g = nv["cross_node_bytes"], cv["cross_node_bytes"]
            replay = 100 * (1 - g / b) if b else 0.0
            # Nothing to win (static 0): 100 when the replay is not worse than naive.
            share = 100 * replay / static if static > 0 else (100.0 if replay >= 0 else 0.0)
            print(json.dumps({
                "name": "replay_vs_static_pct", "unit": "%", "graph": name,
                "k": MACHINES[mname][0] // MACHINES[mname][1], "value": round(share, 2),
                "replay_reduction_pct": round(replay, 2), "static_reduction_pct": round(static, 2),
                "migrations": cv["migrations"], "target_min": 90, "backend": "sim",
                "machine": f"ruvix-sim {mname} (simulated time) on {host_cpu()}"}), flush=True)
            # Tail latency per offered load (ruvix-sim compare: the busiest CPU's load), all
            # requests (MapLib's have no deadline, Nezha's all do); negative is worse.
            cdir = work / f"{name}-{mname}-compare"
            r = subprocess.run([build / "native" / "sim" / "ruvix-sim", "compare", "--trace",
                                trace, "--machine", mname, "--policies", "edf,coherence",
                                "--loads", ",".join(map(str, REAL_LOADS)), "--out", cdir],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"ruvix-sim compare on {trace}: {r.stderr}")
            runs = json.loads((cdir / "summary.json").read_text())["runs"]
            for load in REAL_LOADS:
                p99 = {x["policy"]: x["latency_ns"]["all"]["p99"] for x in runs
                       if x["load"] == load}
                print(json.dumps({
                    "name": "p99_coherence_vs_edf_pct", "unit": "%", "graph": name,
                    "k": MACHINES[mname][0] // MACHINES[mname][1], "load": load,
                    "value": round(100 * (1 - p99["coherence"] / p99["edf"]), 2)
                    if p99["edf"] else 0.0,
                    "p99_ns": p99, "load_basis": "busiest", "target_min": -2,
                    "backend": "sim",
                    "machine": f"ruvix-sim {mname} (simulated time) on {host_cpu()}"}),
                    flush=True)

    grouped = work / "grouped-placement.dts"
    grouped.write_text(GROUPED_MANIFEST)
    for workload, size in (("mixed", 4096), ("message-heavy", 65536)):
        trace = work / f"{workload}.trace"
        r = subprocess.run([build / "native" / "tools" / "ruvix-trace", "gen", "-o", trace,
                            "--requests", "20000", "--seed", "2", "--bytes", str(size)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"ruvix-trace gen: {r.stderr}")
        for load in LOADS:
            # The generated trace is at load 0.6; --time-scale stretches arrivals to the target.
            scale = ("--time-scale", f"{0.6 / load:.6g}")
            p99 = {p: sim(build, trace, p, work / f"{workload}-{p}-{load}", scale)
                   ["latency_ns"]["critical"]["p99"] for p in ("naive", "edf", "coherence")}
            # The bound placement alone can reach: edf with each group on one node from the
            # start, no migration and no pressure.
            p99["edf_grouped"] = sim(build, trace, "edf", work / f"{workload}-grouped-{load}",
                                     scale + ("--manifest", grouped))["latency_ns"]["critical"]["p99"]
            print(json.dumps({
                "name": "p99_reduction_pct", "unit": "%", "workload": workload,
                "message_bytes": size, "load": load,
                "vs_naive": round(100 * (1 - p99["coherence"] / p99["naive"]), 2),
                "vs_edf": round(100 * (1 - p99["coherence"] / p99["edf"]), 2),
                "grouped_placement_vs_edf": round(100 * (1 - p99["edf_grouped"] / p99["edf"]), 2),
                "critical_p99_ns": p99, "spec_min": 20,
                "backend": "sim", "machine": machine}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
