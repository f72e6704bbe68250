"""A tiny newline-delimited JSON-RPC client for `fleet-mcp serve` over a pipe, fast enough for 10,000 calls.

The official MCP SDK client (used in test_tool_fuzz.py for a few hundred calls, to prove interop) costs a few
milliseconds of Python per call; this one writes raw lines and matches answers by id on a reader thread, so many
requests can be in flight at once. It also keeps every line the server writes that is not an answer to a known
request (notifications, answers with ids nobody sent, non-JSON output), for the JSON-RPC edge tests.
"""
from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interop_support import stop_process

PROTOCOL_VERSION = "2025-06-18"


def id_key(request_id: Any) -> str:
    """A hashable key for any JSON id (numbers, strings, null, objects)."""
    return json.dumps(request_id, sort_keys=True)


@dataclass
class Pending:
    """A request waiting for its answer."""

    request_id: Any
    sent_at: float
    done: threading.Event = field(default_factory=threading.Event)
    response: dict | None = None


class ServerDied(Exception):
    """The server process exited (or closed stdout) while a request was waiting."""


class RpcPipe:
    """One `fleet-mcp serve` process, spoken to in raw JSON-RPC lines."""

    def __init__(self, argv: list[str], env: dict[str, str], stderr_path: Path) -> None:
        self.argv = argv
        self.stderr_path = stderr_path
        self._stderr = open(stderr_path, "wb")
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        self._lock = threading.Lock()
        self._pending: dict[str, Pending] = {}
        self.unmatched: list[Any] = []   # parsed messages that answer no pending request (and notifications)
        self.garbage: list[bytes] = []   # stdout lines that are not JSON
        self.any_output = threading.Event()
        self.closed = threading.Event()
        self.completions: queue.Queue[Pending | None] = queue.Queue()  # answered requests; None once stdout closed
        self._next_id = 0
        self._outgoing: queue.Queue[bytes | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True, name="rpc-pipe-reader")
        self._reader.start()
        self._writer = threading.Thread(target=self._write, daemon=True, name="rpc-pipe-writer")
        self._writer.start()

    # Reading.
    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except ValueError:
                with self._lock:
                    self.garbage.append(line[:2000])
                self.any_output.set()
                continue
            self._deliver(message)
            self.any_output.set()
        self.closed.set()
        with self._lock:
            waiting = list(self._pending.values())
        for pending in waiting:
            pending.done.set()
        self.completions.put(None)

    def _deliver(self, message: Any) -> None:
        pending = None
        if isinstance(message, dict) and "id" in message and ("result" in message or "error" in message):
            with self._lock:
                pending = self._pending.pop(id_key(message["id"]), None)
        if pending is None:
            with self._lock:
                self.unmatched.append(message)
            return
        pending.response = message
        pending.done.set()
        self.completions.put(pending)

    # Writing: on a thread of its own, so that a server that stops reading stdin cannot block the test.
    def _write(self) -> None:
        assert self.process.stdin is not None
        while (data := self._outgoing.get()) is not None:
            try:
                self.process.stdin.write(data)
                self.process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                return

    def write_raw(self, data: bytes) -> None:
        """Queues bytes to be written as they are (the caller adds the newline)."""
        self._outgoing.put(data)

    def send(self, method: str, params: Any = None, request_id: Any = ..., raw: bytes | None = None) -> Pending:
        """Sends a request (an id is chosen when none is given); `raw` replaces the encoded line."""
        if request_id is ...:
            with self._lock:
                self._next_id += 1
                request_id = self._next_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        pending = Pending(request_id=request_id, sent_at=time.monotonic())
        with self._lock:
            self._pending[id_key(request_id)] = pending
        self.write_raw((raw if raw is not None else json.dumps(message, ensure_ascii=False).encode()) + b"\n")
        return pending

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.write_raw(json.dumps(message).encode() + b"\n")

    def wait(self, pending: Pending, timeout: float) -> dict | None:
        """The answer, or None after `timeout` s; raises ServerDied when the process is gone without answering."""
        pending.done.wait(timeout)
        if pending.response is not None:
            return pending.response
        if self.closed.is_set() or self.process.poll() is not None:
            raise ServerDied(self.exit_description())
        return None

    def request(self, method: str, params: Any = None, timeout: float = 30) -> dict:
        response = self.wait(self.send(method, params), timeout)
        if response is None:
            raise TimeoutError(f"{method}: no answer within {timeout} s")
        return response

    def initialize(self) -> dict:
        response = self.request("initialize", {"protocolVersion": PROTOCOL_VERSION, "capabilities": {},
                                               "clientInfo": {"name": "fleet-mcp-fuzz", "version": "1"}})
        assert "result" in response, f"initialize failed: {response}"
        self.notify("notifications/initialized")
        return response["result"]

    def forget(self, pending: Pending) -> None:
        """Stops waiting for a request (a hang that was recorded)."""
        with self._lock:
            self._pending.pop(id_key(pending.request_id), None)

    # Life cycle.
    def alive(self) -> bool:
        return self.process.poll() is None and not self.closed.is_set()

    def exit_description(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        tail = self.stderr_tail()
        return f"exit status {code}; stderr tail: {tail}"

    def stderr_tail(self, limit: int = 600) -> str:
        self._stderr.flush()
        try:
            text = self.stderr_path.read_bytes()[-4000:].decode(errors="replace")
        except OSError:
            return ""
        lines = [line for line in text.splitlines() if line.strip()]
        fatal = [line for line in lines if "Fatal error" in line or "fatal" in line.lower()]
        return (" | ".join(fatal) if fatal else " | ".join(lines[-3:]))[-limit:]

    def responsive(self, timeout: float = 5) -> bool:
        """Whether the server still answers a ping."""
        try:
            response = self.wait(self.send("ping"), timeout)
        except ServerDied:
            return False
        return response is not None

    def close(self) -> None:
        self._outgoing.put(None)
        self._writer.join(timeout=2)
        if self._writer.is_alive():  # blocked writing to a server that no longer reads: end it first
            stop_process(self.process, grace=1)
            self._writer.join(timeout=5)
        try:
            if self.process.stdin and not self.process.stdin.closed:
                self.process.stdin.close()  # end of input: a healthy server exits
        except (OSError, ValueError):
            pass
        stop_process(self.process, grace=3)
        self._reader.join(timeout=5)
        self._stderr.close()
