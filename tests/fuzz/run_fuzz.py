#!/usr/bin/env python3
"""Run a libFuzzer target from `meson test` (a bounded run) or by hand (a long one).

libFuzzer writes new inputs to its first corpus folder only: that is WORK/corpus, emptied
first unless --keep-corpus, so the source tree stays untouched and a bounded run with a fixed
seed repeats. The seed folders follow it (shipped files and the committed regression inputs;
libFuzzer runs each of them before it mutates anything). Witness log targets get seed logs
made here:

  --sim RUVIX_SIM ROOT     logs of ruvix-sim runs of the shipped traces and manifests
  --seed-wlog EXE DTB      logs of tests/fuzz/seed_wlog (hypercalls on the manifest DTB)

and --file PATH copies one shipped file into the made seeds.

usage: run_fuzz.py TARGET WORK [--keep-corpus] [--sim SIM ROOT] [--seed-wlog EXE DTB]
                   [--file PATH]... [SEED_DIR...] -- LIBFUZZER_OPTION...
"""
import os
import shutil
import subprocess
import sys

# (trace, machine, extra ruvix-sim options): every shipped trace, each shipped machine, the
# demo manifest, and the policies that witness more (coherence moves and stale epochs).
SIM_RUNS = [
    ("tests/data/tiny.trace", "virt2", []),
    ("tests/data/chain.trace", "numa2x2", []),
    ("tests/data/edf.trace", "virt2", ["--policy", "edf"]),
    ("traces/demo.trace", "virt2", ["--manifest", "demo"]),
    ("traces/demo.trace", "numa2x2", ["--manifest", "demo", "--policy", "coherence"]),
    ("traces/demo.trace", "numa2x2",
     ["--policy", "coherence", "--epoch-ns", "100000", "--epoch-budget-ns", "1"]),
]


def sim_seeds(sim, root, dest):
    for i, (trace, machine, extra) in enumerate(SIM_RUNS):
        out = os.path.join(dest, f"run{i}")
        shutil.rmtree(out, ignore_errors=True)
        r = subprocess.run([sim, "run", "--trace", os.path.join(root, trace), "--machine",
                            machine, "--out", out, *extra], capture_output=True, text=True)
        if r.returncode == 2 and "coherence" in extra:
            continue  # a build without the engine (-Dcoherence=disabled)
        if r.returncode != 0:
            sys.exit(f"run_fuzz.py: seed run {trace} {machine} {extra} failed: {r.stderr}")
        os.replace(os.path.join(out, "witness.wlog"), os.path.join(dest, f"sim{i}.log"))
        shutil.rmtree(out)


def generated_seeds(exe, dtb, dest):
    for seed, steps in ((1, 300), (2, 300), (3, 1000)):
        path = os.path.join(dest, f"gen{seed}.log")
        r = subprocess.run([exe, dtb, path, str(seed), str(steps)], capture_output=True,
                           text=True)
        if r.returncode != 0:
            sys.exit(f"run_fuzz.py: {exe} failed: {r.stderr}")


def main():
    target, work = sys.argv[1], sys.argv[2]
    sep = sys.argv.index("--")
    args, options = sys.argv[3:sep], sys.argv[sep + 1:]
    keep = "--keep-corpus" in args
    seeds = []
    corpus = os.path.join(work, "corpus")
    if not keep:
        shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus, exist_ok=True)
    made = os.path.join(work, "seeds")
    shutil.rmtree(made, ignore_errors=True)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--keep-corpus":
            i += 1
        elif a == "--file":
            os.makedirs(made, exist_ok=True)
            shutil.copy(args[i + 1], made)
            if made not in seeds:
                seeds.append(made)
            i += 2
        elif a in ("--sim", "--seed-wlog"):
            os.makedirs(made, exist_ok=True)
            (sim_seeds if a == "--sim" else generated_seeds)(args[i + 1], args[i + 2], made)
            if made not in seeds:
                seeds.append(made)
            i += 3
        else:
            if not os.path.isdir(a):
                sys.exit(f"run_fuzz.py: seed folder {a} is missing")
            seeds.append(a)
            i += 1
    sys.stdout.flush()
    os.execv(target, [target, *options, corpus, *seeds])


main()
