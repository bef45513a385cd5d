#!/usr/bin/env bash
# GPU check, run on a CUDA machine with PyTorch 2.x, nvcc, CMake and ninja (no apt, no network): builds dcgan against
# python3's PyTorch wheel without OpenCV, runs the unit tests, a short CUDA training run with a resume, and
# `dcgan bench --device cuda` (batch 128 and 1024; fp32 and bf16; CUDA graphs on and off) beside the reference peer
# (plain, --tuned, --tuned --compile) in the same run, then writes the table with ratios and the fraction of the
# card's bf16 peak. Needs .gpu/ from scripts/gpu-deps.sh (run on Debian first).
# Also launches 2 ranks with torch's own torchrun (Gloo, on the CPU: NCCL needs a GPU per rank).
# Also profiles the batch-128 bf16 step per kernel (`dcgan bench --profile`), eager and replayed.
# Usage: bash scripts/gpu-check.sh [OUTDIR]   (default: $OUT, else build-gpu/out). It writes 11 files there:
# check.log (the summary), build.log, results.txt, table.md, tests.log, train.log, dist.log, bench.err, peer.log,
# profile-b128-bf16-eager.txt (not with DCGAN_GPU_CHECK_QUICK=1) and profile-b128-bf16-graph.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-build-gpu/out}}
mkdir -p "$out"
sys=$PWD/.gpu/sysroot
peer=$PWD/.gpu/ref_dcgan.py
[ -d "$sys" ] && [ -f "$peer" ] || { echo "gpu-check: .gpu/ is missing: run scripts/gpu-deps.sh on Debian first" >&2; exit 2; }
py=$(command -v python3)
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
log() { echo "[$(date +%T)] $*" | tee -a "$out/check.log"; }
start=$(date +%s)

log "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
log "tools: $(command -v nvcc g++ cmake ninja | tr '\n' ' ')g++ $(g++ -dumpfullversion)"
log "torch: $($py -c 'import torch; print(torch.__version__, torch.version.cuda)'); nvcc: $(nvcc --version | tail -1)"
# torch.compile(max-autotune) of the peer spends minutes compiling and autotuning. Do that once now, beside the
# build, into inductor's on-disk caches; the timed run later finds them warm. Nothing is timed while it runs.
export TORCHINDUCTOR_CACHE_DIR=$PWD/build-gpu/inductor-cache
mkdir -p build-gpu
# The peer as written stops under torch 2.11's max-autotune CUDA graphs (see scripts/py/peer_compile_no_cudagraphs.py);
# the no-cudagraphs variant is the compiled figure compared against.
nocg="$py scripts/py/peer_compile_no_cudagraphs.py"
(timeout 420 $nocg "$peer" --device cuda --batch 128 --steps 1 --warmup 1 --tuned --compile >"$out/peer.log" 2>&1) &
warm_pid=$!
zlib=$(ldconfig -p | awk '/libz\.so\.1 /{print $NF; exit}')
log "configure"
if ! cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DDCGAN_TORCH_FROM_PYTHON=ON \
    -DDCGAN_WITH_OPENCV=OFF -DPython_EXECUTABLE="$py" \
    -DCMAKE_PREFIX_PATH="$sys/usr;$sys/usr/lib/x86_64-linux-gnu/cmake" \
    -DDCGAN_CLI11_INCLUDE="$sys/usr/include" -DZLIB_INCLUDE_DIR="$sys/usr/include" -DZLIB_LIBRARY="$zlib" \
    >"$out/build.log" 2>&1; then
  tail -40 "$out/build.log"; exit 1
fi
grep "dcgan:" "$out/build.log" | tee -a "$out/check.log"
log "build"
cmake --build build-gpu --parallel "$(nproc)" -- -k 0 >>"$out/build.log" 2>&1
build_rc=$?
if [ $build_rc -ne 0 ]; then grep -E "error|Error" -A4 "$out/build.log" | head -100; fi
[ -x build-gpu/dcgan ] || { log "build failed"; kill $warm_pid 2>/dev/null; exit 1; }
log "built in $(( $(date +%s) - start ))s (rc $build_rc); waiting for the peer's compile warm-up"
wait $warm_pid
log "peer warm-up: $(tail -1 "$out/peer.log")"

bench() {  # label, then dcgan bench arguments
  local label=$1; shift
  local line
  line=$(timeout 120 build-gpu/dcgan bench --device cuda "$@" 2>>"$out/bench.err" | tail -2 | tr '\n' ' ')
  echo "$label $line" | tee -a "$out/results.txt"
}
peer() {  # label, runner (python3 or the no-cudagraphs wrapper), then peer arguments
  local label=$1 runner=$2; shift 2
  local line
  line=$(timeout 180 $runner "$peer" --device cuda "$@" 2>>"$out/peer.log" | tail -1)
  echo "$label $line" | tee -a "$out/results.txt"
}
run_tests() {  # the unit tests; a test that crashes the process is named and the rest run without it
  local filter="*" crashed="" rc=0 i last
  : >"$out/tests.log"
  for i in 1 2 3 4 5 6 7 8 9 10; do
    timeout 240 build-gpu/tests/dcgan_tests --gtest_filter="$filter" >>"$out/tests.log" 2>&1
    rc=$?
    [ $rc -lt 128 ] && break
    last=$(grep -o '^\[ RUN      \] .*' "$out/tests.log" | tail -1 | cut -c 14-)
    echo "unit tests: the process died (rc $rc) in $last; running the others" >>"$out/tests.log"
    crashed="$crashed:$last"
    filter="-${crashed#:}"
  done
  echo "rc=$rc crashed=${crashed#:}" >>"$out/tests.log"
}
link_report() {  # which libstdc++ the tests' std::filesystem calls bind to (the wheel exports copies: pytorch#133437)
  local t=build-gpu/tests/dcgan_tests lib
  lib=$(ldd "$t" | awk '/libtorch_cpu\.so/{print $3; exit}')
  echo "link: first NEEDED of dcgan_tests: $(readelf -d "$t" | awk '/NEEDED/{print $NF; exit}');" \
    "std::filesystem symbols exported by $lib: $(nm -D --defined-only "$lib" | grep -c ' _ZNSt10filesystem')"
  LD_DEBUG=bindings timeout 60 "$t" --gtest_filter=Config.FileErrorsNameTheFile 2>&1 |
    grep -E "remove_all|temp_directory_path" | sed -E 's/^ *[0-9]+: *//' | head -4
}
: >"$out/results.txt"
log "benchmarks"
quick=${DCGAN_GPU_CHECK_QUICK:-0}  # 1: batch 128 with graphs only, plain and compiled peers only
for b in 128 1024; do
  [ "$quick" = 1 ] && [ $b = 1024 ] && continue
  steps=$([ $b = 128 ] && echo 300 || echo 60)
  for prec in fp32 bf16; do
    for graphs in false true; do
      [ "$quick" = 1 ] && [ $graphs = false ] && continue
      bench "dcgan b=$b $prec graphs=$graphs" --batch $b --steps $steps --warmup 10 \
        --set train.precision=$prec --set train.cuda_graphs=$graphs
    done
  done
done
# Where the batch-128 bf16 step's time goes, per kernel: eager (every kernel separately launched) and replayed.
for mode in eager graph; do
  [ "$quick" = 1 ] && [ $mode = eager ] && continue
  timeout 120 build-gpu/dcgan bench --device cuda --batch 128 --steps 20 --warmup 10 --set train.precision=bf16 \
    --set train.cuda_graphs=$([ $mode = graph ] && echo true || echo false) --profile 10 --profile-top 40 \
    >"$out/profile-b128-bf16-$mode.txt" 2>>"$out/bench.err"
  echo "profile b=128 bf16 $mode (rc $?):" | tee -a "$out/check.log"
  grep -E "^ *(share|[0-9.]+%|100%)" "$out/profile-b128-bf16-$mode.txt" | head -8 | tee -a "$out/check.log"
  tail -3 "$out/profile-b128-bf16-$mode.txt" | tee -a "$out/check.log"
done
peer "peer b=128 plain" "$py" --batch 128 --steps 100 --warmup 10
if [ "$quick" != 1 ]; then
  peer "peer b=128 tuned" "$py" --batch 128 --steps 300 --warmup 10 --tuned
  peer "peer b=1024 tuned" "$py" --batch 1024 --steps 60 --warmup 10 --tuned
fi

[ -x build-gpu/tests/dcgan_tests ] && link_report 2>&1 | tee -a "$out/check.log"
log "unit tests (in the background, beside the training run)"
(if [ -x build-gpu/tests/dcgan_tests ]; then run_tests; else echo "rc=not built" >"$out/tests.log"; fi) &
tests_pid=$!

log "training run on CUDA with a resume"
rm -rf build-gpu/run-tiny
timeout 120 build-gpu/dcgan train --config configs/tiny.yaml --set train.device=cuda --set train.steps=600 \
  --set output.log_every=100 --set output.checkpoint_every=300 --set output.dir=build-gpu/run-tiny \
  >"$out/train.log" 2>&1
echo "train rc=$?" | tee -a "$out/check.log"
timeout 120 build-gpu/dcgan train --resume build-gpu/run-tiny --set train.steps=900 --set train.device=cuda \
  >>"$out/train.log" 2>&1
echo "resume rc=$?" | tee -a "$out/check.log"
grep -E "speed settings|resident|captured|Loss_D|done|error|warn" "$out/train.log" | tail -12 | tee -a "$out/check.log"

log "augmentation, mirroring and the moving average inside the captured graph, then a resume"
rm -rf build-gpu/run-aug
timeout 120 build-gpu/dcgan train --config configs/tiny.yaml --set train.device=cuda --set train.steps=300 \
  --set train.augment=color,translation,cutout --set data.mirror=true --set data.holdout=32 \
  --set output.log_every=50 --set output.eval_every=100 --set output.checkpoint_every=150 \
  --set output.dir=build-gpu/run-aug >"$out/aug.log" 2>&1
echo "augmented train rc=$?" | tee -a "$out/check.log"
timeout 120 build-gpu/dcgan train --resume build-gpu/run-aug --set train.steps=400 --set train.device=cuda \
  >>"$out/aug.log" 2>&1
echo "augmented resume rc=$?" | tee -a "$out/check.log"
grep -E "captured|running eagerly|eval at|r_t|done|error" "$out/aug.log" | tail -8 | tee -a "$out/check.log"

log "distributed: torchrun --nproc_per_node 2 --no-python dcgan train (Gloo, CPU ranks)"
torchrun=$(dirname "$py")/torchrun
[ -x "$torchrun" ] || torchrun="$py -m torch.distributed.run"
rm -rf build-gpu/run-torchrun
timeout 120 $torchrun --nproc_per_node 2 --no-python build-gpu/dcgan train --config configs/tiny.yaml \
  --set train.steps=12 --set dist.check_every=1 --set output.dir=build-gpu/run-torchrun >"$out/dist.log" 2>&1
echo "torchrun rc=$?" | tee -a "$out/check.log"
grep -E "distributed:|identical|all-reduce|error" "$out/dist.log" | tail -4 | tee -a "$out/check.log"

wait $tests_pid
echo "unit tests $(tail -1 "$out/tests.log")" | tee -a "$out/check.log"
grep -E "^\[  (PASSED|FAILED|SKIPPED) |tests ran|process died" "$out/tests.log" | sort | uniq | head -30 | tee -a "$out/check.log"
grep -A12 "^dcgan_tests: fatal signal" "$out/tests.log" | head -40 | tee -a "$out/check.log"

log "peer --tuned --compile (torch.compile max-autotune without CUDA graphs, caches warm)"
peer "peer b=128 tuned+compile" "$nocg" --batch 128 --steps 300 --warmup 10 --tuned --compile
[ "$quick" = 1 ] || peer "peer b=128 tuned+compile as written" "$py" --batch 128 --steps 300 --warmup 10 --tuned --compile

"$py" scripts/py/gpu_table.py "$out/results.txt" "$(cat "$out/check.log" | head -1)" | tee "$out/table.md"
log "done in $(( $(date +%s) - start ))s"
