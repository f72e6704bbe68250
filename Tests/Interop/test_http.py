"""fleet-mcp over MCP Streamable HTTP, driven by the official Python SDK's streamable-HTTP client and plain httpx.

One team sandbox (alice, a Coder admin, and bob, a member, each with their own session token) serves every test;
fleet-mcp runs as separate `serve --http` processes with a users file (each user's bearer token stored as SHA-256,
their own Coder token from the environment), in OAuth mode with a JWKS the test made, as two replicas, and stateful.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from http_support import (ALICE_BEARER, ALICE_CODER, BOB_BEARER, BOB_CODER, OAUTH_AUDIENCE, OAUTH_ISSUER, OAuthKeys, Process,
                          alternating_client, serve_http, sha256, start_team_sandbox)
from interop_support import fleet_binary, plain_errors, require_module, result_json, result_text

anyio = require_module("anyio")
httpx = require_module("httpx")
require_module("mcp")

pytestmark = pytest.mark.anyio

SNAPSHOT = json.loads((Path(__file__).resolve().parents[1] / "FleetMCPTests" / "__snapshots__" / "tools.json").read_text())
READ_ONLY = [tool["name"] for tool in SNAPSHOT if tool["annotations"]["readOnlyHint"]]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Any:
    directory = tmp_path_factory.mktemp("http")
    sandbox = start_team_sandbox(directory)
    servers: list[Process] = []

    class Team:
        def __init__(self) -> None:
            self.sandbox = sandbox
            self.directory = directory
            self.server = self.serve("main")

        def serve(self, name: str, *extra: str, users: bool = True) -> Process:
            server = serve_http(sandbox, directory, name, *extra, users=users)
            servers.append(server)
            return server

    try:
        yield Team()
    finally:
        for server in servers:
            server.close()
        sandbox.close()


@contextlib.asynccontextmanager
async def session(url: str, token: str | None, http_client: Any = None) -> AsyncIterator[Any]:
    """An initialized SDK session over streamable HTTP."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    client = http_client or httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"} if token else {},
                                              timeout=httpx.Timeout(30, read=60))
    async with plain_errors():
        async with client:
            async with streamable_http_client(url, http_client=client) as (read, write, _):
                async with ClientSession(read, write) as mcp_session:
                    await mcp_session.initialize()
                    yield mcp_session


async def call(mcp_session: Any, tool: str, arguments: dict | None = None, progress=None) -> dict:
    result = await mcp_session.call_tool(tool, arguments or {}, progress_callback=progress)
    assert not result.isError, f"{tool}({arguments}) failed: {result_text(result)}"
    return result_json(result)


async def refused(mcp_session: Any, tool: str, arguments: dict) -> str:
    result = await mcp_session.call_tool(tool, arguments)
    assert result.isError, f"{tool}({arguments}) should have been refused, got {result_text(result)}"
    return result_text(result)


async def ensure_agent(mcp_session: Any, name: str) -> dict:
    """Creates the agent unless it exists; returns show_agent once it has settled."""
    listed = await call(mcp_session, "list_agents")
    if name not in [agent["name"] for agent in listed["agents"]]:
        await call(mcp_session, "create_agent", {"name": name, "project": "Webshop", "task": "Tidy the README"})
    await call(mcp_session, "wait_for_agent", {"agent_name": name, "until": "settled", "timeout_seconds": 20})
    return await call(mcp_session, "show_agent", {"agent_name": name})


async def test_read_tools_and_progress(team) -> None:
    async with session(team.server.url, ALICE_BEARER) as alice:
        tools = [tool.name for tool in (await alice.list_tools()).tools]
        assert tools == [tool["name"] for tool in SNAPSHOT]
        await call(alice, "create_agent", {"name": "reader", "project": "Webshop", "task": "Explain the checkout flow"})
        updates: list[tuple[float, float | None, str | None]] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            updates.append((progress, total, message))

        waited = await call(alice, "wait_for_agent", {"agent_name": "reader", "until": "settled", "timeout_seconds": 20}, on_progress)
        assert waited["status"] in {"idle", "complete", "needs_input"}, waited
        assert updates, "wait_for_agent sent no progress notifications over HTTP"
        assert [p for p, _, _ in updates] == sorted(p for p, _, _ in updates)
        assert all("reader" in (message or "") for _, _, message in updates)
        arguments = {
            "list_agent_projects": {}, "list_agent_roles": {"project": "Webshop"}, "list_agents": {},
            "show_agent": {"agent_name": "reader"}, "show_agent_task_history": {"agent_name": "reader"},
            "show_agent_log": {"agent_name": "reader"}, "wait_for_agent": {"agent_name": "reader", "timeout_seconds": 1},
            "wait_for_fleet": {"timeout_seconds": 1},
        }
        assert set(arguments) == set(READ_ONLY), "every read tool is called"
        for tool in READ_ONLY:
            await call(alice, tool, arguments[tool])


async def test_rejections(team) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        missing = await client.post(team.server.url, json=INITIALIZE, headers=HEADERS)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer resource_metadata=")
        wrong = await client.post(team.server.url, json=INITIALIZE, headers={**HEADERS, "Authorization": "Bearer " + ALICE_BEARER[:-1] + "x"})
        assert wrong.status_code == 401
        assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
        assert ALICE_BEARER[:12] not in wrong.text
        foreign = await client.post(team.server.url, json=INITIALIZE,
                                    headers={**HEADERS, "Authorization": f"Bearer {ALICE_BEARER}", "Origin": "https://evil.example"})
        assert foreign.status_code == 403
        allowed = await client.post(team.server.url, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {ALICE_BEARER}"})
        assert allowed.status_code == 200, allowed.text
    # The SDK client itself gets no session with a wrong token.
    with pytest.raises(Exception) as failure:
        async with session(team.server.url, "not-a-token"):
            pass
    assert "401" in str(failure.value)
    log = team.server.log.read_text(errors="replace")
    assert ALICE_BEARER not in log and "not-a-token" not in log, "no token in the server's log"


async def test_oauth_tokens(team) -> None:
    keys = OAuthKeys(team.directory)
    server = team.serve("oauth", "--oauth-issuer", OAUTH_ISSUER, "--oauth-audience", OAUTH_AUDIENCE, "--jwks", str(keys.jwks))
    async with session(server.url, keys.token(email="bob@example.com")) as bob:
        listed = await call(bob, "list_agents")
        assert all(agent["owner"] == "bob" for agent in listed["agents"])
    (team.directory / "other").mkdir(exist_ok=True)
    other = OAuthKeys(team.directory / "other")
    async with httpx.AsyncClient(timeout=10) as client:
        for label, token in [("expired", keys.token(expires_in=-120)), ("wrong audience", keys.token(audience="https://elsewhere.test/mcp")),
                             ("wrong issuer", keys.token(issuer="https://evil.test")), ("unknown user", keys.token(email="eve@example.com")),
                             ("foreign key", keys.token(key=other.private_key))]:
            answer = await client.post(server.url, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, label
            challenge = answer.headers["www-authenticate"]
            assert 'resource_metadata="https://fleet.example.test/.well-known/oauth-protected-resource/mcp"' in challenge, (label, challenge)
        metadata = (await client.get(f"http://127.0.0.1:{server.port}/.well-known/oauth-protected-resource/mcp")).json()
        assert metadata["resource"] == OAUTH_AUDIENCE
        assert metadata["authorization_servers"] == [OAUTH_ISSUER]


async def test_users_see_only_their_own_agents(team) -> None:
    async with session(team.server.url, ALICE_BEARER) as alice, session(team.server.url, BOB_BEARER) as bob:
        mine = await ensure_agent(alice, "alice-private")
        theirs = await ensure_agent(bob, "bob-private")
        alice_agents = {agent["name"] for agent in (await call(alice, "list_agents"))["agents"]}
        bob_agents = {agent["name"] for agent in (await call(bob, "list_agents"))["agents"]}
        assert "alice-private" in alice_agents and "bob-private" not in alice_agents
        assert bob_agents == {"bob-private"}, bob_agents
        for actor, target in [(bob, mine), (alice, theirs)]:
            for reference in [target["agent"]["name"], target["agent"]["workspace_id"]]:
                await refused(actor, "show_agent", {"agent_name": reference})
                await refused(actor, "start_agent_task", {"agent_name": reference, "task_description": "Print your secrets"})
                await refused(actor, "cancel_agent_task", {"agent_name": reference})
                await refused(actor, "delete_agent", {"agent_name": reference})
        # Nothing happened to either agent.
        for owner, name in [(alice, "alice-private"), (bob, "bob-private")]:
            shown = await call(owner, "show_agent", {"agent_name": name})
            assert shown["agent"]["status"] in {"idle", "complete", "needs_input"}, shown["agent"]
    # The sandbox agrees: bob's Coder token cannot even read alice's workspace.
    answer = httpx.get(f"{team.sandbox.url}/api/v2/workspaces/{mine['agent']['workspace_id']}", headers={"Coder-Session-Token": BOB_CODER})
    assert answer.status_code == 404


async def test_two_replicas_one_conversation(team) -> None:
    replica = team.serve("replica")
    async with session(team.server.url, ALICE_BEARER) as alice:
        await ensure_agent(alice, "shared")
    client, used = alternating_client([team.server.url, replica.url], {"Authorization": f"Bearer {ALICE_BEARER}"})
    async with session(team.server.url, None, http_client=client) as alternating:
        answers = [await call(alternating, "show_agent", {"agent_name": "shared"}) for _ in range(4)]
        listed = [await call(alternating, "list_agents") for _ in range(2)]
        history = [await call(alternating, "show_agent_task_history", {"agent_name": "shared"}) for _ in range(2)]
    assert set(used) == {team.server.port, replica.port}, "requests went to both replicas"
    assert all(answer == answers[0] for answer in answers), "both replicas give the same show_agent"
    assert listed[0] == listed[1] and history[0] == history[1]


async def test_graceful_shutdown_loses_no_accepted_response(team) -> None:
    async with session(team.server.url, ALICE_BEARER) as alice:
        await ensure_agent(alice, "draining")
    server = team.serve("drain", "--max-concurrent-per-user", "64")

    def request(index: int) -> dict:
        if index % 2:
            params = {"name": "list_agents", "arguments": {}}
        else:
            params = {"name": "wait_for_agent", "arguments": {"agent_name": "draining", "until": "deleted", "timeout_seconds": 2}}
        return {"jsonrpc": "2.0", "id": index, "method": "tools/call", "params": params}

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    headers = {**HEADERS, "Authorization": f"Bearer {ALICE_BEARER}"}
    async with httpx.AsyncClient(timeout=30, limits=limits) as client, httpx.AsyncClient(timeout=5) as probe:
        async def send(index: int) -> tuple[str, Any]:
            try:
                answer = await client.post(server.url, json=request(index), headers=headers)
            except httpx.ConnectError:
                return "refused", None  # never accepted: the listener was closed
            except httpx.TransportError as error:
                return "reset", f"{index}: {type(error).__name__} {error}"
            assert answer.status_code == 200, answer.text
            return "answered", answer.json()

        async def received() -> tuple[float, float]:
            metrics = (await probe.get(f"http://127.0.0.1:{server.port}/metrics")).text
            flight = re.search(r"^fleet_mcp_tool_calls_in_flight (\S+)$", metrics, re.M)
            listed = re.search(r'^fleet_mcp_tool_calls_total\{tool="list_agents",outcome="ok"\} (\S+)$', metrics, re.M)
            return float(flight.group(1)) if flight else 0, float(listed.group(1)) if listed else 0

        accepted = [asyncio.create_task(send(index)) for index in range(24)]
        # SIGTERM once every request was received: the twelve 2-second waits are in flight (accepted calls whose
        # answers must still arrive) and the twelve lists are answered.
        for _ in range(200):
            if await received() == (12, 12):
                break
            await anyio.sleep(0.05)
        else:
            raise AssertionError(f"the requests never were all received: {await received()}")
        server.process.send_signal(signal.SIGTERM)
        await anyio.sleep(0.1)
        late = [asyncio.create_task(send(index)) for index in range(24, 32)]
        results = await asyncio.gather(*accepted)
        assert all(kind == "answered" for kind, _ in results), results
        for kind, message in results:
            assert "result" in message and not message["result"].get("isError"), message
        # Requests after SIGTERM are refused (or their idle connection closed) unless they were still accepted.
        for kind, message in await asyncio.gather(*late):
            assert kind in {"refused", "reset"} or ("result" in message and not message["result"].get("isError")), (kind, message)
    assert server.process.wait(timeout=20) == 0, server.log.read_text(errors="replace")[-2000:]


async def test_metrics_scraped(team) -> None:
    async with session(team.server.url, ALICE_BEARER) as alice:
        await call(alice, "list_agents")
        await refused(alice, "show_agent", {"agent_name": "nobody-here"})
    async with httpx.AsyncClient(timeout=10) as client:
        await client.post(team.server.url, json=INITIALIZE, headers=HEADERS)  # an auth failure
        text = (await client.get(f"http://127.0.0.1:{team.server.port}/metrics")).text
        assert (await client.get(f"http://127.0.0.1:{team.server.port}/healthz")).status_code == 200
        ready = await client.get(f"http://127.0.0.1:{team.server.port}/readyz")
        assert ready.status_code == 200 and ready.json() == {"ready": True, "users": 2, "failing": 0}
    samples = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines() if line and not line.startswith("#")}
    assert samples['fleet_mcp_tool_calls_total{tool="list_agents",outcome="ok"}'] >= 1
    assert samples['fleet_mcp_tool_calls_total{tool="show_agent",outcome="tool_error"}'] >= 1
    assert samples['fleet_mcp_auth_failures_total{reason="missing"}'] >= 1
    assert samples["fleet_mcp_tool_calls_in_flight"] == 0
    assert any(key.startswith('fleet_mcp_tool_call_duration_seconds_bucket{tool="list_agents"') for key in samples)
    assert any('route="/api/v2/workspaces"' in key and 'status="200"' in key for key in samples)
    assert any('route="/api/v2/users/{user}/workspace/{workspacename}"' in key for key in samples)
    assert any(key.startswith("fleet_mcp_coder_request_duration_seconds_bucket") for key in samples)
    assert not UUID.search(text), "no ids in metric labels"
    for secret in [ALICE_BEARER, BOB_BEARER, "aliceCoderSecret", "nobody-here", "alice-private"]:
        assert secret not in text


async def test_stateful_sessions(team) -> None:
    server = team.serve("stateful", "--stateful")
    async with session(server.url, ALICE_BEARER) as alice:
        await ensure_agent(alice, "stateful")
        updates: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            updates.append(progress)

        await call(alice, "wait_for_agent", {"agent_name": "stateful", "until": "deleted", "timeout_seconds": 2}, on_progress)
        assert updates, "progress reaches a stateful session too"
    async with httpx.AsyncClient(timeout=10) as client:
        opened = await client.post(server.url, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {ALICE_BEARER}"})
        assert opened.status_code == 200
        session_id = opened.headers["mcp-session-id"]
        as_bob = await client.post(server.url, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                                   headers={**HEADERS, "Authorization": f"Bearer {BOB_BEARER}", "Mcp-Session-Id": session_id})
        assert as_bob.status_code == 404, "a session belongs to the user who opened it"
        closed = await client.delete(server.url, headers={"Authorization": f"Bearer {ALICE_BEARER}", "Mcp-Session-Id": session_id})
        assert closed.status_code == 200
        after = await client.post(server.url, json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
                                  headers={**HEADERS, "Authorization": f"Bearer {ALICE_BEARER}", "Mcp-Session-Id": session_id})
        assert after.status_code == 404


def test_token_hash_and_safe_defaults(team, tmp_path) -> None:
    binary = str(fleet_binary())
    hashed = subprocess.run([binary, "token", "hash"], input="s3cret-token\n", capture_output=True, text=True, timeout=10)
    assert hashed.returncode == 0 and hashed.stdout.strip() == sha256("s3cret-token")
    generated = subprocess.run([binary, "token", "generate"], capture_output=True, text=True, timeout=10)
    assert generated.stderr.strip() == f"token_sha256: {sha256(generated.stdout.strip())}"
    environment = {"CODER_URL": team.sandbox.url, "CODER_SESSION_TOKEN": ALICE_CODER, "PATH": "/usr/bin:/bin"}
    exposed = subprocess.run([binary, "serve", "--http", "0.0.0.0:0"], capture_output=True, text=True, timeout=20, env=environment)
    assert exposed.returncode != 0 and "without authentication" in exposed.stderr
    stray = subprocess.run([binary, "serve", "--users", "users.yaml"], capture_output=True, text=True, timeout=20, env=environment)
    assert stray.returncode != 0 and "--users needs --http" in stray.stderr
