"""Fixtures for the fuzz suite: one `fleet-mcp sandbox` (with a request log when the binary has the flag), a factory
for `fleet-mcp serve --coder-url` processes spoken to in raw JSON-RPC, the seeded agents, and the one fuzz run that
test_tool_fuzz.py and test_request_log.py both examine.

Knobs (environment): FUZZ_CALLS (default 10000), FUZZ_SEED (default 20250618), FUZZ_WINDOW (requests in flight,
default 16), FUZZ_CENSUS=1 (send every request, known defects included, and print the full census).
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Interop"))

from interop_support import Sandbox, fleet_binary, require_module, start_sandbox  # noqa: E402
from rpc_pipe import RpcPipe  # noqa: E402

FUZZ_CALLS = int(os.environ.get("FUZZ_CALLS", "10000"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20250618"))
FUZZ_WINDOW = int(os.environ.get("FUZZ_WINDOW", "16"))
CENSUS = os.environ.get("FUZZ_CENSUS", "") == "1"
CODER_VERSION = "2.35"


def sandbox_has_request_log() -> bool:
    """Whether this fleet-mcp's sandbox can write a request log (`--request-log FILE`)."""
    help_text = subprocess.run([str(fleet_binary()), "sandbox", "--help"], capture_output=True, text=True, timeout=20)
    return "--request-log" in help_text.stdout + help_text.stderr


@dataclass
class FuzzEnvironment:
    sandbox: Sandbox
    request_log: Path | None
    directory: Path
    make_server: Callable[[], RpcPipe]
    tools: list[dict]
    validators: dict[str, Any]
    sentinel_state: dict[str, dict]


def serve_argv(sandbox: Sandbox) -> tuple[list[str], dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CODER_", "FLEET_MCP_", "GITHUB_", "GH_", "GITLAB_"))}
    env["CODER_SESSION_TOKEN"] = sandbox.token
    env["SWIFT_BACKTRACE"] = "enable=no"  # a crash exits at once (the backtracer takes seconds, and can hang)
    return [str(fleet_binary()), "serve", "--coder-url", sandbox.url, "--tasks-api", "auto"], env


def sentinel_state(sandbox: Sandbox, name: str) -> dict:
    """What must not change about a sentinel agent: its workspace, its builds, its conversation."""
    workspace = sandbox.workspace_named(f"agent-{name}")
    assert workspace is not None, f"sentinel agent-{name} is gone from the sandbox"
    builds = sandbox.get(f"/api/v2/workspaces/{workspace['id']}/builds")
    try:
        messages = len(sandbox.agentapi(workspace, "messages").get("messages") or [])
    except AssertionError:
        messages = None
    return {"id": workspace["id"], "builds": sorted(b["id"] for b in builds), "transition": workspace["latest_build"]["transition"],
            "messages": messages}


def strict_validator(jsonschema: Any, schema: dict) -> Any:
    """A validator for `schema` in which "integer" means a JSON integer (jsonschema also accepts 9.2e18 and 1.0)."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    checker = cls.TYPE_CHECKER.redefine("integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    return jsonschema.validators.extend(cls, type_checker=checker)(schema)


@pytest.fixture(scope="session")
def fuzz_environment(tmp_path_factory) -> Iterator[FuzzEnvironment]:
    from fuzz_cases import SENTINELS, VICTIMS

    jsonschema = require_module("jsonschema")
    directory = tmp_path_factory.mktemp("fuzz")
    request_log = directory / "sandbox-requests.jsonl" if sandbox_has_request_log() else None
    sandbox = start_sandbox(CODER_VERSION, directory, ["--request-log", str(request_log)] if request_log else [])
    counter = itertools.count()
    argv, env = serve_argv(sandbox)

    def make_server() -> RpcPipe:
        server = RpcPipe(argv, env, directory / f"serve-{next(counter)}.stderr")
        server.initialize()
        return server

    try:
        server = make_server()
        try:
            tools = server.request("tools/list", {})["result"]["tools"]
            for name in SENTINELS + VICTIMS:
                created = server.request("tools/call", {"name": "create_agent", "arguments": {
                    "name": name, "project": "webshop", "task": f"Seeded agent {name}: write a README."}})
                assert created["result"].get("isError") is not True, f"create_agent {name}: {created}"
            for name in SENTINELS + VICTIMS:
                server.request("tools/call", {"name": "wait_for_agent", "arguments": {
                    "agent_name": name, "until": "settled", "timeout_seconds": 20}}, timeout=40)
        finally:
            server.close()
        validators = {tool["name"]: strict_validator(jsonschema, tool["outputSchema"]) for tool in tools if tool.get("outputSchema")}
        state = {name: sentinel_state(sandbox, name) for name in SENTINELS}
        yield FuzzEnvironment(sandbox, request_log, directory, make_server, tools, validators, state)
    finally:
        sandbox.close()


@pytest.fixture(scope="session")
def fuzz_report(fuzz_environment: FuzzEnvironment) -> Any:
    """The one raw JSON-RPC fuzz run (FUZZ_CALLS requests), shared by the tests that check its outcome."""
    from fuzz_cases import CaseGenerator
    from fuzz_runner import Fuzzer
    from known_defects import KNOWN_DEFECTS

    generator = CaseGenerator(fuzz_environment.tools, FUZZ_SEED)
    directed = generator.directed()
    fuzzer = Fuzzer(fuzz_environment.make_server, fuzz_environment.validators, [] if CENSUS else KNOWN_DEFECTS,
                    window=FUZZ_WINDOW, max_crashes=400 if CENSUS else 30, time_limit=None if CENSUS else 120)
    report = fuzzer.run(itertools.chain(directed, iter(generator.case, None)), FUZZ_CALLS)
    summary = report.summary()
    (fuzz_environment.directory / "census.txt").write_text(summary + "\n")
    (fuzz_environment.directory / "violations.txt").write_text("".join(v.line() + "\n" for v in report.violations))
    CENSUS_SUMMARIES.append(summary)
    return report


CENSUS_SUMMARIES: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    """The fuzz census (calls, outcomes, every kind of violation with one example), after the test results."""
    for summary in CENSUS_SUMMARIES:
        terminalreporter.section("fuzz census")
        terminalreporter.write_line(summary)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
