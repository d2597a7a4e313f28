"""Tamper checks shared by the simulator and QEMU tests: every way of damaging a log must be
caught by ruvix-witness verify (and by the independent verifier when it is present)."""
import hashlib
import pathlib
import struct
import tempfile

from testlib import check, run


def rechain(records):
    """The records with their chain values recomputed, as a forger would."""
    prev, out = bytes(16), []
    for r in records:
        prev = hashlib.blake2b(prev + r[:48], digest_size=16).digest()
        out.append(r[:48] + prev)
    return b"".join(out)


def variants(data):
    """(description, damaged bytes, index of the first record that must be reported)."""
    n = len(data) // 64
    check(n >= 2, f"need at least 2 records to tamper with, got {n}")
    rec = [data[i * 64:(i + 1) * 64] for i in range(n)]
    out = []
    for pos in (0, 8, 16, 18, 19, 20, 24, 32, 40, 47, 48, 63, 64 + 30):
        if pos < len(data):
            b = bytearray(data)
            b[pos] ^= 0x01
            out.append((f"bit flipped at byte {pos}", bytes(b), pos // 64))
    out.append(("record 0 dropped", b"".join(rec[1:]), 0))
    if n >= 3:
        out.append(("record 1 dropped", b"".join(rec[:1] + rec[2:]), 1))
    out.append(("record 1 duplicated (inserted)", b"".join(rec[:2] + rec[1:]), 2))
    out.append(("records 0 and 1 swapped", b"".join([rec[1], rec[0]] + rec[2:]), 0))
    out.append(("half a record appended", data + rec[0][:32], n))
    # Forged with the chain recomputed: only the rules behind the chain catch these.
    tier = bytearray(rec[1])
    tier[18] = 4
    out.append(("record 1 with tier 4, re-chained", rechain(rec[:1] + [bytes(tier)] + rec[2:]), 1))
    late = bytearray(rec[0])
    late[8:16] = struct.pack("<Q", struct.unpack("<Q", rec[1][8:16])[0] + 1)
    out.append(("record 0 later than record 1, re-chained",
                rechain([bytes(late)] + rec[1:]), 1))
    return out


def check_tampering(ruvix_witness, log, shared=None):
    data = pathlib.Path(log).read_bytes()
    check(struct.unpack("<H", data[-48:-46])[0] == 0x0002, "the log does not end with a halt record")
    ok = run([ruvix_witness, "verify", log])
    check(ok.returncode == 0, f"intact log does not verify: {ok.stdout}{ok.stderr}")
    head = ok.stdout.split("head ")[-1].strip()
    n = len(data) // 64
    with tempfile.TemporaryDirectory() as tmp:
        bad = pathlib.Path(tmp) / "tampered.wlog"
        for what, damaged, index in variants(data):
            bad.write_bytes(damaged)
            r = run([ruvix_witness, "verify", bad])
            check(r.returncode == 1, f"{what}: verify exited {r.returncode}, want 1: {r.stdout}")
            check(f"record {index}:" in r.stdout,
                  f"{what}: expected the first bad record to be {index}: {r.stdout.strip()}")
            if shared:
                s = run(["python3", shared, bad])
                check(s.returncode != 0, f"{what}: the independent verifier accepted it")
        # Cutting the last record, the halt, leaves a valid chain: verify names the missing
        # halt record; --open (a log still being written) accepts it, and then the head (or
        # count) the kernel printed still catches the cut.
        bad.write_bytes(data[:-64])
        r = run([ruvix_witness, "verify", bad])
        check(r.returncode == 1 and f"record {n - 2}: no halt record: the log is truncated or "
              "the machine did not stop cleanly" in r.stdout,
              f"last record dropped: no missing-halt failure: {r.stdout}")
        r = run([ruvix_witness, "verify", bad, "--open"])
        check(r.returncode == 0, f"last record dropped: --open refuses it: {r.stdout}")
        r = run([ruvix_witness, "verify", bad, "--open", "--head", head])
        check(r.returncode == 1, f"last record dropped: --head did not catch it: {r.stdout}")
        r = run([ruvix_witness, "verify", bad, "--open", "--count", n])
        check(r.returncode == 1, f"last record dropped: --count did not catch it: {r.stdout}")
    r = run([ruvix_witness, "verify", log, "--head", head, "--count", n])
    check(r.returncode == 0, f"intact log with its own head and count fails: {r.stdout}")
