"""The smallest requests that show the open defects of known_defects.py which need a live agent, as strict xfails:
when fleet-mcp is fixed they pass, the strict xfail fails the run, and the mark and the known_defects.py entry are
deleted together. (The other entries' repros are in test_tool_fuzz.py and test_jsonrpc_edges.py.)
"""
from __future__ import annotations

import pytest

from conftest import FuzzEnvironment
from fuzz_runner import ECHO_WINDOW, texts_of
from known_defects import KNOWN_DEFECTS

DEFECTS = {defect.id: defect for defect in KNOWN_DEFECTS}
ONE_MIB_TASK = "Repro task " + "T" * (1 << 20)


def call(fuzz_environment: FuzzEnvironment, tool: str, arguments: dict, server=None) -> dict:
    own = server is None
    server = server or fuzz_environment.make_server()
    try:
        response = server.request("tools/call", {"name": tool, "arguments": arguments}, timeout=40)
    finally:
        if own:
            server.close()
    assert "result" in response, f"{tool}: JSON-RPC error {response.get('error')}"
    return response["result"]


def test_a_long_task_is_not_echoed_whole(fuzz_environment: FuzzEnvironment) -> None:
    """A 1 MiB task is accepted (Coder takes it), but neither create_agent nor start_agent_task sends it back whole."""
    server = fuzz_environment.make_server()
    try:
        created = call(fuzz_environment, "create_agent", {"name": "echo-probe", "project": "webshop", "task": ONE_MIB_TASK}, server)
        assert created.get("isError") is not True, texts_of(created)[:300]
        call(fuzz_environment, "wait_for_agent", {"agent_name": "echo-probe", "until": "settled", "timeout_seconds": 20}, server)
        started = call(fuzz_environment, "start_agent_task", {"agent_name": "echo-probe", "task_description": ONE_MIB_TASK}, server)
    finally:
        server.close()
    assert started.get("isError") is not True, texts_of(started)[:300]
    for tool, result in (("create_agent", created), ("start_agent_task", started)):
        text = texts_of(result)
        assert ONE_MIB_TASK[:ECHO_WINDOW] not in text, f"{tool} sent the 1 MiB task back in a {len(text)}-char result"


@pytest.mark.parametrize("tool", ["show_agent_task_history", "show_agent_log"])
@pytest.mark.parametrize("page", [2**63 - 1, "9223372036854775807", 2**62, 2**53 + 1])
def test_a_huge_page_number_is_refused_or_echoed_exactly(fuzz_environment: FuzzEnvironment, tool: str, page) -> None:
    result = call(fuzz_environment, tool, {"agent_name": "kilo", "page": page})
    if result.get("isError") is True:
        assert 0 < len(texts_of(result)) < 2000, texts_of(result)[:300]
        return
    echoed = (result.get("structuredContent") or {}).get("page")
    assert type(echoed) is int and echoed == int(page), f"page {page!r} answered as page {echoed!r}"
