#!/usr/bin/env python3
"""Hostile partitions on QEMU (docs/hostile.md): one scenario per attack class. Each boots a
manifest with the attacker(s), a victim that fills its memory with sentinels and checks them
after every attack round, a referee (the third partition the victim shares its sentinel pages
with, which prints the result line), and a ping-pong pair that must still finish; then checks
the result line, the witnessed records the attacks must leave, and that the log verifies and
replays to the kernel's digest.

usage: hostile_test.py QEMU IMAGE RUVIX_WITNESS SOURCE_ROOT WORK_DIR SCENARIO
(the arguments of qemu_test.py, whose helpers it uses)
"""
import re
import struct
import sys
import time

from qemu_test import WORK, boot_custom, check, expect_lines
from testlib import main

SCENARIO = sys.argv[6]

WK_REFUSED, WK_CONTAIN, WK_QUOTA, WK_PARTITION_CREATE = 3, 7, 8, 0x10
WK_PARTITION_CTL, WK_CAP_DERIVE, WK_CAP_GRANT, WK_CAP_REVOKE = 0x12, 0x21, 0x22, 0x23
WK_EDGE_SEND, WK_EDGE_RECV, WK_HYPERCALL = 0x41, 0x42, 0x05
QUOTA_REFUSALS = 0
CONTAIN_FAULT, CONTAIN_RESTORE = 1, 1
E_INVALID, E_DENIED, E_FULL = 1, 6, 8

RESULT = re.compile(r"^\[referee\] hostile (\S+): (\d+) attacks, (\d+) escapes, (\d+) kernel "
                    r"crashes, (\d+) victim corruptions$", re.M)


def honest_parties(attackers, edges=(), referee_edges=True):
    """The partitions and edges of a scenario: victim (cpu0), referee (cpu1), the ATTACKERS
    (name, program, extra properties), ping (cpu0) and pong (cpu1). Edges: victim-referee,
    attacker-referee, then EDGES, then ping-pong (hostile.h relies on this order)."""
    parts = [("victim", "hs_victim", ["cpu = <0>;"]), ("referee", "hs_referee", ["cpu = <1>;"])]
    parts += attackers
    parts += [("ping", "ping", ["cpu = <0>;"]), ("pong", "pong", ["cpu = <1>;"])]
    es = [("victim", "referee")] + ([("attacker", "referee")] if referee_edges else [])
    return parts, es + list(edges) + [("ping", "pong")]


def indices(recs):
    """Partition name -> index, from the partition_create records."""
    out = {}
    for x in recs:
        if x[2] == WK_PARTITION_CREATE:
            name = struct.pack("<QQ", x[7], x[8]).rstrip(b"\0").decode()
            out[name] = x[6] & 0xffffffff
    return out


def result_line(out, scenario, min_attacks, honest=()):
    """The referee's line: at least MIN_ATTACKS attacks, and 0 of everything else; no honest
    party (victim, referee, ping, pong and HONEST) faulted. Returns the number of attacks."""
    faulted = [n for n in ("victim", "referee", "ping", "pong", *honest)
               if f"[{n}] FAULT" in out or f"[{n}] contained" in out]
    check(not faulted, f"honest parties faulted: {', '.join(faulted)}:\n{out[-3000:]}")
    m = RESULT.search(out)
    check(m, f"no result line:\n{out[-4000:]}")
    name, attacks, escapes, crashes, corrupt = m.group(1), *map(int, m.groups()[1:])
    check(name == scenario, f"result line names {name}, want {scenario}")
    check(attacks >= min_attacks, f"{attacks} attacks, want at least {min_attacks}")
    check(escapes == 0, f"{escapes} escapes:\n{m.group(0)}\n{out[-4000:]}")
    check(crashes == 0, f"{crashes} kernel crashes (the kernel answered wrongly)")
    check(corrupt == 0, f"{corrupt} victim corruptions")
    v = re.search(r"^\[victim\] victim: (\d+) checks of (\d+) sentinel words, (\d+) corruptions$",
                  out, re.M)
    check(v and int(v.group(1)) >= 2 and int(v.group(3)) == 0, f"victim line: {v and v.group(0)}")
    expect_lines(out, [r"^\[ping\] ping: 1000 round trips, 0 bad replies, ",
                       r"^\[pong\] pong: answered 1000$",
                       r"^partitions: all exited at \d+ ns since reset$"])
    return attacks


def contains_of(recs, who):
    return [x for x in recs if x[2] == WK_CONTAIN and x[6] & 0xffffffff == who]


def timed(tag, fn):
    t = time.monotonic()
    out = fn()
    print(f"{tag}: {time.monotonic() - t:.1f} s wall")
    return out


# ---- 1. address probe ----

def scenario_probe():
    """Thousands of touches outside its own memory; each a stage-2 fault, contained, restored."""
    for icount in (True,):
        parts, edges = honest_parties([("attacker", "hs_probe",
                                        ["cpu = <0>;", 'on-fault = "restore";'])])
        tag = "probe" + ("" if icount else "-mttcg")
        r, recs = timed(tag, lambda: boot_custom(f"hostile-{tag}", parts, edges, icount=icount))
        out = r.stdout
        attacks = result_line(out, "probe", 2500)
        m = re.search(r"^\[attacker\] probe: (\d+) probes, (\d+) contained, (\d+) escapes$",
                      out, re.M)
        check(m and int(m.group(1)) == attacks == int(m.group(2)) and m.group(3) == "0",
              f"probe line: {m and m.group(0)}")
        who = indices(recs)["attacker"]
        cs = contains_of(recs, who)
        check(len(cs) == attacks, f"{len(cs)} contain records for {attacks} probes")
        check(all(x[7] == CONTAIN_FAULT | CONTAIN_RESTORE << 8 for x in cs),
              "a probe was not contained by a restore")
        # The kernel names the IPA of each stage-2 fault: the probes reached what they aimed at.
        ipas = set(int(a, 16) for a in re.findall(
            r"^\[attacker\] FAULT: ESR_EL2=0x[0-9a-f]+ EC=0x2[04] at ELR 0x[0-9a-f]+, FAR "
            r"0x[0-9a-f]+ \(IPA 0x([0-9a-f]+)\)$", out, re.M))
        for a in (0x8000000, 0x9000000, 0xa000000, 0x40200000, 0x4a000000, 0x4a800000,
                  0x48000000, 0x47000000, 0x4ffff000, 0xffff0000, 0x100000):
            check(a in ipas, f"no stage-2 fault at IPA {a:#x}")


def refusals(recs, who):
    """Refusals of partition WHO: (written one by one, counted in WK_QUOTA summaries)."""
    written = len([x for x in recs if x[2] == WK_REFUSED and x[5] == who])
    counted = sum(x[8] for x in recs if x[2] == WK_QUOTA and x[6] & 0xffffffff == who
                  and x[7] == QUOTA_REFUSALS)
    return written, counted


def refused_kinds(recs, who, kind, err):
    return [x for x in recs if x[2] == WK_REFUSED and x[5] == who and x[7] & 0xffff == kind
            and (x[7] >> 16) & 0xffff == err]


# ---- 2. capabilities ----

CAPS_RACE, CAPS_UAF = 1000, 64


def scenario_caps():
    """Forged slots, wrong types, escalated derivations and grants, uses after revoke and
    delete, and a revoke racing a helper's uses on the other CPU (with and without icount:
    without it both CPUs really run at once)."""
    for icount in (True, False):
        tag = "caps" + ("" if icount else "-mttcg")
        parts, edges = honest_parties([
            ("attacker", "hs_caps", ["cpu = <0>;", 'on-fault = "restore";', 'controls = "helper";']),
            ("helper", "hs_caps_helper", ["cpu = <1>;", 'on-fault = "restore";'])],
            [("attacker", "helper")])
        r, recs = timed(tag, lambda: boot_custom(f"hostile-{tag}", parts, edges, icount=icount))
        out = r.stdout
        attacks = result_line(out, "caps", 8000)
        m = re.search(r"^\[attacker\] caps: (\d+) attacks, (\d+) refused, 0 escapes, (\d+) "
                      r"legitimate calls, (\d+) refused calls$", out, re.M)
        check(m and int(m.group(1)) == attacks, f"{tag}: attacker line: {m and m.group(0)}")
        a_refused = int(m.group(4))
        h = re.search(r"^\[helper\] helper: (\d+) uses, (\d+) refused after the revoke, (\d+) "
                      r"raced reads contained, 0 escapes, (\d+) refused calls$", out, re.M)
        check(h, f"{tag}: no helper line:\n{out[-3000:]}")
        uses, after, raced, h_refused = map(int, h.groups())
        check(after == 2 * CAPS_RACE, f"{tag}: {after} refusals after the revoke, want "
              f"{2 * CAPS_RACE} (a cap_info and a read each round)")
        # Each round the helper uses the capability until it sees the revoke; a host that
        # deschedules its vCPU may leave it none in some rounds, not in half of them.
        check(uses >= CAPS_RACE // 2, f"{tag}: the helper used its capability only {uses} times")
        ids = indices(recs)
        att, hlp = ids["attacker"], ids["helper"]
        check(len(contains_of(recs, att)) == CAPS_UAF,
              f"{tag}: {len(contains_of(recs, att))} contained uses of revoked pages, want {CAPS_UAF}")
        check(len(contains_of(recs, hlp)) == CAPS_RACE + raced,
              f"{tag}: {len(contains_of(recs, hlp))} helper containments, want {CAPS_RACE} + {raced}")
        # The helper's last cap_info, which sees their edge gone, is refused too.
        for who, want, name in ((att, a_refused, "attacker"), (hlp, h_refused + 1, "helper")):
            written, counted = refusals(recs, who)
            check(written + counted == want, f"{tag}: {name}: {written} refusals written + "
                  f"{counted} counted over its quota, it made {want}")
        check(not re.search(r"^coherence: epoch \d+: (attacker|helper) cpu", out, re.M),
              f"{tag}: the attacker or the helper moved: the race was not across CPUs")
        grants = [x for x in recs if x[2] == WK_CAP_GRANT and x[5] == att]
        revokes = [x for x in recs if x[2] == WK_CAP_REVOKE and x[5] == att]
        check(len(grants) == CAPS_RACE, f"{tag}: {len(grants)} grants, want {CAPS_RACE}")
        check(len(revokes) == CAPS_RACE + CAPS_UAF, f"{tag}: {len(revokes)} revokes")
        for kind, err, least, what in ((WK_CAP_DERIVE, E_DENIED, 8, "escalated derivations"),
                                       (WK_CAP_DERIVE, E_INVALID, 3, "derivations with no rights"),
                                       (WK_CAP_GRANT, E_DENIED, 6, "grants beyond the rights"),
                                       (WK_CAP_REVOKE, E_DENIED, 3, "revokes without REVOKE"),
                                       (WK_EDGE_SEND, E_DENIED, 5, "sends on revoked or wrong "
                                        "capabilities")):
            n = len(refused_kinds(recs, att, kind, err))
            check(n >= least, f"{tag}: {n} witnessed refusals of {what}, want at least {least}")


# ---- 3. hypercall fuzz ----

FUZZ_CALLS = 12000


def scenario_fuzz():
    """12,000 random hypercalls; every answer checked against the ABI. With the default
    witness quota most refusals are counted in WK_QUOTA records; with a raised one (second
    boot, without icount) every one is written. Either way they add up to the calls refused."""
    for icount, quota in ((True, None), (False, "witness-quota = <1000000 1000000>;")):
        tag = "fuzz" + ("" if quota is None else "-quota") + ("" if icount else "-mttcg")
        parts, edges = honest_parties([("attacker", "hs_fuzz",
                                        ["cpu = <0>;"] + ([quota] if quota else []))])
        r, recs = timed(tag, lambda: boot_custom(f"hostile-{tag}", parts, edges, icount=icount))
        out = r.stdout
        attacks = result_line(out, "fuzz", FUZZ_CALLS)
        m = re.search(r"^\[referee\] fuzz: (\d+) calls, (\d+) malformed, (\d+) succeeded, (\d+) "
                      r"refused calls, (\d+) refused hypercalls, 0 escapes$", out, re.M)
        check(m, f"{tag}: no fuzz line:\n{out[-3000:]}")
        calls, malformed, ok, refused, invalid = map(int, m.groups())
        check(calls == attacks == FUZZ_CALLS, f"{tag}: {calls} calls, {attacks} attacks")
        check(malformed > FUZZ_CALLS // 4 and ok > 100 and refused > FUZZ_CALLS // 2,
              f"{tag}: {malformed} malformed, {ok} succeeded, {refused} refused: the mix is off")
        expect_lines(out, [r"^\[referee\] fuzz: errors( \d+){12}, 0 registers changed, \d+ "
                           r"self-harming calls left out$"])
        who = indices(recs)["attacker"]
        written, counted = refusals(recs, who)
        check(written + counted == refused, f"{tag}: {written} refusals written + {counted} "
              f"counted, the fuzzer had {refused} refused")
        if quota is None:
            check(counted > FUZZ_CALLS // 4 and written < 3000,
                  f"{tag}: {written} written, {counted} counted: the default quota did not act")
        else:
            check(counted == 0, f"{tag}: {counted} counted over a raised quota")
            hv = refused_kinds(recs, who, WK_HYPERCALL, E_INVALID)
            check(len(hv) == invalid, f"{tag}: {len(hv)} refused-hypercall records, the fuzzer "
                  f"counted {invalid}")


# ---- 4. instructions ----

def scenario_insn():
    """SMC, BRK, UDF, HLT, EL2/EL3 registers, timers, PMU, debug, GIC, TLB and cache
    maintenance, WFI/WFE, misaligned accesses, SP games, ERET, stage-1 tables: each contained,
    taken at EL1, or harmless, three times over."""
    parts, edges = honest_parties([("attacker", "hs_insn", ["cpu = <0>;", 'on-fault = "restore";'])])
    r, recs = timed("insn", lambda: boot_custom("hostile-insn", parts, edges))
    out = r.stdout
    attacks = result_line(out, "insn", 300)
    m = re.search(r"^\[attacker\] insn: (\d+) attacks, (\d+) contained by the kernel, (\d+) taken "
                  r"at EL1, (\d+) ran, 0 escapes$", out, re.M)
    check(m and int(m.group(1)) == attacks, f"insn line: {m and m.group(0)}")
    contained = int(m.group(2))
    who = indices(recs)["attacker"]
    cs = contains_of(recs, who)
    check(len(cs) == contained, f"{len(cs)} contain records, the attacker saw {contained}")
    outcome = dict(re.findall(r"^\[attacker\] insn: (.+): (contained|EL1 EC \d+|ran)$", out, re.M))
    for name, want in (("smc #0 (PSCI SYSTEM_OFF)", "contained"),
                       ("hlt #0xf000 SYS_WRITE0 (kernel vectors)", "contained"),
                       ("mrs cntp_ctl_el0", "contained"),
                       ("mrs pmcr_el0", "contained"),
                       ("mrs mdscr_el1", "contained"),
                       ("msr icc_sgi1r_el1 (all other CPUs)", "contained"),
                       ("mrs actlr_el1", "contained"),
                       ("stage 1 on: VA to the kernel's IPA", "contained"),
                       ("stage 1 on: a table at an unmapped IPA", "contained"),
                       ("ldp across the end of its region", "contained"),
                       ("msr vttbr_el2", "EL1 EC 0"),
                       ("mrs scr_el3", "EL1 EC 0"),
                       ("hlt #0", "EL1 EC 0"),
                       ("eret to EL2h", "EL1 EC 14"),
                       ("hvc PSCI SYSTEM_OFF", "ran")):
        check(outcome.get(name) == want, f"{name}: {outcome.get(name)}, want {want}")
    # The kernel's own account of what it contained: SMC (EC 0x17), trapped system registers
    # (0x18), stage-2 aborts (0x20, 0x24), and undefined instructions through the unmapped
    # vector table.
    for ec in ("0x17", "0x18", "0x20", "0x24"):
        check(re.search(rf"^\[attacker\] FAULT: ESR_EL2=0x[0-9a-f]+ EC={ec} ", out, re.M),
              f"no contained fault of class {ec}")
    check(re.search(r"^\[attacker\] an EL1 exception with no vector table: ESR_EL1=0x[0-9a-f]+ "
                    r"\(EC=0x00\)", out, re.M), "no undefined instruction through the kernel's vectors")


# ---- 5. CommEdge floods and payloads ----

def scenario_flood():
    """Sends as fast as it can to a sink that does not receive; ranges outside the shared
    pages, wrapping 2^32, or empty; receives and sends on slots it does not hold; its edge
    capability in every free slot, flooding from each. The pair beside it finishes."""
    parts, edges = honest_parties([("attacker", "hs_flood", ["cpu = <0>;"]),
                                   ("sink", "hs_sink", ["cpu = <1>;"])], [("attacker", "sink")])
    r, recs = timed("flood", lambda: boot_custom("hostile-flood", parts, edges))
    out = r.stdout
    attacks = result_line(out, "flood", 5000, honest=("sink",))
    expect_lines(out, [r"^\[sink\] sink: 3 drains$"])
    m = re.search(r"^\[attacker\] flood: (\d+) attacks, (\d+) accepted \((\d+) to fill the queue\), "
                  r"(\d+) full, (\d+) invalid, 0 escapes$", out, re.M)
    check(m and int(m.group(1)) == attacks, f"flood line: {m and m.group(0)}")
    accepted, fill, full, invalid = map(int, m.groups()[1:])
    d = re.search(r"^\[attacker\] flood: (\d+) copies of its capability, (\d+) messages drained, "
                  r"0 bad descriptors, (\d+) refused calls$", out, re.M)
    check(d, f"no drain line:\n{out[-3000:]}")
    copies, drained, refused = map(int, d.groups())
    check(drained == accepted == 2 * fill and fill > 0, f"{accepted} accepted, {drained} drained, "
          f"queue of {fill}: want two fills, each drained")
    check(copies >= 20, f"only {copies} copies of the capability")
    ids = indices(recs)
    att = ids["attacker"]
    sends = [x for x in recs if x[2] == WK_EDGE_SEND and x[5] == att]
    check(len(sends) == accepted, f"{len(sends)} witnessed sends, {accepted} accepted")
    recvs = [x for x in recs if x[2] == WK_EDGE_RECV and x[5] == ids["sink"]]
    check(len(recvs) == drained, f"{len(recvs)} witnessed receives by the sink, {drained} drained")
    written, counted = refusals(recs, att)
    check(written + counted == refused, f"{written} refusals written + {counted} counted, the "
          f"attacker had {refused}")
    check(counted > 0, "the flood never went over its witness quota")
    for kind, err, what in ((WK_EDGE_SEND, E_FULL, "full"), (WK_EDGE_SEND, E_INVALID, "bad range")):
        check(refused_kinds(recs, att, kind, err), f"no witnessed {what} refusal")
    check(full > 1000 and invalid > 1000, f"{full} full, {invalid} invalid")


# ---- 6. never yielding ----

def scenario_spin():
    """A spinner on each CPU that never calls the kernel: the victim, ping and pong still
    finish (the EL2 timer preempts the spinners), and the referee ends them: suspended, the
    counting one stops; terminated, both are gone, so the machine stops. Without icount
    only: with it, each of ping's yields hands a spinner a whole 1 ms slice, a million
    instructions, so its 1,000 round trips take billions (minutes of wall time)."""
    for icount in (False,):
        tag = "spin" + ("" if icount else "-mttcg")
        parts = [("victim", "hs_victim", ["cpu = <0>;"]),
                 ("referee", "hs_spin_ref", ["cpu = <1>;", 'controls = "tight", "count", "ping";']),
                 ("tight", "hs_spin_tight", ["cpu = <0>;"]),
                 ("count", "hs_spin_count", ["cpu = <1>;"]),
                 ("ping", "ping", ["cpu = <0>;"]), ("pong", "pong", ["cpu = <1>;"])]
        edges = [("victim", "referee"), ("referee", "count"), ("ping", "pong")]
        r, recs = timed(tag, lambda: boot_custom(f"hostile-{tag}", parts, edges, icount=icount))
        out = r.stdout
        result_line(out, "spin", 20)
        expect_lines(out, [r"^\[referee\] spin: suspend 0, the spinner counted 0 while suspended, "
                           r"preempted \d+ times$", r"^\[referee\] spin: terminate 0 and 0$"])
        ids = indices(recs)
        ctl = [(x[6] & 0xffffffff, x[7] & 0xff) for x in recs
               if x[2] == WK_PARTITION_CTL and x[5] == ids["referee"] and x[8] != 0xfffe]
        check(ctl == [(ids["count"], 2), (ids["count"], 8), (ids["tight"], 8)],
              f"{tag}: witnessed controls {ctl}")
        check(out.index("[ping] ping: 1000 round trips") < out.index("[referee] spin: suspend"),
              f"{tag}: the spinners were stopped before ping finished")


SCENARIOS = {
    "probe": scenario_probe,
    "caps": scenario_caps,
    "fuzz": scenario_fuzz,
    "insn": scenario_insn,
    "flood": scenario_flood,
    "spin": scenario_spin,
}

if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    main([(SCENARIO, SCENARIOS[SCENARIO])])
