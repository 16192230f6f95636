#!/usr/bin/env bash
# The ceiling-fan captures through the CLI, as a user would run them (docs/benchmarks.md §4):
#   import (each 1-s capture its own segment) -> train -> package (no --data, no --anomalous) -> evaluate.
# Per speed, the normal captures sorted by name are split by index: i % 5 in {0,1,2} train, 3 validation (early
# stopping and the 0.99-quantile threshold), 4 held-out test; the anomalous test set is every capture with the coin.
#
#   scripts/ceiling-fan-cli.sh [DATASET_DIR] [OUT_DIR]     (default ../shared/datasets/ceiling-fan, target/ceiling-fan)
#
# The data is not part of the repository and no CI test depends on it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/ceiling-fan}
OUT=${2:-target/ceiling-fan}
GS=bin/gyrosentinel
[ -d "$DATA" ] || { echo "error: no dataset at $DATA" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
. scripts/ceiling-fan-import.sh
printf '| speed | ROC-AUC | PR-AUC | F1 | FAR | MAR | moving FAR | train s | shipped | TFLite 2.6.2 check |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n'
for speed in low med high; do
  d="$OUT/$speed"
  import_speed "$DATA" "$speed" "$d"
  t0=$(date +%s.%N)
  $GS train --data "$d/train.gsr" --validation "$d/val.gsr" --quantile 0.99 --stride 10 --epochs 60 \
      --out "$d/model" >"$d/train.log"
  t1=$(date +%s.%N)
  $GS package --model "$d/model" --out "$d/model.gsb" >"$d/package.log"
  $GS evaluate --model "$d/model" --normal "$d/test.gsr" --anomalous "$d/weighted.gsr" --stride 10 \
      --json "$d/eval.json" >"$d/eval.log"
  moving=""
  if [ "$speed" = low ]; then
    imp "$d/moving.gsr" normal "$DATA/fan_0_low_0_weight-moving"
    # FAR on normal operation while the housing moves: windows above the threshold / windows
    $GS score --model "$d/model" --data "$d/moving.gsr" --stride 10 --out "$d/moving.csv" >"$d/moving.log"
    moving=$(awk -F, 'NR>1 {n++; f+=$4} END {printf "%.4f", f/n}' "$d/moving.csv")
  fi
  j() { sed -nE "s/^  \"$1\" : ([-0-9.eE]+|NaN).*/\1/p" "$d/eval.json" | head -1; }
  shipped=$(sed -nE 's/^bundle [^:]*: [^,]*, ([a-z0-9]+),.*/\1/p' "$d/package.log")
  check=$(grep -c "PASSED" "$d/package.log" || true)
  printf '| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %s | %.1f | %s | %s of 3 precisions passed |\n' "$speed" \
    "$(j roc_auc)" "$(j pr_auc)" "$(j f1)" "$(j far)" "$(j mar)" "$moving" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$shipped" "$check"
done
echo "(per-speed logs and models in $OUT)"
