#!/usr/bin/env bash
# JMH benchmark of the host receive path (frame decode + batch -> SampleBlock) and the wire
# cost table. Results go to docs/benchmarks.md by hand, with the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl sdk-core -DskipTests install
./mvnw -B -q -pl sdk-core dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
CP="sdk-core/target/test-classes:sdk-core/target/classes:$(cat sdk-core/target/bench.cp)"
echo "== wire cost"
java -cp "$CP" io.gyrosentinel.bench.DecodeBenchmark
echo "== JMH: samples/s through frame decode + protobuf + SampleBlock (one thread)"
java -cp "$CP" org.openjdk.jmh.Main DecodeBenchmark -prof gc "$@"
