# Sourced by the scripts: `stage NAME COMMAND...` runs COMMAND with its output appended to $DCGAN_LOG, prints one line
# with NAME and its wall time, and on failure the log's last 40 lines and the log's path, then exits with its status.
# `stage --show PATTERN NAME COMMAND...` also prints the lines of that output matching PATTERN (grep -E) on success:
# ctest's summary, for one. DCGAN_VERBOSE=1 shows the tools' output as it comes instead. `stage_report` prints every
# stage's time.
DCGAN_LOG=${DCGAN_LOG:-${TMPDIR:-/tmp}/dcgan-$(basename "${0%.sh}")-$$.log}
DCGAN_STAGES=()

stage() {
  local show=''
  if [ "$1" = --show ]; then show=$2; shift 2; fi
  local name=$1 start=$SECONDS rc=0 from
  shift
  from=$(($(wc -l <"$DCGAN_LOG" 2>/dev/null || echo 0) + 1))
  printf '%s: %-14s ' "$(basename "${0%.sh}")" "$name"
  if [ "${DCGAN_VERBOSE:-0}" = 1 ]; then
    echo
    "$@" || rc=$?
  else
    echo "==== $name: $*" >>"$DCGAN_LOG"
    "$@" >>"$DCGAN_LOG" 2>&1 </dev/null || rc=$?
  fi
  local took=$((SECONDS - start))
  DCGAN_STAGES+=("$(printf '%-16s %5d s' "$name" "$took")")
  if [ "$rc" != 0 ]; then
    echo "failed after ${took} s (exit $rc)"
    if [ "${DCGAN_VERBOSE:-0}" != 1 ]; then
      echo "---- last lines of $DCGAN_LOG"
      tail -n 40 "$DCGAN_LOG"
      echo "---- the whole output: $DCGAN_LOG"
    fi
    exit "$rc"
  fi
  echo "${took} s"
  if [ -n "$show" ] && [ "${DCGAN_VERBOSE:-0}" != 1 ]; then
    tail -n +"$from" "$DCGAN_LOG" | grep -E "$show" | sed 's/^/    /' || true
  fi
}

stage_report() {
  echo "$(basename "${0%.sh}"): wall time per stage"
  local s
  for s in "${DCGAN_STAGES[@]}"; do echo "  $s"; done
  printf '  %-16s %5d s\n' total "$SECONDS"
}
