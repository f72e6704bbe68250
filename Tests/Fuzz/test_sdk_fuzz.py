"""A few hundred fuzz calls through the official MCP Python SDK's ClientSession (stdio), to show that what the raw
JSON-RPC fuzz sends and checks is what a real MCP client sees: the same generator (another seed), well-formed
requests only (the SDK cannot send bare NaN), known defects left out (a crash would end the session), and the same
promises: a result for every call, isError results with a short message, no echo of a long argument. The SDK also
validates every structuredContent against the tool's outputSchema itself.
"""
from __future__ import annotations

import os

import pytest

from conftest import FUZZ_SEED, FuzzEnvironment, serve_argv
from fuzz_cases import ABSENT, CaseGenerator
from fuzz_runner import ECHO_WINDOW, ERROR_TEXT_CAP, long_strings
from interop_support import plain_errors, require_module, result_text
from known_defects import KNOWN_DEFECTS

pytestmark = pytest.mark.anyio

SDK_CALLS = int(os.environ.get("FUZZ_SDK_CALLS", "300"))


async def test_fuzz_through_the_official_sdk_client(fuzz_environment: FuzzEnvironment, tmp_path) -> None:
    require_module("mcp")
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.shared.exceptions import McpError
    from mcp.shared.version import SUPPORTED_PROTOCOL_VERSIONS

    argv, env = serve_argv(fuzz_environment.sandbox)
    parameters = StdioServerParameters(command=argv[0], args=argv[1:], env=env)
    generator = CaseGenerator(fuzz_environment.tools, FUZZ_SEED + 1, huge_every=100, long_waits=0)
    problems: list[str] = []
    calls = errors = 0
    with open(tmp_path / "serve.stderr", "w") as errlog:
        async with plain_errors():
            async with stdio_client(parameters, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    initialized = await session.initialize()
                    assert initialized.protocolVersion in SUPPORTED_PROTOCOL_VERSIONS, initialized.protocolVersion
                    listed = {tool.name for tool in (await session.list_tools()).tools}
                    assert listed == {tool["name"] for tool in fuzz_environment.tools}
                    while calls < SDK_CALLS:
                        case = generator.case()
                        if not case.well_formed or any(defect.matches(case) for defect in KNOWN_DEFECTS):
                            continue
                        calls += 1
                        arguments = None if case.arguments is ABSENT else case.arguments
                        try:
                            result = await session.call_tool(case.tool, arguments)
                        except McpError as error:
                            problems.append(f"protocol error {error.error.code} {error.error.message[:200]!r}: {case.describe()}")
                            continue
                        text = result_text(result)
                        if result.isError:
                            errors += 1
                            if not text.strip() or len(text) >= ERROR_TEXT_CAP:
                                problems.append(f"isError text of {len(text)} chars: {case.describe()}")
                        for value in long_strings(case.arguments if isinstance(case.arguments, dict) else {}):
                            if value[:ECHO_WINDOW] in text:
                                problems.append(f"echo of a {len(value)}-char argument: {case.describe()}")
    assert not problems, f"{len(problems)} of {calls} SDK calls went wrong:\n" + "\n".join(problems[:25])
    assert 0 < errors < calls, f"{errors} of {calls} calls failed: the fuzz should see both outcomes"
