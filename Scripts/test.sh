#!/usr/bin/env bash
# Runs every test: the Swift suites, then the Python suites that drive fleet-mcp and its sandbox with clients
# nobody here wrote (the official Python MCP SDK, the reference setup-fleet-mcp 0.12.1) and compare the sandbox
# with recorded real Coder traffic. The Python packages live in .venv (created here on first use, from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FLEET_MCP_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import mcp, fleet_mcp, pytest, jsonschema, yaml' 2>/dev/null; then
  echo "==> installing the Python test clients into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "setup-fleet-mcp==0.12.1" "mcp>=1.20,<2" pyyaml pytest jsonschema
fi
# The MCP 2026-07-28 client (the Python SDK 2.x) cannot share a venv with 1.x: it lives in .venv2 (Tests/Modern).
VENV2="${FLEET_MCP_VENV2:-.venv2}"
CHECK2='import importlib.metadata as m, httpx, pytest, anyio; assert m.version("mcp") == "2.3.0"'
if [ ! -x "$VENV2/bin/python" ] || ! "$VENV2/bin/python" -c "$CHECK2" 2>/dev/null; then
  echo "==> installing the MCP 2026-07-28 client (mcp 2.3.0) into $VENV2" >&2
  python3 -m venv "$VENV2"
  "$VENV2/bin/pip" install --quiet --disable-pip-version-check "mcp==2.3.0" httpx anyio pytest pyyaml
fi
export FLEET_MCP_PYTHON="$PWD/$VENV/bin/python"
export FLEET_MCP_BIN="$PWD/.build/debug/fleet-mcp"
swift build --build-tests
swift test --skip-build "$@"
# The sandbox against recorded Coder v2.27.1 traffic (Tests/Conformance), interoperability (Tests/Interop), then the fuzz.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/Conformance
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/Interop
# MCP 2026-07-28 with the Python SDK 2.3.0, pinned and in auto mode, over stdio and Streamable HTTP.
"$VENV2/bin/python" -m pytest -q -p no:cacheprovider Tests/Modern
# 10,000 hostile tool calls and malformed JSON-RPC (Tests/Fuzz/README.md): about 100 s.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/Fuzz
