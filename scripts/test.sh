#!/usr/bin/env bash
# The README's test command: every test of every module, from a clean state.
#  - Java modules: JUnit 5 through Maven Surefire (real PTYs, a real Mosquitto, real TensorFlow
#    Java and a real TFLite runtime; no network needed after the first dependency download)
#  - esp32-component: CMake + CTest + cmocka with ASan/UBSan, and a bounded libFuzzer run
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export TF_CPP_MIN_LOG_LEVEL=2
./mvnw -B clean verify "$@"
