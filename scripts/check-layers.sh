#!/usr/bin/env bash
# Checks the layering of src/ and include/dcgan/ (docs/architecture.md, "Layout"): a folder includes only folders below it, and
# the LibTorch-free code (plain/, config/, and the files of the libraries dcgan_base and dcgan_plain) includes no
# LibTorch header. Prints each violation as FILE: includes WHAT; exits 1 if there is any. Run by ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rank of each layer, lowest first; a file may include dcgan headers of its own folder or of lower ranks.
declare -A rank=([plain]=0 [config]=1 [runtime]=2 [data]=3 [model]=3 [train]=4 [dist]=4 [eval]=5 [io]=5
                 [report]=6 [run]=7 [cli]=8)
# LibTorch-free beyond plain/ and config/: what dcgan_base and dcgan_plain compile, and what they include.
torch_free=(io/files report/grid report/gif report/animation report/run_record report/html_report run/throughput run/signals data/splitmix data/subset runtime/cpu_features io/tfevents)

bad=0
complain() { echo "$1: includes $2 ($3)"; bad=1; }
layer_of() {  # src/L/... or include/dcgan/L/... -> L
  local p=${1#src/}
  p=${p#include/dcgan/}
  echo "${p%%/*}"
}
while IFS= read -r f; do
  layer=$(layer_of "$f")
  [ -n "${rank[$layer]+x}" ] || { complain "$f" "nothing" "its folder $layer/ is not a known layer"; continue; }
  while IFS= read -r inc; do
    other=${inc%%/*}
    [ "$other" = "$layer" ] && continue
    if [ -z "${rank[$other]+x}" ] || (( rank[$other] >= rank[$layer] )); then
      complain "$f" "dcgan/$inc" "$layer/ may use only the layers below it"
    fi
  done < <(sed -n 's|^#include "dcgan/\([^"]*\)".*|\1|p' "$f")
  stem=${f#src/}
  stem=${stem#include/dcgan/}
  stem=${stem%.*}
  free=0
  case $layer in plain|config) free=1 ;; esac
  for t in "${torch_free[@]}"; do [ "$stem" = "$t" ] && free=1; done
  if (( free )) && grep -qE '^#include <(torch|ATen|c10)/' "$f"; then
    complain "$f" "$(grep -m1 -E '^#include <(torch|ATen|c10)/' "$f")" "it is LibTorch-free"
  fi
done < <(find src include/dcgan -mindepth 2 \( -name '*.h' -o -name '*.cpp' \) | sort)
if (( bad )); then exit 1; fi
echo "layers: every include points down"
