#!/usr/bin/env bash
# A model gate for CI: train -> validate (gate) -> bless -> predict.
# The build fails (non-zero exit) when the gate fails: `crisp validate` exits 1 when a
# threshold does not hold and 2 on an error, and `set -e` stops here before anything ships.
#
#   CRISP    the crisp binary            (default: crisp on PATH)
#   DATA     directory with adult.csv and adult_test.csv (default: datasets)
#   OUT      output directory            (default: gate-out)
#   GATE     thresholds, space-separated (default: "accuracy>=0.83 roc_auc>=0.90")
set -euo pipefail

CRISP="${CRISP:-crisp}"
DATA="${DATA:-datasets}"
OUT="${OUT:-gate-out}"
GATE="${GATE:-accuracy>=0.83 roc_auc>=0.90}"
mkdir -p "$OUT"

echo "--- train"
"$CRISP" train --data "$DATA/adult.csv" --target income --seed 42 \
  --out "$OUT/model.crisp" --report "$OUT/train.json"

echo "--- validate (the gate)"
thresholds=()
for t in $GATE; do thresholds+=(--threshold "$t"); done
"$CRISP" validate --model "$OUT/model.crisp" --data "$DATA/adult_test.csv" "${thresholds[@]}" \
  --slice sex --min-slice-rows 100 \
  --report "$OUT/gate.json" --bless

echo "--- predict (refuses an unblessed model)"
sed -n '1,101p' "$DATA/adult_test.csv" > "$OUT/incoming.csv"
"$CRISP" predict --model "$OUT/model.crisp" --data "$OUT/incoming.csv" --require-blessed \
  --out "$OUT/predictions.csv"
echo "shipped: $OUT/model.crisp"
