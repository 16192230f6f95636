#!/usr/bin/env bash
# Checks that every tool and runtime the tests use is really there, and names the Debian package
# that provides each missing one, instead of letting the build stop later on a linker error.
# The sanitizer and fuzzer runtimes are checked by linking a probe: their archives come from
# libclang-rt-14-dev, which clang only recommends (a --no-install-recommends install skips it).
# Exit 0 when all is present; 1 with one line per missing piece otherwise.
set -uo pipefail
missing=()
need() { # need DESCRIPTION PACKAGE COMMAND...
    local what=$1 pkg=$2; shift 2
    "$@" >/dev/null 2>&1 || missing+=("$what  ->  apt-get install $pkg")
}
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf 'int main(void){return 0;}\n' >"$probe_dir/p.c"
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n){(void)d;(void)n;return 0;}\n' >"$probe_dir/f.c"
printf '#include <vector>\nint main(){std::vector<int> v(3);return (int)v.size()-3;}\n' >"$probe_dir/p.cc"
link() { "$1" "${@:3}" "$probe_dir/$2" -o "$probe_dir/a.out"; }

need "javac (a JDK 17)" openjdk-17-jdk-headless command -v javac
need "cmake" cmake command -v cmake
need "make" make command -v make
need "gcc" gcc command -v gcc
need "g++ (TFLite Micro, the TFLM backend)" g++ link g++ p.cc
need "gcc's AddressSanitizer/UBSan runtimes" gcc link gcc p.c -fsanitize=address,undefined
need "nanopb generator (nanopb_generator.py, runs)" nanopb nanopb_generator.py --version
need "nanopb headers and CMake package" libnanopb-dev test -f /usr/include/pb.h
need "cmocka headers" libcmocka-dev test -f /usr/include/cmocka.h
need "mbedTLS headers" libmbedtls-dev test -f /usr/include/mbedtls/pk.h
need "clang" clang command -v clang
need "clang's ThreadSanitizer runtime (libclang_rt.tsan)" libclang-rt-14-dev link clang p.c -fsanitize=thread
need "clang's libFuzzer + ASan/UBSan runtimes" libclang-rt-14-dev link clang f.c -fsanitize=fuzzer,address,undefined
need "mosquitto (MQTT tests)" mosquitto command -v mosquitto
need "openssl" openssl command -v openssl
need "chromium (report check)" chromium command -v chromium
need "chromedriver (console browser tests)" chromium-driver command -v chromedriver
need "setpriv" util-linux command -v setpriv

if [ ${#missing[@]} -gt 0 ]; then
    echo "preflight: the tests need these, and they are missing:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "(scripts/install-deps.sh installs them all as root)" >&2
    exit 1
fi
