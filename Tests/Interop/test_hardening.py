"""The team server under attack (issue 22), loopback only and bounded: half-open connections, slow headers and
bodies, stalled bodies holding concurrency permits, and stateful sessions that grow without bound.

Every attack here is aimed at a fleet-mcp this test started on 127.0.0.1 and nothing else.
"""
from __future__ import annotations

import asyncio
import json
import resource
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from http_support import ALICE_BEARER, BOB_BEARER, Process, serve_http, start_team_sandbox
from interop_support import require_module

anyio = require_module("anyio")
httpx = require_module("httpx")

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
ALICE = {**HEADERS, "Authorization": f"Bearer {ALICE_BEARER}"}
LIST_AGENTS = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "list_agents", "arguments": {}}}


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Any:
    directory = tmp_path_factory.mktemp("hardening")
    sandbox = start_team_sandbox(directory)
    servers: list[Process] = []

    class Team:
        def serve(self, name: str, *extra: str, preexec_fn: Any = None) -> Process:
            server = serve_http(sandbox, directory, name, *extra, preexec_fn=preexec_fn)
            servers.append(server)
            return server

    try:
        yield Team()
    finally:
        for server in servers:
            server.close()
        sandbox.close()


def base(server: Process) -> str:
    return f"http://127.0.0.1:{server.port}"


def half_open(port: int, text: bytes = b"GET /healthz HTTP/1.1\r\nHost: x\r\n", timeout: float = 5) -> socket.socket | None:
    """A connection that sends the start of a request and then nothing; None when it could not be made."""
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        connection.sendall(text)
        return connection
    except OSError:
        return None


def closed_by_server(connection: socket.socket, within: float) -> bool:
    """Whether the server closes `connection` within `within` seconds (whatever it sends before)."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            if connection.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_half_open_connections_leave_service_to_users(team) -> None:
    """2,000 half-open connections against a server with systemd's default 1,024 descriptors: before issue 22 they
    took every descriptor (every call and /healthz timed out); now the oldest idle one makes room for each new one."""
    wanted = 2000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted + 200:
        if hard < wanted + 200 and hard != resource.RLIM_INFINITY:
            pytest.skip(f"this process may open only {hard} descriptors")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted + 500, hard))

    def systemd_default() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    server = team.serve("half-open", preexec_fn=systemd_default)
    held: list[socket.socket] = []
    try:
        # Bounded: a server out of descriptors stops accepting, and then each connect waits for its timeout.
        budget = time.monotonic() + 30
        for _ in range(wanted):
            if time.monotonic() > budget:
                break
            connection = half_open(server.port, timeout=1)
            if connection:
                held.append(connection)
        started = time.monotonic()
        with httpx.Client(timeout=10) as client:
            health = client.get(base(server) + "/healthz")
            assert health.status_code == 200
            answer = client.post(server.url, json=LIST_AGENTS, headers={**ALICE, "Accept": "application/json"})
            assert answer.status_code == 200, answer.text
            assert "agents" in answer.json()["result"]["content"][0]["text"]
        elapsed = time.monotonic() - started
        assert elapsed < 10
        with httpx.Client(timeout=10) as client:
            metrics = client.get(base(server) + "/metrics").text
        assert metric(metrics, "fleet_mcp_http_rejections_total", reason="connection_evicted") >= wanted - 1024
        print(f"\n{wanted} half-open connections held; /healthz and tools/call answered in {elapsed * 1000:.0f} ms")
    finally:
        for connection in held:
            connection.close()


def test_slow_headers_and_idle_connections_are_closed(team) -> None:
    server = team.serve("timeouts", "--header-timeout", "1", "--idle-timeout", "1", "--body-timeout", "1")
    trickle = half_open(server.port)
    assert trickle is not None
    started = time.monotonic()
    assert closed_by_server(trickle, within=5), "a request head that never ends is cut at the header timeout"
    assert time.monotonic() - started < 4
    trickle.close()
    # A kept-alive connection after its answer.
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert b"200" in idle.recv(4096)
    assert closed_by_server(idle, within=5)
    idle.close()


def test_stalled_bodies_hold_no_permit(team) -> None:
    """Before issue 22, a POST whose body never came held one of the user's 16 permits for good (16 of them: 429
    for that user until restart). Now the body is read before the permit is taken, within the body timeout."""
    server = team.serve("stalled", "--max-concurrent-per-user", "2", "--body-timeout", "2")
    head = (f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ALICE_BEARER}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\"").encode()
    stalled = [half_open(server.port, head) for _ in range(4)]
    assert all(stalled)
    time.sleep(0.3)
    with httpx.Client(timeout=10) as client:
        answer = client.post(server.url, json=LIST_AGENTS, headers={**ALICE, "Accept": "application/json"})
        assert answer.status_code == 200, f"a stalled body takes no permit: {answer.status_code} {answer.text}"
    for connection in stalled:
        assert closed_by_server(connection, within=6), "the body timeout ends a stalled body"
        connection.close()
    # A client that goes away mid-body is not a body that was too large.
    gone = half_open(server.port, head)
    assert gone is not None
    gone.close()
    time.sleep(0.5)
    with httpx.Client(timeout=10) as client:
        metrics = client.get(base(server) + "/metrics").text
    assert metric(metrics, "fleet_mcp_http_rejections_total", reason="body_too_large") == 0
    assert metric(metrics, "fleet_mcp_http_rejections_total", reason="body_incomplete") >= 5


async def open_session(client: Any, url: str, headers: dict[str, str]) -> Any:
    return await client.post(url, json=INITIALIZE, headers=headers)


@pytest.mark.anyio
async def test_sessions_per_user_are_bounded(team) -> None:
    server = team.serve("sessions", "--stateful", "--max-sessions-per-user", "3")
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(3):
            assert (await open_session(client, server.url, ALICE)).status_code == 200
        refused = await open_session(client, server.url, ALICE)
        assert refused.status_code == 429, "one user cannot take every session of the server"
        assert "Retry-After" in refused.headers
        bob = await open_session(client, server.url, {**HEADERS, "Authorization": f"Bearer {BOB_BEARER}"})
        assert bob.status_code == 200, "another user still gets one"


@pytest.mark.anyio
async def test_a_stateful_session_does_not_keep_every_response(team) -> None:
    """2,000 calls in one session: before issue 22 its transport kept every response for Last-Event-ID (53 to 141
    MiB for 2,000 history calls); now delivered responses are dropped and what stays is bounded."""
    server = team.serve("stateful-memory", "--stateful")
    tools_list = {"jsonrpc": "2.0", "method": "tools/list"}

    async with httpx.AsyncClient(timeout=30) as client:
        opened = await open_session(client, server.url, ALICE)
        assert opened.status_code == 200
        headers = {**ALICE, "Mcp-Session-Id": opened.headers["mcp-session-id"], "MCP-Protocol-Version": "2025-06-18"}
        await client.post(server.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
        next_id = 10

        async def calls(count: int) -> int:
            nonlocal next_id
            size = 0
            for _ in range(count):
                next_id += 1
                answer = await client.post(server.url, json={**tools_list, "id": next_id}, headers=headers)
                assert answer.status_code == 200
                size = len(answer.content)
            return size

        await calls(200)
        await asyncio.sleep(0.5)
        before = rss_kib(server.process.pid)
        size = await calls(2000)
        await asyncio.sleep(0.5)
        after = rss_kib(server.process.pid)
    grown = (after - before) / 1024
    print(f"\n2,000 tools/list answers of {size / 1024:.0f} KiB in one session: RSS {before / 1024:.1f} -> {after / 1024:.1f} MiB")
    assert grown < 5, f"RSS grew {grown:.1f} MiB over 2,000 calls in one session"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
