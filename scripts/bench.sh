#!/usr/bin/env bash
# Run every benchmark in bench/ (files named bench_*.py); each prints one JSON object per
# figure on stdout. The lines are also appended to BUILD/bench-history.jsonl with a date.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
history="$build/bench-history.jsonl"
for b in bench/bench_*.py; do
	python3 "$b" --build "$build" | while IFS= read -r line; do
		echo "$line"
		echo "{\"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"figure\": $line}" >>"$history"
	done
done
