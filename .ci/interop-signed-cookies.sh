#!/usr/bin/env bash
# Live interop check of signed cookies with Python Tornado, in both directions (Java signs → Python verifies,
# Python signs → Java verifies, same bytes for the same clock): runs tornado-web's SignedValueInteropTest with
# -Dtornado.interop.python. Needs a python3 that imports tornado; tries `apt-get install python3-tornado` when
# none does and skips (exit 0) when that is impossible. The committed vectors (SignedValueVectorsTest) run in
# every build regardless.
#
# Usage: .ci/interop-signed-cookies.sh [extra maven arguments, e.g. -o]
# Env:   PYTHON=/path/to/python3 to choose the interpreter; INTEROP_REQUIRED=1 to fail instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local candidates=()
    if [ -n "${PYTHON:-}" ]; then candidates+=("$PYTHON"); fi
    candidates+=(/usr/bin/python3 "$(command -v python3 2>/dev/null || true)")
    local p
    for p in "${candidates[@]}"; do
        if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import tornado' >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

python=$(find_python || true)
if [ -z "$python" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== python3-tornado missing: trying apt-get install python3-tornado"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q python3-tornado; } || echo "   (could not install python3-tornado)"
    python=$(find_python || true)
fi
if [ -z "$python" ]; then
    if [ "${INTEROP_REQUIRED:-0}" = "1" ]; then
        echo "== no python3 with tornado: interop check FAILED (INTEROP_REQUIRED=1)" >&2
        exit 1
    fi
    echo "== no python3 with tornado: live signed-cookie interop check skipped"
    exit 0
fi

echo "== signed-cookie interop with $("$python" -c 'import sys, tornado; print("Python", sys.version.split()[0], "Tornado", tornado.version)') ($python)"
# -am builds the modules tornado-web needs (their tests are not run: -Dtest selects one class).
mvn -B -pl tornado-web -am test \
    -Dtest=SignedValueInteropTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtornado.interop.python="$python" "$@"

report=tornado-web/target/surefire-reports/TEST-io.tornadoj.web.SignedValueInteropTest.xml
if [ ! -f "$report" ] || ! grep -q 'tests="1" errors="0" skipped="0" failures="0"' "$report"; then
    echo "== SignedValueInteropTest did not run and pass" >&2
    exit 1
fi
echo "== signed-cookie interop OK"
