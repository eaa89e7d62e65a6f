#!/usr/bin/env bash
# Runs the five CRISP-DM walkthroughs of notebooks-equivalents/ (one per phase, on the real
# datasets) and checks that each wrote its HTML report(s).
#
#   scripts/run-notebooks.sh [OUT_DIR]
#
# Each walkthrough NAME writes into OUT_DIR/NAME (default OUT_DIR: crisp-notebooks under the
# temporary directory); its output goes to OUT_DIR/NAME.log and is shown when it fails.
# Environment: CARGO_TARGET_DIR (default /var/tmp/crisp-target), CARGO (default cargo).
# Exit 0 when every walkthrough ran and wrote its reports, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/crisp-target}"
CARGO="${CARGO:-cargo}"
OUT="${1:-${TMPDIR:-/tmp}/crisp-notebooks}"
mkdir -p "$OUT"

# NAME and the HTML files it must write, in CRISP-DM order.
NOTEBOOKS=(
  "understand_adult profile.html"
  "prepare_titanic prepared_profile.html"
  "model_diamonds model.html"
  "evaluate_adult validate.html"
  "deploy_adult model.html"
)

# One build first, so the timings below are the walkthroughs' own.
$CARGO build --quiet --workspace --examples </dev/null

failed=0
for entry in "${NOTEBOOKS[@]}"; do
  read -r name files <<<"$entry"
  dir="$OUT/$name"
  rm -f "$dir"/*.html
  start=$(date +%s%N)
  status=0
  $CARGO run --quiet --example "$name" "$dir" </dev/null >"$OUT/$name.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL $name (exit status $status); its output:" >&2
    cat "$OUT/$name.log" >&2
    failed=1
    continue
  fi
  millis=$(( ($(date +%s%N) - start) / 1000000 ))
  for file in $files; do
    if [ ! -s "$dir/$file" ] || ! grep -q '</html>' "$dir/$file"; then
      echo "FAIL $name: $dir/$file is missing or not a whole HTML page" >&2
      failed=1
      continue 2
    fi
  done
  printf 'ok   %-18s %3d.%03d s  %s\n' "$name" $((millis / 1000)) $((millis % 1000)) "$files"
done

if [ "$failed" -ne 0 ]; then
  echo "run-notebooks: a walkthrough failed" >&2
  exit 1
fi
echo "run-notebooks: all ${#NOTEBOOKS[@]} walkthroughs ran; reports in $OUT"
