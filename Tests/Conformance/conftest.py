"""Fixtures for the sandbox conformance tests.

* ``repo_root`` / ``fixtures_dir``: the recorded Coder v2.27.1 cassettes live next to the repo, at
  ``<repo>/../shared/fixtures/coder-v2.27.1``.
* ``sandbox``: starts ``fleet-mcp sandbox`` (binary from ``$FLEET_MCP_BIN`` or
  ``<repo>/.build/debug/fleet-mcp``) on a free port, emulating Coder 2.27, and stops it with SIGTERM.
* ``launch``: starts more sandboxes (another version, other flags) for one test.

When the binary (or the fixtures) are missing the tests are skipped, except under ``CI=true`` where
they fail: CI must never silently skip the conformance check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conformance_support import (FIXTURES_DIR, SANDBOX_TIME_SCALE, SANDBOX_CODER_VERSION, SANDBOX_TOKEN,
                                 REPO_ROOT, SandboxClient, binary_path)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> None:
    """Fail under CI=true, skip otherwise."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: refusing to skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES_DIR.is_dir() or not any(FIXTURES_DIR.glob("*.yaml")):
        unavailable(f"recorded Coder fixtures not found at {os.path.normpath(FIXTURES_DIR)}")
    return FIXTURES_DIR


# --------------------------------------------------------------------------------------------
# Sandbox process
# --------------------------------------------------------------------------------------------


def _wait_for_binary(path: Path, seconds: float = 15.0) -> bool:
    """The binary may be rebuilt under us; give it a moment to reappear."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and os.access(path, os.X_OK):
            return True
        time.sleep(0.5)
    return path.is_file() and os.access(path, os.X_OK)


class LaunchedSandbox:
    """A `fleet-mcp sandbox` process on a free port; `stop()` ends it with SIGTERM."""

    def __init__(self, version: str, extra: list[str] | None = None) -> None:
        binary = binary_path()
        # The default build output may be mid-relink when we look; an explicit FLEET_MCP_BIN is taken as is.
        wait = 15.0 if "FLEET_MCP_BIN" not in os.environ and binary.parent.is_dir() else 0.0
        if not _wait_for_binary(binary, wait):
            unavailable(f"fleet-mcp binary not found at {binary} (set FLEET_MCP_BIN or build the package)")
        self.tmpdir = tempfile.TemporaryDirectory(prefix="fleet-conformance-")
        self.dir = Path(self.tmpdir.name)
        port_file = self.dir / "port"
        self.log_path = self.dir / "sandbox.log"
        self.cmd = [str(binary), "sandbox", "--port", "0", "--port-file", str(port_file),
                    "--token", SANDBOX_TOKEN, "--coder-version", version, *(extra or ["--time-scale", SANDBOX_TIME_SCALE])]
        self.log = open(self.log_path, "wb")
        self.proc = None
        for attempt in range(5):  # ETXTBSY / ENOENT while the binary is being relinked
            try:
                self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                break
            except OSError as err:
                if attempt == 4:
                    self.log.close()
                    self.tmpdir.cleanup()
                    pytest.fail(f"could not start {binary}: {err}", pytrace=False)
                time.sleep(1.0)
        assert self.proc is not None
        port = None
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                text = port_file.read_text().strip()
                if text.isdigit():
                    port = int(text)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        if port is None:
            code = self.proc.poll()
            if code is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            out = self.log_path.read_text(errors="replace")[-4000:]
            self.tmpdir.cleanup()
            pytest.fail(f"sandbox did not write its port file (exit code {code}). Command: {' '.join(self.cmd)}\n"
                        f"output:\n{out}", pytrace=False)
        self.client = SandboxClient(f"http://127.0.0.1:{port}", SANDBOX_TOKEN)
        self.client.output = self.output  # type: ignore[attr-defined]

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> int | None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        code = self.proc.returncode if self.proc is not None else None
        self.tmpdir.cleanup()
        return code


@pytest.fixture(scope="session")
def sandbox(fixtures_dir: Path):
    """The sandbox emulating Coder 2.27, compared with the recordings."""
    launched = LaunchedSandbox(SANDBOX_CODER_VERSION)
    try:
        yield launched.client
    finally:
        launched.stop()


@pytest.fixture(scope="module")
def launch():
    """Starts sandboxes with other versions or flags; all stopped at the end of the test module."""
    started: list[LaunchedSandbox] = []

    def start(version: str, extra: list[str] | None = None) -> LaunchedSandbox:
        started.append(LaunchedSandbox(version, extra))
        return started[-1]

    yield start
    for launched in started:
        launched.stop()
