#!/usr/bin/env python3
"""ruvix-trace tests: each converter on a small hand-made excerpt in the real format (exact
expected output), gen's determinism, clean errors, and — when ../shared/traces is present —
every real data set converts and simulates.

usage: trace_test.py RUVIX_TRACE RUVIX_SIM SOURCE_ROOT WORK_DIR
"""
import json
import pathlib
import re
import sys

from testlib import check, main, run

TRACE, SIM, ROOT, WORK = (pathlib.Path(p).resolve() for p in sys.argv[1:5])
DATA = ROOT / "tests" / "data" / "converters"
REAL = ROOT.parent / "shared" / "traces"


def body(path):
    """The trace without its comment lines."""
    return [l for l in path.read_text().splitlines() if not l.startswith("#")]


def convert(source, inp, out, *extra):
    return run([TRACE, "convert", "--from", source, inp, "-o", out, *extra])


def nezha_excerpt():
    out = WORK / "nezha.trace"
    r = convert("nezha", DATA / "nezha.csv", out)
    check(r.returncode == 0, r.stderr)
    # t1: frontend's own time is 100 us less cart's 30 us (the in-process span b is looked
    # through); t2 starts a second later.
    want = ["ruvix-trace 1", "partition cartservice", "partition frontend",
            "request 0 critical 100000000 c:frontend:70000 m:frontend:cartservice:1024 "
            "c:cartservice:30000 m:cartservice:frontend:4096 c:frontend:1000",
            "request 1000000000 critical 100000000 c:frontend:5000"]
    check(body(out) == want, f"got {body(out)}")


def nezha_long_chains():
    """A call chain longer than format 1's 16 steps is kept whole in format 2, with the kept
    share of calls in the header; one longer than format 2's 256 steps is cut on a compute
    step and the header says how many calls survived."""
    def chain(depth, path):
        rows = ["TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,"
                "EndTimeUnixNano,Duration"]
        for i in range(depth):
            parent = "root" if i == 0 else f"s{i - 1}"
            rows.append(f"t1,s{i},{parent},svc{i % 2}-1-x,Op,{1000 + i},{100000 - i},1")
        path.write_text("\n".join(rows) + "\n")
    deep, out = WORK / "nezha-deep.csv", WORK / "nezha-deep.trace"
    chain(20, deep)  # 20 nested calls across two services: 1 + 19 * 4 = 77 steps
    r = convert("nezha", deep, out)
    check(r.returncode == 0, r.stderr)
    text = out.read_text()
    check("ruvix-trace 2" in body(out) and "0 cut at 256 steps; calls kept 19 of 19 (100.0 %)"
          in text, f"a 77-step chain:\n{text[:400]}")
    req = [l for l in body(out) if l.startswith("request ")]
    check(len(req) == 1 and len(req[0].split()) - 4 == 77, f"steps: {len(req[0].split()) - 4}")
    s = run([SIM, "run", "--trace", out, "--machine", "numa2x2", "--out", WORK / "nezha-deep"])
    check(s.returncode == 0, f"simulating a format-2 trace: {s.stderr}")
    chain(100, deep)  # 1 + 99 * 4 steps: past 256, so cut
    r = convert("nezha", deep, out)
    check(r.returncode == 0, r.stderr)
    text = out.read_text()
    # Cut at 256 steps: 1 + 99 * 2 going down, then 57 of the way back up, which hold the
    # replies of the 28 deepest calls.
    check("1 cut at 256 steps; calls kept 28 of 99 (28.3 %)" in text, text[:400])
    req = [l for l in body(out) if l.startswith("request ")][0].split()[4:]
    check(len(req) <= 256 and req[-1].startswith("c:"), f"{len(req)} steps ending {req[-1]}")


def maplib_excerpt():
    out = WORK / "maplib.trace"
    r = convert("maplib", DATA / "maplib.csv", out, "--rounds", "2")
    check(r.returncode == 0, r.stderr)
    # Off-diagonal pairs (0->1: 10 B, 1->0: 5 B), two rounds, bytes split per round.
    want = ["ruvix-trace 1", "partition r0", "partition r1", "partition r2",
            "request 0 batch 0 c:r0:5000 m:r0:r1:5 c:r1:5000",
            "request 2000 batch 0 c:r1:5000 m:r1:r0:2 c:r0:5000",
            "request 4000 batch 0 c:r0:5000 m:r0:r1:5 c:r1:5000",
            "request 6000 batch 0 c:r1:5000 m:r1:r0:2 c:r0:5000"]
    check(body(out) == want, f"got {body(out)}")


def azure_excerpt():
    out = WORK / "azure.trace"
    r = convert("azure", DATA / "azure.csv", out)
    check(r.returncode == 0, r.stderr)
    # 100 x 200 + 10 x 20,000 ns, interactive; 1000 x 200 + 100 x 20,000 ns, batch.
    want = ["ruvix-trace 1", "partition llm",
            "request 0 critical 2200000 c:llm:220000",
            "request 100000000 batch 0 c:llm:2200000"]
    check(body(out) == want, f"got {body(out)}")


def gen_is_deterministic_and_simulates():
    a, b = WORK / "gen-a.trace", WORK / "gen-b.trace"
    for out in (a, b):
        r = run([TRACE, "gen", "--requests", "2000", "--seed", "3", "-o", out])
        check(r.returncode == 0, r.stderr)
    check(a.read_bytes() == b.read_bytes(), "same seed, different traces")
    c = WORK / "gen-c.trace"
    run([TRACE, "gen", "--requests", "2000", "--seed", "4", "-o", c])
    check(c.read_bytes() != a.read_bytes(), "the seed changes nothing")
    s = run([SIM, "run", "--trace", a, "--machine", "numa2x2", "--out", WORK / "gen-run"])
    check(s.returncode == 0, s.stderr)
    rep = json.loads((WORK / "gen-run" / "report.json").read_text())
    lat = rep["latency_ns"]
    check(rep["requests"] == 2000 and lat["critical"]["count"] + lat["batch"]["count"] == 2000,
          f"report {rep['requests']}")
    check(rep["local_bytes"] + rep["cross_node_bytes"] == 2000 * 2 * 4096, "message bytes")


def errors_are_clean():
    bad = WORK / "bad-nezha.csv"
    bad.write_text("TraceID,Oops\n")
    out = WORK / "never.trace"
    r = convert("nezha", bad, out)
    check(r.returncode == 1 and f"{bad}:1: expected the header" in r.stderr, r.stderr)
    bad = WORK / "bad-maplib.csv"
    bad.write_text("1,2\n3,x\n")
    r = convert("maplib", bad, out)
    check(r.returncode == 1 and f"{bad}:2: expected comma-separated integers" in r.stderr,
          r.stderr)
    bad = WORK / "bad-azure.csv"
    bad.write_text("TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,1,2\n")
    r = convert("azure", bad, out)
    check(r.returncode == 1 and f"{bad}:2: expected" in r.stderr, r.stderr)
    r = convert("azure", WORK / "missing.csv", out)
    check(r.returncode == 1 and "No such file" in r.stderr, r.stderr)
    r = run([TRACE, "gen", "--partitions", "7", "--groups", "2", "-o", out])
    check(r.returncode == 1 and "multiple of --groups" in r.stderr, r.stderr)
    check(not out.exists() and not (WORK / "never.trace.tmp").exists(), "output left behind")


def real_data_sets():
    if not REAL.exists():
        print(f"note: {REAL} absent (outside this workplace): real-data conversions skipped")
        return
    jobs = [("maplib", REAL / "maplib" / "cg.size.csv"),
            ("maplib", REAL / "maplib" / "lulesh.size.csv"),
            ("azure", REAL / "azure" / "AzureLLMInferenceTrace_code.csv")]
    jobs += [("nezha", p) for p in sorted((REAL / "nezha").glob("*_trace.csv"))]
    for source, path in jobs:
        out = WORK / f"real-{path.stem}.trace"
        r = convert(source, path, out)
        check(r.returncode == 0, f"{path}: {r.stderr}")
        s = run([SIM, "run", "--trace", out, "--machine", "numa2x2",
                 "--out", WORK / f"real-{path.stem}"])
        check(s.returncode == 0, f"{path}: simulating the conversion: {s.stderr}")
        if source == "nezha":
            # Issue 11's bar: long call chains are kept, at least 95 % of the calls.
            m = re.search(r"calls kept (\d+) of (\d+) \(([\d.]+) %\)", out.read_text())
            check(m and float(m.group(3)) >= 95.0, f"{path}: {m.group(0) if m else 'no count'}")


if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    main([("nezha_excerpt", nezha_excerpt), ("nezha_long_chains", nezha_long_chains),
          ("maplib_excerpt", maplib_excerpt),
          ("azure_excerpt", azure_excerpt),
          ("gen_is_deterministic_and_simulates", gen_is_deterministic_and_simulates),
          ("errors_are_clean", errors_are_clean), ("real_data_sets", real_data_sets)])
