#!/usr/bin/env bash
# The small-data table of docs/quality.md: config A (default celeba, the tutorial's recipe) against config B
# (default small-folder) over seeds on data sets of ../shared/data, each run scored by the SWD x1e3 of G and of its
# moving average against images of the same source never trained on (scripts/py/small_data_eval.py says how the
# sets are split). Builds dcgan first if needed.
#   scripts/small-data-eval.sh [--a CFG] [--b CFG] [--seeds 999,1,2] [--sets orl,celeba-1k,celeba-5k,cifar-1k,mnist-1k]
#                              [--steps 2000] [--size N] [--batch 64] [--eval-every 500] [--score-every N]
#                              [--set KEY=VALUE]... [--jobs N] [--work DIR] [--results DIR]
# --jobs N trains N runs side by side, each with the cores --set train.threads=K gives it (2 cores: --jobs 2
# --set train.threads=1).
# Sets: orl (400 gray faces), celeba-1k, celeba-5k, cifar-1k, mnist-1k, fashion-1k (Debian's dataset-fashion-mnist).
# Finished runs are kept in --work (default build/small-data-eval) and not run again while their training command is
# the same: delete it to start over. Their scores also go to --results (default docs/small-data-eval, in the
# repository), where a clone on another machine finds them: a run there is not trained again (--results '' ignores
# them), so the table can grow over several sittings.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/dcgan ] || bash scripts/build.sh
exec python3 scripts/py/small_data_eval.py "$@"
