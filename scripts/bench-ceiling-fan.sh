#!/usr/bin/env bash
# `gyrosentinel bench` on the ceiling-fan captures (docs/benchmarks.md §10), as imported by scripts/ceiling-fan-cli.sh:
# per speed, normal captures sorted by name, index mod 5 in {0,1,2} train, 3 and 4 validation (the first half of
# each calibrates the thresholds, the second half tests); every weighted capture is anomalous. Run as is and with
# --remove-dc (the feature families without the window mean: §4 found every method leaning on the static offset).
#
#   scripts/bench-ceiling-fan.sh [DATASET_DIR] [OUT_DIR]     (default ../shared/datasets/ceiling-fan, target/bench-cf)
# The data is not part of the repository and no CI test depends on it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/ceiling-fan}
OUT=${2:-target/bench-cf}
GS=bin/gyrosentinel
[ -d "$DATA" ] || { echo "error: no dataset at $DATA" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
. scripts/ceiling-fan-import.sh
for speed in low med high; do
  d="$OUT/$speed"
  import_speed "$DATA" "$speed" "$d"
  for dc in "" --remove-dc; do
    o="$d/bench${dc}"
    $GS bench --data "$d/train.gsr" --validation "$d/val.gsr" "$d/test.gsr" --anomalous "$d/weighted.gsr" \
        --stride 10 $dc --out "$o" --json "$o.json" >"$o.log" 2>"$o.err"
    echo "== $speed ${dc:-(as is)}"
    sed -n '/^candidate/,/^chosen/p' "$o.log"
  done
done
