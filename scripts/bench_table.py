#!/usr/bin/env python3
"""Turn `cargo bench --bench kernels` output (read on stdin) into a Markdown table:
op, layout, D, JIT, baked, yardstick, JIT/yardstick, baked/yardstick, portable, trit-vsa (median estimates from criterion;
"-" where a contender has no such operation, e.g. trit-vsa outside the bitsliced groups)."""
import re
import sys

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
times = {}
current = None
for line in sys.stdin:
    line = line.rstrip()
    m = re.match(r"^([a-z_0-9]+/\S+)", line)
    if m:
        current = m.group(1)
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and current:
        times[current] = float(t.group(1)) * UNITS[t.group(2)]
        current = None

rows = {}
for name, ns in times.items():
    if name.count("/") != 2:
        continue
    group, who, dim = name.split("/")
    rows.setdefault((group, dim), {})[who] = ns

def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"

def cell(ns):
    return fmt(ns) if ns else "-"

print("| op | layout | D | JIT | baked | yardstick | JIT / yardstick | baked / yardstick | portable | trit-vsa |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (group, dim), r in sorted(rows.items(), key=lambda kv: (kv[0][0].split("_")[1] if "_" in kv[0][0] else "", kv[0][0], int(kv[0][1]) if kv[0][1].isdigit() else 0)):
    if "_" not in group or group.startswith("compile"):
        continue
    op, layout = group.rsplit("_", 1)
    jit, baked, yard, port, tv = (r.get(k) for k in ("jit", "baked", "yardstick", "portable", "trit-vsa"))
    ratio = lambda x: f"{x / yard:.2f}" if x and yard else "-"
    print(f"| {op} | {layout} | {dim} | {cell(jit)} | {cell(baked)} | {cell(yard)} | {ratio(jit)} | {ratio(baked)} | {cell(port)} | {cell(tv)} |")
for name, ns in sorted(times.items()):
    if name.startswith("compile_latency"):
        print(f"\ncompile latency {name.split('/', 1)[1]}: {fmt(ns)}")
