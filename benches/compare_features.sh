#!/usr/bin/env bash
# Compares crisp's feature pipelines with pandas + scikit-learn's ColumnTransformer on the same
# synthetic CSV (20 numeric columns with missing values, 3 categorical) and the same steps
# (median imputation, standard scaling, quantile bins, one-hot, out-of-fold target encoding),
# and prints a markdown table: fit+transform seconds, end-to-end seconds (CSV read + features),
# crisp's speed-ups measured in the same run, and peak memory against the output frame's size.
#
#   benches/compare_features.sh [--quick] [--large] [--repeat N]
#
#   --quick     100k rows only (default: 100k and 1M rows)
#   --large     also 5M rows (900 MB of CSV), streamed crisp only: memory stays flat
#   --repeat N  runs per measurement, the median is reported (default 3)
#
# Besides `crisp bench features` (in memory, per step), the command itself is timed end to end
# writing Parquet, in memory and streamed (`crisp features --fit-rows 200000`: fit on at most
# 200k rows spread over the file, every row transformed in batches, Parquet written as it
# goes); the peak memory reported for each is the child process's own.
#
# Creates (or reuses) a Python venv with pandas and scikit-learn in $CRISP_BENCH_VENV (default
# /var/tmp/crisp-bench-venv); synthetic CSVs and raw JSON lines go to $CRISP_BENCH_DIR (default
# /var/tmp/crisp-bench-data). crisp is the dev-profile binary (`cargo build`; dependencies are
# optimised in it), timed by `crisp bench features --json`; each implementation runs in its own
# process so that peak memory (VmHWM / ru_maxrss) is its own.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0
LARGE=0
REPEAT=3
STREAM_FIT_ROWS=200000
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --large) LARGE=1 ;;
    --repeat) REPEAT="$2"; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "compare_features: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

. benches/bench_env.sh
bench_env scikit-learn numpy pandas

cargo build --quiet --bin crisp
CRISP="$CARGO_TARGET_DIR/debug/crisp"

CONFIG="$WORK/compare_features.toml"
"$PY" benches/compare_features.py toml > "$CONFIG"

RESULTS="$WORK/features-$(date +%Y%m%d-%H%M%S).jsonl"
: > "$RESULTS"

SIZES=(100000)
[ "$QUICK" = 1 ] || SIZES+=(1000000)
for rows in "${SIZES[@]}"; do
  csv="$WORK/features_${rows}.csv"
  if [ ! -f "$csv" ]; then
    echo "writing $csv" >&2
    "$PY" benches/compare_features.py make-synthetic --rows "$rows" --out "$csv"
  fi
  echo "crisp, $rows rows" >&2
  "$CRISP" bench features --config "$CONFIG" --data "$csv" --repeat "$REPEAT" --json \
    | "$PY" benches/compare_features.py crisp-line | tee -a "$RESULTS" >/dev/null
  echo "crisp features (the command, in memory and streamed), $rows rows" >&2
  "$PY" benches/compare_features.py crisp-features --crisp "$CRISP" --config "$CONFIG" \
    --data "$csv" --out "$WORK" --repeat "$REPEAT" | tee -a "$RESULTS" >/dev/null
  "$PY" benches/compare_features.py crisp-features --crisp "$CRISP" --config "$CONFIG" \
    --data "$csv" --fit-rows "$STREAM_FIT_ROWS" --out "$WORK" --repeat "$REPEAT" \
    | tee -a "$RESULTS" >/dev/null
  echo "pandas + scikit-learn, $rows rows" >&2
  "$PY" benches/compare_features.py run --data "$csv" --repeat "$REPEAT" 2>/dev/null \
    | tee -a "$RESULTS" >/dev/null
done
if [ "$LARGE" = 1 ]; then
  csv="$WORK/features_5000000.csv"
  if [ ! -f "$csv" ]; then
    echo "writing $csv" >&2
    "$PY" benches/compare_features.py make-synthetic --rows 5000000 --out "$csv"
  fi
  echo "crisp streamed, 5000000 rows" >&2
  "$PY" benches/compare_features.py crisp-features --crisp "$CRISP" --config "$CONFIG" \
    --data "$csv" --fit-rows "$STREAM_FIT_ROWS" --out "$WORK" --repeat 1 \
    | tee -a "$RESULTS" >/dev/null
fi

echo
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average before the table: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: crisp $("$CRISP" --version | cut -d' ' -f2) (dev profile), $("$PY" -c 'import pandas, sklearn; print(f"pandas {pandas.__version__}, scikit-learn {sklearn.__version__}")')"
echo "command: benches/compare_features.sh$([ "$QUICK" = 1 ] && echo ' --quick')$([ "$LARGE" = 1 ] && echo ' --large') --repeat $REPEAT"
echo "raw results: $RESULTS"
echo
"$PY" benches/compare_features.py table "$RESULTS"
