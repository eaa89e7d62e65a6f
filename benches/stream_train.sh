#!/usr/bin/env bash
# Peak memory and time of training gradient boosting on a file without holding it
# in memory: `crisp train --stream` against crisp's in-memory `train` and LightGBM (pandas
# read_csv + lgb.Dataset) on the same CSV file, in the same run. Prints a markdown table.
#
#   benches/stream_train.sh [--rows N] [--features F] [--keep]
#
#   --rows N      data rows of the generated file (default 2000000)
#   --features F  numeric features (default 50); the target is a binary class
#   --keep        keep the generated CSV (deleted at the end by default)
#
# Every model: 100 rounds, 31 leaves, learning rate 0.1, 20 rows per leaf, 255 bins, no early
# stopping, 2 threads. crisp --stream holds out the rows a seeded hash picks (20%), crisp in
# memory a stratified 20%, LightGBM every 5th row: the accuracies are a sanity check, not a
# comparison. Peak memory is the maximum resident set size (GNU time's %M) of each process.
# Needs a release build (`cargo build --release`) and a venv with lightgbm, pandas, numpy in
# $CRISP_BENCH_VENV (default /var/tmp/crisp-bench-venv); the data goes to $CRISP_BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=2000000
FEATURES=50
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift ;;
    --features) FEATURES="$2"; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "stream_train: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

. benches/bench_env.sh
bench_env lightgbm pandas numpy
CRISP="${CRISP_BIN:-$CARGO_TARGET_DIR/release/crisp}"
[ -x "$CRISP" ] || { echo "stream_train: no release build at $CRISP (cargo build --release)" >&2; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "stream_train: needs GNU time at $TIME" >&2; exit 2; }

DATA="$WORK/stream_${ROWS}x${FEATURES}.csv"
RUN="$WORK/stream-run"
mkdir -p "$RUN"
if [ ! -f "$DATA" ]; then
  echo "generating $DATA" >&2
  "$PY" - "$DATA" "$ROWS" "$FEATURES" <<'EOF'
import sys
import numpy as np
path, rows, features = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(17)
w = rng.normal(size=features)
with open(path, "w") as f:
    f.write(",".join(f"x{i}" for i in range(features)) + ",y\n")
    for start in range(0, rows, 200_000):
        n = min(200_000, rows - start)
        x = rng.normal(size=(n, features))
        logit = x @ w / np.sqrt(features) + np.sin(3 * x[:, 0]) + x[:, 1] * x[:, 2]
        y = (logit + rng.logistic(size=n) > 0).astype(int)
        np.savetxt(f, np.column_stack([x, y]), fmt=["%.5f"] * features + ["%d"], delimiter=",")
EOF
fi
SIZE_MB=$(( $(stat -c %s "$DATA") / 1048576 ))

# measure NAME CMD...: peak RSS (MiB) and wall seconds of one process.
measure() {
  local name="$1"
  shift
  "$TIME" -f "%M %e" -o "$RUN/$name.time" "$@" > "$RUN/$name.out" 2> "$RUN/$name.err" || {
    echo "stream_train: $name failed:" >&2
    tail -5 "$RUN/$name.err" >&2
    return 1
  }
  read -r kib seconds < <(tail -1 "$RUN/$name.time")
  echo "$(( kib / 1024 )) $seconds"
}

PARAMS=(--model gbdt --param n_rounds=100 --param learning_rate=0.1 --param max_leaves=31
  --param min_samples_leaf=20 --param max_bins=255 --param early_stopping=false)
export RAYON_NUM_THREADS=2 POLARS_MAX_THREADS=2

read -r s_mib s_sec < <(measure crisp_stream env -C "$RUN" "$CRISP" train --data "$DATA" \
  --target y "${PARAMS[@]}" --stream --out stream.crisp --report stream.json)
read -r m_mib m_sec < <(measure crisp_memory env -C "$RUN" "$CRISP" train --data "$DATA" \
  --target y "${PARAMS[@]}" --no-refit --out memory.crisp --report memory.json)
read -r l_mib l_sec < <(measure lightgbm "$PY" - "$DATA" "$RUN/lightgbm.json" <<'EOF'
import json, sys, time
import lightgbm as lgb
import numpy as np
import pandas as pd
path, out = sys.argv[1], sys.argv[2]
frame = pd.read_csv(path)
y = frame.pop("y").to_numpy()
x = frame.to_numpy(dtype=np.float64)
del frame
test = np.arange(len(y)) % 5 == 0
params = dict(objective="binary", num_leaves=31, learning_rate=0.1, min_data_in_leaf=20,
              max_bin=255, num_threads=2, verbose=-1, seed=42)
booster = lgb.train(params, lgb.Dataset(x[~test], y[~test]), num_boost_round=100)
p = booster.predict(x[test])
json.dump({"accuracy": float(((p > 0.5) == y[test]).mean())}, open(out, "w"))
EOF
)

accuracy() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(round(d.get('metrics', d)['accuracy'], 4))" "$1"; }

echo
echo "gbdt, 100 rounds, on $ROWS rows x $FEATURES features ($SIZE_MB MiB of CSV), 2 threads, $(date +%Y-%m-%d)"
echo
echo "| | peak RSS (MiB) | wall time (s) | held-out accuracy |"
echo "|---|---:|---:|---:|"
echo "| crisp train --stream | $s_mib | $s_sec | $(accuracy "$RUN/stream.json") |"
echo "| crisp train (in memory) | $m_mib | $m_sec | $(accuracy "$RUN/memory.json") |"
echo "| LightGBM (pandas read_csv + lgb.Dataset) | $l_mib | $l_sec | $(accuracy "$RUN/lightgbm.json") |"
echo
echo "binned matrix of --stream: $(( ROWS * FEATURES / 1048576 )) MiB (rows x features bytes)"

rm -rf "$RUN"
[ "$KEEP" = 1 ] || rm -f "$DATA"
