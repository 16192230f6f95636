#!/usr/bin/env bash
# Numbers for docs/benchmarks.md about the ESP32 component's portable core, measured on the host:
#  - code size and static RAM of the portable core built with -Os (size(1) of the objects that
#    the firmware links; host-only files excluded),
#  - instructions per sample of the sample path (ring -> batcher -> envelope -> COBS/CRC frame),
#    counted by valgrind --tool=callgrind, start-up removed by differencing two runs,
#  - instructions per sample of the ISM330BX FIFO burst path (driver core against its register model).
set -euo pipefail
cd "$(dirname "$0")/.."
B=target/bench-c
rm -rf "$B-os" "$B-o2"
cmake -S esp32-component -B "$B-os" -DCMAKE_BUILD_TYPE=MinSizeRel -DGS_SANITIZE=OFF -DGS_BUILD_TESTS=OFF \
    -DGS_BUILD_FUZZ=OFF >/dev/null
cmake --build "$B-os" -j2 --target gyrosentinel_core >/dev/null
cmake -S esp32-component -B "$B-o2" -DCMAKE_BUILD_TYPE=Release -DGS_SANITIZE=OFF -DGS_BUILD_TESTS=OFF \
    -DGS_BUILD_FUZZ=OFF >/dev/null
cmake --build "$B-o2" -j2 --target gs_bench_sample_path >/dev/null

echo "== portable core, host x86-64 gcc -Os (size of each object; host-only files excluded)"
objs=$(find "$B-os" -name '*.o' -path '*gyrosentinel_core*' | grep -v -E 'gs_model_reference|gs_sim_sensor|gs_storage_file' | sort)
size -t $objs | awk 'NR==1 || /TOTALS/ {print} NR>1 && !/TOTALS/ {n=split($6,p,"/"); printf "%8s %8s %8s  %s\n", $1, $2, $3, p[n]}'
echo "(nanopb runtime, mbedTLS and the generated .pb.c are listed separately by size(1) above when present)"

echo "== instructions per sample on the sample path (callgrind)"
bin="$B-o2/tools/gs_bench_sample_path"
for batch in 25 64 100; do
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$batch" 2>&1 | awk '/Collected/ {print $4}'; }
  a=$(ir 100000); b=$(ir 300000)
  echo "batch $batch: $(( (b - a) / 200000 )) instructions/sample (Ir $a for 100k samples, $b for 300k)"
done

# ISM330BX driver core (src/gs_ism330bx.c) draining the register model (test/host/ism330bx_model.c) at 3840 Hz, one
# timestamp word per 8 samples, watermark = burst size, read as gs_device_sensor_step reads. Same differencing.
# "driver": collection off at start and toggled at entry/exit of the driver's sensor ops (gs_ism330bx_op_*) and of the
# model's bus functions (ism_model_bus_*), which the driver calls, so the nested toggle leaves the model's bus emulation
# out (checked: equals callgrind_annotate's inclusive cost of gs_ism330bx_op_read minus ism_model_bus_read).
# "with model": the whole program. The firmware's real bus cost (I2C/SPI driver, wire time) is in neither.
echo "== instructions per sample for a FIFO burst (ISM330BX core, register model; callgrind)"
cmake --build "$B-o2" -j2 --target gs_bench_ism330bx >/dev/null
bin="$B-o2/tools/gs_bench_ism330bx"
for burst in 16 32 64; do
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected/ {print $4}'; }
  drv() { ir --collect-atstart=no --toggle-collect='gs_ism330bx_op_*' --toggle-collect='ism_model_bus_*' "$bin" "$1" "$burst"; }
  a=$(drv 100000); b=$(drv 300000); c=$(ir "$bin" 100000 "$burst"); d=$(ir "$bin" 300000 "$burst")
  traffic=$("$bin" 100000 "$burst" | sed -E 's/^([0-9]+) samples.*: ([0-9]+) bursts, ([0-9]+) words.* ([0-9]+) bus bytes read.*/\1 \2 \3 \4/' |
    awk '{printf "%.1f words per burst, %.2f bus bytes per sample", $3 / $2, $4 / $1}')
  echo "burst $burst words: driver only $(( (b - a) / 200000 )) instructions/sample, with the register model $(( (d - c) / 200000 )) ($traffic)"
done

if command -v xtensa-lx106-elf-gcc >/dev/null 2>&1; then
  # Stand-in for the ESP32-S3's compiler (Debian has no LX7 toolchain): the ESP8266's LX106, picolibc, -Os.
  # gs_model_store.c needs mbedTLS headers for the target and is left out (ESP-IDF brings them).
  echo "== portable core for Xtensa LX106 (gcc-xtensa-lx106 -Os, stand-in for the LX7)"
  X=target/bench-c-xtensa; rm -rf "$X"; mkdir -p "$X"
  for f in gs_err gs_frame gs_envelope gs_ring gs_batcher gs_device gs_scoring gs_bundle gs_model_runtime gs_calibration; do
    xtensa-lx106-elf-gcc -specs=/usr/lib/xtensa-lx106-elf/picolibc.specs -Os -std=c11 -mlongcalls -ffunction-sections \
      -Iesp32-component/include -Iesp32-component/private_include -I"$B-os/generated" -idirafter /usr/include \
      -c "esp32-component/src/$f.c" -o "$X/$f.o"
  done
  xtensa-lx106-elf-gcc -specs=/usr/lib/xtensa-lx106-elf/picolibc.specs -Os -std=c11 -mlongcalls -idirafter /usr/include \
    -c "$B-os/generated/gyrosentinel/v1/gyrosentinel.pb.c" -I"$B-os/generated" -o "$X/gyrosentinel.pb.o"
  xtensa-lx106-elf-size -t "$X"/*.o | awk 'NR==1 || /TOTALS/ {print} NR>1 && !/TOTALS/ {n=split($6,p,"/"); printf "%8s %8s %8s  %s\n", $1, $2, $3, p[n]}'
else
  echo "(install gcc-xtensa-lx106 and picolibc-xtensa-lx106-elf for an Xtensa code-size stand-in)"
fi

# ---------------------------------------------------------------------------------------------------
# Instructions per sample of each packaged precision in the real TensorFlow Lite Micro (the pinned
# esp-tflite-micro, reference kernels, -O2) through the firmware's own backend (gs_tflm_run), next to the
# packager's cost-card estimate for the ESP32-S3. The models are the C conformance test's fixtures (the
# default architecture, written by the real packager). Per window: (Ir of 2N windows - Ir of N) / N.
echo "== TensorFlow Lite Micro: x86-64 instructions per window and per sample (callgrind), vs the cost card"
command -v valgrind >/dev/null || { echo "(installing valgrind)"; apt-get install -y -qq valgrind >/dev/null; }
cmake -S esp32-component -B "$B-o2" >/dev/null
cmake --build "$B-o2" -j2 --target gs_tflm_run >/dev/null
fx=esp32-component/test/host/tflm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$fx/windows.f32" "$tmp/w1.f32"; cat "$fx/windows.f32" "$fx/windows.f32" >"$tmp/w2.f32"
n=$(awk '/^windows/ {print $3}' "$fx/cases.txt")
printf '%-10s %6s %14s %12s %11s %15s %19s %6s\n' precision window "instr/window" "instr/sample" "arena used" "arena to load" "est. cycles/sample" ratio
grep '^case' "$fx/cases.txt" | while read -r _ name prec _; do
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B-o2/tools/gs_tflm_run" --payload "$fx/$name.payload" \
           --windows "$1" --out "$tmp/out.f32" 2>&1 >"$tmp/json" | awk '/Collected/ {print $4}'; }
  a=$(ir "$tmp/w1.f32"); b=$(ir "$tmp/w2.f32")
  per_window=$(( (b - a) / n ))
  field() { sed -E "s/.*\"$1\":([0-9]+).*/\1/" "$tmp/json"; }
  window=$(field window); arena=$(field arenaUsed); required=$(field arenaRequired)
  # the bundle's manifest carries the cost card: µs/sample at 240 MHz
  us=$(grep -a -o '"usPerSample":[0-9.]*' "$fx/$name.payload" | head -1 | cut -d: -f2)
  est=$(awk -v us="$us" 'BEGIN {printf "%.0f", us * 240}')
  printf '%-10s %6s %14s %12s %11s %15s %19s %6s\n' "$prec" "$window" "$per_window" $(( per_window / window )) "$arena" \
    "$required" "$est" \
    "$(awk -v i=$(( per_window / window )) -v c="$est" 'BEGIN {printf "%.2f", i / c}')"
done
echo "(ratio = x86-64 instructions per sample / the cost card's ESP32-S3 cycles per sample: a sanity check of the"
echo " estimate's scale, not a device measurement; stride = window, one invoke per window)"
