# Sourced by scripts/ceiling-fan-cli.sh and scripts/bench-ceiling-fan.sh: one speed of the ceiling-fan captures
# imported as the benchmarks split them. `import_speed DATA SPEED DIR` writes DIR/train.gsr, val.gsr, test.gsr (the
# normal captures sorted by name, index mod 5 in {0,1,2}, 3 and 4) and weighted.gsr (every capture with the coin);
# `imp OUT LABEL FILES...` imports captures as the benchmarks do (no header, columns 0,1,2, 200 Hz, g). Needs $GS.
imp() {
  local out=$1 label=$2; shift 2
  $GS import --csv "$@" --no-header --columns 0,1,2 --rate 200 --unit g --label "$label" --out "$out" >"$out.log"
}

import_speed() {
  local data=$1 speed=$2 d=$3 i normal train=() val=() test=()
  mapfile -t normal < <(ls "$data/fan_0_${speed}_0_weight"/*.csv | sort)
  for i in "${!normal[@]}"; do
    case $(( i % 5 )) in 0|1|2) train+=("${normal[$i]}");; 3) val+=("${normal[$i]}");; 4) test+=("${normal[$i]}");; esac
  done
  mkdir -p "$d"
  imp "$d/train.gsr" normal "${train[@]}"
  imp "$d/val.gsr" normal "${val[@]}"
  imp "$d/test.gsr" normal "${test[@]}"
  imp "$d/weighted.gsr" anomalous "$data/fan_0_${speed}_1_weight"
}
