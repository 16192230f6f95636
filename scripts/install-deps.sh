#!/usr/bin/env bash
# Installs the Debian packages the tests need (C toolchain for the ESP32 component's host build,
# nanopb, cmocka, mbedTLS, clang for the fuzzer, Mosquitto for the MQTT tests, Chromium for the
# report check, ChromeDriver for the console's browser tests). Does nothing when they are present. Needs root or sudo to install.
set -euo pipefail
PKGS=(cmake make gcc g++ nanopb libnanopb-dev libcmocka-dev libmbedtls-dev clang libclang-rt-14-dev mosquitto openssl chromium chromium-driver postgresql)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "error: these Debian packages are missing and I am not root: ${missing[*]}" >&2
  echo "install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
