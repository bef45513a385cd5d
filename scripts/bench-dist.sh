#!/usr/bin/env bash
# Distributed cost on this machine: the tutorial's 64x64 networks on synthetic data, 2 ranks of batch B on loopback
# Gloo (`--nproc 2`, one core each) against one process of batch 2B on all cores, the same global batch. Prints each
# run's images/s (the last log interval) and the gradient all-reduce's calls, bytes and ms per step.
# Usage: bash scripts/bench-dist.sh [B=128] [STEPS=12]. Needs build/dcgan (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-128}
steps=${2:-12}
common=(--set data.format=synthetic --set data.synthetic_count=$((4 * b)) --set train.steps="$steps"
        --set output.log_every=$((steps / 2)) --set output.eval_every=0 --set output.sample_every=100000
        --set output.checkpoint_every=100000 --set train.ema_decay=0)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
build/dcgan train "${common[@]}" --set train.batch_size=$((2 * b)) --set output.dir="$out/one" >"$out/one.log" 2>&1
echo "1 process, batch $((2 * b)): $(grep -o 'images/s: [0-9.]*' "$out/one.log" | tail -1)"
build/dcgan train --nproc 2 "${common[@]}" --set train.batch_size="$b" --set output.dir="$out/two" >"$out/two.log" 2>&1
echo "2 ranks x batch $b (gloo, loopback): $(grep -o 'images/s: [0-9.]*' "$out/two.log" | tail -1)"
grep -o 'gradient all-reduce.*' "$out/two.log"
