"""fleet-mcp against the official Python SDK 2.x (`mcp==2.3.0`), a client nobody here wrote, speaking MCP 2026-07-28:
pinned (`mode="2026-07-28"`) and in `auto` mode (which must negotiate 2026-07-28), over stdio and over Streamable HTTP
with a users-file token. The 1.x clients of Tests/Interop keep speaking the handshake era to the same binary."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from http_support import ALICE_BEARER, serve_http, start_team_sandbox
from interop_support import fleet_binary, require_module

anyio = require_module("anyio")
mcp = require_module("mcp")
from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared._httpx_utils import create_mcp_http_client  # noqa: E402

pytestmark = pytest.mark.anyio

SNAPSHOT = json.loads((Path(__file__).resolve().parents[1] / "FleetMCPTests" / "__snapshots__" / "tools.json").read_text())
MODES = ["2026-07-28", "auto"]


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Any:
    directory = tmp_path_factory.mktemp("modern")
    sandbox = start_team_sandbox(directory)
    server = serve_http(sandbox, directory, "modern")
    try:
        yield sandbox, server
    finally:
        server.close()
        sandbox.close()


def connect(team: Any, transport: str, mode: str) -> Client:
    sandbox, server = team
    if transport == "stdio":
        env = {key: value for key, value in os.environ.items() if not key.startswith(("CODER_", "FLEET_MCP_"))}
        from http_support import ALICE_CODER
        env["CODER_SESSION_TOKEN"] = ALICE_CODER
        return Client(StdioServerParameters(command=str(fleet_binary()), args=["serve", "--coder-url", sandbox.url], env=env), mode=mode)
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {ALICE_BEARER}"})
    return Client(streamable_http_client(server.url, http_client=http), mode=mode)


def structured(result: Any) -> Any:
    assert not result.is_error, result.content[0].text if result.content else result
    return result.structured_content


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("mode", MODES)
async def test_modern_client_runs_the_fleet(team: Any, transport: str, mode: str) -> None:
    name = f"m{uuid.uuid4().hex[:6]}"
    async with connect(team, transport, mode) as client:
        assert client.protocol_version == "2026-07-28", f"{mode} negotiated {client.protocol_version}"
        tools = await client.list_tools()
        assert [tool.name for tool in tools.tools] == [tool["name"] for tool in SNAPSHOT], "deterministic, snapshot order"
        assert tools.ttl_ms > 0
        assert [t.name for t in (await client.list_tools()).tools] == [t.name for t in tools.tools]

        projects = structured(await client.call_tool("list_agent_projects", {}))
        assert projects["projects"][0]["name"] == "webshop"
        assert structured(await client.call_tool("list_agent_roles", {"project": "webshop"}))["roles"]
        failed = await client.call_tool("show_agent", {"agent_name": "nobody-here"})
        assert failed.is_error and "nobody-here" in failed.content[0].text

        created = structured(await client.call_tool("create_agent", {"name": name, "project": "webshop", "task": "Fix the badge [slow]"}))
        assert created["agent"] == name or created.get("name") == name or name in json.dumps(created)
        progress: list[float] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(value)

        waited = structured(await client.call_tool(
            "wait_for_agent", {"agent_name": name, "until": "busy", "timeout_seconds": 30}, progress_callback=on_progress))
        assert waited["status"] in ("busy", "idle", "complete", "needs_input"), waited
        assert progress, "progress notifications during wait_for_agent"
        for tool, arguments in [("list_agents", {}), ("show_agent", {"agent_name": name}),
                                ("show_agent_task_history", {"agent_name": name}), ("show_agent_log", {"agent_name": name}),
                                ("wait_for_fleet", {"timeout_seconds": 1})]:
            structured(await client.call_tool(tool, arguments))
        read = await client.read_resource(f"fleet://agents/{name}")
        assert name in read.contents[0].text
        assert read.ttl_ms == 0 and read.cache_scope == "private"
        templates = await client.list_resource_templates()
        assert templates.resource_templates[0].uri_template == "fleet://agents/{name}"

        # A listening client hears the agent change: cancelled, given a new task, deleted.
        async with client.listen(resource_subscriptions=[f"fleet://agents/{name}"], resources_list_changed=True) as subscription:
            assert f"fleet://agents/{name}" in (subscription.honored.resource_subscriptions or [])
            structured(await client.call_tool("cancel_agent_task", {"agent_name": name}))
            settled = structured(await client.call_tool("wait_for_agent", {"agent_name": name, "until": "settled", "timeout_seconds": 30}))
            if settled["status"] in ("idle", "complete", "needs_input"):
                structured(await client.call_tool("start_agent_task", {"agent_name": name, "task_description": "Now the footer"}))
            structured(await client.call_tool("delete_agent", {"agent_name": name}))
            with anyio.fail_after(30):
                async for event in subscription:
                    assert getattr(event, "uri", f"fleet://agents/{name}") in (f"fleet://agents/{name}", "fleet://agents")
                    break


async def test_legacy_client_on_the_same_endpoint(team: Any) -> None:
    """The 2.x client forced to the handshake era (as a 1.x client speaks) is served as before, beside 2026-07-28."""
    async with connect(team, "http", "legacy") as client:
        assert client.protocol_version == "2025-11-25"
        assert len((await client.list_tools()).tools) == len(SNAPSHOT)
        structured(await client.call_tool("list_agent_projects", {}))


def modern_post(url: str, method: str, params: dict | None = None, headers: dict | None = None, request_id: int = 1) -> Any:
    import httpx
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": {**(params or {}), "_meta": meta}}
    sent = {"Authorization": f"Bearer {ALICE_BEARER}", "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
    if params and "name" in params:
        sent["Mcp-Name"] = params["name"]
    sent.update(headers or {})
    return httpx.post(url, json=body, headers={k: v for k, v in sent.items() if v is not None}, timeout=30)


def test_two_replicas_need_no_affinity(team: Any, tmp_path: Path) -> None:
    """2026-07-28 has no session: consecutive requests of one client go to either of two replicas."""
    sandbox, first = team
    second = serve_http(sandbox, tmp_path, "replica")
    try:
        for index in range(6):
            url = (first, second)[index % 2].url
            answer = modern_post(url, "tools/call", {"name": "list_agents", "arguments": {}}, request_id=index)
            assert answer.status_code == 200, answer.text
            assert "mcp-session-id" not in answer.headers
            result = answer.json()["result"]
            assert result["resultType"] == "complete" and result["isError"] is False
    finally:
        second.close()


def test_hostile_requests_over_http(team: Any) -> None:
    _, server = team
    mismatch = modern_post(server.url, "tools/call", {"name": "list_agents", "arguments": {}}, {"Mcp-Name": "delete_agent"})
    assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == -32020
    no_method = modern_post(server.url, "tools/list", headers={"Mcp-Method": None})
    assert no_method.status_code == 400 and no_method.json()["error"]["code"] == -32020
    wrong_version = modern_post(server.url, "tools/list", headers={"MCP-Protocol-Version": "2025-11-25"})
    assert wrong_version.status_code == 400 and wrong_version.json()["error"]["code"] == -32020
    ping = modern_post(server.url, "ping")
    assert ping.status_code == 404 and ping.json()["error"]["code"] == -32601
    import httpx
    future = httpx.post(server.url, timeout=30, json={"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": {}}}},
        headers={"Authorization": f"Bearer {ALICE_BEARER}", "Accept": "application/json, text/event-stream",
                 "MCP-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/list"})
    assert future.status_code == 400, future.text
    error = future.json()["error"]
    assert error["code"] == -32022 and "2026-07-28" in error["data"]["supported"] and "2025-11-25" in error["data"]["supported"]
    missing = modern_post(server.url, "resources/read", {"uri": "fleet://agents/nobody"}, {"Mcp-Name": "fleet://agents/nobody"})
    assert missing.json()["error"]["code"] == -32602
