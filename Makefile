# RuVix: a thin wrapper over Meson, as QEMU has one. Two build directories from one
# meson.build: build/native (simulator, tools, unit tests) and build/aarch64 (the EL2 image).
#
#   make run     build both, boot RuVix on QEMU, run the simulator on the default trace
#   make check   build both and run every test; ends with "N passed, N failed"
#   make bench   run every benchmark in bench/, one JSON object per figure
#   make mutate  apply each deliberate break in tests/mutations.txt; a test must catch each
#
# Each target first runs scripts/deps.sh, which installs missing Debian packages as root.

BUILD ?= build
MESON_OPTS ?=
NATIVE := $(BUILD)/native
CROSS := $(BUILD)/aarch64

.PHONY: all deps native cross run check bench mutate format clean

all: native cross

deps:
	@scripts/deps.sh >&2

# Build output goes to stderr, so `make bench > figures.jsonl` holds JSON lines only.
native: deps
	@[ -f $(NATIVE)/build.ninja ] || meson setup $(NATIVE) $(MESON_OPTS) >&2
	@ninja -C $(NATIVE) >&2

cross: deps
	@[ -f $(CROSS)/build.ninja ] || meson setup $(CROSS) --cross-file arch/aarch64/cross.ini $(MESON_OPTS) >&2
	@ninja -C $(CROSS) >&2

run: native cross
	@scripts/run.sh $(BUILD)

check: deps
	@scripts/check.sh $(BUILD)

bench: native cross
	@scripts/bench.sh $(BUILD)

mutate: deps
	@scripts/mutate.py

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
