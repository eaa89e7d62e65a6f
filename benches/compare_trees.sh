#!/usr/bin/env bash
# Compares crisp-trees with scikit-learn and LightGBM on the same data and the same splits, and
# prints a markdown table (times, crisp's speed-up measured in the same run, accuracy / RMSE).
#
#   benches/compare_trees.sh [--quick] [--repeat N] [--processes N]
#
#   --quick        synthetic data at 100k rows only (default: 100k and 1M rows)
#   --repeat N     fits per measurement, the fastest is reported (default 3; always 1 at 1M rows)
#   --processes N  on adult and diamonds, every implementation runs in N fresh processes, in
#                  turn, and the fastest is reported (default 3). On a shared VM a whole process
#                  can run 1.3-2x slower than the next (seen in 4 of 20 crisp processes and in
#                  LightGBM's times), which N fits inside one process do not even out.
#
# Creates (or reuses) a Python venv with scikit-learn, lightgbm, numpy and pandas in
# $CRISP_BENCH_VENV (default /var/tmp/crisp-bench-venv); synthetic CSVs and the raw JSON lines
# go to $CRISP_BENCH_DIR (default /var/tmp/crisp-bench-data). Models compared: decision tree
# depth 10; random forest 50 trees depth 10 (scikit-learn n_jobs=2); gradient boosting 100
# rounds, 31 leaves, learning rate 0.1, 20 rows per leaf, no early stopping (LightGBM n_jobs=2,
# and scikit-learn's HistGradientBoosting for reference).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0
REPEAT=3
PROCESSES=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --repeat) REPEAT="$2"; shift ;;
    --processes) PROCESSES="$2"; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare_trees: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

. benches/bench_env.sh
bench_env scikit-learn lightgbm numpy pandas

# The dev profile already builds crisp-trees at opt-level 3 and dependencies at 2.
cargo build --quiet --example trees_compare
BIN="$CARGO_TARGET_DIR/debug/examples/trees_compare"

DATASETS=datasets
[ -f "$DATASETS/adult.csv" ] || DATASETS=/work/shared/datasets

RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S).jsonl"
: > "$RESULTS"

# compare PROCESSES REPEAT ARGS...: every model on one dataset, crisp then the baselines, all of
# it PROCESSES times (the table keeps each implementation's fastest process).
compare() {
  local processes="$1" repeat="$2"
  shift 2
  local round
  for round in $(seq "$processes"); do
    compare_once "$repeat" "$@"
  done
}

compare_once() {
  local repeat="$1"
  shift
  local reps=(--fit-repeat "$repeat" --predict-repeat "$repeat")
  "$BIN" "$@" "${reps[@]}" --model decision_tree --param max_depth=10 | tee -a "$RESULTS"
  RAYON_NUM_THREADS=1 "$BIN" "$@" "${reps[@]}" --impl crisp-1thread --model decision_tree \
    --param max_depth=10 | tee -a "$RESULTS"
  "$BIN" "$@" "${reps[@]}" --model random_forest --param n_trees=50 --param max_depth=10 \
    | tee -a "$RESULTS"
  "$BIN" "$@" "${reps[@]}" --model gbdt --param n_rounds=100 --param max_leaves=31 \
    --param learning_rate=0.1 --param min_samples_leaf=20 --param early_stopping=false \
    | tee -a "$RESULTS"
  "$PY" benches/compare_trees.py run "$@" --repeat "$repeat" | tee -a "$RESULTS"
}

SIZES=(100000)
[ "$QUICK" = 1 ] || SIZES+=(1000000)
for rows in "${SIZES[@]}"; do
  csv="$WORK/synthetic_${rows}.csv"
  if [ ! -f "$csv" ]; then
    echo "writing $csv" >&2
    "$PY" benches/compare_trees.py make-synthetic --rows "$rows" --features 54 --out "$csv"
  fi
  repeat="$REPEAT"
  [ "$rows" -ge 1000000 ] && repeat=1
  compare 1 "$repeat" --data "$csv" --target target --task classification
done
compare "$PROCESSES" "$REPEAT" --data "$DATASETS/adult.csv" --test-data "$DATASETS/adult_test.csv" --target income
compare "$PROCESSES" "$REPEAT" --data "$DATASETS/diamonds.csv" --target price --task regression

echo
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average before the table: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw results: $RESULTS"
echo
"$PY" benches/compare_trees.py table "$RESULTS"
