#!/usr/bin/env bash
# End to end, as a user runs the tutorial: ../shared/bench/tutorial_dcgan.py (torchvision's ImageFolder and
# DataLoader with 2 workers, the tutorial's loop, losses read back every step) against
# `dcgan train --config configs/celeba.yaml --set train.precision=auto` on the same JPEG folder, same steps, back to
# back; each timed from the start of its process to its exit (the last grid written), with its peak resident
# memory, all its processes summed (scripts/py/peak_rss.py: the DataLoader's workers included).
# On the newest PyTorch the machine has: Debian 13's 2.6 (in scripts/debian13.sh's root, dcgan from build-d13/, as
# scripts/bench.sh makes them) on a Debian 12 machine run as root, else this machine's.
#   scripts/bench-tutorial.sh [--data DIR] [--steps N] [--rounds R] [--no-root]
# Defaults: DIR ../shared/data/celeba-aligned-89x109-5k (5,000 CelebA JPEGs), N 390 (one tutorial epoch of
# CelebA is 1,583 steps), R 1. The runs' folders stay in build/bench-tutorial/ (samples, logs) to be looked at.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/celeba-aligned-89x109-5k steps=390 rounds=1 use_root=1
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-root) use_root=0; shift ;;
    *) echo "bench-tutorial.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
tutorial=$(realpath "${DCGAN_TUTORIAL:-../shared/bench/tutorial_dcgan.py}" 2>/dev/null) || tutorial=""
[ -f "$tutorial" ] || { echo "bench-tutorial.sh: the tutorial peer not found (set DCGAN_TUTORIAL)" >&2; exit 2; }
[ -d "$data" ] || { echo "bench-tutorial.sh: $data: no such folder (--data DIR)" >&2; exit 2; }
data=$(realpath "$data")
out=$PWD/build/bench-tutorial
rm -rf "$out"
mkdir -p "$out/imagefolder"
ln -s "$data" "$out/imagefolder/images"  # ImageFolder wants the images one folder down

. scripts/lib/d13.sh
env=host dcgan=build/dcgan
if [ "$use_root" = 1 ] && d13_wanted bench-tutorial.sh; then
  env=root dcgan=build-d13/dcgan
  d13_build
else
  [ -x build/dcgan ] || bash scripts/build.sh >/dev/null
fi
in_env() {
  if [ $env = root ]; then bash scripts/debian13.sh --bind "$data" --bind "$(dirname "$tutorial")" -- "$@"
  else "$@"; fi
}
python=/usr/bin/python3
in_env $python -c 'import torchvision' 2>/dev/null || { echo "bench-tutorial.sh: no torchvision in this Python (DCGAN_BENCH=1 bash scripts/setup.sh)" >&2; exit 2; }
echo "== end to end: $steps steps of batch 128 on $data; $(in_env $python -c 'import torch; print("torch", torch.__version__)'), $(in_env $dcgan --version | sed -n 's/.*(\(LibTorch [0-9.]*\).*/\1/p')"

timed() {  # timed NAME COMMAND...: prints "NAME wall_s=... peak_rss_mib tree=... largest=..."
  local name=$1 t0 t1 mem; shift
  t0=$(date +%s.%N)
  in_env $python "$PWD/scripts/py/peak_rss.py" "$@" >"$out/$name.log" 2>&1 || true
  t1=$(date +%s.%N)
  mem=$(tail -n 1 "$out/$name.log")
  case $mem in peak_rss_mib*) ;; *) echo "bench-tutorial.sh: $name failed: $mem (log: $out/$name.log)" >&2; exit 1 ;; esac
  awk -v a="$t0" -v b="$t1" -v n="$name" -v m="$mem" 'BEGIN { printf "%s wall_s=%.1f %s\n", n, b - a, m }'
}
for r in $(seq "$rounds"); do
  rm -rf "$out/dcgan-run"
  d=$(timed dcgan "$dcgan" train --config configs/celeba.yaml --set data.path="$data" --set train.steps="$steps" \
    --set train.precision=auto --set output.eval_every=0 --set output.dir="$out/dcgan-run")
  t=$(timed tutorial "$python" "$tutorial" "$out/imagefolder" --steps "$steps")
  echo "round $r: $d | $t"
  awk -v d="$d" -v t="$t" 'BEGIN {
    match(d, /wall_s=[0-9.]+/); dw = substr(d, RSTART + 7, RLENGTH - 7)
    match(t, /wall_s=[0-9.]+/); tw = substr(t, RSTART + 7, RLENGTH - 7)
    printf "round summary: dcgan %.0f s, the tutorial %.0f s: the tutorial takes %.2fx as long\n", dw, tw, tw / dw }'
done
echo "dcgan's last lines ($out/dcgan.log):"; tail -n 3 "$out/dcgan.log" | head -n 2
echo "the tutorial's ($out/tutorial.log):"; tail -n 2 "$out/tutorial.log" | head -n 1
