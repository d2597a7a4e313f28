#!/usr/bin/env python3
"""Simulator tests: determinism, exact figures on a hand-checked trace, clean errors on bad
input with no output left behind, and a tamper-proof witness log.

usage: sim_test.py RUVIX_SIM RUVIX_WITNESS SOURCE_ROOT WORK_DIR coherence|no-coherence
                   MAX_PARTITIONS
"""
import json
import pathlib
import shutil
import struct
import sys

from testlib import check, check_shared_verifier, main, run
from witness_tamper import check_tampering

SIM, WITNESS, ROOT, WORK = (pathlib.Path(p).resolve() for p in sys.argv[1:5])
COHERENCE = sys.argv[5] == "coherence"
MAX_PARTITIONS = int(sys.argv[6])  # the build's partition table (1,024 by default, native)
TINY = ROOT / "tests" / "data" / "tiny.trace"
DEMO = ROOT / "traces" / "demo.trace"


def sim(out, trace=TINY, machine="virt2", *extra):
    if out.exists():
        shutil.rmtree(out)
    return run([SIM, "run", "--trace", trace, "--machine", machine, "--out", out, *extra])


def byte_identical_runs():
    a, b = WORK / "det-a", WORK / "det-b"
    for out in (a, b):
        r = sim(out, DEMO, "numa2x2", "--seed", "7")
        check(r.returncode == 0, f"run failed: {r.stderr}")
    for name in ("report.json", "witness.wlog"):
        check((a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between runs")


def tiny_trace_exact_figures():
    out = WORK / "tiny"
    r = sim(out)
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = json.loads((out / "report.json").read_text())
    # Worked by hand in docs/simulator.md: a on cpu0 ends 6000, b on cpu1 ends 6000,
    # c on cpu0 ends 9000, a again ends 11000; every dispatch changes partition (+1000 ns).
    want = {"partitions": 3, "events": 8, "requests": 4, "makespan_ns": 11000, "switches": 4,
            "policy": "naive", "seed": 0}
    for k, v in want.items():
        check(rep[k] == v, f"{k} = {rep[k]}, want {v}")
    lat = rep["latency_ns"]["all"]
    for k, v in {"count": 4, "p50": 6000, "p90": 8000, "p99": 8000, "max": 8000}.items():
        check(lat[k] == v, f"latency {k} = {lat[k]}, want {v}")
    check(abs(rep["throughput_rps"] - 4 / 11e-6) < 0.01, f"throughput {rep['throughput_rps']}")
    # boot, then create + place + start per partition, then halt
    check(rep["witness"]["records"] == 11, f"records {rep['witness']['records']}, want 11")


CHAIN = ROOT / "tests" / "data" / "chain.trace"
EDF = ROOT / "tests" / "data" / "edf.trace"


def chain_trace_exact_figures():
    """Chains with messages on numa2x2 (costs in sim/machines/numa2x2.dts), worked by hand:
    critical: a 1000..2000, a->c remote 1500 + 1000 B x 0.4 ns = 1900, c 4900..6900 -> 6900;
    batch: b 1000..4002, b->a local 500 + 500 B x 0.1 ns = 550, a 4552..5552 (no switch)."""
    out = WORK / "chain"
    r = sim(out, CHAIN, "numa2x2")
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = json.loads((out / "report.json").read_text())
    want = {"events": 8, "requests": 2, "switches": 3, "makespan_ns": 6900,
            "local_bytes": 500, "cross_node_bytes": 1000, "migrations": 0,
            "deadline_misses": {"critical": 0, "batch": 0}}
    for k, v in want.items():
        check(rep[k] == v, f"{k} = {rep[k]}, want {v}")
    lat = rep["latency_ns"]
    check(lat["critical"] == {"count": 1, "p50": 6900, "p90": 6900, "p99": 6900, "p999": 6900,
                              "max": 6900}, f"critical {lat['critical']}")
    check(lat["batch"]["count"] == 1 and lat["batch"]["max"] == 5552, f"batch {lat['batch']}")
    check(lat["all"]["p50"] == 5552 and lat["all"]["max"] == 6900, f"all {lat['all']}")


def dump_records(log):
    """ruvix-witness dump of @log as dicts (kind, time, cpu, actor, target, arg0, arg1)."""
    d = run([WITNESS, "dump", log])
    check(d.returncode == 0, f"dump failed: {d.stderr}")
    out = []
    for line in d.stdout.splitlines()[1:]:
        f = line.split()
        out.append({"kind": f[2], "time": int(f[1]), "cpu": int(f[4]), "actor": f[5],
                    "target": int(f[6], 16), "arg0": int(f[7], 16), "arg1": int(f[8], 16)})
    return out


def verified_and_replayed(out):
    """The run's log verifies against its report (both verifiers) and replays to its state
    digest; returns the report."""
    rep = json.loads((out / "report.json").read_text())
    log = out / "witness.wlog"
    v = run([WITNESS, "verify", log, "--head", rep["witness"]["head"],
             "--count", rep["witness"]["records"]])
    check(v.returncode == 0, f"verify: {v.stdout}{v.stderr}")
    check_shared_verifier(ROOT, log)
    rp = run([WITNESS, "replay", log, "--digest", rep["state_digest"]])
    check(rp.returncode == 0, f"replay: {rp.stdout}{rp.stderr}")
    return rep


def messages_go_through_witnessed_edges():
    """Each trace message is an edge_send by its sender on its home CPU when the step starts
    and an edge_recv by its receiver on its home CPU at delivery, over an edge the simulator
    made (witnessed, with a capability for each end) for the pair's first message. The log
    verifies and replays to the kernel's digest. chain.trace: a->c sent at 2000 and
    delivered at 3900 (remote), b->a sent at 4002 and delivered at 4552 (local)."""
    out = WORK / "edges"
    r = sim(out, CHAIN, "numa2x2")
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = verified_and_replayed(out)
    check((rep["edges"], rep["messages"], rep["message_waits"]) == (2, 2, 0),
          f"edges {rep['edges']}, messages {rep['messages']}, waits {rep['message_waits']}")
    recs = dump_records(out / "witness.wlog")
    want = (["boot"] + ["partition_create", "partition_place", "partition_ctl"] * 4 +
            ["edge_create", "cap_install", "cap_install"] * 2 +
            ["edge_send", "edge_recv", "edge_send", "edge_recv", "halt"])
    check([x["kind"] for x in recs] == want, f"kinds {[x['kind'] for x in recs]}")
    check(rep["witness"]["records"] == 24, f"records {rep['witness']['records']}")
    edges = [x for x in recs if x["kind"] == "edge_create"]
    # a (0) -> c (2) first, then b (1) -> a (0); ends in bits 32..47 and 48..63 of arg1.
    check([(x["arg1"] >> 32 & 0xffff, x["arg1"] >> 48) for x in edges] == [(0, 2), (1, 0)],
          f"edge ends {[hex(x['arg1']) for x in edges]}")
    io = [(x["kind"], x["time"], x["cpu"], x["actor"], x["target"], x["arg1"] >> 32)
          for x in recs if x["kind"] in ("edge_send", "edge_recv")]
    a_c, b_a = edges[0]["target"], edges[1]["target"]
    check(io == [("edge_send", 2000, 0, "0", a_c, 1000), ("edge_recv", 3900, 2, "2", a_c, 1000),
                 ("edge_send", 4002, 1, "1", b_a, 500), ("edge_recv", 4552, 0, "0", b_a, 500)],
          f"sends and receives {io}")
    # Each end got a capability to its edge (type 3) with READ | WRITE (3) in its next free
    # slot: arg0 = owner | slot << 16 | type << 32 | rights << 40.
    caps = [(x["arg0"] & 0xffff, x["arg0"] >> 16 & 0xffff, x["arg0"] >> 32 & 0xff, x["arg0"] >> 40)
            for x in recs if x["kind"] == "cap_install"]
    check(caps == [(0, 0, 3, 3), (2, 0, 3, 3), (1, 0, 3, 3), (0, 1, 3, 3)], f"capabilities {caps}")


def full_edge_queue_holds_messages_back():
    """Backpressure: edge_queue + 2 messages from a to b at once. The queue takes edge_queue
    of them; the other two wait at the sender and go, in order, when the first deliveries
    free room (600 ns later on virt2: 500 + 1000 B x 0.1 ns), so they land at 1200. Nothing is
    lost or refused, and the kernel never holds more than edge_queue."""
    probe = WORK / "queue-probe"
    check(sim(probe, CHAIN, "numa2x2").returncode == 0, "probe run failed")
    q = json.loads((probe / "report.json").read_text())["edge_queue"]
    n = q + 2
    trace = WORK / "queue.trace"
    trace.write_text("ruvix-trace 1\npartition a\npartition b\n" +
                     "request 0 batch 0 m:a:b:1000\n" * n)
    out = WORK / "queue"
    r = sim(out, trace, "virt2")
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = verified_and_replayed(out)
    check((rep["requests"], rep["messages"], rep["message_waits"]) == (n, n, 2),
          f"requests {rep['requests']}, messages {rep['messages']}, waits {rep['message_waits']}")
    lat = rep["latency_ns"]["all"]
    check((lat["p50"], lat["max"], rep["makespan_ns"]) == (600, 1200, 1200), f"latency {lat}")
    held, most, late = 0, 0, []
    for x in dump_records(out / "witness.wlog"):
        if x["kind"] == "edge_send":
            held += 1
            if x["time"] > 0:
                late.append(x["time"])
        elif x["kind"] == "edge_recv":
            held -= 1
        check(x["kind"] != "refused", f"a refused call: {x}")
        most = max(most, held)
    check(most == q and held == 0, f"the queue held up to {most} (edge_queue {q}), {held} left")
    check(late == [600, 600], f"the waiting messages were sent at {late}")


def manifest_messages_use_its_edges():
    """With a manifest the simulator makes no edges: a message goes over the manifest's edge
    between the two (demo: web-db), with the slots its capabilities are in. A message between
    partitions the manifest does not connect (auth, db), or one larger than the edge's shared
    pages (64 KiB), fails the run at its trace line and writes nothing."""
    head = "ruvix-trace 1\npartition web\npartition auth\npartition db\npartition cache\n"
    trace = WORK / "mf-msg.trace"
    trace.write_text(head + "request 0 batch 0 c:web:100 m:web:db:1000 c:db:100\n")
    out = WORK / "mf-msg"
    r = sim(out, trace, "virt2", "--manifest", "demo")
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = verified_and_replayed(out)
    check((rep["edges"], rep["messages"]) == (4, 1), f"edges {rep['edges']}, messages {rep['messages']}")
    recs = dump_records(out / "witness.wlog")
    creates = [x for x in recs if x["kind"] == "edge_create"]
    check(len(creates) == 4, f"{len(creates)} edges created, the manifest has 4")
    web_db = [x["target"] for x in creates if (x["arg1"] >> 32 & 0xffff, x["arg1"] >> 48) == (0, 2)]
    io = [(x["kind"], x["actor"], x["target"]) for x in recs if x["kind"].startswith("edge_s")
          or x["kind"] == "edge_recv"]
    check(web_db and io == [("edge_send", "0", web_db[0]), ("edge_recv", "2", web_db[0])],
          f"sends and receives {io}, web-db edge {web_db}")
    for name, step, msg in (("auth:db:10", "c:auth:100 m:auth:db:10",
                             "step 2: no edge of the manifest connects 'auth' and 'db'"),
                            ("too-big", "c:web:100 m:web:db:65537",
                             "step 2: a message of 65537 bytes does not fit the 65536-byte "
                             "shared region of the edge between 'web' and 'db'")):
        bad = WORK / "mf-bad.trace"
        bad.write_text(head + "request 0 batch 0 c:web:1\nrequest 5 batch 0 " + step + "\n")
        out = WORK / "mf-bad"
        r = sim(out, bad, "virt2", "--manifest", "demo")
        check(r.returncode == 1 and f"{bad}:7: {msg}" in r.stderr, f"{name}: {r.stderr}")
        check(not out.exists(), f"{name}: a failed run left output")


def a_full_partition_table_runs():
    """Scale: a trace with as many partitions as the build's table holds (1,024 in the default
    native build) runs, with an edge per communicating pair, and its log replays to the digest;
    one partition more is refused at its line."""
    trace = WORK / "wide.trace"
    g = run([ROOT / "tools" / "ruvix_trace.py", "gen", "--partitions", str(MAX_PARTITIONS),
             "--groups", str(max(1, MAX_PARTITIONS // 16)), "--locality", "1.0",
             "--requests", "2000", "--seed", "4", "-o", trace])
    check(g.returncode == 0, g.stderr)
    out = WORK / "wide"
    r = sim(out, trace, "numa8x1", "--policy", "edf")
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = verified_and_replayed(out)
    check(rep["partitions"] == MAX_PARTITIONS and rep["requests"] == 2000 and
          0 < rep["edges"] <= rep["messages"] // 2, f"report {rep['partitions']} partitions, "
          f"{rep['requests']} requests, {rep['edges']} edges, {rep['messages']} messages")
    over = WORK / "wide-over.trace"
    lines = ["ruvix-trace 1"] + [f"partition q{i}" for i in range(MAX_PARTITIONS + 1)]
    over.write_text("\n".join(lines) + "\n")
    r = sim(WORK / "wide-over", over, "numa8x1")
    check(r.returncode == 1 and f"{over}:{MAX_PARTITIONS + 2}: more than {MAX_PARTITIONS} "
          "partitions (meson -Dmax_partitions)" in r.stderr, r.stderr)


def edf_puts_the_deadline_first():
    """One CPU's partition holds two queued requests, batch then critical: naive runs them in
    arrival order, edf runs the critical one first."""
    got = {}
    for policy in ("naive", "edf"):
        out = WORK / f"edf-{policy}"
        r = sim(out, EDF, "virt2", "--policy", policy)
        check(r.returncode == 0, f"{policy}: {r.stderr}")
        rep = json.loads((out / "report.json").read_text())
        check(rep["policy"] == policy, f"policy {rep['policy']}")
        got[policy] = (rep["latency_ns"]["critical"]["max"], rep["latency_ns"]["batch"]["max"])
    check(got["naive"] == (3980, 2990), f"naive {got['naive']}, want critical 3980, batch 2990")
    check(got["edf"] == (2980, 3990), f"edf {got['edf']}, want critical 2980, batch 3990")


def log_verifies_and_tampering_is_caught():
    out = WORK / "tamper"
    r = sim(out)
    check(r.returncode == 0, f"run failed: {r.stderr}")
    log = out / "witness.wlog"
    rep = json.loads((out / "report.json").read_text())
    v = run([WITNESS, "verify", log, "--head", rep["witness"]["head"],
             "--count", rep["witness"]["records"]])
    check(v.returncode == 0, f"log does not verify against the report's head: {v.stdout}")
    shared = check_shared_verifier(ROOT, log)
    check_tampering(WITNESS, log, shared)
    rp = run([WITNESS, "replay", log, "--digest", rep["state_digest"]])
    check(rp.returncode == 0, f"replay: {rp.stdout}{rp.stderr}")
    d = run([WITNESS, "dump", log])
    check(d.returncode == 0, f"dump failed: {d.stderr}")
    kinds = [line.split()[2] for line in d.stdout.splitlines()[1:]]
    want = ["boot"] + ["partition_create", "partition_place", "partition_ctl"] * 3 + ["halt"]
    check(kinds == want, f"dump shows kinds {kinds}")


BAD_TRACES = [
    ("ruvix-trace 1\npartition a\nrequest 0 urgent 0 c:a:5\n", 3, "critical|batch"),
    ("ruvix-trace 1\npartition a\nrequest 0 batch 0\n", 3, "at least one step"),
    ("ruvix-trace 1\npartition a\nrequest 0 batch 0 x:a:5\n", 3, "step 1 'x:a:5': expected c:PARTITION:NS"),
    ("ruvix-trace 1\npartition a\npartition b\nrequest 0 batch 0 c:a:5 c:b:5\n", 4,
     "step 2 starts on 'b', but the request is on 'a' after step 1"),
    ("ruvix-trace 1\npartition a\nrequest 0 batch 0 c:a:5 m:a:a:8\n", 3, "a message from 'a' to itself"),
    ("ruvix-trace 1\npartition a\nrequest 0 batch 0 c:a:0\n", 3, "(NS > 0)"),
    ("ruvix-trace 1\npartition a\nrequest 0 batch 0 c:a:5 m:a:zz:8\n", 3, "'zz', which is not declared"),
    ("", 1, "expected the header"),
    ("ruvix-trace 9\n", 1, "version 9 is not supported (this reader knows 0, 1 and 2)"),
    ("hello\n", 1, "expected the header"),
    ("ruvix-trace 0\npartition a\nrequest 5 a\n", 3, "expected 'request AT_NS PARTITION SERVICE_NS'"),
    ("ruvix-trace 0\npartition a\nrequest 5 a 0\n", 3, "SERVICE_NS > 0"),
    ("ruvix-trace 0\npartition a\nrequest x a 10\n", 3, "expected 'request"),
    ("ruvix-trace 0\npartition a\nrequest 5 b 10\n", 3, "'b', which is not declared"),
    ("ruvix-trace 0\npartition a\nrequest 5 a 10\nrequest 4 a 10\n", 4, "requests must be in time order"),
    ("ruvix-trace 0\npartition a\npartition a\n", 3, "declared twice"),
    ("ruvix-trace 0\npartition a\nrequest 5 a 10\npartition b\n", 4, "before the first request"),
    ("ruvix-trace 0\n# comment\n\nfrobnicate 1\n", 4, "expected 'partition' or 'request'"),
    ("ruvix-trace 0\npartition " + "n" * 30 + "\n", 2, "expected 'partition NAME'"),
    ("ruvix-trace 0\npartition a\nrequest 99999999999999999999 a 1\n", 3, "expected 'request"),
]


def bad_traces_fail_cleanly():
    for i, (text, line, msg) in enumerate(BAD_TRACES):
        trace = WORK / f"bad{i}.trace"
        trace.write_text(text)
        out = WORK / f"bad-out{i}"
        r = sim(out, trace)
        check(r.returncode == 1, f"case {i}: exit {r.returncode}, want 1")
        check(f"{trace}:{line}: " in r.stderr, f"case {i}: want '{trace}:{line}: ' in: {r.stderr}")
        check(msg in r.stderr, f"case {i}: want '{msg}' in: {r.stderr}")
        check(not out.exists(), f"case {i}: a failed run left {out} behind")


# Traces the fuzz_trace target found the old reader mishandled (tests/data/fuzz/trace/).
FUZZ_TRACES = [
    # A NUL byte ended the line for fgets: the request kept its first step and lost two.
    ("nul-byte-hides-steps.trace", 4, "a NUL byte at column 24 (a trace is text)"),
    # The version field was printed as read: a raw 0xff byte in the message.
    ("unprintable-version.trace", 1, "trace format version ? is not supported"),
]


def fuzzed_traces_fail_cleanly():
    r = sim(WORK / "dir-trace", WORK)
    check(r.returncode == 1 and f"{WORK}: a directory, not a trace file" in r.stderr, r.stderr)
    for name, line, msg in FUZZ_TRACES:
        trace = ROOT / "tests" / "data" / "fuzz" / "trace" / name
        out = WORK / f"fuzz-{name}"
        r = sim(out, trace)
        check(r.returncode == 1, f"{name}: exit {r.returncode}, want 1")
        check(f"{trace}:{line}: {msg}" in r.stderr, f"{name}: want '{line}: {msg}' in: {r.stderr}")
        check(all(32 <= ord(ch) < 127 for ch in r.stderr.strip()), f"{name}: {r.stderr!r}")
        check(not out.exists(), f"{name}: a failed run left {out} behind")


def failed_run_keeps_the_previous_report():
    out = WORK / "keep"
    check(sim(out).returncode == 0, "first run failed")
    before = (out / "report.json").read_bytes()
    bad = WORK / "keep-bad.trace"
    bad.write_text("ruvix-trace 0\nrequest 1 nobody 1\n")
    r = run([SIM, "run", "--trace", bad, "--machine", "virt2", "--out", out])
    check(r.returncode == 1, "bad run succeeded")
    check((out / "report.json").read_bytes() == before, "the failed run changed report.json")
    check(sorted(p.name for p in out.iterdir()) == ["report.json", "witness.wlog"],
          f"temporary files left: {sorted(p.name for p in out.iterdir())}")


def shipped_machines_load_and_run():
    """Every shipped machine (sim/machines/) is built and runs a trace: its report names its
    CPUs and NUMA nodes."""
    want = {"virt2": (2, 1), "numa2x2": (4, 2), "numa4x2": (8, 4), "numa8x1": (8, 8)}
    for name, (cpus, nodes) in want.items():
        r = sim(WORK / f"machine-{name}", TINY, name)
        check(r.returncode == 0, f"{name}: {r.stderr}")
        m = json.loads((WORK / f"machine-{name}" / "report.json").read_text())["machine"]
        check((m["cpus"], m["numa_nodes"]) == (cpus, nodes), f"{name}: {m}")


def bad_machines_fail_with_node_and_property():
    cases = [
        ("/dts-v1/; / { compatible = \"ruvix,sim-machine\"; };", "/: expected a /cpus node"),
        ("/dts-v1/; / { compatible = \"other\"; };", "compatible must include"),
        ("/dts-v1/; / { compatible = \"ruvix,sim-machine\"; cpus { cpu@0 { device_type = \"cpu\"; "
         "reg = <0>; }; }; memory@0 { device_type = \"memory\"; reg = <0 0 0 0x1000>; }; };",
         "/: expected a /ruvix,costs node"),
        ("/dts-v1/; / { compatible = \"ruvix,sim-machine\"; cpus { cpu@0 { device_type = \"cpu\"; "
         "reg = <1>; }; }; };", "/cpus/cpu@0: expected reg = <index>"),
        # Untrusted values: strings without their NUL, sizes that wrap (issue 10).
        ("/dts-v1/; / { compatible = \"ruvix,sim-machine\"; model = [61 62]; };",
         "/: model: expected a string"),
        ("/dts-v1/; / { compatible = \"ruvix,sim-machine\"; cpus { cpu@0 { "
         "device_type = [63 70 75]; reg = <0>; }; }; };",
         "/cpus/cpu@0: device_type: expected a string"),
        ("/dts-v1/; / { compatible = \"ruvix,sim-machine\"; cpus { cpu@0 { device_type = \"cpu\"; "
         "reg = <0>; }; }; memory@0 { device_type = \"memory\"; reg = <0 0 0x80000000 0>; }; "
         "memory@1 { device_type = \"memory\"; reg = <0 0 0x80000000 0>; }; };",
         "/memory@1: the memory sizes add up to more than 2^64 bytes"),
    ]
    for i, (dts, msg) in enumerate(cases):
        path = WORK / f"badmachine{i}.dts"
        path.write_text(dts + "\n")
        r = sim(WORK / f"badm-out{i}", TINY, str(path))
        check(r.returncode == 1, f"machine case {i}: exit {r.returncode}")
        check(msg in r.stderr and str(path) in r.stderr, f"machine case {i}: want '{msg}': {r.stderr}")
        check(not (WORK / f"badm-out{i}").exists(), f"machine case {i}: created the output dir")
    # A blob whose structure is damaged (a property tag turned into an unknown one): the node
    # walk used to stop there silently, dropping the rest of the machine.
    good = WORK / "badm-good.dtb"
    c = run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", good, ROOT / "sim" / "machines" / "virt2.dts"])
    check(c.returncode == 0, f"dtc: {c.stderr}")
    blob = bytearray(good.read_bytes())
    off = struct.unpack(">I", blob[8:12])[0]  # off_dt_struct
    at = blob.index(struct.pack(">I", 3), off + 8)  # the first FDT_PROP after the root's start
    blob[at:at + 4] = struct.pack(">I", 7)
    bad = WORK / "badm-damaged.dtb"
    bad.write_bytes(bytes(blob))
    r = sim(WORK / "badm-out-damaged", TINY, str(bad))
    check(r.returncode == 1 and "a damaged device tree" in r.stderr and str(bad) in r.stderr,
          f"damaged machine blob: exit {r.returncode}: {r.stderr}")
    check(not (WORK / "badm-out-damaged").exists(), "damaged machine blob: created the output")
    r = sim(WORK / "badm-name", TINY, "no-such-machine")
    check(r.returncode == 1 and "no shipped machine 'no-such-machine'" in r.stderr, r.stderr)


# ruvix-witness on logs that are not intact runs (tests/data/fuzz/replay and witness/):
# (file, arguments, exit status, text in its output).
BAD_LOGS = [
    # Valid chain, tier 7: verify passed it and replay stopped on a CHECK (exit 70).
    ("replay/tier-out-of-range.log", ["verify"], 1,
     "record 1: tier 7 is not a proof tier (0..3)"),
    ("replay/tier-out-of-range.log", ["replay"], 1,
     "record 1: tier 7 is not a proof tier (0..3)"),
    # A record on CPU 5 of a 2-CPU machine: it replayed as if that CPU existed.
    ("replay/cpu-out-of-range.log", ["verify"], 0, "OK"),
    ("replay/cpu-out-of-range.log", ["replay"], 1,
     "record 1 (policy_set): cannot be replayed: its cpu is not one of the booted machine's "
     "CPUs"),
    ("witness/no-halt.log", ["verify"], 1,
     "record 1: no halt record: the log is truncated or the machine did not stop cleanly"),
    ("witness/no-halt.log", ["verify", "--open"], 0, "2 records, head"),
    ("witness/no-halt.log", ["replay"], 1, "record 1: no halt record"),
    ("witness/no-halt.log", ["replay", "--open"], 0, "2 records re-executed"),
    ("witness/no-halt.log", ["dump"], 0, "policy_set"),
    ("witness/time-backwards.log", ["verify"], 1,
     "record 2: time 150 ns is before the previous record's 200 ns"),
    ("witness/halt-count-wrong.log", ["verify"], 1,
     "record 2: the halt record counts 5 records before it, but there are 2"),
    ("witness/record-after-halt.log", ["verify", "--open"], 1,
     "record 2: a record after the halt record"),
    ("witness/boot-not-first.log", ["verify", "--open"], 1,
     "record 0: kind 0x0006, expected boot"),
    # dump printed random bytes as records and exited 0.
    ("witness/random-128.bin", ["dump"], 1,
     "record 0: seq is 3525160536936509049, expected 0 (this is not the start of a witness log)"),
    ("witness/partial-100.bin", ["dump"], 1,
     "record 1: truncated, 36 of 64 bytes at byte offset 64"),
    ("witness/partial-100.bin", ["verify"], 1,
     "record 1: truncated, 36 of 64 bytes at byte offset 64"),
]


def witness_tool_treats_logs_as_untrusted():
    data = ROOT / "tests" / "data" / "fuzz"
    for name, args, status, text in BAD_LOGS:
        log = data / name
        r = run([WITNESS, args[0], log, *args[1:]])
        check(r.returncode == status, f"{name} {args}: exit {r.returncode}, want {status}: "
              f"{r.stdout}{r.stderr}")
        check(text in r.stdout + r.stderr, f"{name} {args}: want '{text}' in: {r.stdout}{r.stderr}")
        if args[0] == "dump" and status != 0:
            check(r.stdout == "", f"{name}: a refused dump printed {r.stdout!r}")
    # --force prints every whole record of a damaged log, and still says it is damaged.
    r = run([WITNESS, "dump", "--force", data / "witness" / "random-128.bin"])
    check(r.returncode == 1 and len(r.stdout.splitlines()) == 3, f"dump --force: {r.stdout}")
    empty = WORK / "empty.wlog"
    empty.write_bytes(b"")
    for cmd in ("verify", "dump", "replay"):
        r = run([WITNESS, cmd, empty])
        check(r.returncode == 1 and "record 0: empty log" in r.stdout + r.stderr,
              f"{cmd} of an empty file: {r.returncode} {r.stdout}{r.stderr}")
        r = run([WITNESS, cmd, WORK])
        check(r.returncode == 2 and "a directory, not a witness log" in r.stderr and not r.stdout,
              f"{cmd} of a directory: {r.returncode} {r.stdout}{r.stderr}")
    r = run([WITNESS, "dump", data / "witness" / "no-halt.log", "--open"])
    check(r.returncode == 2 and "unknown argument '--open'" in r.stderr, r.stderr)


def manifest_run_replays_to_the_reported_digest():
    out = WORK / "manifest"
    r = sim(out, DEMO, "virt2", "--manifest", "demo")
    check(r.returncode == 0, f"run failed: {r.stderr}")
    rep = json.loads((out / "report.json").read_text())
    check(rep["manifest"] == "demo" and rep["partitions"] == 4, f"report {rep}")
    v = run([WITNESS, "replay", out / "witness.wlog", "--digest", rep["state_digest"]])
    check(v.returncode == 0, f"replay: {v.stdout}{v.stderr}")
    # The same run without the manifest builds less, so its state differs.
    plain = WORK / "no-manifest"
    check(sim(plain, DEMO, "virt2").returncode == 0, "plain run failed")
    rep2 = json.loads((plain / "report.json").read_text())
    check(rep2["state_digest"] != rep["state_digest"], "manifest made no difference")
    v = run([WITNESS, "replay", out / "witness.wlog", "--digest", rep2["state_digest"]])
    check(v.returncode == 1 and "the kernel reported" in v.stdout, f"wrong digest passed: {v.stdout}")


def trace_partitions_must_be_in_the_manifest():
    trace = WORK / "stranger.trace"
    trace.write_text("ruvix-trace 0\npartition web\npartition stranger\n")
    r = sim(WORK / "stranger", trace, "virt2", "--manifest", "demo")
    check(r.returncode == 1, f"exit {r.returncode}")
    check(f"{trace}:3: partition 'stranger' is not in the manifest" in r.stderr, r.stderr)


def bad_manifest_fails_with_node_and_property():
    bad = WORK / "bad-manifest.dts"
    bad.write_text('/dts-v1/; / { compatible = "ruvix,manifest"; partitions { web { cpu = <7>; }; }; };\n')
    out = WORK / "bad-manifest-out"
    r = sim(out, TINY, "virt2", "--manifest", str(bad))
    check(r.returncode == 1, f"exit {r.returncode}")
    check(f"{bad}: /partitions/web: cpu: expected a CPU this machine has" in r.stderr, r.stderr)
    check(not out.exists(), f"a failed run left {out} behind")


# Damaged manifest blobs (tests/data/fuzz/manifest/), each refused naming the node.
DAMAGED_MANIFESTS = [
    # The demo blob with /policy's max-lease-ns name offset moved past the strings block:
    # libfdt gives no name, and the loader passed it to strcmp (SIGSEGV).
    ("policy-name-offset-out-of-range.dtb",
     "/policy: a property's name lies outside the strings block (a damaged blob)"),
    # Found by fuzz_manifest: a /policy property named with bytes 0x88, printed raw.
    ("policy-name-unprintable.dtb", "/policy: ma????"),
]


def damaged_manifests_are_refused():
    for name, msg in DAMAGED_MANIFESTS:
        blob = ROOT / "tests" / "data" / "fuzz" / "manifest" / name
        out = WORK / f"damaged-{name}"
        r = sim(out, TINY, "virt2", "--manifest", str(blob))
        check(r.returncode == 1, f"{name}: exit {r.returncode}, want 1: {r.stderr}")
        check(f"{blob}: {msg}" in r.stderr, f"{name}: want '{msg}' in: {r.stderr}")
        check(all(32 <= ord(ch) < 127 for ch in r.stderr.strip()),
              f"{name}: unprintable bytes in the message: {r.stderr!r}")
        check(not out.exists(), f"{name}: a failed run left {out} behind")


# Machine blobs from fuzz_machine and the review (tests/data/fuzz/machine/): file, message.
DAMAGED_MACHINES = [
    # libfdt 1.6.1's fdt_check_full read a NULL name here: ruvix-sim died with SIGSEGV.
    ("property-name-offset-out-of-range.dtb", "a damaged device tree ("),
    ("damaged-structure.dtb", "a damaged device tree ("),
    ("model-without-nul.dtb", "/: model: expected a string"),
    ("device-type-without-nul.dtb", "/cpus/cpu@0: device_type: expected a string"),
    ("memory-sizes-wrap.dtb", "/memory@1: the memory sizes add up to more than 2^64 bytes"),
]


def damaged_machines_are_refused():
    for name, msg in DAMAGED_MACHINES:
        blob = ROOT / "tests" / "data" / "fuzz" / "machine" / name
        out = WORK / f"damaged-machine-{name}"
        r = sim(out, TINY, str(blob))
        check(r.returncode == 1, f"{name}: exit {r.returncode}, want 1: {r.stderr}")
        check(f"{blob}: {msg}" in r.stderr, f"{name}: want '{msg}' in: {r.stderr}")
        check(all(32 <= ord(ch) < 127 for ch in r.stderr.strip()),
              f"{name}: unprintable bytes in the message: {r.stderr!r}")
        check(not out.exists(), f"{name}: a failed run left {out} behind")


def compare_writes_summary_table_and_plots():
    trace = WORK / "compare.trace"
    g = run([ROOT / "tools" / "ruvix_trace.py", "gen", "--requests", "3000", "--seed", "5",
             "-o", trace])
    check(g.returncode == 0, g.stderr)
    outs = []
    for name in ("cmp-a", "cmp-b"):
        out = WORK / name
        if out.exists():
            shutil.rmtree(out)
        r = run([SIM, "compare", "--trace", trace, "--machine", "numa2x2", "--policies",
                 "naive,edf", "--loads", "0.5,0.9", "--out", out])
        check(r.returncode == 0, f"compare failed: {r.stderr}")
        check("policy" in r.stdout and "edf" in r.stdout, f"no table: {r.stdout}")
        outs.append(out)
    summary = json.loads((outs[0] / "summary.json").read_text())
    check(len(summary["runs"]) == 4, f"{len(summary['runs'])} runs")
    for png in summary["plots"]:
        data = (outs[0] / png).read_bytes()
        check(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000, f"{png} is not a plot")
    check((outs[0] / "summary.json").read_bytes() == (outs[1] / "summary.json").read_bytes()
          .replace(b"cmp-b", b"cmp-a") or
          json.loads((outs[1] / "summary.json").read_text())["runs"] == summary["runs"],
          "two identical sweeps differ")
    by = {(r["policy"], r["load"]): r for r in summary["runs"]}
    check(by[("naive", 0.9)]["latency_ns"]["critical"]["p99"] >=
          by[("naive", 0.5)]["latency_ns"]["critical"]["p99"], "more load, shorter tail?")
    bad = run([SIM, "compare", "--trace", trace, "--machine", "numa2x2", "--loads", "x",
               "--out", WORK / "cmp-bad"])
    check(bad.returncode == 2 and "--loads wants numbers" in bad.stderr, bad.stderr)
    # The load's basis: by default the busiest CPU of a run at the trace's own pace (its
    # cpu_busy_ns over the arrival span); --load-basis mean is the average over CPUs, never
    # higher. No warning at these loads.
    check(summary["load_basis"] == "busiest" and summary["warnings"] == [], summary["warnings"])
    own = run([SIM, "run", "--trace", trace, "--machine", "numa2x2", "--out", WORK / "cmp-own",
               "--seed", "0"])
    check(own.returncode == 0, own.stderr)
    busy = json.loads((WORK / "cmp-own" / "report.json").read_text())["cpu_busy_ns"]
    arrivals = [int(l.split()[1]) for l in trace.read_text().splitlines()
                if l.startswith("request ")]
    want = max(busy) / (arrivals[-1] - arrivals[0])
    check(abs(summary["base_load"] - want) < 1e-9 * want, f"base load {summary['base_load']}, "
          f"want the busiest CPU's {want}")
    mean = run([SIM, "compare", "--trace", trace, "--machine", "numa2x2", "--policies", "edf",
                "--loads", "0.5", "--load-basis", "mean", "--out", WORK / "cmp-mean"])
    check(mean.returncode == 0, mean.stderr)
    m = json.loads((WORK / "cmp-mean" / "summary.json").read_text())
    check(m["load_basis"] == "mean" and m["base_load"] <= summary["base_load"],
          f"mean basis {m['base_load']} above the busiest CPU's {summary['base_load']}")
    # Far past saturation most critical requests miss at every load: the sweep says so.
    over = run([SIM, "compare", "--trace", trace, "--machine", "numa2x2", "--policies", "naive",
                "--loads", "6,8", "--out", WORK / "cmp-over"])
    check(over.returncode == 0 and "warning: naive: most critical requests miss their "
          "deadline at every load (6, 8)" in over.stderr, over.stderr)
    check(json.loads((WORK / "cmp-over" / "summary.json").read_text())["warnings"],
          "the warning is not in summary.json")


def grouped_trace():
    """8 partitions in 2 groups that talk mostly inside their group; round-robin placement
    splits every group across the two NUMA nodes of numa2x2."""
    trace = WORK / "grouped.trace"
    r = run(["python3", ROOT / "tools" / "ruvix_trace.py", "gen", "-o", trace,
             "--requests", "4000", "--seed", "3", "--load", "0.6"])
    check(r.returncode == 0, f"ruvix-trace gen failed: {r.stderr}")
    return trace


def coherence_policy_places_groups_together():
    """--policy coherence moves partitions (witnessed), cuts cross-node bytes against edf,
    reports its epochs, stays deterministic, and its log replays to the reported digest. The
    engine hears of traffic only through the core's hal_edge_traffic hook, called by each
    witnessed edge_send, as on bare metal: without it nothing would move."""
    trace = grouped_trace()
    reps = {}
    for policy, out in (("edf", "coh-edf"), ("coherence", "coh-a"), ("coherence", "coh-b")):
        r = sim(WORK / out, trace, "numa2x2", "--policy", policy)
        check(r.returncode == 0, f"{policy}: {r.stderr}")
        reps[out] = json.loads((WORK / out / "report.json").read_text())
    edf, coh = reps["coh-edf"], reps["coh-a"]
    check(edf["migrations"] == 0 and edf["epochs"] == 0 and edf["mincut_ns_per_epoch"] is None,
          f"edf ran coherence epochs: {edf}")
    check(coh["migrations"] > 0 and coh["epochs"] > 0, f"no epochs or moves: {coh}")
    check(coh["cross_node_bytes"] < edf["cross_node_bytes"] / 2,
          f"cross-node bytes {coh['cross_node_bytes']} vs edf {edf['cross_node_bytes']}")
    check(coh["local_bytes"] + coh["cross_node_bytes"] ==
          edf["local_bytes"] + edf["cross_node_bytes"], "bytes lost or invented")
    m = coh["mincut_ns_per_epoch"]
    check(0 < m["p50"] <= m["p99"] <= m["max"], f"mincut_ns_per_epoch {m}")
    check(coh["stale_cut_epochs"] == 0, f"8 partitions went stale: {coh}")
    for name in ("report.json", "witness.wlog"):
        check((WORK / "coh-a" / name).read_bytes() == (WORK / "coh-b" / name).read_bytes(),
              f"coherence: {name} differs between runs")
    rp = run([WITNESS, "replay", WORK / "coh-a" / "witness.wlog", "--digest", coh["state_digest"]])
    check(rp.returncode == 0, f"replay: {rp.stdout}{rp.stderr}")
    dump = run([WITNESS, "dump", WORK / "coh-a" / "witness.wlog"]).stdout
    places = sum(1 for l in dump.splitlines() if "partition_place" in l)
    check(places == coh["partitions"] + coh["migrations"],
          f"{places} place records for {coh['partitions']} partitions and "
          f"{coh['migrations']} moves")
    kinds = [l.split()[2] for l in dump.splitlines()[1:]]
    check(coh["messages"] > 0 and kinds.count("edge_send") == coh["messages"] and
          kinds.count("edge_recv") == coh["messages"],
          f"{kinds.count('edge_send')} sends, {kinds.count('edge_recv')} receives for "
          f"{coh['messages']} messages")


def coherence_pressure_leaves_batch_work_in_order():
    """Cut pressure advances deadlines only: with moves priced out (--move-cost 2^48), the
    coherence policy on an all-batch trace (groups split across nodes, so pressures are high)
    runs exactly as edf. When pressure advanced batch work by half its 1 s ordering horizon,
    a pressured partition's work passed older work of its CPU's other partitions, and p99
    rose 35 % (919,552 -> 1,245,184 ns here)."""
    trace = WORK / "batch.trace"
    r = run(["python3", ROOT / "tools" / "ruvix_trace.py", "gen", "-o", trace,
             "--requests", "4000", "--seed", "3", "--load", "0.9", "--critical", "0"])
    check(r.returncode == 0, f"ruvix-trace gen failed: {r.stderr}")
    reps = {}
    for policy in ("edf", "coherence"):
        r = sim(WORK / f"batch-{policy}", trace, "numa2x2", "--policy", policy,
                "--move-cost", str(1 << 48))
        check(r.returncode == 0, f"{policy}: {r.stderr}")
        reps[policy] = json.loads((WORK / f"batch-{policy}" / "report.json").read_text())
    edf, coh = reps["edf"], reps["coherence"]
    check(coh["epochs"] > 0 and coh["migrations"] == 0, f"epochs/moves: {coh}")
    check(coh["latency_ns"] == edf["latency_ns"],
          f"batch latencies differ: coherence {coh['latency_ns']['all']} vs edf "
          f"{edf['latency_ns']['all']}")


def block_trace(name, pair_bytes):
    """MapLib-style: 8 ranks in two blocks of 4 that talk only inside their block, converted
    by ruvix-trace (pairs in row order, so a block's ranks compute at the same time), 100
    rounds. Round-robin homes split each block over both NUMA nodes of numa2x2."""
    csv, trace = WORK / f"{name}.csv", WORK / f"{name}.trace"
    csv.write_text("".join(",".join(str(pair_bytes if i // 4 == j // 4 and i != j else 0)
                                    for j in range(8)) + "\n" for i in range(8)))
    r = run(["python3", ROOT / "tools" / "ruvix_trace.py", "convert", "--from", "maplib", csv,
             "-o", trace, "--rounds", "100"])
    check(r.returncode == 0, f"ruvix-trace convert failed: {r.stderr}")
    return trace


def coherence_moves_price_the_queueing_they_add():
    """A placement that cuts message delay is adopted only if the queueing it would have added
    to the recorded CPU demand is smaller. With 10-byte messages, putting each block on one
    node saves about 1 us per message but puts four ranks that compute at the same time on two
    CPUs: the engine's move is refused and the run equals edf (moved, p99 was 37,472 ns against
    18,992 at --time-scale 2, +97 %). With 1 MB messages the same moves pay and are made."""
    reps = {}
    for name, pair_bytes in (("blocks-small", 1000), ("blocks-big", 100000000)):
        trace = block_trace(name, pair_bytes)
        for policy in ("edf", "coherence"):
            out = WORK / f"{name}-{policy}"
            r = sim(out, trace, "numa2x2", "--policy", policy, "--time-scale", "2")
            check(r.returncode == 0, f"{name} {policy}: {r.stderr}")
            reps[name, policy] = json.loads((out / "report.json").read_text())
    edf, coh = reps["blocks-small", "edf"], reps["blocks-small", "coherence"]
    check(coh["epochs"] > 0 and coh["migrations"] == 0,
          f"small messages: {coh['migrations']} moves in {coh['epochs']} epochs")
    check(coh["latency_ns"]["all"]["p99"] <= edf["latency_ns"]["all"]["p99"] * 1.02,
          f"small messages: p99 {coh['latency_ns']['all']['p99']} vs edf "
          f"{edf['latency_ns']['all']['p99']}")
    edf, coh = reps["blocks-big", "edf"], reps["blocks-big", "coherence"]
    check(coh["migrations"] > 0 and coh["cross_node_bytes"] < edf["cross_node_bytes"] / 2,
          f"big messages: {coh['migrations']} moves, cross-node bytes "
          f"{coh['cross_node_bytes']} vs edf {edf['cross_node_bytes']}")
    check(coh["latency_ns"]["all"]["p50"] < edf["latency_ns"]["all"]["p50"],
          f"big messages: p50 {coh['latency_ns']['all']['p50']} vs edf "
          f"{edf['latency_ns']['all']['p50']}")


def coherence_moves_go_to_the_least_loaded_cpu():
    """A moved partition is homed on the CPU of its new node with the least recent CPU time,
    not the fewest partitions. Manifest: h alone on cpu0 and busy 80 % of the time, l1 and l2
    on cpu1, x on cpu2, y and z on cpu3; x talks to l1 and l2 to y in 1 MB messages, so the
    engine swaps x and l2. Counting partitions put x beside h (cpu0 and cpu1 then had one
    staying partition each), where its steps queued behind h's 20 us ones."""
    manifest = WORK / "least-loaded.dts"
    manifest.write_text('/dts-v1/;\n/ {\n\tcompatible = "ruvix,manifest";\n\tpartitions {\n' +
                        "".join(f"\t\t{n} {{ cpu = <{c}>; }};\n" for n, c in
                                (("h", 0), ("l1", 1), ("l2", 1), ("x", 2), ("y", 3), ("z", 3))) +
                        "\t};\n\tedges {\n"
                        # messages go on the manifest's edges: room for the 1 MB ones
                        "\t\tx-l1 { ends = \"x\", \"l1\"; shared = /bits/ 64 <0x50000000 0x100000>; };\n"
                        "\t\tl2-y { ends = \"l2\", \"y\"; shared = /bits/ 64 <0x50100000 0x100000>; };\n"
                        "\t};\n};\n")
    trace = WORK / "least-loaded.trace"
    lines = ["ruvix-trace 1"] + [f"partition {n}" for n in ("h", "l1", "l2", "x", "y", "z")]
    for k in range(400):
        at = k * 25000
        lines += [f"request {at} batch 0 c:h:20000",
                  f"request {at} critical 200000 c:x:2000 m:x:l1:1000000 c:l1:2000 "
                  "m:l1:x:1000 c:x:2000",
                  f"request {at} batch 0 c:l2:2000 m:l2:y:1000000 c:y:2000"]
    trace.write_text("\n".join(lines) + "\n")
    reps = {}
    for policy in ("edf", "coherence"):
        out = WORK / f"least-loaded-{policy}"
        r = sim(out, trace, "numa2x2", "--manifest", manifest, "--policy", policy)
        check(r.returncode == 0, f"{policy}: {r.stderr}")
        reps[policy] = json.loads((out / "report.json").read_text())
    edf, coh = reps["edf"], reps["coherence"]
    check(coh["migrations"] == 2, f"{coh['migrations']} moves, expected the x / l2 swap")
    check(coh["cpu_busy_ns"][0] == edf["cpu_busy_ns"][0],
          f"cpu0 (h) busy {coh['cpu_busy_ns'][0]} ns, {edf['cpu_busy_ns'][0]} under edf: "
          "a moved partition went to the busy CPU")
    check(coh["latency_ns"]["critical"]["p90"] < edf["latency_ns"]["critical"]["p90"],
          f"critical p90 {coh['latency_ns']['critical']['p90']} vs edf "
          f"{edf['latency_ns']['critical']['p90']}")


def coherence_stale_epochs_are_witnessed():
    """DC-2 in the simulator: with a 1 ns budget every epoch runs out, keeps the placement it
    had (nothing moves, cross-node bytes as under edf), and is witnessed as coherence_stale."""
    trace = grouped_trace()
    r = sim(WORK / "stale-edf", trace, "numa2x2", "--policy", "edf")
    check(r.returncode == 0, r.stderr)
    edf = json.loads((WORK / "stale-edf" / "report.json").read_text())
    r = sim(WORK / "stale", trace, "numa2x2", "--policy", "coherence", "--epoch-budget-ns", "1")
    check(r.returncode == 0, r.stderr)
    rep = json.loads((WORK / "stale" / "report.json").read_text())
    check(rep["epoch_budget_ns"] == 1, f"budget {rep['epoch_budget_ns']}")
    check(rep["epochs"] > 0 and rep["stale_cut_epochs"] == rep["epochs"],
          f"{rep['stale_cut_epochs']} of {rep['epochs']} epochs stale")
    check(rep["migrations"] == 0, f"a stale epoch moved {rep['migrations']} partitions")
    check(rep["cross_node_bytes"] == edf["cross_node_bytes"], "placement changed")
    log = WORK / "stale" / "witness.wlog"
    dump = run([WITNESS, "dump", log]).stdout
    stale = sum(1 for l in dump.splitlines() if "coherence_stale" in l)
    check(stale == rep["stale_cut_epochs"], f"{stale} coherence_stale records")
    rp = run([WITNESS, "replay", log, "--digest", rep["state_digest"]])
    check(rp.returncode == 0, f"replay: {rp.stdout}{rp.stderr}")
    check_shared_verifier(ROOT, log)
    r = run([SIM, "run", "--trace", TINY, "--machine", "virt2", "--out", WORK / "u",
             "--policy", "coherence", "--epoch-budget-ns", "0"])
    check(r.returncode == 2 and "--epoch-budget-ns" in r.stderr, r.stderr)


def coherence_knobs_change_the_run():
    """--epoch-ns, --decay-shift and --move-cost reach the engine and the report: ten times
    longer epochs run about a tenth as many, and a move cost no traffic can pay moves
    nothing. Bad values are usage errors that write nothing."""
    trace = grouped_trace()
    r = sim(WORK / "knob-base", trace, "numa2x2", "--policy", "coherence")
    check(r.returncode == 0, r.stderr)
    base = json.loads((WORK / "knob-base" / "report.json").read_text())
    check((base["epoch_ns"], base["decay_shift"], base["move_cost_ns"]) == (1000000, 8, 20000),
          f"defaults: {base}")
    r = sim(WORK / "knob-long", trace, "numa2x2", "--policy", "coherence", "--epoch-ns",
            "10000000", "--decay-shift", "3")
    check(r.returncode == 0, r.stderr)
    long = json.loads((WORK / "knob-long" / "report.json").read_text())
    check((long["epoch_ns"], long["decay_shift"]) == (10000000, 3), f"knobs not reported: {long}")
    check(long["epochs"] * 8 <= base["epochs"] <= long["epochs"] * 12,
          f"{long['epochs']} epochs of 10 ms against {base['epochs']} of 1 ms")
    r = sim(WORK / "knob-cost", trace, "numa2x2", "--policy", "coherence", "--move-cost",
            str(1 << 48))
    check(r.returncode == 0, r.stderr)
    cost = json.loads((WORK / "knob-cost" / "report.json").read_text())
    check(base["migrations"] > 0 and cost["migrations"] == 0,
          f"moves: {base['migrations']} at the default cost, {cost['migrations']} at 2^48")
    for opt, bad in (("--epoch-ns", "999"), ("--decay-shift", "0"), ("--decay-shift", "64"),
                     ("--move-cost", "x"), ("--epoch-ns", "-5")):
        out = WORK / "knob-bad"
        r = run([SIM, "run", "--trace", TINY, "--machine", "virt2", "--out", out,
                 "--policy", "coherence", opt, bad])
        check(r.returncode == 2 and opt in r.stderr and "wants an integer" in r.stderr,
              f"{opt} {bad}: {r.returncode} {r.stderr}")
        check(not out.exists(), f"{opt} {bad} left output behind")


def coherence_decay_by_time_counts_idle_gaps():
    """--decay-by time decays the engine's graph once per --epoch-ns of virtual time, idle gaps
    included, where the default decays once per epoch run (epochs run only at events). On a
    trace with an event every epoch the two are the same run; stretched 200 times (a request
    every few epochs) they differ, and the report says which. A bad value is a usage error."""
    trace = grouped_trace()
    reps = {}
    for scale in ("1", "200"):
        for by in ("epoch", "time"):
            out = WORK / f"decay-{scale}-{by}"
            r = sim(out, trace, "numa2x2", "--policy", "coherence", "--time-scale", scale,
                    "--decay-shift", "1", "--move-cost", "2000", "--decay-by", by)
            check(r.returncode == 0, r.stderr)
            reps[scale, by] = json.loads((out / "report.json").read_text())
            check(reps[scale, by]["decay_by"] == by, f"decay_by {reps[scale, by]['decay_by']}")
    same = ("cross_node_bytes", "migrations", "epochs", "latency_ns", "state_digest")
    check(all(reps["1", "epoch"][k] == reps["1", "time"][k] for k in same),
          "a dense trace: decay by time changed the run")
    check((reps["200", "epoch"]["cross_node_bytes"], reps["200", "epoch"]["migrations"]) !=
          (reps["200", "time"]["cross_node_bytes"], reps["200", "time"]["migrations"]),
          "a sparse trace: decay by time did not change the run")
    out = WORK / "decay-bad"
    r = run([SIM, "run", "--trace", TINY, "--machine", "virt2", "--out", out, "--policy",
             "coherence", "--decay-by", "week"])
    check(r.returncode == 2 and "--decay-by wants epoch or time" in r.stderr,
          f"--decay-by week: {r.returncode} {r.stderr}")
    check(not out.exists(), "--decay-by week left output behind")


def coherence_policy_refused_without_the_engine():
    """DC-1: a simulator built with -Dcoherence=disabled refuses the policy and writes nothing."""
    out = WORK / "no-coh"
    r = sim(out, TINY, "virt2", "--policy", "coherence")
    check(r.returncode == 2 and "needs the coherence engine" in r.stderr, r.stderr)
    check(not out.exists(), "a refused run left output")


def usage_errors():
    r = run([SIM, "run", "--trace", TINY])
    check(r.returncode == 2 and "needs --trace, --machine and --out" in r.stderr, r.stderr)
    r = run([SIM, "run", "--trace", TINY, "--machine", "virt2", "--out", WORK / "u", "--policy", "x"])
    check(r.returncode == 2 and "unknown policy 'x'" in r.stderr, r.stderr)
    r = run([SIM, "run", "--trace", TINY, "--machine", "virt2", "--out", WORK / "u", "--seed", "-1"])
    check(r.returncode == 2 and "--seed" in r.stderr, r.stderr)


if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    main([
        ("byte_identical_runs", byte_identical_runs),
        ("tiny_trace_exact_figures", tiny_trace_exact_figures),
        ("chain_trace_exact_figures", chain_trace_exact_figures),
        ("edf_puts_the_deadline_first", edf_puts_the_deadline_first),
        ("messages_go_through_witnessed_edges", messages_go_through_witnessed_edges),
        ("full_edge_queue_holds_messages_back", full_edge_queue_holds_messages_back),
        ("manifest_messages_use_its_edges", manifest_messages_use_its_edges),
        ("a_full_partition_table_runs", a_full_partition_table_runs),
        ("log_verifies_and_tampering_is_caught", log_verifies_and_tampering_is_caught),
        ("bad_traces_fail_cleanly", bad_traces_fail_cleanly),
        ("fuzzed_traces_fail_cleanly", fuzzed_traces_fail_cleanly),
        ("witness_tool_treats_logs_as_untrusted", witness_tool_treats_logs_as_untrusted),
        ("failed_run_keeps_the_previous_report", failed_run_keeps_the_previous_report),
        ("shipped_machines_load_and_run", shipped_machines_load_and_run),
        ("bad_machines_fail_with_node_and_property", bad_machines_fail_with_node_and_property),
        ("damaged_machines_are_refused", damaged_machines_are_refused),
        ("manifest_run_replays_to_the_reported_digest", manifest_run_replays_to_the_reported_digest),
        ("trace_partitions_must_be_in_the_manifest", trace_partitions_must_be_in_the_manifest),
        ("bad_manifest_fails_with_node_and_property", bad_manifest_fails_with_node_and_property),
        ("damaged_manifests_are_refused", damaged_manifests_are_refused),
        ("compare_writes_summary_table_and_plots", compare_writes_summary_table_and_plots),
        ("usage_errors", usage_errors),
        ("coherence_policy_places_groups_together", coherence_policy_places_groups_together)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
        ("coherence_stale_epochs_are_witnessed", coherence_stale_epochs_are_witnessed)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
        ("coherence_knobs_change_the_run", coherence_knobs_change_the_run)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
        ("coherence_pressure_leaves_batch_work_in_order",
         coherence_pressure_leaves_batch_work_in_order)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
        ("coherence_moves_price_the_queueing_they_add",
         coherence_moves_price_the_queueing_they_add)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
        ("coherence_moves_go_to_the_least_loaded_cpu", coherence_moves_go_to_the_least_loaded_cpu)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
        ("coherence_decay_by_time_counts_idle_gaps", coherence_decay_by_time_counts_idle_gaps)
        if COHERENCE else
        ("coherence_policy_refused_without_the_engine", coherence_policy_refused_without_the_engine),
    ])
