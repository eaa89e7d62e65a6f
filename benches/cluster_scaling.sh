#!/usr/bin/env bash
# Scaling of gbdt trained on a DataFusion Ballista cluster (`crisp train --engine`): the same
# job on 1 and on 2 executors of one task slot each, in one run. Prints a markdown table.
#
#   benches/cluster_scaling.sh [--rows N] [--features F] [--rounds R] [--files K]
#
#   --rows N      rows of the generated Parquet dataset (default 2000000)
#   --features F  numeric features (default 20); the target is a binary class
#   --rounds R    boosting rounds (default 10)
#   --files K     Parquet files the rows are split into (default 8)
#
# The scheduler, the executors and the driver are crisp-distributed's binaries of the dev
# profile (dependencies optimised; `cargo build -p crisp-distributed --features engine --bins`),
# on loopback. "rows/s scanned" is rows × histogram queries / boosting seconds: each query
# reads, bins, scores and aggregates every row. On a 2-core machine two executors share the
# cores with the scheduler and the driver, so the second executor cannot double the rate; the
# table is there to show the overhead, not a speed-up. Needs a venv with numpy and pyarrow for
# the data ($CRISP_BENCH_VENV, default /var/tmp/crisp-bench-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=2000000
FEATURES=20
ROUNDS=10
FILES=8
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift ;;
    --features) FEATURES="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --files) FILES="$2"; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "cluster_scaling: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

. benches/bench_env.sh
bench_env numpy pyarrow
BIN="$CARGO_TARGET_DIR/debug"
for b in crisp-scheduler crisp-executor crisp-ballista-train; do
  [ -x "$BIN/$b" ] || { echo "cluster_scaling: no $BIN/$b (cargo build -p crisp-distributed --features engine --bins)" >&2; exit 2; }
done

DATA="$WORK/cluster-$ROWS-$FEATURES"
if [ ! -d "$DATA" ]; then
  "$PY" - "$DATA" "$ROWS" "$FEATURES" "$FILES" <<'PY'
import os, sys
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
out, rows, features, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out)
rng = np.random.default_rng(7)
for k in range(files):
    n = rows // files + (1 if k < rows % files else 0)
    x = rng.random((n, features))
    logit = 3 * x[:, 0] - 2 * x[:, 1] + np.sin(6 * x[:, 2]) + x[:, 3] * x[:, 4] - 1.2
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    cols = {f"x{j}": x[:, j] for j in range(features)}
    cols["y"] = y
    pq.write_table(pa.table(cols), f"{out}/part-{k:02}.parquet")
PY
fi

port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_port() { for _ in $(seq 300); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "nothing on port $1" >&2; exit 1; }

SCHED=$(port)
"$BIN/crisp-scheduler" --bind "127.0.0.1:$SCHED" 2> "$WORK/scheduler.log" &
PIDS+=($!)
wait_port "$SCHED"

FEATURE_LIST=$("$PY" -c "import json; print(json.dumps([f'x{j}' for j in range($FEATURES)]))")
cat > "$WORK/job.json" <<JSON
{"engine": "ballista://127.0.0.1:$SCHED", "data": "$DATA", "features": $FEATURE_LIST,
 "target": "y", "classification": true, "params": [["n_rounds", "$ROUNDS"]], "seed": 42}
JSON

echo "| executors (1 task slot each) | bin edges (s) | boosting (s) | histogram queries | rows/s scanned | per executor |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in 1 2; do
  P=$(port); G=$(port)
  mkdir -p "$WORK/executor-$n"
  "$BIN/crisp-executor" --scheduler "127.0.0.1:$SCHED" --port "$P" --grpc-port "$G" \
    --concurrent-tasks 1 --work-dir "$WORK/executor-$n" 2> "$WORK/executor-$n.log" &
  PIDS+=($!)
  wait_port "$P"
  sleep 2
  "$BIN/crisp-ballista-train" "$WORK/job.json" "$WORK/model-$n.bin" 2> "$WORK/driver-$n.log" \
    || { echo "cluster_scaling: the driver failed (see $WORK/driver-$n.log)" >&2; exit 1; }
  "$PY" - "$WORK/driver-$n.log" "$ROWS" "$n" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"trained (\d+) rows in (\d+) histogram queries \(([\d.]+) s for the bin edges, ([\d.]+) s boosting\)", text)
rows, queries, edges, boost = int(m[1]), int(m[2]), float(m[3]), float(m[4])
n = int(sys.argv[3])
rate = rows * queries / boost
print(f"| {n} | {edges:.1f} | {boost:.1f} | {queries} | {rate:,.0f} | {rate / n:,.0f} |")
PY
done
