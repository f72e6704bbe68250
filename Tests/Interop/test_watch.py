"""`fleet-mcp watch --notify` against a local HTTP receiver: each attention event delivered once, retried after a
receiver that fails twice, nothing for agents that did not change, nothing repeated across a watcher restart."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from interop_support import fleet_binary, require_module, stop_process
from test_attention import session

pytestmark = pytest.mark.anyio
anyio = require_module("anyio")


class Receiver:
    """A webhook that fails its first `failures` POSTs with 500, then accepts and records them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0
        self.accepted: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.attempts += 1
                    fail = receiver.attempts <= receiver.failures
                    if not fail:
                        receiver.accepted.append(json.loads(body))
                self.send_response(500 if fail else 204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pairs(self) -> list[tuple[str, str]]:
        with self.lock:
            return [(body["event"]["agent"], body["event"]["new_status"]) for body in self.accepted]

    def close(self) -> None:
        self.server.shutdown()


def start_watch(sandbox, receiver: Receiver, state: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, CODER_URL=sandbox.url, CODER_SESSION_TOKEN=sandbox.token)
    env.pop("CODER_TOKEN", None)
    with open(log, "ab") as output:
        return subprocess.Popen(
            [str(fleet_binary()), "watch", "--notify", receiver.url, "--state", str(state), "--interval", "0.2"],
            env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)


async def test_watch_notifies_each_event_once_with_retries_and_restarts(sandboxes, server_log, tmp_path) -> None:
    sandbox = sandboxes("2.35")
    receiver = Receiver(failures=2)
    state, log = tmp_path / "watch-state.json", tmp_path / "watch.log"
    watcher = None
    try:
        with anyio.fail_after(90):
            async with session(sandbox, server_log) as fleet:
                # An agent that finished before the watcher started is old news.
                await fleet.call("create_agent", {"name": "old", "project": "webshop", "task": "Add a changelog entry"})
                await fleet.call("wait_for_agent", {"agent_name": "old", "until": "complete", "timeout_seconds": 30})
                watcher = start_watch(sandbox, receiver, state, log)
                await sandbox.wait_until(lambda: state.exists(), "the watcher's first look at the fleet", timeout=15)
                await fleet.call("create_agent", {"name": "w1", "project": "webshop", "task": "Fix the cart badge"})
                await fleet.call("create_agent", {"name": "w2", "project": "webshop", "task": "[needs-input] Which currency"})
                await sandbox.wait_until(lambda: {("w1", "complete"), ("w2", "needs_input")} <= set(receiver.pairs()),
                                         "both events delivered", timeout=40)
                # A restarted watcher continues from its state file.
                stop_process(watcher)
                watcher = start_watch(sandbox, receiver, state, log)
                await fleet.call("start_agent_task", {"agent_name": "w2", "task_description": "Euro, and fix the total"})
                await sandbox.wait_until(lambda: ("w2", "complete") in receiver.pairs(), "the answer's completion", timeout=40)
                time.sleep(1)  # a few more polls: nothing else may arrive
    finally:
        if watcher is not None:
            stop_process(watcher)
        receiver.close()
    pairs = receiver.pairs()
    assert not [pair for pair, count in Counter(pairs).items() if count > 1], f"delivered twice: {pairs}"
    assert all(agent != "old" for agent, _ in pairs), f"an unchanged agent was notified: {pairs}"
    assert receiver.attempts >= len(pairs) + 2, "the two failed deliveries were retried"
    assert json.loads(state.read_text())["pending"] == []
    assert sandbox.token not in log.read_text(errors="replace")
