"""Tamper checks shared by the simulator and QEMU tests: every way of damaging a log must be
caught by ruvix-witness verify (and by the independent verifier when it is present)."""
import pathlib
import tempfile

from testlib import check, run


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
    return out


def check_tampering(ruvix_witness, log, shared=None):
    data = pathlib.Path(log).read_bytes()
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
        # Cutting the last record leaves a valid chain: the head (or count) catches it.
        bad.write_bytes(data[:-64])
        r = run([ruvix_witness, "verify", bad, "--head", head])
        check(r.returncode == 1, f"last record dropped: --head did not catch it: {r.stdout}")
        r = run([ruvix_witness, "verify", bad, "--count", n])
        check(r.returncode == 1, f"last record dropped: --count did not catch it: {r.stdout}")
    r = run([ruvix_witness, "verify", log, "--head", head, "--count", n])
    check(r.returncode == 0, f"intact log with its own head and count fails: {r.stdout}")
