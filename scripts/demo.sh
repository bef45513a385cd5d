#!/usr/bin/env bash
# The README's first command: install what is missing, build, and train on the default data set (Fashion-MNIST).
# One line per stage with its time; apt's and the compiler's output go to a log file, whose tail is shown only when a
# stage fails (DCGAN_VERBOSE=1 shows it all). The training prints its own progress.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
DCGAN_LOG=$PWD/build/demo.log
: >"$DCGAN_LOG"
. scripts/lib/stage.sh
echo "demo: tools' output in $DCGAN_LOG"
stage packages bash scripts/setup.sh
stage build bash scripts/build.sh -DDCGAN_BUILD_TESTS=OFF
echo "demo: training   (build/dcgan train --config configs/fashion-mnist.yaml $*)"
start=$SECONDS
build/dcgan train --config configs/fashion-mnist.yaml --overwrite "$@"  # a second demo trains afresh
echo "demo: training   $((SECONDS - start)) s"
echo "demo: the run on one page: runs/fashion-mnist/report.html (open it in a browser); its grids animated in"
echo "  runs/fashion-mnist/progress.gif; samples in runs/fashion-mnist/samples/ (the last grid is the newest); try:"
echo "  build/dcgan sample --ckpt runs/fashion-mnist/g.pt -n 64 --out runs/fashion-mnist/sample.png"
