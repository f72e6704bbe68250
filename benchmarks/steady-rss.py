"""Does fleet-mcp's memory stay flat when the fleet does not change? (RELIABILITY.md, "Memory over a long run")

Starts `fleet-mcp sandbox` (its own process, so the sandbox's memory is not counted) and `fleet-mcp serve` against
it, driven by the official MCP Python SDK: creates 30 agents, waits until they settle, then makes CALLS read calls
(list_agents, show_agent, show_agent_task_history, show_agent_log in turn) and prints the server's RSS eight times.

    .venv/bin/python benchmarks/steady-rss.py .build/release/fleet-mcp 16000

(.venv is the one Scripts/test.sh creates.)
"""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

TOKEN = "steady-rss-token-0123456789"
AGENTS = 30


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def server_pid(parent: int) -> int:
    """The `fleet-mcp serve` child the SDK started (its parent is this process)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"serve" in cmdline:
                return int(entry.name)
    raise RuntimeError("fleet-mcp serve not found")


async def main(binary: str, calls: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        port_file = Path(scratch) / "port"
        sandbox = subprocess.Popen(
            [binary, "sandbox", "--port", "0", "--port-file", str(port_file), "--token", TOKEN, "--time-scale", "0.02"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if port_file.exists() and port_file.read_text().strip():
                    break
                await asyncio.sleep(0.05)
            env = dict(os.environ, CODER_URL=f"http://127.0.0.1:{port_file.read_text().strip()}", CODER_SESSION_TOKEN=TOKEN)
            params = StdioServerParameters(command=binary, args=["serve", "--log-level", "warning"], env=env)
            async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                pid = server_pid(os.getpid())
                names = [f"steady{i}" for i in range(AGENTS)]
                for name in names:
                    await session.call_tool("create_agent", {"name": name, "project": "webshop", "task": f"Task for {name}"})
                for name in names:
                    await session.call_tool("wait_for_agent", {"agent_name": name, "until": "settled", "timeout_seconds": 60})
                await asyncio.sleep(2)
                print(f"fleet settled ({AGENTS} agents): {rss_mib(pid):.1f} MiB", flush=True)
                started = time.monotonic()
                for n in range(1, calls + 1):
                    name = names[n % AGENTS]
                    tool, arguments = [
                        ("list_agents", {}), ("show_agent", {"agent_name": name}),
                        ("show_agent_task_history", {"agent_name": name}), ("show_agent_log", {"agent_name": name}),
                    ][n % 4]
                    result = await session.call_tool(tool, arguments)
                    assert not result.isError, f"{tool}: {result.content}"
                    if n % max(1, calls // 8) == 0:
                        print(f"after {n} calls: {rss_mib(pid):.1f} MiB ({time.monotonic() - started:.0f} s)", flush=True)
        finally:
            sandbox.terminate()
            sandbox.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 16000))
