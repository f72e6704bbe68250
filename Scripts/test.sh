#!/usr/bin/env bash
# Runs every test: the Swift suites, plus the interoperability tests that drive fleet-mcp and the sandbox
# with clients nobody here wrote (the official Python MCP SDK and the reference setup-fleet-mcp 0.12.1).
# The Python clients live in .venv (created here on first use, from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FLEET_MCP_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import mcp, fleet_mcp, jsonschema, pytest' 2>/dev/null; then
  echo "==> installing the Python interop clients into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "mcp>=1.20,<2" "setup-fleet-mcp==0.12.1" pyyaml pytest
fi
export FLEET_MCP_PYTHON="$PWD/$VENV/bin/python"
swift build --build-tests
swift test --skip-build "$@"
# Interop: the official MCP SDK and the reference implementation against fleet-mcp and its sandbox (Tests/Interop).
"$VENV/bin/python" -m pytest -q Tests/Interop
