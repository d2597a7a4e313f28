#!/usr/bin/env python3
"""Boot RuVix on QEMU virt and exit with the kernel's own status.

RuVix boots without semihosting (QEMU would serve it to EL1 partitions too, docs/boot.md), so
QEMU itself always exits 0 when the kernel powers off. The kernel's status is its last console
line, "EXIT: STATUS=n", and the exit status in its halt witness record. This runner builds the
one QEMU command line every script and test uses, passes the console through, checks that the
two statuses agree, and exits with that status.

usage: ruvix_qemu.py [options] IMAGE
  --wlog FILE        host file for the witness log (default ruvix.wlog); written by QEMU from
                     the virtio console only EL2 drives
  --append ARGS      kernel boot arguments (ruvix.test=..., ruvix.manifest=...)
  --smp N            CPUs (default 2)
  --no-icount        real time instead of -icount shift=0,sleep=off (1 instruction = 1 ns)
  --loader FILE@ADDR put FILE into guest RAM at ADDR (a manifest blob); repeatable
  --virtio-modern    the version 2 virtio-mmio transport instead of QEMU's legacy default
  --console FILE     also write the console (without carriage returns) to FILE
  --timeout S        stop QEMU after S seconds of wall time (default 300)
  --qemu BIN         QEMU binary (default qemu-system-aarch64)
  -h, --help         this text
Exit status: the kernel's (docs/boot.md lists them); 124 when QEMU ended without the kernel's
EXIT line (it hung, crashed, or something else stopped it); 125 when QEMU could not run, or
when the console and the halt record disagree.
"""
import pathlib
import re
import struct
import subprocess
import sys

NO_EXIT_LINE = 124
RUNNER_ERROR = 125
EXIT_LINE = re.compile(r"^EXIT: STATUS=(\d+)$", re.M)
WK_HALT = 2


def command(image, wlog, append="", smp=2, icount=True, loaders=(), modern=False,
            qemu="qemu-system-aarch64", extra=(), el2=True):
    """The QEMU command line: virt at EL2 with GICv3, no semihosting, the witness log on a
    virtio console written to WLOG (None: no console, which the kernel refuses; el2=False: no
    virtualization, which it refuses too; both for tests)."""
    machine = "virt,virtualization=on,gic-version=3" if el2 else "virt,gic-version=3"
    cmd = [str(qemu), "-M", machine, "-cpu", "cortex-a72",
           "-smp", str(smp), "-m", "256M", "-nographic", "-no-reboot", "-monitor", "none"]
    if icount:
        cmd += ["-icount", "shift=0,sleep=off"]
    if modern:
        cmd += ["-global", "virtio-mmio.force-legacy=false"]
    if wlog is not None:
        cmd += ["-chardev", f"file,id=wlog,path={wlog}", "-device", "virtio-serial-device",
                "-device", "virtconsole,chardev=wlog"]
    for item in loaders:
        path, addr = item
        cmd += ["-device", f"loader,file={path},addr={addr},force-raw=on"]
    cmd += [*map(str, extra), "-kernel", str(image)]
    if append:
        cmd += ["-append", append]
    return cmd


def kernel_status(console):
    """The status of the kernel's last EXIT line (anchored: a partition's lines are tagged
    "[name] ", so none can pose as it), or None."""
    found = EXIT_LINE.findall(console.replace("\r", ""))
    return int(found[-1]) if found else None


def halt_status(wlog):
    """The exit status in the log's final halt record, or None when the log has none."""
    if wlog is None:
        return None
    try:
        data = pathlib.Path(wlog).read_bytes()
    except OSError:
        return None
    if len(data) < 64 or len(data) % 64:
        return None
    kind = struct.unpack_from("<H", data, len(data) - 64 + 16)[0]
    if kind != WK_HALT:
        return None
    return struct.unpack_from("<q", data, len(data) - 64 + 32)[0] & 0xff


def status_of(console, wlog):
    """(status, problem): the kernel's exit status, and a message when it cannot be trusted."""
    status = kernel_status(console)
    if status is None:
        return NO_EXIT_LINE, "QEMU ended without the kernel's 'EXIT: STATUS=n' line"
    halt = halt_status(wlog)
    if halt is not None and halt != status:
        return RUNNER_ERROR, f"console says status {status}, the halt record {halt}"
    return status, None


def run(image, wlog, timeout=300, **kw):
    """Boot and wait. Returns (status, console, problem); console has no carriage returns."""
    if wlog is not None:
        wlog = pathlib.Path(wlog)
        if wlog.exists():
            wlog.unlink()
    try:
        r = subprocess.run(command(image, wlog, **kw), capture_output=True, text=True,
                           errors="replace", stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        return NO_EXIT_LINE, (out or "").replace("\r", ""), f"QEMU still ran after {timeout} s"
    except OSError as e:
        return RUNNER_ERROR, "", f"cannot run QEMU: {e}"
    console = r.stdout.replace("\r", "")
    if r.returncode != 0:
        return RUNNER_ERROR, console + r.stderr, f"QEMU exited with {r.returncode}: {r.stderr}"
    status, problem = status_of(console, wlog)
    return status, console, problem


def main(argv):
    opts = {"wlog": "ruvix.wlog", "append": "", "smp": 2, "icount": True, "loaders": [],
            "modern": False, "console": None, "timeout": 300, "qemu": "qemu-system-aarch64"}
    image = None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if "=" in a and a.startswith("--"):
            a, v = a.split("=", 1)
            args.insert(0, v)
        if a in ("--no-icount", "--virtio-modern"):
            opts["icount" if a == "--no-icount" else "modern"] = a == "--virtio-modern"
            continue
        if a.startswith("-"):
            key = a[2:].replace("-", "_")
            if key not in ("wlog", "append", "smp", "loader", "console", "timeout", "qemu"):
                print(f"ruvix_qemu: unknown option {a} (see --help)", file=sys.stderr)
                return 2
            if not args:
                print(f"ruvix_qemu: {a} needs a value", file=sys.stderr)
                return 2
            v = args.pop(0)
            if key == "loader":
                path, sep, addr = v.rpartition("@")
                if not sep or not path:
                    print(f"ruvix_qemu: --loader {v}: expected FILE@ADDR", file=sys.stderr)
                    return 2
                opts["loaders"].append((path, addr))
            elif key in ("smp", "timeout"):
                if not v.isdigit() or int(v) == 0:
                    print(f"ruvix_qemu: {a} {v}: expected a positive integer", file=sys.stderr)
                    return 2
                opts[key] = int(v)
            else:
                opts[key] = v
            continue
        if image:
            print(f"ruvix_qemu: more than one image ({image}, {a})", file=sys.stderr)
            return 2
        image = a
    if not image:
        print("ruvix_qemu: no image (see --help)", file=sys.stderr)
        return 2
    console_file = opts.pop("console")
    status, console, problem = run(image, **opts)
    sys.stdout.write(console)
    if console_file:
        pathlib.Path(console_file).write_text(console)
    if problem:
        print(f"ruvix_qemu: {problem}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
