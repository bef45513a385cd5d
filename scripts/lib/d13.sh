# Debian 13's PyTorch 2.6 for the benchmark scripts on a Debian 12 machine: scripts/debian13.sh's CPU root, and dcgan
# built against its LibTorch in build-d13/. Sourced from the clone's root folder.

# d13_wanted CALLER: true on Debian 12, where 2.6 lives in the root; exits 2 naming CALLER unless run as root.
d13_wanted() {
  [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ] || return 1
  [ "$(id -u)" = 0 ] || {
    echo "$1: PyTorch 2.6 needs Debian 13's root, made as root: run as root, or pass --no-root" >&2
    exit 2
  }
}

# d13_build: builds build-d13/dcgan (Release, no tests) in the root once (the root too, the first time).
d13_build() {
  [ -x build-d13/dcgan ] && return 0
  echo "building dcgan against LibTorch 2.6 in build-d13/ (once)" >&2
  bash scripts/debian13.sh -- bash -c 'cmake -S . -B build-d13 -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DDCGAN_BUILD_TESTS=OFF >/dev/null && cmake --build build-d13 --target dcgan dcgan-torch >/dev/null'
}
