"""Fixtures for the interoperability tests; the helpers they use are in interop_support.py.

* ``sandboxes``: per-module ``fleet-mcp sandbox`` processes, one per emulated Coder version, started on first use.
* ``server_log``: a file for an MCP server's stderr.
* ``anyio_backend``: the async tests run on asyncio (anyio's pytest plugin, which comes with ``mcp``).

Without CI a missing prerequisite (binary, venv packages) skips with the reason; with CI=true it fails.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from interop_support import Sandbox, start_sandbox


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory) -> Iterator[Any]:
    """Per-module sandboxes: `sandboxes("2.27")` starts one emulating that Coder version on first use.

    Each test module gets fresh sandboxes (a clean seed: user alice, projects webshop and platform, no agents),
    shared by the module's tests; they are stopped when the module ends.
    """
    started: dict[str, Sandbox] = {}
    directory = tmp_path_factory.mktemp("sandboxes")

    def get(version: str) -> Sandbox:
        if version not in started:
            started[version] = start_sandbox(version, directory)
        return started[version]

    yield get
    for sandbox in started.values():
        sandbox.close()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server_log(tmp_path) -> Iterator[Any]:
    """A file for an MCP server's stderr (kept in pytest's tmp dir for a post-mortem)."""
    path = tmp_path / "server-stderr.log"
    with open(path, "w") as handle:
        yield handle


