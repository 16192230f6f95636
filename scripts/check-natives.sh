#!/usr/bin/env bash
# Which native jars (TensorFlow Java's, DJL's TensorFlow Lite) each platform gets, and proof that they resolve
# (issue #15). For every platform below, Maven runs as if on that machine (os.name / os.arch passed to Maven: its
# <os> profile activation reads them) and collects sdk-training's dependency graph twice:
#   - in this build (the reactor's sdk-training), and
#   - in a consumer's build: a throwaway project depending on sdk-training through a throwaway local repository
#     holding this checkout's parent, sdk-core and sdk-training poms (the consumer evaluates the natives-* profiles
#     of the published pom for its own machine).
# Only poms are fetched (a few KB); none of the 130-250 MB native jars is downloaded. The native jars chosen must
# equal the table below (what upstream publishes; NativePlatform and NativeProfilesTest hold the same table), and
# each chosen jar must exist on Maven Central (HTTP HEAD, headers only).
#
#   scripts/check-natives.sh             # online: poms on first use, HEAD requests
#   scripts/check-natives.sh --offline   # Maven offline (poms already cached), no HEAD requests
#
# Not part of scripts/test.sh (a dozen Maven runs, about 1.5 minutes); NativeProfilesTest checks the table offline
# in every build. Exit status: 0 when every platform gets what it should and every jar exists.
set -euo pipefail
cd "$(dirname "$0")/.."

OFFLINE=
case "${1:-}" in
  --offline) OFFLINE=-o ;;
  "") ;;
  *) echo "usage: $0 [--offline]" >&2; exit 2 ;;
esac

# id | os.name | os.arch (as the JVM reports them there) | expected native jars (artifactId:classifier)
PLATFORMS=(
  "linux-x86_64|Linux|amd64|tensorflow-core-native:linux-x86_64 tflite-native-cpu:linux-x86_64"
  "linux-aarch64|Linux|aarch64|tensorflow-core-native:linux-arm64"
  "macos-aarch64|Mac OS X|aarch64|tensorflow-core-native:macosx-arm64"
  "macos-x86_64|Mac OS X|x86_64|tflite-native-cpu:osx-x86_64"
  "windows-x86_64|Windows 11|amd64|tensorflow-core-native:windows-x86_64"
  "freebsd-x86_64 (default)|FreeBSD|amd64|tensorflow-core-native:linux-x86_64 tflite-native-cpu:linux-x86_64"
)
INCLUDES=org.tensorflow:tensorflow-core-native,ai.djl.tflite:tflite-native-cpu
# Maven Central, as the wrapper names it; CENTRAL=... for a mirror.
CENTRAL=${CENTRAL:-$(sed -n 's#^distributionUrl=\(.*/maven2\)/.*#\1#p' .mvn/wrapper/maven-wrapper.properties)}
M2=${M2_REPO:-$HOME/.m2/repository}
VERSION=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
MVN=(./mvnw -B -q $OFFLINE)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# natives OUTFILE -> "groupId:artifactId:classifier:version ..." (classified native jars in a dependency:tree file)
natives() {
  sed -E 's/^[|+\\ -]*//' "$1" | awk -F: 'NF == 6 && ($2 == "tensorflow-core-native" || $2 == "tflite-native-cpu") {
    print $1 ":" $2 ":" $4 ":" $5 }' | sort -u | tr '\n' ' '
}

# short "g:a:c:v ..." -> "a:c ..." (sorted)
short() {
  for c in $1; do IFS=: read -r _ a cl _ <<<"$c"; echo "$a:$cl"; done | sort | tr '\n' ' '
}

echo "== consumer project: installing this checkout's parent, sdk-core and sdk-training poms into $TMP/repo"
REPO=(-Dmaven.repo.local="$TMP/repo" -Dmaven.repo.local.tail="$M2")
mkdir -p "$TMP/empty" "$TMP/consumer"
(cd "$TMP/empty" && jar cf ../placeholder.jar .)
"${MVN[@]}" "${REPO[@]}" -N install:install-file -Dfile=pom.xml -DpomFile=pom.xml -Dpackaging=pom
for m in sdk-core sdk-training; do
  "${MVN[@]}" "${REPO[@]}" -N install:install-file -Dfile="$TMP/placeholder.jar" -DpomFile=$m/pom.xml
done
DEP_PLUGIN=$(sed -n 's:.*<dependency-plugin.version>\(.*\)</dependency-plugin.version>.*:\1:p' pom.xml)
cat >"$TMP/consumer/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>consumer</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.gyrosentinel</groupId><artifactId>sdk-training</artifactId><version>$VERSION</version></dependency>
  </dependencies>
  <build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>$DEP_PLUGIN</version></plugin></plugins></build>
</project>
EOF

fail=0
declare -A CHOSEN=()
printf '\n%-26s %-22s %-64s %s\n' platform "os.name / os.arch" "native jars (this build)" "consumer build"
for row in "${PLATFORMS[@]}"; do
  IFS='|' read -r id name arch expected <<<"$row"
  os=(-Dos.name="$name" -Dos.arch="$arch" -Dincludes=$INCLUDES)
  "${MVN[@]}" -pl sdk-training dependency:tree "${os[@]}" -DoutputFile="$TMP/build.txt"
  "${MVN[@]}" "${REPO[@]}" -f "$TMP/consumer/pom.xml" dependency:tree "${os[@]}" -DoutputFile="$TMP/consumer.txt"
  build=$(natives "$TMP/build.txt")
  consumer=$(natives "$TMP/consumer.txt")
  want=$(echo "$expected" | tr ' ' '\n' | sort | tr '\n' ' ')
  verdict=ok
  if [[ "$(short "$build")" != "$want" || "$(short "$consumer")" != "$want" ]]; then
    verdict="MISMATCH (expected $want)"
    fail=1
  fi
  printf '%-26s %-22s %-64s %s\n' "$id" "$name / $arch" "$(short "$build")" \
    "$([[ "$consumer" == "$build" ]] && echo same || short "$consumer") $verdict"
  for c in $build $consumer; do CHOSEN[$c]=1; done
done

echo
if [[ -n "$OFFLINE" ]]; then
  echo "== existence on Maven Central: not checked (--offline)"
elif ! command -v curl >/dev/null; then
  echo "== existence on Maven Central: not checked (no curl)"
else
  echo "== existence on Maven Central (HTTP HEAD, $CENTRAL)"
  for c in $(printf '%s\n' "${!CHOSEN[@]}" | sort); do
    IFS=: read -r g a cl v <<<"$c"
    url="$CENTRAL/${g//.//}/$a/$v/$a-$v-$cl.jar"
    head=$(curl -sSI -m 30 "$url" 2>&1 || true)
    status=$(awk 'toupper($1) ~ /^HTTP/ { s = $2 } END { print s }' <<<"$head")
    size=$(awk 'tolower($1) == "content-length:" { print $2 }' <<<"$head" | tr -d '\r' | tail -1)
    if [[ "$status" == 200 ]]; then
      printf '  %-60s %s (%s MB)\n' "$g:$a:$v:$cl" "$status" "$(( ${size:-0} / 1000000 ))"
    else
      printf '  %-60s %s\n' "$g:$a:$v:$cl" "${status:-unreachable: $(head -1 <<<"$head")}"
      fail=1
    fi
  done
fi
echo
if [[ $fail != 0 ]]; then
  echo "check-natives: FAILED"
elif [[ -n "$OFFLINE" ]]; then
  echo "check-natives: every platform gets its natives (their existence was not checked: --offline)"
else
  echo "check-natives: every platform gets its natives, and they exist"
fi
exit $fail
