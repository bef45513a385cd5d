#!/usr/bin/env bash
# An installed dcgan, tested from its installed files only: `cmake --install` into a scratch prefix, and the .deb
# that `cpack -G DEB` builds unpacked into a scratch root (dpkg -x); each runs --version, trains tiny.yaml by name
# for 2 steps from an empty folder and samples the result; then both are removed.
# Usage: scripts/check-install.sh BUILD_DIR   (a configured and built build folder)
set -euo pipefail
build=$(cd "$1" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/dcgan-install-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# try NAME BIN: the installed `dcgan` at BIN, run as a user would, from an empty folder.
try() {
  local name=$1 bin=$2 work="$scratch/work-$1"
  mkdir -p "$work"
  (
    cd "$work"
    "$bin" --version
    "$bin" train --config tiny --set train.steps=2 --set output.dir=run >train.log
    grep -q "config: $(dirname "$(dirname "$bin")")/share/dcgan/configs/tiny.yaml" train.log ||
      { echo "$name: the log does not name the installed tiny.yaml:"; cat train.log; exit 1; }
    "$bin" sample --ckpt run/g.pt -n 4 --out four.png
    test -s four.png
  )
  echo "check-install: $name: --version, train --config tiny, sample: ok"
}

cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
try cmake-install "$scratch/prefix/bin/dcgan"

(cd "$build" && cpack -G DEB -B "$scratch/pkg" >/dev/null)
deb=$(ls "$scratch"/pkg/dcgan_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "check-install: $(basename "$deb") Depends: $depends"
for need in libtorch libopencv libspdlog libyaml-cpp; do
  [[ $depends == *"$need"* ]] || { echo "check-install: Depends lacks $need"; exit 1; }
done
dpkg -x "$deb" "$scratch/root"
try deb "$scratch/root/usr/bin/dcgan"
