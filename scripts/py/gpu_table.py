#!/usr/bin/env python3
"""Turns scripts/gpu-check.sh's results.txt into a Markdown table: images/s, ms per step, ratios to the reference
peer at batch 128 (plain and --tuned --compile), and the fraction of the card's bf16 peak.

  gpu_table.py RESULTS [CARD-LINE]

A DCGAN step costs about 2.5 GFLOP per 64x64 image (forward and backward of G and D); the H100/H200 bf16 dense
peak is about 790 TFLOP/s (measured 769-798 on these machines with an 8192^3 bf16 matmul).
"""
import re, sys

GFLOP_PER_IMAGE = 2.5
PEAK_TFLOPS = 790.0

rows = []
for line in open(sys.argv[1]):
    m = re.search(r"images_per_s=([0-9.]+)", line)
    label = line.split(" torch=")[0].strip()
    rows.append((label, float(m.group(1)) if m else None, line.strip()))

def find(label):
    for l, v, _ in rows:
        if l == label and v:
            return v
    return None

plain, compiled, tuned = find("peer b=128 plain"), find("peer b=128 tuned+compile"), find("peer b=128 tuned")
print(f"card: {sys.argv[2] if len(sys.argv) > 2 else '?'}\n")
print("| run | images/s | ms/step | x plain peer (b=128) | x tuned peer | x tuned+compile peer | % of bf16 peak |")
print("|---|---|---|---|---|---|---|")
for label, v, _ in rows:
    if v is None:
        print(f"| {label} | failed | | | | | |")
        continue
    b = int(re.search(r"b=(\d+)", label).group(1))
    ratio = lambda ref: f"{v / ref:.2f}" if ref else "n/a"
    peak = 100.0 * v * GFLOP_PER_IMAGE * 1e9 / (PEAK_TFLOPS * 1e12)
    print(f"| {label} | {v:.0f} | {1000.0 * b / v:.3f} | {ratio(plain)} | {ratio(tuned)} | {ratio(compiled)} | {peak:.1f} |")
