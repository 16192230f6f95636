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
imp() { local out=$1 label=$2; shift 2
  $GS import --csv "$@" --no-header --columns 0,1,2 --rate 200 --unit g --label "$label" --out "$out" >"$out.log"; }
for speed in low med high; do
  mapfile -t normal < <(ls "$DATA/fan_0_${speed}_0_weight"/*.csv | sort)
  train=(); val=(); test=()
  for i in "${!normal[@]}"; do
    case $(( i % 5 )) in 0|1|2) train+=("${normal[$i]}");; 3) val+=("${normal[$i]}");; 4) test+=("${normal[$i]}");; esac
  done
  d="$OUT/$speed"; mkdir -p "$d"
  imp "$d/train.gsr" normal "${train[@]}"
  imp "$d/val.gsr" normal "${val[@]}"
  imp "$d/test.gsr" normal "${test[@]}"
  imp "$d/weighted.gsr" anomalous "$DATA/fan_0_${speed}_1_weight"
  for dc in "" --remove-dc; do
    o="$d/bench${dc}"
    $GS bench --data "$d/train.gsr" --validation "$d/val.gsr" "$d/test.gsr" --anomalous "$d/weighted.gsr" \
        --stride 10 $dc --out "$o" --json "$o.json" >"$o.log" 2>"$o.err"
    echo "== $speed ${dc:-(as is)}"
    sed -n '/^candidate/,/^chosen/p' "$o.log"
  done
done
