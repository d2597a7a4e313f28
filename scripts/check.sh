#!/usr/bin/env bash
# Build every configuration and run every test; print one closing line "N passed, N failed"
# summed from meson's own summaries. Configurations: native and aarch64 with the coherence
# engine, and both again with -Dcoherence=disabled (DC-1: the kernel and the simulator work
# without it). Exit non-zero when anything failed or did not build.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

passed=0 failed=0 skipped=0

setup() { # dir, extra meson args...
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 ||
		{ mkdir -p "$(dirname "$dir")"; cat "$dir.setup.log" 2>/dev/null; return 1; }
}

count() { # meson summary label, log file
	awk -v k="$1:" '$0 ~ "^"k {n=$NF} END {print n+0}' "$2"
}

for cfg in native aarch64 native-nocoherence aarch64-nocoherence; do
	dir="$build/$cfg"
	mkdir -p "$build"
	args=()
	case $cfg in aarch64*) args+=(--cross-file arch/aarch64/cross.ini) ;; esac
	case $cfg in *-nocoherence) args+=(-Dcoherence=disabled) ;; esac
	echo "== $cfg: build"
	if ! setup "$dir" "${args[@]}" || ! ninja -C "$dir"; then
		echo "== $cfg: BUILD FAILED"
		failed=$((failed + 1))
		continue
	fi
	echo "== $cfg: test"
	log="$build/$cfg-test.log"
	meson test -C "$dir" --print-errorlogs 2>&1 | tee "$log"
	ok=$(count "Ok" "$log")
	xfail=$(count "Expected Fail" "$log")
	fail=$(count "Fail" "$log")
	xpass=$(count "Unexpected Pass" "$log")
	timeout=$(count "Timeout" "$log")
	skip=$(count "Skipped" "$log")
	if ! grep -q '^Ok:' "$log"; then
		echo "== $cfg: meson test printed no summary"
		fail=$((fail + 1))
	fi
	passed=$((passed + ok + xfail))
	failed=$((failed + fail + xpass + timeout))
	skipped=$((skipped + skip))
done

echo "witness logs: $(find "$build" -name '*.wlog' | wc -l) files under $build/"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
