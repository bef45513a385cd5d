#!/usr/bin/env bash
# Runs a command in a cached Debian 13 (trixie) build root: LibTorch 2.6, GCC 14, OpenCV 4.10, CLI11 2.4.
#
# Usage: bash scripts/debian13.sh [--cuda] [--make-only] [--bind DIR]... [--] [COMMAND...]
#   (as root; default COMMAND: bash; --bind mounts DIR read-only at the same path inside, e.g. ../shared's data)
#
# The root is made once with mmdebstrap (debootstrap's successor, used by Debian's own package builders), the
# packages of scripts/setup.sh installed from trixie's main, contrib and non-free, and kept under
# $DCGAN_ROOT_CACHE (default /var/cache/dcgan), outside the clone, so every clone on the machine reuses it. Its name
# carries a hash of setup.sh's package list and of `recipe` below: a changed list makes a new root; the two roots
# used last of each flavour are kept, older ones removed. --cuda makes the CUDA root instead (libtorch-cuda-dev,
# nvidia-cuda-toolkit 12.4; see cudnn_deb below).
#
# COMMAND runs as root in the clone, mounted at the same path, with /proc, /sys (read-only), /dev and /dev/shm, and a
# /tmp of its own (a tmpfs). ccache keeps its files in $DCGAN_ROOT_CACHE/ccache-FLAVOR, so a new root still finds the
# objects of the last one. The mounts live in a private mount namespace: they vanish
# with the command, even when it is killed.
set -euo pipefail
cd "$(dirname "$0")/.."
clone=$PWD
flavor=cpu
make_only=0
binds=""
while [ $# -gt 0 ]; do
  case $1 in
    --cuda) flavor=cuda; shift ;;
    --make-only) make_only=1; shift ;;
    --bind) [ -d "${2:-}" ] || { echo "debian13: --bind ${2:-}: not a folder" >&2; exit 2; }
      binds+="$(realpath "$2")"$'\n'; shift 2 ;;
    --) shift; break ;;
    -*) echo "debian13: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "debian13: needs root (mmdebstrap, chroot and mounts)" >&2; exit 2; }

cache=${DCGAN_ROOT_CACHE:-/var/cache/dcgan}
mirror=${DCGAN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
recipe=3  # raise when make_root changes what a root holds
recipe_hash=$( (echo "$recipe"; DCGAN_FLAVOR=$flavor DCGAN_BENCH=1 bash scripts/setup.sh --list) | sha256sum | cut -c1-12)
root="$cache/debian13-$flavor-$recipe_hash"
mkdir -p "$cache"

# nvidia-cudnn, which libtorch-cuda-2.6 depends on, is an installer: configuring it downloads cuDNN from NVIDIA, which
# this machine cannot reach. In its place a local package of the same name (a higher version, so apt takes it) that
# carries cuDNN 9's front library, libcudnn.so.9, from NVIDIA's CUDA toolkit in $DCGAN_CUDNN_DIR (default
# /usr/local/cuda/lib64). That is all linking and a CPU run need; libcudnn.so.9 loads its engines only when a
# convolution runs on a card, so a GPU run of this build needs cuDNN 9 for CUDA 12 installed there (NVIDIA's, or
# the nvidia-cudnn installer where it can reach NVIDIA).
cudnn_deb() {
  local out=$1 dir=${DCGAN_CUDNN_DIR:-/usr/local/cuda/lib64} pkg
  [ -e "$dir/libcudnn.so.9" ] || {
    echo "debian13: $dir/libcudnn.so.9 not found: the CUDA root needs cuDNN 9's libcudnn.so.9 (set DCGAN_CUDNN_DIR)" >&2
    return 1
  }
  pkg=$(mktemp -d)
  mkdir -p "$pkg/DEBIAN" "$pkg/usr/lib/x86_64-linux-gnu"
  cp -L "$dir/libcudnn.so.9" "$pkg/usr/lib/x86_64-linux-gnu/libcudnn.so.9"
  ln -s libcudnn.so.9 "$pkg/usr/lib/x86_64-linux-gnu/libcudnn.so"
  cat >"$pkg/DEBIAN/control" <<CONTROL
Package: nvidia-cudnn
Version: 9.0.0.312~cuda12+dcgan1
Architecture: amd64
Maintainer: The dcgan authors <dcgan@localhost>
Provides: libcudnn.so, libcudnn.so.9, libcudnn-dev
Description: cuDNN 9's front library from the local CUDA toolkit (dcgan's stand-in for the installer)
 Only libcudnn.so.9, enough to link and run LibTorch's CUDA build on a machine without a card.
CONTROL
  dpkg-deb --build --root-owner-group "$pkg" "$out" >/dev/null
  rm -rf "$pkg"
}

make_root() {
  command -v mmdebstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq mmdebstrap; }
  local tmp="$root.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # dpkg's documentation, man pages and locales are left out: a third smaller, and nothing here reads them.
  mmdebstrap --variant=apt --components=main,contrib,non-free --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    trixie "$tmp" "$mirror"
  cp /etc/hosts "$tmp/etc/hosts"
  mkdir -p "$tmp/opt/dcgan-setup"
  cp scripts/setup.sh "$tmp/opt/dcgan-setup/setup.sh"
  if [ "$flavor" = cuda ]; then
    cudnn_deb "$tmp/opt/dcgan-setup/nvidia-cudnn-local.deb"
    chroot "$tmp" apt-get install -y -qq /opt/dcgan-setup/nvidia-cudnn-local.deb
  fi
  chroot "$tmp" env DCGAN_FLAVOR="$flavor" DCGAN_BENCH=1 bash /opt/dcgan-setup/setup.sh
  chroot "$tmp" apt-get clean
  touch "$tmp/.dcgan-used"
  mv "$tmp" "$root"
  # Keep this root and the one used last before it (another branch's list, say); remove older ones.
  local old
  for old in $(ls -dt "$cache"/debian13-"$flavor"-*/.dcgan-used 2>/dev/null | tail -n +3); do
    rm -rf "$(dirname "$old")"
  done
}

# One maker at a time per flavour (two clones' CI runs may start together); the second finds the root made.
exec 9>"$cache/debian13-$flavor.lock"
flock 9
if [ ! -d "$root" ]; then
  echo "debian13: making the $flavor root $root (once per package list)" >&2
  make_root
fi
exec 9>&-
touch "$root/.dcgan-used"
[ "$make_only" = 1 ] && exit 0
[ $# -gt 0 ] || set -- bash

mkdir -p "$cache/ccache-$flavor" "$root/root/.ccache"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# The command's arguments travel quoted through the namespace's shell. /tmp is a tmpfs of the command's own, so
# commands in the same root at once (two clones' CI runs) do not share it; a clone under /tmp is mounted inside it.
exec unshare --mount --propagation private -- bash -euc '
  root=$1 clone=$2 ccache=$3 binds=$4
  shift 4
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys" && mount -o remount,bind,ro "$root/sys" 2>/dev/null || true
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mkdir -p "$root$clone"
  mount --bind "$clone" "$root$clone"
  mount --bind "$ccache" "$root/root/.ccache"
  while IFS= read -r dir; do
    [ -n "$dir" ] || continue
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir" && mount -o remount,bind,ro "$root$dir"
  done <<<"$binds"
  cd "$root$clone"
  exec chroot "$root" env -i HOME=/root TERM="${TERM:-dumb}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CI="${CI:-}" DCGAN_SKIP_SANITIZE="${DCGAN_SKIP_SANITIZE:-}" DCGAN_VERBOSE="${DCGAN_VERBOSE:-}" \
    bash -c "cd \"\$0\" && exec \"\$@\"" "$clone" "$@"
' bash "$root" "$clone" "$cache/ccache-$flavor" "$binds" "$@"
