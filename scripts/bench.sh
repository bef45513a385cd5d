#!/usr/bin/env bash
# The training step against the Python peer on every PyTorch this machine has, in one run:
#  1. `dcgan bench` (the full D + G step on a synthetic 64x64x3 batch in memory) on each LibTorch build, fp32 and bf16,
#     and ../shared/bench/ref_dcgan.py on each PyTorch: plain (the tutorial as written), --tuned, --tuned --bf16,
#     --compile and --compile --bf16 (torch 2 and later); all interleaved in the same rounds; medians, and the ratios
#     of each dcgan build to the best peer on the newest PyTorch (bf16: every peer; fp32: the fp32 peers);
#  2. the ceiling: one convolution of D's shape (scripts/py/conv_rate.py) on the newest PyTorch, and what the
#     step's 2.36 GFLOP per image allow at that rate;
#  3. peak resident memory of each (scripts/py/peak_rss.py);
#  4. start-up: `dcgan sample --ckpt g.pt -n 64` against the same in Python (scripts/py/sample_ref.py).
# The PyTorch builds: this machine's (Debian 12: 1.13; Debian 13: 2.6) and, on Debian 12 as root, Debian 13's 2.6
# in the root of scripts/debian13.sh (made once, ~3 min) with dcgan built against it in build-d13/ (once, ~8 min);
# --no-root leaves that out. bf16 rows need native bf16 (AVX512_BF16 or AMX-BF16, or CUDA); elsewhere the script
# says why they are left out.
#   scripts/bench.sh [--rounds R] [--steps S] [--batch B] [--threads T] [--device D] [--no-root] [--no-compile]
# The peer: $DCGAN_REF, else ../shared/bench/ref_dcgan.py. Python: /usr/bin/python3 with Debian's python3-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 steps=5 batch=128 threads=2 device=cpu use_root=1 compile=1
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --no-root) use_root=0; shift ;;
    --no-compile) compile=0; shift ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
ref=$(realpath "${DCGAN_REF:-../shared/bench/ref_dcgan.py}" 2>/dev/null) || ref=""
[ -f "$ref" ] || { echo "bench.sh: reference peer not found at ${DCGAN_REF:-../shared/bench/ref_dcgan.py} (set DCGAN_REF)" >&2; exit 2; }
py=${DCGAN_PYTHON:-/usr/bin/python3}
"$py" -c 'import torch' 2>/dev/null || { echo "bench.sh: $py cannot import torch (bash scripts/setup.sh)" >&2; exit 2; }
[ -x build/dcgan ] || bash scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Environments: "host" (build/, this machine's python) and "root" (build-d13/, Debian 13's, through debian13.sh).
. scripts/lib/d13.sh
envs=(host)
if [ "$use_root" = 1 ] && [ "$device" = cpu ] && d13_wanted bench.sh; then
  envs+=(root)
  d13_build
fi
in_env() {  # in_env ENV COMMAND...: runs COMMAND with ENV's python as "python"
  local env=$1; shift
  if [ "$env" = root ]; then bash scripts/debian13.sh --bind "$(dirname "$ref")" -- "$@"
  else "$@"; fi
}
dcgan_of() { [ "$1" = root ] && echo build-d13/dcgan || echo build/dcgan; }
py_of() { [ "$1" = root ] && echo /usr/bin/python3 || echo "$py"; }
declare -A version
for e in "${envs[@]}"; do
  version[$e]=$(in_env "$e" "$(py_of "$e")" -c 'import torch; print(torch.__version__.split("+")[0])')
done
newest=${envs[-1]}

bf16=1
if [ "$device" = cpu ] && ! build/dcgan --version | grep -q "native bf16: yes"; then
  bf16=0
  echo "bf16: left out: this CPU has $(build/dcgan --version | sed -n 's/.*CPU features: \([^,]*\),.*/\1/p'): without AVX512_BF16 or" \
    "AMX-BF16 dcgan refuses train.precision=bf16 (emulated bf16 is slower than fp32), so fp32 is compared alone"
fi

# The jobs of one round: "ENV|LABEL|PRECISION|COMMAND..." (PRECISION: fp32 or bf16; the peers' label says which).
jobs=()
for e in "${envs[@]}"; do
  v=${version[$e]}; d=$(dcgan_of "$e"); p=$(py_of "$e")
  lt=$(in_env "$e" "$d" --version | sed -n 's/.*(LibTorch \([0-9.]*\).*/\1/p')
  ours="$d bench --batch $batch --threads $threads --image-size 64 --steps $steps --device $device"
  peer="$p $ref --batch $batch --threads $threads --steps $steps --device $device"
  jobs+=("$e|dcgan fp32, LibTorch $lt|fp32|$ours")
  [ $bf16 = 1 ] && jobs+=("$e|dcgan bf16, LibTorch $lt|bf16|$ours --set train.precision=bf16")
  jobs+=("$e|peer, torch $v|fp32|$peer" "$e|peer --tuned, torch $v|fp32|$peer --tuned")
  [ $bf16 = 1 ] && jobs+=("$e|peer --tuned --bf16, torch $v|bf16|$peer --tuned --bf16")
  if [ "$compile" = 1 ] && [ "${v%%.*}" -ge 2 ]; then
    in_env "$e" "$p" -c 'import setuptools' 2>/dev/null || {
      echo "bench.sh: torch.compile needs setuptools in $p (DCGAN_BENCH=1 bash scripts/setup.sh), or pass --no-compile" >&2
      exit 2
    }
    jobs+=("$e|peer --compile, torch $v|fp32|$peer --compile")
    [ $bf16 = 1 ] && jobs+=("$e|peer --compile --bf16, torch $v|bf16|$peer --compile --bf16")
  fi
done

echo "== training step: batch $batch, 64x64x3, $threads threads, $steps timed steps, $rounds rounds, device $device"
last() { sed -n 's/.*images_per_s=\([0-9.]*\).*/\1/p' | tail -n 1; }
for r in $(seq "$rounds"); do
  line="round $r:"
  for j in "${jobs[@]}"; do
    IFS='|' read -r e label prec cmd <<<"$j"
    # shellcheck disable=SC2086  # cmd is a word list of plain arguments
    v=$(in_env "$e" $cmd 2>"$work/err" | last) || true
    [ -n "$v" ] || { echo "bench.sh: $label failed: $(tail -n 3 "$work/err")" >&2; v=0; }
    printf '%s\t%s\t%s\t%s\n' "$e" "$label" "$prec" "$v" >>"$work/steps.tsv"
    line="$line $label $v |"
  done
  echo "${line% |}"
done
# Medians per label, then the ratios of each dcgan row to the best peer on the newest PyTorch.
awk -F'\t' -v newest="$newest" '
  { key = $2; env[key] = $1; prec[key] = $3; n[key]++; v[key, n[key]] = $4; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
  function median(key,   i, j, t, a, m) {
    m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END {
    print "median images/s:"
    for (i = 1; i <= k; i++) {
      key = order[i]; med[key] = median(key); printf "  %-40s %7.1f\n", key, med[key]
      if (env[key] == newest && key ~ /^peer/) {
        if (med[key] > best) { best = med[key]; bestk = key }
        if (prec[key] == "fp32" && med[key] > best32) { best32 = med[key]; best32k = key }
      }
    }
    printf "best peer on the newest PyTorch: %s %.1f; best fp32 peer: %s %.1f\n", bestk, best, best32k, best32
    for (i = 1; i <= k; i++) {
      key = order[i]; if (key !~ /^dcgan/) continue
      if (prec[key] == "bf16") printf "ratio %s / best peer: %.2fx (target 2.0x)\n", key, med[key] / best
      else printf "ratio %s / best fp32 peer: %.2fx (target 1.5x)\n", key, med[key] / best32
    }
    print best > "'"$work"'/best"; print best32 > "'"$work"'/best32"
  }' "$work/steps.tsv"

if [ "$device" = cpu ]; then
  # The step does 2.36 GFLOP of convolution per 64x64 image (docs/performance.md); no step runs faster than its
  # convolutions, and none of them faster than the best-shaped one.
  rates=$(in_env "$newest" "$(py_of "$newest")" "$PWD/scripts/py/conv_rate.py" --threads "$threads" --batch "$batch")
  echo "== ceiling: one convolution of D's shape (batch $batch, 128 -> 256 channels, 32x32 -> 16x16) on torch ${version[$newest]}"
  echo "$rates"
  for prec in fp32 bf16; do
    [ $prec = bf16 ] && [ $bf16 = 0 ] && continue
    dtype=$([ $prec = fp32 ] && echo float32 || echo bfloat16)
    rate=$(echo "$rates" | sed -n "s/.*dtype=$dtype gflop_per_s=//p")
    best=$(cat "$work/$([ $prec = fp32 ] && echo best32 || echo best)")
    awk -v r="$rate" -v b="$best" -v p=$prec -v t="$([ $prec = fp32 ] && echo 1.5 || echo 2.0)" 'BEGIN {
      c = r / 2.36
      printf "%s: a step at that rate throughout would be %.0f images/s = %.2fx the best %speer; the %.1fx target %s\n",
        p, c, c / b, (p == "fp32" ? "fp32 " : ""), t, (c / b >= t ? "is within it" : "is beyond this CPU") }'
  done
fi

echo "== peak resident memory (batch $batch, $steps steps; scripts/py/peak_rss.py)"
for j in "${jobs[@]}"; do
  IFS='|' read -r e label prec cmd <<<"$j"
  case $label in *compile*|"peer, "*) continue ;; esac
  # shellcheck disable=SC2086
  m=$(in_env "$e" "$(py_of "$e")" "$PWD/scripts/py/peak_rss.py" $cmd 2>&1 >/dev/null | sed -n 's/.*tree=\([0-9]*\).*/\1/p')
  printf '  %-40s %5s MiB\n' "$label" "$m"
done

echo "== start-up: 64 samples from a 64x64 tutorial-size generator, process start to PNG written (this machine's builds)"
build/dcgan train --set data.format=synthetic --set data.synthetic_count=8 --set train.batch_size=8 \
  --set train.steps=1 --set train.threads="$threads" --set output.dir="$work/run" >/dev/null
"$py" scripts/py/sample_ref.py --init "$work/g.pth"
now() { date +%s.%N; }
for r in $(seq "$rounds"); do
  t0=$(now); build/dcgan sample --ckpt "$work/run/g.pt" -n 64 --out "$work/c.png" --device cpu >/dev/null; t1=$(now)
  DCGAN_PLAIN_SAMPLE=0 build/dcgan sample --ckpt "$work/run/g.pt" -n 64 --out "$work/t.png" --device cpu >/dev/null
  t2=$(now)
  OMP_NUM_THREADS=$threads "$py" scripts/py/sample_ref.py "$work/g.pth" "$work/p.png"; t3=$(now)
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v r="$r" 'BEGIN {
    printf "%.3f\t%.3f\t%.3f\n", b - a, c - b, d - c > "/dev/stderr"
    printf "round %d: dcgan sample %.3fs  through LibTorch %.3fs  python %.3fs\n", r, b - a, c - b, d - c }' 2>>"$work/start.tsv"
done
for c in 1 2 3; do cut -f$c "$work/start.tsv" | sort -g | awk '{a[NR]=$1} END {print NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; done | paste -sd' ' |
  awk '{ printf "median seconds: dcgan sample %.3f | through LibTorch %.3f | python %.3f | python/dcgan %.1fx\n", $1, $2, $3, $3/$1 }'
