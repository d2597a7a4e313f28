"""Helpers for benchmarks: the figure line format, a description of the machine, and booting
the image on QEMU under -icount."""
import json
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
import ruvix_qemu  # noqa: E402


def host_cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def qemu_version(qemu="qemu-system-aarch64"):
    out = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else "unknown"


def figure(name, unit, samples, backend, machine, **extra):
    """One JSON line: {"name", "unit", "n", "min", "median", "max", "backend", "machine"}."""
    obj = {"name": name, "unit": unit, "n": len(samples), "min": min(samples),
           "median": statistics.median(samples), "max": max(samples),
           "backend": backend, "machine": machine}
    obj.update(extra)
    print(json.dumps(obj), flush=True)


def icount_machine():
    """The machine string of every QEMU figure."""
    return f"QEMU {qemu_version()} virt cortex-a72 x2, -icount shift=0 on {host_cpu()}"


def boot_icount(build, append, timeout=300):
    """Boot BUILD's image on QEMU virt (EL2, GICv3, 2 CPUs) under -icount shift=0 (1
    instruction = 1 ns of virtual time) with the boot arguments APPEND, through
    tools/ruvix_qemu.py; the witness log goes to a temporary file. Returns a
    subprocess.CompletedProcess whose returncode is the kernel's status and stdout the console."""
    image = pathlib.Path(build) / "aarch64" / "arch" / "aarch64" / "ruvix.img"
    with tempfile.TemporaryDirectory() as tmp:
        status, console, problem = ruvix_qemu.run(image, f"{tmp}/bench.wlog", timeout=timeout,
                                                  append=append)
        return subprocess.CompletedProcess([], status, console, problem or "")
