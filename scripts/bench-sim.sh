#!/usr/bin/env bash
# `gyrosentinel bench` on the simulated fan with faults of graded subtlety (docs/benchmarks.md §10).
# One machine (sim seed 1), every recording its own session (sim session=N: its own noise): normal training (60 s)
# and validation (40 s: the first half calibrates the thresholds, the second half is the normal test set); faults:
# imbalance +10 % and +25 %, weak bearing impulses, looseness; and a speed change (+10 % rpm) that is NOT a fault
# (reported as the false-alarm rate of each candidate's model on it).
#
#   scripts/bench-sim.sh [OUT_DIR] [WINDOW] [ODR]     (default target/bench-sim, 40, 960)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/bench-sim}
WINDOW=${2:-40}
ODR=${3:-960}
GS=bin/gyrosentinel
rm -rf "$OUT"; mkdir -p "$OUT"
rec() { # rec NAME QUERY SECONDS LABEL
  $GS record --device "sim:?realtime=false&odr=$ODR&$2" --duration "$3" --label "$4" --out "$OUT/$1.gsr" >"$OUT/$1.log"
}
rec train "seed=1&session=0" 60s normal
rec val "seed=1&session=1" 40s normal
rec imbalance10 "seed=1&session=2&fault=imbalance&severity=0.1" 20s anomalous
rec imbalance25 "seed=1&session=3&fault=imbalance&severity=0.25" 20s anomalous
rec bearing "seed=1&session=4&fault=bearing&severity=0.3" 20s anomalous
rec looseness "seed=1&session=5&fault=looseness&severity=0.3" 20s anomalous
rec speed "seed=1&session=6&rpm=1650" 20s normal
stride=$(( WINDOW / 4 ))
for s in imbalance10 imbalance25 bearing looseness; do
  $GS bench --data "$OUT/train.gsr" --validation "$OUT/val.gsr" --anomalous "$OUT/$s.gsr" --window "$WINDOW" \
      --stride "$stride" --odr 3840 --out "$OUT/$s" --json "$OUT/$s.json" >"$OUT/$s.bench.log" 2>"$OUT/$s.bench.err"
  echo "== $s (window $WINDOW at $ODR Hz; cost at 3840 Hz)"
  sed -n '/^candidate/,/^chosen/p' "$OUT/$s.bench.log"
done
echo "== speed change (+10 % rpm, not a fault): false alarms of each imbalance10 candidate"
for m in "$OUT"/imbalance10/*/; do
  name=$(basename "$m")
  [ "$name" = best ] && continue
  $GS score --model "$m" --data "$OUT/speed.gsr" --stride "$stride" --out "$OUT/speed-$name.csv" >/dev/null
  printf '%-26s FAR %s\n' "$name" "$(awk -F, 'NR>1 {n++; f+=$4} END {printf "%.4f", f/n}' "$OUT/speed-$name.csv")"
done
