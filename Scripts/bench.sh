#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: a release build of fleet-mcp and fleet-bench, the reference implementation
# (setup-fleet-mcp 0.12.1 from PyPI) in .venv-bench, then the whole sweep. Extra arguments go to fleet-bench
# (e.g. --repetitions 5, or --smoke).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FLEET_BENCH_VENV:-.venv-bench}"
if [ ! -x "$VENV/bin/setup-fleet-mcp" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "setup-fleet-mcp==0.12.1"
fi
# SWIFT_BUILD_LOCK=/path: builds wait for that lock (machines where several checkouts build in turn).
build() { if [ -n "${SWIFT_BUILD_LOCK:-}" ]; then flock "$SWIFT_BUILD_LOCK" swift build "$@"; else swift build "$@"; fi; }
build -c release --product fleet-mcp
build -c release --product fleet-bench
.build/release/fleet-bench --fleet-mcp .build/release/fleet-mcp --reference "$VENV/bin/setup-fleet-mcp" \
  --json benchmarks/latest.json --markdown benchmarks/latest.md "$@"
