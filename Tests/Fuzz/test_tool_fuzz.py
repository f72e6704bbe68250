"""10,000 random and adversarial tools/call requests to `fleet-mcp serve`, in raw JSON-RPC over stdio.

One run (the session fixture `fuzz_report`, see conftest.py) is examined by the tests below, each for one
promise: the server never dies or hangs, every well-formed request gets a JSON-RPC result, every tool failure is an
isError result with a short message, no argument comes back whole, successful results match the tool's
outputSchema, stdout carries only JSON-RPC, and destructive tools never act on an agent whose name only looks like
the one given. Failures list each offending request in a short, printable form; the full census is in the
terminal summary and in <tmp>/fuzz*/census.txt.
"""
from __future__ import annotations

import re

from conftest import FUZZ_CALLS, FuzzEnvironment, sentinel_state
from fuzz_cases import LOOKALIKES, SENTINELS
from fuzz_runner import ERROR_TEXT_CAP, FuzzReport, Violation, texts_of


def listing(violations: list[Violation], limit: int = 25) -> str:
    lines = [v.line() for v in violations[:limit]]
    if len(violations) > limit:
        lines.append(f"… and {len(violations) - limit} more")
    return "\n".join(lines)


def assert_none(report: FuzzReport, kinds: set[str], what: str) -> None:
    found = report.new(kinds)
    assert not found, f"{len(found)} {what} (not explained by known_defects.py):\n{listing(found)}"


def test_every_tool_gets_the_full_fuzz(fuzz_report: FuzzReport, fuzz_environment: FuzzEnvironment) -> None:
    listed = {tool["name"] for tool in fuzz_environment.tools}
    assert listed <= set(fuzz_report.per_tool), f"tools never called: {listed - set(fuzz_report.per_tool)}"
    assert fuzz_report.calls >= FUZZ_CALLS, f"only {fuzz_report.calls} of {FUZZ_CALLS} requests were sent"
    assert fuzz_report.results_ok > 0 and fuzz_report.results_error > 0, "the fuzz should see both successes and failures"


def test_the_server_never_dies(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"crash"}, "crashes")


def test_the_fuzz_finishes_in_time(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"slow"}, "runs cut short by the fuzz's time limit")


def test_no_call_hangs(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"hang"}, "requests without an answer")


def test_well_formed_requests_always_get_a_result(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"protocol-error", "bad-result"}, "JSON-RPC errors or malformed results for well-formed tools/call")


def test_tool_failures_are_short_clear_results(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"empty-error", "long-error"}, f"isError results empty or at least {ERROR_TEXT_CAP} chars long")


def test_no_argument_comes_back_whole(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"echo"}, "results echoing a long argument")


def test_successful_results_match_their_output_schema(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"schema"}, "results violating the tool's outputSchema")


def test_stdout_carries_only_json_rpc(fuzz_report: FuzzReport) -> None:
    assert_none(fuzz_report, {"stdout-garbage"}, "runs with non-JSON lines on stdout")


def test_the_fuzz_left_the_sentinel_agents_untouched(fuzz_report: FuzzReport, fuzz_environment: FuzzEnvironment) -> None:
    """The sentinels' real names only ever went to read-only tools; destructive ones got look-alikes."""
    for name in SENTINELS:
        before = fuzz_environment.sentinel_state[name]
        after = sentinel_state(fuzz_environment.sandbox, name)
        assert after == before, f"sentinel {name} changed during the fuzz: {before} -> {after}"


def test_lookalike_names_never_reach_an_agent(fuzz_report: FuzzReport, fuzz_environment: FuzzEnvironment) -> None:
    """Every look-alike of a sentinel's name, sent to every tool that acts on one agent (not read-only, with an
    agent_name; delete_agent last): an isError result that does not speak of the sentinel as the agent it found,
    and the sentinels unchanged. Runs after the fuzz (it needs its fixture) so a harmed sentinel cannot spoil it."""
    tools = sorted((t["name"] for t in fuzz_environment.tools if "agent_name" in (t["inputSchema"].get("properties") or {})
                    and (t.get("annotations") or {}).get("readOnlyHint") is not True), key=lambda name: (name == "delete_agent", name))
    assert {"delete_agent", "restart_agent", "cancel_agent_task", "start_agent_task"} <= set(tools), tools
    sandbox = fuzz_environment.sandbox
    before = {name: sentinel_state(sandbox, name) for name in SENTINELS if sandbox.workspace_named(f"agent-{name}")}
    assert set(before) == set(SENTINELS), f"a sentinel is already gone: only {sorted(before)} left"
    resolved = re.compile(r"Agent '(%s)'" % "|".join(SENTINELS))
    server = fuzz_environment.make_server()
    acted: list[str] = []
    try:
        for tool in tools:
            for name in LOOKALIKES:
                arguments = {"agent_name": name}
                if tool == "start_agent_task":
                    arguments["task_description"] = "Look-alike probe: do nothing."
                result = server.request("tools/call", {"name": tool, "arguments": arguments})["result"]
                text = texts_of(result)
                if result.get("isError") is not True or resolved.search(text):
                    acted.append(f"{tool} {name!r}: {text[:160]}")
    finally:
        server.close()
    after = {name: sentinel_state(sandbox, name) if sandbox.workspace_named(f"agent-{name}") else "deleted" for name in SENTINELS}
    changed = {name: (before[name], after[name]) for name in SENTINELS if after[name] != before[name]}
    assert not acted and not changed, (f"{len(acted)} look-alike names taken for a sentinel:\n" + "\n".join(acted[:30])
                                       + f"\nsentinels changed: {changed}")
