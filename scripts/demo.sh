#!/usr/bin/env bash
# The README's first command: install what is missing, build, and train on the default data set (Fashion-MNIST).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DDCGAN_BUILD_TESTS=OFF
build/dcgan train --config configs/fashion-mnist.yaml "$@"
echo "demo: samples in runs/fashion-mnist/samples/ (the last grid is the newest); try:"
echo "  build/dcgan sample --ckpt runs/fashion-mnist/g.pt -n 64 --out runs/fashion-mnist/sample.png"
