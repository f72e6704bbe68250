"""Fleet attention with the official MCP Python SDK: wait_for_fleet loops across a restart of fleet-mcp, and
resource subscriptions that push exactly the subscribed agents' changes."""
from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any, AsyncIterator

import pytest

from interop_support import Sandbox, fleet_binary, plain_errors, require_module
from test_mcp_sdk import Fleet, serve_environment

pytestmark = pytest.mark.anyio

anyio = require_module("anyio")

# Prompts whose simulated agents end in each attention state.
ENDINGS = {
    "complete": "Fix the rounding of totals in {name}",
    "complete ": "Investigate the flaky test in {name}",
    "needs_input": "[needs-input] Which currency should {name} use",
    "failed": "[fail] Rewrite the payment module for {name}",
}


@contextlib.asynccontextmanager
async def session(sandbox: Sandbox, errlog, on_message=None) -> AsyncIterator[Fleet]:
    """A fresh `fleet-mcp serve` process and an initialized SDK session to it."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(command=str(fleet_binary()), args=["serve"], env=serve_environment(sandbox))
    async with plain_errors():
        async with stdio_client(parameters, errlog=errlog) as (read, write):
            async with ClientSession(read, write, message_handler=on_message) as client:
                await client.initialize()
                tools = (await client.list_tools()).tools
                yield Fleet(client, None, tools)


async def test_wait_for_fleet_sees_every_event_once_across_a_restart(sandboxes, server_log) -> None:
    sandbox = sandboxes("2.35")
    expected: dict[str, str] = {}
    events: list[tuple[str, str]] = []
    with anyio.fail_after(120):
        async with session(sandbox, server_log) as fleet:
            cursor = (await fleet.call("wait_for_fleet", {"timeout_seconds": 0.1}))["cursor"]
            for index in range(20):
                ending = list(ENDINGS)[index % len(ENDINGS)]
                name = f"att{index}"
                expected[name] = ending.strip()
                await fleet.call("create_agent", {"name": name, "project": "webshop", "task": ENDINGS[ending].format(name=name)})
            for _ in range(3):
                answer = await fleet.call("wait_for_fleet", {"since": cursor, "timeout_seconds": 2})
                cursor = answer["cursor"]
                events += [(e["agent"], e["new_status"]) for e in answer["events"]]
        # A new process (or another replica) continues from the cursor alone.
        async with session(sandbox, server_log) as fleet:
            for _ in range(40):
                if all((name, status) in events for name, status in expected.items()):
                    break
                answer = await fleet.call("wait_for_fleet", {"since": cursor, "timeout_seconds": 5})
                assert answer["polls"] >= 1
                cursor = answer["cursor"]
                events += [(e["agent"], e["new_status"]) for e in answer["events"]]
    missing = {name: status for name, status in expected.items() if (name, status) not in events}
    assert not missing, f"events never seen: {missing}; seen: {events}"
    duplicates = [pair for pair, count in Counter(events).items() if count > 1]
    assert not duplicates, f"events seen twice: {duplicates}"


async def test_subscriptions_push_only_the_subscribed_agents(sandboxes, server_log) -> None:
    from mcp import types

    sandbox = sandboxes("2.35")
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ServerNotification) and isinstance(message.root, types.ResourceUpdatedNotification):
            updates.append(str(message.root.params.uri))

    with anyio.fail_after(60):
        async with session(sandbox, server_log, on_message) as fleet:
            capabilities = fleet.session.get_server_capabilities()
            assert capabilities.resources and capabilities.resources.subscribe
            templates = await fleet.session.list_resource_templates()
            assert [t.uriTemplate for t in templates.resourceTemplates] == ["fleet://agents/{name}"]
            # Subscribing first: an agent's URI is its name, subscribable before it exists.
            await fleet.session.subscribe_resource("fleet://agents/suba")
            await fleet.session.subscribe_resource("fleet://agents/subb")
            for name, task in (("suba", "Fix the cart badge"), ("subb", "Add a changelog entry"), ("subc", "[slow] Refactor pricing")):
                await fleet.call("create_agent", {"name": name, "project": "webshop", "task": task})
            for name in ("suba", "subb"):
                await fleet.call("wait_for_agent", {"agent_name": name, "until": "complete", "timeout_seconds": 30})
            await sandbox.wait_until(lambda: {"fleet://agents/suba", "fleet://agents/subb"} <= set(updates),
                                     "updates for both subscribed agents", timeout=10)
            assert set(updates) <= {"fleet://agents/suba", "fleet://agents/subb"}, updates
            card = await fleet.session.read_resource("fleet://agents/suba")
            assert '"status":"complete"' in card.contents[0].text
            listed = await fleet.session.list_resources()
            assert {"fleet://agents", "fleet://agents/suba", "fleet://agents/subb", "fleet://agents/subc"} <= {str(r.uri) for r in listed.resources}
            await fleet.session.unsubscribe_resource("fleet://agents/suba")
            await fleet.session.unsubscribe_resource("fleet://agents/subb")
