#!/usr/bin/env bash
# Speed comparison with the Python reference peer, in one run on this machine:
#  1. the full training step (dcgan bench) against ref_dcgan.py plain and --tuned: same batch, threads and
#     image size, interleaved rounds, medians and ratios, and the fraction of the CPU ceiling; where the device has
#     native bf16 (CUDA, or a CPU with AVX512_BF16 / AMX-BF16) also dcgan with train.precision=bf16 against the peer's
#     --bf16 and --tuned --bf16 in the same rounds, and (CPU, 64x64) the effective GFLOP/s of both against one
#     convolution's rate measured in the same run (scripts/py/conv_rate.py);
#  2. peak resident memory of each (/usr/bin/time -v), dcgan's in fp32 and bf16;
#  3. start-up: `dcgan sample --ckpt g.pt -n 64` (LibTorch-free, and through LibTorch with DCGAN_PLAIN_SAMPLE=0)
#     against the same in Python (scripts/py/sample_ref.py).
#   scripts/bench.sh [--rounds R] [--steps S] [--batch B] [--threads T] [--device D]
# The peer: $DCGAN_REF, else ../shared/bench/ref_dcgan.py. Python: /usr/bin/python3 with Debian's python3-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 steps=5 batch=128 threads=2 device=cpu size=64
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
ref=${DCGAN_REF:-../shared/bench/ref_dcgan.py}
[ -f "$ref" ] || { echo "bench.sh: reference peer not found at $ref (set DCGAN_REF)" >&2; exit 2; }
py=${DCGAN_PYTHON:-/usr/bin/python3}
"$py" -c 'import torch' 2>/dev/null || { echo "bench.sh: $py cannot import torch (apt-get install python3-torch)" >&2; exit 2; }
[ -x build/dcgan ] || bash scripts/build.sh >/dev/null
# Convolution FLOPs per 64x64 image per training step of the tutorial model: D forward 0.208 GFLOP (x3: real, fake,
# G's update), D backward 0.208 (weights and inputs, x2) + 0.208 (inputs, G's update), G forward 0.234, G backward
# 0.467 = 2.36 GFLOP (docs/performance.md). ~140 GFLOP/s from a 2048^2 sgemm on the issue-5 machine.
gflop_per_image=2.36
ceiling=${DCGAN_CEILING_IMAGES_PER_S:-55}

last() { sed -n 's/.*images_per_s=\([0-9.]*\).*/\1/p' | tail -n 1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# bf16 rows where the device computes bf16 natively: CUDA, or a CPU with AVX512_BF16 / AMX-BF16 (dcgan --version).
bf16=0
if [ "$device" != cpu ] || build/dcgan --version | grep -q "native bf16: yes"; then bf16=1; fi
ours_bench() { build/dcgan bench --batch "$batch" --threads "$threads" --image-size $size --steps "$steps" --device "$device" "$@"; }
peer() { "$py" "$ref" --batch "$batch" --threads "$threads" --steps "$steps" --device "$device" "$@"; }
declare -a ours plain tuned ours16 peer16 tuned16
echo "== training step: batch $batch, ${size}x${size}x3, $threads threads, $steps timed steps, $rounds rounds, device $device"
for r in $(seq "$rounds"); do
  o=$(ours_bench | last); p=$(peer | last); t=$(peer --tuned | last)
  line="round $r: dcgan $o  peer $p  peer --tuned $t"
  ours+=("$o"); plain+=("$p"); tuned+=("$t")
  if [ $bf16 = 1 ]; then
    o16=$(ours_bench --set train.precision=bf16 | last); p16=$(peer --bf16 | last); t16=$(peer --tuned --bf16 | last)
    line="$line | dcgan bf16 $o16  peer --bf16 $p16  peer --tuned --bf16 $t16"
    ours16+=("$o16"); peer16+=("$p16"); tuned16+=("$t16")
  fi
  echo "$line images/s"
done
med() { printf '%s\n' "$@" | median; }
mo=$(med "${ours[@]}"); mp=$(med "${plain[@]}"); mt=$(med "${tuned[@]}")
awk -v o="$mo" -v p="$mp" -v t="$mt" -v c="$ceiling" 'BEGIN {
  printf "median images/s: dcgan %.1f | peer %.1f | peer --tuned %.1f\n", o, p, t
  printf "ratios: dcgan/peer %.2fx | dcgan/peer --tuned %.2fx | dcgan/ceiling(%s) %.0f%%\n", o/p, o/t, c, 100*o/c }'
if [ $bf16 = 1 ]; then
  mo16=$(med "${ours16[@]}"); mp16=$(med "${peer16[@]}"); mt16=$(med "${tuned16[@]}")
  awk -v o="$mo" -v t="$mt" -v o16="$mo16" -v p16="$mp16" -v t16="$mt16" 'BEGIN {
    best = t; if (p16 > best) best = p16; if (t16 > best) best = t16
    printf "median images/s bf16: dcgan %.1f | peer --bf16 %.1f | peer --tuned --bf16 %.1f\n", o16, p16, t16
    printf "ratios bf16: dcgan bf16/dcgan fp32 %.2fx | dcgan bf16/best peer (%.1f) %.2fx\n", o16/o, best, o16/best }'
  if [ "$device" = cpu ] && [ "$size" = 64 ]; then
    rates=$("$py" scripts/py/conv_rate.py --threads "$threads" --batch "$batch")
    echo "$rates"
    c32=$(echo "$rates" | sed -n 's/.*dtype=float32 gflop_per_s=//p'); c16=$(echo "$rates" | sed -n 's/.*dtype=bfloat16 gflop_per_s=//p')
    awk -v o="$mo" -v o16="$mo16" -v g="$gflop_per_image" -v c32="$c32" -v c16="$c16" 'BEGIN {
      printf "effective GFLOP/s (%.2f GFLOP per image): dcgan fp32 %.0f = %.0f%% of the fp32 convolution | dcgan bf16 %.0f = %.0f%% of the bf16 convolution\n", g, o*g, 100*o*g/c32, o16*g, 100*o16*g/c16 }'
  fi
fi

echo "== peak resident memory (batch $batch, $steps steps)"
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; }
ro=$(rss build/dcgan bench --batch "$batch" --threads "$threads" --image-size $size --steps "$steps" --device "$device")
rp=$(rss "$py" "$ref" --batch "$batch" --threads "$threads" --steps "$steps" --device "$device")
rt=$(rss "$py" "$ref" --batch "$batch" --threads "$threads" --steps "$steps" --device "$device" --tuned)
awk -v o="$ro" -v p="$rp" -v t="$rt" 'BEGIN {
  printf "max RSS MiB: dcgan %.0f | peer %.0f | peer --tuned %.0f\n", o/1024, p/1024, t/1024 }'
if [ $bf16 = 1 ]; then
  ro16=$(rss build/dcgan bench --batch "$batch" --threads "$threads" --image-size $size --steps "$steps" --device "$device" \
    --set train.precision=bf16)
  awk -v o="$ro" -v o16="$ro16" 'BEGIN { printf "max RSS MiB bf16: dcgan %.0f (fp32 %.0f)\n", o16/1024, o/1024 }'
fi

echo "== start-up: 64 samples from a 64x64 tutorial-size generator, process start to PNG written"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/dcgan train --set data.format=synthetic --set data.synthetic_count=8 --set train.batch_size=8 \
  --set train.steps=1 --set train.threads="$threads" --set output.dir="$work/run" >/dev/null
"$py" scripts/py/sample_ref.py --init "$work/g.pth"
now() { date +%s.%N; }
declare -a cs ts ps
for r in $(seq "$rounds"); do
  t0=$(now); build/dcgan sample --ckpt "$work/run/g.pt" -n 64 --out "$work/c.png" --device cpu >/dev/null; t1=$(now)
  DCGAN_PLAIN_SAMPLE=0 build/dcgan sample --ckpt "$work/run/g.pt" -n 64 --out "$work/t.png" --device cpu >/dev/null
  t2=$(now)
  OMP_NUM_THREADS=$threads "$py" scripts/py/sample_ref.py "$work/g.pth" "$work/p.png"; t3=$(now)
  c=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  t=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.3f", b - a}')
  p=$(awk -v a="$t2" -v b="$t3" 'BEGIN {printf "%.3f", b - a}')
  echo "round $r: dcgan sample ${c}s  dcgan sample through LibTorch ${t}s  python ${p}s"
  cs+=("$c"); ts+=("$t"); ps+=("$p")
done
mc=$(printf '%s\n' "${cs[@]}" | median)
mt=$(printf '%s\n' "${ts[@]}" | median)
mpy=$(printf '%s\n' "${ps[@]}" | median)
awk -v c="$mc" -v t="$mt" -v p="$mpy" 'BEGIN {
  printf "median seconds: dcgan sample %.3f | through LibTorch %.3f | python %.3f | python/dcgan %.1fx\n", c, t, p, p/c }'
