#!/usr/bin/env python3
"""Bounded libFuzzer run for `meson test`: a fresh, empty corpus folder under WORK (libFuzzer
writes new inputs to its first corpus folder only, so the source tree stays untouched), then
the seed folders (shipped files and committed regression inputs, each run first), then the
fuzzer's options.

usage: run_fuzz.py TARGET WORK SEED_DIR... -- LIBFUZZER_OPTION...
"""
import os
import shutil
import sys

target, work = sys.argv[1], sys.argv[2]
sep = sys.argv.index("--")
seeds, options = sys.argv[3:sep], sys.argv[sep + 1:]
corpus = os.path.join(work, "corpus")
shutil.rmtree(corpus, ignore_errors=True)
os.makedirs(corpus)
for s in seeds:
    if not os.path.isdir(s):
        sys.exit(f"run_fuzz.py: seed folder {s} is missing")
os.execv(target, [target, *options, corpus, *seeds])
