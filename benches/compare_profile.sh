#!/usr/bin/env bash
# `crisp profile` against pandas on about a million rows (diamonds repeated 19 times: 1,024,860
# rows, 10 columns), the same statistics on both sides (see compare_profile.py), each timed
# from reading the CSV to writing the JSON, in fresh processes; the fastest of --repeat runs
# is kept, and the ratio is pandas' time over crisp's in the same run.
#
#   benches/compare_profile.sh [--repeat 3] [--copies 19]
set -euo pipefail
cd "$(dirname "$0")/.."

REPEAT=3
COPIES=19
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) REPEAT="$2"; shift ;;
    --copies) COPIES="$2"; shift ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "compare_profile: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

. benches/bench_env.sh
bench_env numpy pandas
cargo build --quiet --release --workspace
BIN="$WORK/crisp-profile-bench"
cp "$CARGO_TARGET_DIR/release/crisp" "$BIN"

DATA="$WORK/diamonds_x$COPIES.csv"
[ -f "$DATA" ] || "$PY" benches/compare_profile.py make --out "$DATA" --copies "$COPIES"

best() { sort -g | head -1; }
crisp_times=()
pandas_times=()
for _ in $(seq "$REPEAT"); do
  start=$(date +%s.%N)
  "$BIN" profile "$DATA" --target price --json "$WORK/profile-crisp.json" >/dev/null
  crisp_times+=("$("$PY" -c "print($(date +%s.%N) - $start)")")
  pandas_times+=("$("$PY" benches/compare_profile.py pandas --data "$DATA" --target price \
    --out "$WORK/profile-pandas.json" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
done
c=$(printf '%s\n' "${crisp_times[@]}" | best)
p=$(printf '%s\n' "${pandas_times[@]}" | best)
echo "date: $(date -u +%Y-%m-%d), crisp $(git rev-parse --short HEAD) (release), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $("$PY" -c 'import pandas, numpy; print(f"pandas {pandas.__version__}, numpy {numpy.__version__}")')"
echo "data: $DATA ($(($(wc -l < "$DATA") - 1)) rows), fastest of $REPEAT fresh processes each"
printf '| tool | seconds (read CSV + profile + write JSON) |\n|---|---:|\n'
printf '| crisp profile | %.2f |\n| pandas | %.2f |\n' "$c" "$p"
echo "pandas / crisp: $("$PY" -c "print(f'{$p / $c:.1f}')")x"
