"""A deliberately broken MCP stdio server, for test_fuzzer_checks.py: it shows that the fuzzer notices each kind
of failure. One tool, `probe(agent_name, page)`:

* page 13 -> the process exits (a crash); agent_name "hang" -> no answer ever;
* agent_name "proto" -> a JSON-RPC error; "long" -> an isError result of 5,000 chars; "empty" -> an empty isError;
* otherwise an isError result that repeats agent_name whole (an echo of long input);
* a line that is not JSON -> -32700 with a made-up id.
"""
from __future__ import annotations

import json
import os
import sys

TOOL = {"name": "probe", "inputSchema": {"type": "object", "properties": {"agent_name": {"type": "string"},
                                                                         "page": {"type": "integer"}}},
        "outputSchema": {"type": "object", "properties": {"page": {"type": "integer"}}}}


def answer(request_id, result=None, error=None) -> None:
    message = {"jsonrpc": "2.0", "id": request_id}
    message.update({"error": error} if error else {"result": result})
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def text_result(text: str, is_error: bool = True) -> dict:
    return {"content": [{"type": "text", "text": text}], "isError": is_error}


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            answer("made-up-id", error={"code": -32700, "message": "Parse error"})
            continue
        method, request_id = message.get("method"), message.get("id")
        if request_id is None:
            continue
        if method == "initialize":
            answer(request_id, {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                                "serverInfo": {"name": "fake", "version": "0"}})
        elif method == "tools/list":
            answer(request_id, {"tools": [TOOL]})
        elif method == "tools/call":
            arguments = message["params"].get("arguments") or {}
            name = arguments.get("agent_name")
            if arguments.get("page") == 13:
                os._exit(3)
            if name == "hang":
                continue
            if name == "proto":
                answer(request_id, error={"code": -32603, "message": "Internal error"})
            elif name == "long":
                answer(request_id, text_result("x" * 5000))
            elif name == "empty":
                answer(request_id, text_result(""))
            elif name == "float":
                answer(request_id, {"content": [{"type": "text", "text": "{}"}], "structuredContent": {"page": 1e19}})
            else:
                answer(request_id, text_result(f"no agent {name}"))
        else:
            answer(request_id, error={"code": -32601, "message": "Method not found"})


if __name__ == "__main__":
    main()
