"""Helpers for benchmarks: the figure line format and a description of the machine."""
import json
import platform
import re
import statistics
import subprocess


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
