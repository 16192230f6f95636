#!/usr/bin/env bash
# The README's test command: every test of every module, from a clean state.
#  - Java modules: JUnit 5 through Maven Surefire (real PTYs, a real Mosquitto, real TensorFlow
#    Java and a real TFLite runtime; no network needed after the first dependency download)
#  - esp32-component: CMake + CTest + cmocka with ASan/UBSan, and a bounded libFuzzer run
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export TF_CPP_MIN_LOG_LEVEL=2
# As root, run the build without the capabilities that bypass file permissions, so the test of a
# serial port the user may not open (SerialUriAndErrorsTest) is real instead of skipped. Where the
# capabilities cannot be dropped (a restricted container), that one test says why it skips.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null \
        && setpriv --bounding-set=-dac_override,-dac_read_search -- true 2>/dev/null; then
    exec setpriv --bounding-set=-dac_override,-dac_read_search -- ./mvnw -B clean verify "$@"
fi
./mvnw -B clean verify "$@"
