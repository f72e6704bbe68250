"""Shared helpers for the interoperability tests (fixtures are in conftest.py).

These tests drive fleet-mcp and its Coder sandbox with clients nobody in this repository wrote: the official
MCP Python SDK and the reference implementation `setup-fleet-mcp==0.12.1`. They need:

* the fleet-mcp binary: $FLEET_MCP_BIN, else `<repo>/.build/debug/fleet-mcp` (built by `swift build`);
* a Python with `mcp` (which brings `jsonschema`, `httpx` and `anyio`), `pytest`, and for the reference tests
  `setup-fleet-mcp` installed in the same environment (its console script next to sys.executable).

`Scripts/test.sh` creates such a venv. Outside CI a missing prerequisite skips with the reason; with CI=true it
fails, so a broken CI setup can never pass by skipping everything.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").strip().lower() == "true"

# Simulated agents run at 1/20 of real time: an agent is ready about 0.2 s after its workspace is created.
AGENT_SPEED = "0.05"


def require(condition: Any, reason: str) -> None:
    """A missing prerequisite: fail in CI (CI=true), skip elsewhere."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing (CI=true, so this fails instead of skipping): {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str) -> Any:
    """Imports a module the tests need, or fails (CI) / skips with a clear reason."""
    try:
        return importlib.import_module(name)
    except ImportError as error:  # pragma: no cover - depends on the environment
        require(False, f"Python module '{name}' is not importable from {sys.executable} ({error}); "
                       f"create the venv with Scripts/test.sh or pip install 'mcp>=1.20,<2' setup-fleet-mcp==0.12.1 pytest")


_MISSING_BINARIES: set[Path] = set()


def _runs(path: Path) -> bool:
    """Whether the binary starts (`--version`); false while it is missing or half-written by a relink."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        return False
    try:
        return subprocess.run([str(path), "--version"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def fleet_binary() -> Path:
    """The fleet-mcp binary under test. Waits up to 20 s when it is missing or does not start: a concurrent
    `swift build` may be relinking it."""
    configured = os.environ.get("FLEET_MCP_BIN")
    path = Path(configured) if configured else REPO_ROOT / ".build" / "debug" / "fleet-mcp"
    if path in _MISSING_BINARIES:  # waited once already this run
        require(_runs(path), f"fleet-mcp binary not found or not runnable at {path} (run `swift build`, or set FLEET_MCP_BIN)")
        return path
    deadline = time.monotonic() + 20
    while not _runs(path):
        if time.monotonic() >= deadline:
            _MISSING_BINARIES.add(path)
            require(False, f"fleet-mcp binary not found or not runnable at {path} (run `swift build`, or set FLEET_MCP_BIN)")
        time.sleep(0.5)
    return path


def reference_server() -> Path:
    """The reference implementation's stdio console script, from the same venv as this Python."""
    require_module("fleet_mcp")
    script = Path(sys.executable).with_name("setup-fleet-mcp")
    require(script.is_file(), f"setup-fleet-mcp console script not found next to {sys.executable} "
                              f"(pip install setup-fleet-mcp==0.12.1 into that venv)")
    return script


@dataclass
class Sandbox:
    """A running `fleet-mcp sandbox`, with a small HTTP client for checking what it holds."""

    url: str
    token: str
    version: str
    process: subprocess.Popen
    log: Path
    _http: Any = field(default=None, repr=False)

    @property
    def http(self) -> Any:
        if self._http is None:
            httpx = require_module("httpx")
            self._http = httpx.Client(base_url=self.url, headers={"Coder-Session-Token": self.token}, timeout=10)
        return self._http

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params or None)
        assert response.status_code == 200, f"GET {path} {params} -> {response.status_code}: {response.text[:500]}"
        return response.json()

    def get_raw(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params=params or None)

    # What the sandbox holds, the way any Coder client would read it.
    def templates(self) -> list[dict]:
        return self.get("/api/v2/templates")

    def template(self, display_name: str) -> dict:
        matches = [t for t in self.templates() if t["display_name"].lower() == display_name.lower()]
        assert len(matches) == 1, f"template {display_name!r} in sandbox: {[t['display_name'] for t in self.templates()]}"
        return matches[0]

    def presets(self, template: dict) -> list[dict]:
        return self.get(f"/api/v2/templateversions/{template['active_version_id']}/presets")

    def workspaces(self) -> list[dict]:
        body = self.get("/api/v2/workspaces")
        assert body["count"] == len(body["workspaces"])
        return body["workspaces"]

    def workspace_named(self, name: str) -> dict | None:
        found = [w for w in self.workspaces() if w["name"] == name]
        return found[0] if found else None

    def workspace(self, workspace_id: str, include_deleted: bool = False) -> dict:
        if include_deleted:
            return self.get(f"/api/v2/workspaces/{workspace_id}", include_deleted="true")
        return self.get(f"/api/v2/workspaces/{workspace_id}")

    @staticmethod
    def app_statuses(workspace: dict) -> list[dict]:
        """Every status report of the Claude Code (AgentAPI, slug ccw) app of a workspace."""
        statuses: list[dict] = []
        for resource in workspace["latest_build"].get("resources") or []:
            for agent in resource.get("agents") or []:
                for app in agent.get("apps") or []:
                    if app.get("slug") == "ccw":
                        statuses.extend(app.get("statuses") or [])
        return statuses

    def agentapi(self, workspace: dict, path: str) -> dict:
        """Reads the workspace's AgentAPI through Coder's path-based app proxy (messages, status)."""
        return self.get(f"/@{workspace['owner_name']}/{workspace['name']}/apps/ccw/{path}")

    async def wait_until(self, predicate, what: str, timeout: float = 20, interval: float = 0.05) -> Any:
        """Polls `predicate` (sync or async) until it returns something truthy; fails with `what` after `timeout` s."""
        import anyio
        import inspect

        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            last = predicate()
            if inspect.isawaitable(last):
                last = await last
            if last:
                return last
            await anyio.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        stop_process(self.process)


def stop_process(process: subprocess.Popen, grace: float = 5) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; only the process this suite started."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def start_sandbox(version: str, directory: Path, extra_args: list[str] | tuple[str, ...] = ()) -> Sandbox:
    """Starts `fleet-mcp sandbox` on a free loopback port and waits until it answers (`extra_args` are added to its
    command line)."""
    binary = fleet_binary()
    directory.mkdir(parents=True, exist_ok=True)
    port_file = directory / f"sandbox-{version}.port"
    log = directory / f"sandbox-{version}.log"
    port_file.unlink(missing_ok=True)
    token = f"{secrets.token_hex(5)}-{secrets.token_hex(11)}"  # Coder API key shape: <id>-<secret>
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(binary), "sandbox", "--port", "0", "--port-file", str(port_file), "--token", token,
             "--agent-speed", AGENT_SPEED, "--coder-version", version, *extra_args],
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    port = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"fleet-mcp sandbox exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        if port_file.exists():
            port = port_file.read_text().strip()
            if port.isdigit():
                break
        time.sleep(0.05)
    else:
        stop_process(process)
        raise AssertionError(f"fleet-mcp sandbox wrote no port file within 20 s: {log.read_text(errors='replace')[-2000:]}")
    sandbox = Sandbox(url=f"http://127.0.0.1:{port}", token=token, version=version, process=process, log=log)
    try:
        info = sandbox.get("/api/v2/buildinfo")
        assert info["version"].startswith(f"v{version}"), info
    except BaseException:
        sandbox.close()
        raise
    return sandbox


def result_json(result: Any) -> Any:
    """The JSON a tool result carries in its text content."""
    texts = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    assert texts, f"tool result has no text content: {result}"
    return json.loads(texts[0])


def result_text(result: Any) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text")


@contextlib.asynccontextmanager
async def plain_errors() -> Any:
    """Re-raises the single failure inside anyio's exception groups, so pytest shows the assertion, not the group."""
    try:
        yield
    except BaseException as error:  # noqa: BLE001 - re-raised
        leaf = error
        while hasattr(leaf, "exceptions") and len(leaf.exceptions) == 1:
            leaf = leaf.exceptions[0]
        if leaf is error:
            raise
        raise leaf from None
