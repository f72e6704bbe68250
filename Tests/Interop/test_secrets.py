"""No secret leaks under faults: with trace logging, FLEET_MCP_RECORD, a forge token and a sandbox injecting every
kind of fault, the Coder session token, the forge token and a token in CODER_URL's user-info appear nowhere in
what fleet-mcp writes: stderr, tool results (errors included), the recorded cassette."""
from __future__ import annotations

import json
import subprocess

from interop_support import fleet_binary, start_sandbox, stop_process
from test_mcp_sdk import initialize_request

FAULTS = ("GET /api/v2/workspaces: 503@0.3, 429@0.2/1, malformed@0.1; GET /api/v2/users/*/workspace/*: reset@0.3, truncate@0.2; "
          "POST /api/v2/tasks/*: reset@0.5; *: latency=5ms, spike=50ms@0.1; GET /api/v2/templates: 401-after=5")
FORGE_TOKEN = "ghp_FORGESECRET0123456789abcdef0123456789"
URL_SECRET = "URLSECRET-0123456789abcdef"


def test_no_token_anywhere_under_faults(tmp_path) -> None:
    sandbox = start_sandbox("2.35", tmp_path, extra_args=["--faults", FAULTS, "--fault-seed", "11"])
    try:
        recording = tmp_path / "recorded.yaml"
        url = sandbox.url.replace("http://", f"http://user:{URL_SECRET}@")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CODER_URL": url, "CODER_SESSION_TOKEN": sandbox.token,
               "GITHUB_TOKEN": FORGE_TOKEN, "FLEET_MCP_RECORD": str(recording)}
        messages = [initialize_request("2025-06-18"), {"jsonrpc": "2.0", "method": "notifications/initialized"}]
        calls = [("list_agents", {}), ("list_agent_projects", {}), ("create_agent", {"name": "sec", "project": "webshop", "task": "Fix it"}),
                 ("show_agent", {"agent_name": "sec"}), ("wait_for_agent", {"agent_name": "sec", "until": "settled", "timeout_seconds": 5}),
                 ("show_agent", {"agent_name": "sec"}), ("show_agent_log", {"agent_name": "sec"}), ("list_agents", {}),
                 ("wait_for_fleet", {"timeout_seconds": 1}), ("show_agent_task_history", {"agent_name": "sec"}),
                 ("start_agent_task", {"agent_name": "sec", "task_description": "More"}), ("delete_agent", {"agent_name": "sec"})]
        calls += [("list_agents", {})] * 40 + [("list_agent_projects", {})] * 10
        for index, (name, arguments) in enumerate(calls, start=2):
            messages.append({"jsonrpc": "2.0", "id": index, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
        # One call at a time (each line waits for the previous answer would need a client; the server handles them concurrently).
        process = subprocess.run([str(fleet_binary()), "serve", "--log-level", "trace"], input="".join(json.dumps(m) + "\n" for m in messages),
                                 capture_output=True, text=True, env=env, timeout=120)
        responses = [json.loads(line) for line in process.stdout.splitlines() if line.strip()]
        assert len([r for r in responses if "id" in r]) == len(calls) + 1, process.stderr[-2000:]
        errors = [r for r in responses if r.get("result", {}).get("isError")]
        assert errors, "the faults produced tool errors"
        assert any("401" in json.dumps(r) for r in errors), "the revoked token was reported"
        written = process.stdout + process.stderr + (recording.read_text() if recording.exists() else "")
        for secret in (sandbox.token, FORGE_TOKEN, URL_SECRET):
            assert secret not in written, f"a secret leaked ({secret[:6]}…)"
        assert "→ GET /api/v2/workspaces" in process.stderr, "trace logging was on"
    finally:
        sandbox.close()
