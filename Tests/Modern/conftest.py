"""MCP 2026-07-28 interop: the official Python SDK 2.x (`mcp==2.3.0`, in its own venv, `.venv2`) against fleet-mcp
over stdio and Streamable HTTP. Reuses the sandbox and server helpers of Tests/Interop."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Interop"))

import pytest  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
