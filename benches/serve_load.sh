#!/usr/bin/env bash
# Load test of `crisp serve` against a FastAPI + scikit-learn server, in the same run, on
# loopback: throughput and p50 / p99 latency of single-row and 1,000-row POST /predict requests
# to a gradient-boosted model trained on adult (datasets/adult.csv), measured by wrk.
#
#   benches/serve_load.sh [--duration SECONDS] [--repeat N]
#
#   --duration S  seconds per wrk run (default 10)
#   --repeat N    wrk runs per server and body; the fastest is kept (default 3)
#
# Bounded: 2 servers x 2 bodies x N runs of S seconds, loopback only. The machine is shared
# (the load generator runs on the same cores as the servers, and so may other work), so the
# fastest of N runs is reported and ratios are taken within one run of this script.
#
# Needs wrk (Debian: apt-get install wrk). The release binary is $CRISP_BIN if set, else built
# with `cargo build --release`. The Python venv is $CRISP_BENCH_VENV (default
# /var/tmp/crisp-bench-venv; fastapi, uvicorn, scikit-learn and pandas are installed in it when
# missing); work files go to $CRISP_BENCH_DIR (default /var/tmp/crisp-bench-data).
#
# Servers: `crisp serve` with its defaults (one prediction thread per core, tokio's runtime);
# uvicorn with 2 worker processes (FastAPI's usual deployment on 2 cores) and OMP_NUM_THREADS=1,
# each with the pickled scikit-learn Pipeline (OrdinalEncoder + HistGradientBoostingClassifier,
# default settings).
# Connections: 32 for single rows, 8 for 1,000 rows; wrk with 2 threads.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=10
REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --repeat) REPEAT="$2"; shift ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "serve_load: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

command -v wrk >/dev/null || { echo "serve_load: needs wrk (apt-get install wrk)" >&2; exit 2; }
. benches/bench_env.sh
bench_env scikit-learn pandas fastapi uvicorn

if [ -z "${CRISP_BIN:-}" ]; then
  cargo build --release --quiet
  CRISP_BIN="$CARGO_TARGET_DIR/release/crisp"
fi
# A private copy: another build may replace the binary while this runs.
cp "$CRISP_BIN" "$WORK/crisp-serve-bench"
CRISP="$WORK/crisp-serve-bench"

DATASETS=datasets
[ -f "$DATASETS/adult.csv" ] || DATASETS=/work/shared/datasets

# The models: crisp's gbdt and scikit-learn's HistGradientBoosting, each on every row of adult.
"$CRISP" --no-track train --data "$DATASETS/adult.csv" --target income --model gbdt \
  --test-data "$DATASETS/adult_test.csv" --out "$WORK/adult-serve.crisp" >/dev/null
"$PY" benches/serve_fastapi.py train "$DATASETS/adult.csv" "$WORK/adult-serve.pkl"

# The bodies: the first row and the first 1,000 rows of adult_test as JSON records.
"$PY" - "$DATASETS/adult_test.csv" "$WORK" <<'EOF'
import json, sys
import pandas as pd
frame = pd.read_csv(sys.argv[1]).drop(columns=["income"])
rows = json.loads(frame.to_json(orient="records"))
for n in (1, 1000):
    with open(f"{sys.argv[2]}/serve-{n}.json", "w") as f:
        json.dump({"rows": rows[:n]}, f)
    with open(f"{sys.argv[2]}/serve-{n}.lua", "w") as f:
        body = open(f"{sys.argv[2]}/serve-{n}.json").read()
        f.write('wrk.method = "POST"\n')
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write("wrk.body = " + json.dumps(body) + "\n")
EOF

PORT_CRISP=18181
PORT_FASTAPI=18182
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

wait_healthy() {
  local port="$1" i
  for i in $(seq 600); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "serve_load: the server on port $port did not start" >&2
  exit 1
}

RESULTS="$WORK/serve-results-$(date +%Y%m%d-%H%M%S).txt"
: > "$RESULTS"

# measure NAME PORT ROWS CONNECTIONS: REPEAT wrk runs, the fastest kept, as one line:
# NAME ROWS requests/s p50_ms p99_ms non-2xx
measure() {
  local name="$1" port="$2" rows="$3" connections="$4" best="" run out rps p50 p99 errors
  for run in $(seq "$REPEAT"); do
    out=$(wrk -t2 -c"$connections" -d"${DURATION}s" --latency -s "$WORK/serve-$rows.lua" \
      "http://127.0.0.1:$port/predict")
    rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    echo "  $name rows=$rows run $run: $rps req/s, p50 $p50, p99 $p99, non-2xx ${errors:-0}" >&2
    if [ -z "$best" ] || awk -v a="$rps" -v b="${best%% *}" 'BEGIN {exit !(a > b)}'; then
      best="$rps $p50 $p99 ${errors:-0}"
    fi
  done
  echo "$name $rows $best" >> "$RESULTS"
}

echo "crisp serve (release) ..." >&2
"$CRISP" --no-track serve --model "$WORK/adult-serve.crisp" --addr "127.0.0.1:$PORT_CRISP" \
  --poll-interval 0 2>"$WORK/serve-crisp.log" &
SERVER_PID=$!
wait_healthy "$PORT_CRISP"
measure crisp "$PORT_CRISP" 1 32
measure crisp "$PORT_CRISP" 1000 8
stop_server

echo "FastAPI + scikit-learn (uvicorn, 2 workers) ..." >&2
# One OpenMP thread per worker (the usual setting for serving scikit-learn): its predict would
# otherwise start a thread per core in each of the 2 workers, on 2 cores.
(cd benches && OMP_NUM_THREADS=1 MODEL_PKL="$WORK/adult-serve.pkl" exec "$VENV/bin/python" -m uvicorn serve_fastapi:app \
  --host 127.0.0.1 --port "$PORT_FASTAPI" --workers 2 --log-level warning) 2>"$WORK/serve-fastapi.log" &
SERVER_PID=$!
wait_healthy "$PORT_FASTAPI"
measure fastapi "$PORT_FASTAPI" 1 32
measure fastapi "$PORT_FASTAPI" 1000 8
stop_server

# The table: requests/s, rows/s, latency, and crisp's ratios to FastAPI in this run.
"$PY" - "$RESULTS" "$DURATION" "$REPEAT" <<'EOF'
import sys

def ms(text):
    units = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
    for unit in ("us", "ms", "s"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    raise ValueError(text)

results = {}
for line in open(sys.argv[1]):
    name, rows, rps, p50, p99, errors = line.split()
    results[(name, int(rows))] = (float(rps), ms(p50), ms(p99), int(errors))
print(f"fastest of {sys.argv[3]} wrk runs of {sys.argv[2]} s each; shared 2-core machine, "
      "load generator on the same cores")
print()
print("| body | server | requests/s | rows/s | p50 ms | p99 ms | non-2xx |")
print("|---|---|---|---|---|---|---|")
for rows in (1, 1000):
    for name in ("crisp", "fastapi"):
        rps, p50, p99, errors = results[(name, rows)]
        print(f"| {rows} row{'s' if rows > 1 else ''} | {name} | {rps:,.0f} | {rps * rows:,.0f} "
              f"| {p50:.2f} | {p99:.2f} | {errors} |")
print()
for rows in (1, 1000):
    c, f = results[("crisp", rows)], results[("fastapi", rows)]
    print(f"{rows} row(s): crisp serves {c[0] / f[0]:.1f}x the requests/s of FastAPI, "
          f"p50 {f[1] / c[1]:.1f}x lower, p99 {f[2] / c[2]:.1f}x lower")
EOF
