#!/usr/bin/env bash
# Fuzz crisp's two front doors with cargo-fuzz (libFuzzer), each for a fixed time:
#   artifact: any bytes decoded as an artifact, checked, and (if accepted) predicting rows;
#   csv:      any bytes read as CSV in memory and streamed, then checked against a schema.
# Seeds: the golden artifacts (every model kind and feature step) and the bundled datasets.
# A crash is saved under fuzz/artifacts/<target>/ and fails the script; turn it into a
# regression test (tests/hostile.rs or the crate's unit tests) before fixing it.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 600 s, both targets)
# Needs: rustup (installs the nightly toolchain and cargo-fuzz when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(artifact csv)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR="${CRISP_FUZZ_TARGET_DIR:-/var/tmp/crisp-fuzz-target}"

cd "$root/fuzz"
mkdir -p corpus/artifact corpus/csv
cp "$root"/crates/crisp-artifact/tests/golden/*.crisp corpus/artifact/
for f in "$root"/datasets/*.csv; do head -c 4096 "$f" > "corpus/csv/$(basename "$f")"; done

status=0
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${seconds}s"
  log="$CARGO_TARGET_DIR/fuzz-$target.log"
  mkdir -p "$CARGO_TARGET_DIR"
  if cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
      >"$log" 2>&1; then
    echo "   no crash"
  else
    echo "   CRASH: see $log and fuzz/artifacts/$target/"; status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss_mb" "$log" \
    | sed 's/^/   /' || true
done
exit $status
