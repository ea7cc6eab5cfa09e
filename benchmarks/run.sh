#!/usr/bin/env bash
# Builds the benchmarks, runs them (JSON to benchmarks/target/results.json), prints the
# Tornado-J / raw Netty ratio table and the cancelled-timeout memory check.
#
#   benchmarks/run.sh                       # full suite, every transport available here
#   benchmarks/run.sh Chain                 # extra args go to JMH (here: a benchmark regex)
#   TRANSPORTS=EPOLL benchmarks/run.sh      # only some transports
#   SKIP_BUILD=1 benchmarks/run.sh          # reuse benchmarks/target/benchmarks.jar
#   MVN_ARGS=-o benchmarks/run.sh           # build offline
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
RESULTS=benchmarks/target/results.json

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086
  mvn -q -B ${MVN_ARGS:-} -pl benchmarks -am -DskipTests package
fi

# Transports that work on this machine (unavailable ones are reported on stderr and skipped).
TRANSPORTS="${TRANSPORTS:-$(java -cp "$JAR" io.tornadoj.benchmarks.BenchTransports)}"
echo "Transports: $TRANSPORTS"

java -jar "$JAR" -p transport="$TRANSPORTS" -rf json -rff "$RESULTS" "$@" 2>&1 | tee benchmarks/target/jmh.log

echo
python3 benchmarks/ratios.py "$RESULTS"

echo
echo "Cancelled-timeout memory check (1M timeouts scheduled, all cancelled, handles dropped):"
java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp "$JAR" io.tornadoj.benchmarks.TimeoutMemoryCheck "$TRANSPORTS"
