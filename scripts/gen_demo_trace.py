#!/usr/bin/env python3
"""Regenerate traces/demo.trace, the default trace of `make run` (format: traces/README.md).

Four services of a small web application (the partitions of manifests/demo.dts), 1,000
requests with Poisson arrivals at 20,000 requests/s and exponential service times around each
service's mean. Python's random with seed 2: the output is the same on every run.

usage: scripts/gen_demo_trace.py > traces/demo.trace
"""
import random
import sys

rng = random.Random(2)
parts = [("web", 40000), ("auth", 15000), ("db", 90000), ("cache", 8000)]
out = ["# RuVix demo trace: four services of a small web application, 1,000 requests.",
       "# Poisson arrivals at 20,000 requests/s; service times exponential around each",
       "# service's mean (web 40 us, auth 15 us, db 90 us, cache 8 us). Generated with seed 2.",
       "ruvix-trace 0"]
out += [f"partition {p}" for p, _ in parts]
t = 0
for _ in range(1000):
    t += int(rng.expovariate(20000) * 1e9)
    p, mean = rng.choices(parts, weights=[4, 2, 2, 3])[0]
    out.append(f"request {t} {p} {max(1, int(rng.expovariate(1 / mean)))}")
sys.stdout.write("\n".join(out) + "\n")
