#!/usr/bin/env bash
# The main job: boot RuVix on QEMU and show its boot log, then run the simulator on the
# default trace. Everything lands in BUILD/run/.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="$build/run"
witness="$build/native/tools/ruvix-witness"
# The boot log replays in the replayer built with the kernel's table sizes (the cross build
# makes it for this machine); the simulator's log in the native one (docs/witness.md).
witness_el2="$build/aarch64/tools/ruvix-witness"
mkdir -p "$out"

echo "== Booting RuVix on QEMU virt (EL2, GICv3, 2 CPUs, -icount shift=0: 1 instruction = 1 ns)"
status=0
# tools/ruvix_qemu.py holds the QEMU command line (no semihosting: EL1 could reach it; the log
# leaves through a virtio console only EL2 drives) and exits with the kernel's own status.
python3 tools/ruvix_qemu.py --wlog "$out/boot.wlog" --console "$out/boot.console" \
	"$build/aarch64/arch/aarch64/ruvix.img" || status=$?
if [ "$status" -ne 0 ]; then
	echo "run: the kernel exited with status $status (docs/boot.md lists them)" >&2
	exit 1
fi
head=$(sed -n 's/^witness: \([0-9]*\) records, head \([0-9a-f]*\)$/\1 \2/p' "$out/boot.console")
"$witness_el2" verify "$out/boot.wlog" --count "${head%% *}" --head "${head##* }"
"$witness_el2" replay "$out/boot.wlog" \
	--digest "$(sed -n 's/^state digest \([0-9a-f]*\).*/\1/p' "$out/boot.console")"
echo "(every record: $witness_el2 dump $out/boot.wlog)"

echo
echo "== Simulator: traces/demo.trace on the virt2 machine, manifests/demo.dts, naive policy"
"$build/native/sim/ruvix-sim" run --trace traces/demo.trace --machine virt2 --policy naive \
	--manifest demo --seed 1 --out "$out/sim"
"$witness" replay "$out/sim/witness.wlog" --digest "$(sed -n 's/.*"state_digest": "\([0-9a-f]*\)".*/\1/p' "$out/sim/report.json")"
echo
echo "Boot log:         $out/boot.console"
echo "Boot witness log: $out/boot.wlog"
echo "Simulator report: $out/sim/report.json"
