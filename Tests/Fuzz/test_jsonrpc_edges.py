"""Malformed and unusual JSON-RPC on `fleet-mcp serve`'s stdio: each test states what JSON-RPC 2.0 (and MCP
2025-06-18, where it is stricter) requires, and checks that the server still answers a ping afterwards.

Rules used (https://www.jsonrpc.org/specification, MCP basic/index and 2025-06-18 changelog):
* invalid JSON -> error -32700 with "id": null; valid JSON that is not a Request object -> -32600, "id": null
  when the id cannot be determined;
* unknown method -> -32601; invalid method parameters -> -32602; the response carries the request's id;
* MCP: request ids MUST be a string or an integer, never null; JSON-RPC batches are not supported since 2025-06-18,
  so a batch is answered with an error (or, as JSON-RPC 2.0 allows, an array of responses) — never with silence;
* notifications (no id) are never answered.

Tests that fail on the current fleet-mcp are strict xfails whose reason quotes what it answers; fix the server,
then delete the mark.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import CODER_VERSION, serve_argv
from interop_support import Sandbox, start_sandbox
from known_defects import KNOWN_DEFECTS
from rpc_pipe import RpcPipe

DEFECTS = {defect.id: defect for defect in KNOWN_DEFECTS}

ANSWER_TIMEOUT = 5


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Iterator[Sandbox]:
    started = start_sandbox(CODER_VERSION, tmp_path_factory.mktemp("edges"))
    yield started
    started.close()


@pytest.fixture
def server(sandbox: Sandbox, tmp_path: Path) -> Iterator[RpcPipe]:
    """A fresh, initialized `fleet-mcp serve` per test; the test fails if it is not alive (answering ping) at the end."""
    argv, env = serve_argv(sandbox)
    pipe = RpcPipe(argv, env, tmp_path / "serve.stderr")
    pipe.initialize()
    yield pipe
    try:
        alive = pipe.alive() and "result" in pipe.request("ping", timeout=ANSWER_TIMEOUT)
    except Exception as error:  # noqa: BLE001 - reported below
        alive = False
        detail = repr(error)
    else:
        detail = ""
    stderr = pipe.stderr_tail()
    pipe.close()
    assert alive, f"the server no longer answers ping after this test ({detail}); stderr: {stderr}"


def exchange(server: RpcPipe, line: bytes, timeout: float = ANSWER_TIMEOUT, settle: float = 0.3) -> list[Any]:
    """Writes one raw line; returns every message the server writes in answer (waits for the first up to `timeout` s,
    then `settle` s more for others)."""
    start = len(server.unmatched)
    server.write_raw(line + b"\n")
    deadline = time.monotonic() + timeout
    while len(server.unmatched) == start and time.monotonic() < deadline and server.alive():
        time.sleep(0.01)
    if len(server.unmatched) > start:
        time.sleep(settle)
    return server.unmatched[start:]


def only_answer(messages: list[Any]) -> dict:
    answers = [m for m in messages if isinstance(m, dict) and ("result" in m or "error" in m)]
    assert answers, f"no answer within {ANSWER_TIMEOUT} s (got {messages!r:.300})"
    assert len(answers) == 1, f"expected one answer, got {answers!r:.500}"
    assert answers[0].get("jsonrpc") == "2.0", f"answer without jsonrpc 2.0: {answers[0]}"
    return answers[0]


def assert_error(answer: dict, code: int, request_id: Any) -> None:
    assert "error" in answer, f"expected error {code}, got {answer!r:.300}"
    assert answer["error"].get("code") == code, f"expected error {code}, got {answer['error']!r:.300}"
    assert isinstance(answer["error"].get("message"), str) and answer["error"]["message"], f"error without message: {answer}"
    assert "id" in answer and answer["id"] == request_id and type(answer["id"]) is type(request_id), \
        f"expected id {request_id!r}, got {answer.get('id', '<absent>')!r}"


def request(method: str, request_id: Any, params: Any = None) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message).encode()


# Parse errors and invalid requests.
def test_invalid_json_is_a_parse_error_with_null_id(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b'{"jsonrpc": "2.0", "method": "foobar", "params": "bar", "baz]'))
    assert_error(answer, -32700, None)


def test_invalid_utf8_is_a_parse_error_with_null_id(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b'{"jsonrpc": "2.0", "id": 3, "method": "ping\xff\xfe"}'))
    assert_error(answer, -32700, None)


@pytest.mark.parametrize("value", ['"\\ud800"', '"bravo\\udfff"', "1e999", "-1e999"])
def test_undecodable_json_is_a_parse_error_with_null_id(server: RpcPipe, value: str) -> None:
    """Valid JSON grammar the decoder cannot represent: either processed (answered with id 77) or -32700 with id null;
    observed: -32700 with a random UUID id, which no client can match."""
    line = ('{"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"name":"show_agent","arguments":{"agent_name":'
            + value + '}}}').encode()
    answer = only_answer(exchange(server, line))
    if answer.get("id") == 77:
        return
    assert_error(answer, -32700, None)


def test_a_truncated_frame_is_a_parse_error(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b'{"jsonrpc":"2.0","id":9,"method":"tools/li'))
    assert_error(answer, -32700, None)


def test_an_object_that_is_not_json_rpc_is_an_invalid_request(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b'{"foo": "bar"}'))
    assert_error(answer, -32600, None)


def test_a_method_that_is_not_a_string_is_an_invalid_request(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b'{"jsonrpc": "2.0", "method": 1, "params": "bar", "id": 4}'))
    assert answer.get("id") in (4, None), answer
    assert_error(answer, -32600, answer.get("id"))


def test_a_wrong_jsonrpc_version_is_an_invalid_request(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b'{"jsonrpc": "1.0", "method": "ping", "id": 5}'))
    assert answer.get("id") in (5, None), answer
    assert_error(answer, -32600, answer.get("id"))


def test_a_scalar_message_is_an_invalid_request(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b"42"))
    assert_error(answer, -32600, None)


def test_an_empty_array_is_an_invalid_request(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b"[]"))
    assert_error(answer, -32600, None)


def test_a_batch_is_answered_never_ignored(server: RpcPipe) -> None:
    """2025-06-18 dropped batches: an error (-32600, id null) is right; JSON-RPC 2.0's array of answers is accepted."""
    messages = exchange(server, b"[" + request("ping", 11) + b"," + request("ping", 12) + b"]")
    assert messages, f"no answer to a batch within {ANSWER_TIMEOUT} s"
    first = messages[0]
    if isinstance(first, list):
        assert sorted(m.get("id") for m in first) == [11, 12], f"batch answers: {first}"
    else:
        assert_error(first, -32600, None)


# Ids.
def test_a_null_id_is_answered_with_a_null_id(server: RpcPipe) -> None:
    """MCP forbids null ids (-32600 is right); JSON-RPC 2.0 answers a null id with a null id. Either way: id null."""
    answer = only_answer(exchange(server, request("ping", None)))
    assert "id" in answer and answer["id"] is None, f"expected id null, got {answer.get('id', '<absent>')!r}: {answer}"
    if "error" in answer:
        assert answer["error"].get("code") == -32600, answer


def test_a_float_id_gets_an_answer(server: RpcPipe) -> None:
    """MCP ids are strings or integers: -32600 (id null or 1.5) is right; an answer with id 1.5 is accepted."""
    answer = only_answer(exchange(server, request("ping", 1.5)))
    assert answer.get("id") in (1.5, None), answer
    if "error" in answer:
        assert answer["error"].get("code") == -32600, answer


def test_an_object_id_is_an_invalid_request(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, request("ping", {"a": 1})))
    assert_error(answer, -32600, None)


def test_a_very_long_string_id_is_answered_with_that_id(server: RpcPipe) -> None:
    long_id = "id-" + "x" * 100_000
    answer = only_answer(exchange(server, request("ping", long_id)))
    assert answer.get("id") == long_id, f"answered with id {str(answer.get('id'))[:40]!r}…: {str(answer)[:200]}"
    assert "result" in answer, answer


def test_a_negative_and_a_huge_integer_id_are_echoed(server: RpcPipe) -> None:
    for request_id in (-7, 2**53):
        answer = only_answer(exchange(server, request("ping", request_id)))
        assert answer.get("id") == request_id and "result" in answer, answer


# Methods and parameters.
def test_an_unknown_method_is_method_not_found(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, request("no/such/method", 7)))
    assert_error(answer, -32601, 7)


def test_an_unknown_notification_is_not_answered(server: RpcPipe) -> None:
    messages = exchange(server, b'{"jsonrpc": "2.0", "method": "notifications/no-such-thing"}', timeout=1)
    assert not [m for m in messages if isinstance(m, dict) and "id" in m], f"a notification was answered: {messages}"


@pytest.mark.parametrize("arguments", ["bravo", 5, [1, 2], True], ids=["string", "number", "array", "bool"])
def test_non_object_arguments_are_invalid_params(server: RpcPipe, arguments: Any) -> None:
    answer = only_answer(exchange(server, request("tools/call", 21, {"name": "show_agent", "arguments": arguments})))
    assert_error(answer, -32602, 21)


def test_tools_call_params_as_an_array_are_invalid_params(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, request("tools/call", 22, ["show_agent", {"agent_name": "x"}])))
    assert_error(answer, -32602, 22)


def test_tools_call_without_a_name_is_invalid_params(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, request("tools/call", 23, {"arguments": {}})))
    assert_error(answer, -32602, 23)


def test_an_unknown_tool_is_invalid_params(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, request("tools/call", 24, {"name": "no_such_tool", "arguments": {}})))
    assert_error(answer, -32602, 24)


# Sizes.
def test_a_five_megabyte_request_is_answered(server: RpcPipe) -> None:
    huge = "A" * (5 << 20)
    answer = only_answer(exchange(server, request("tools/call", 31, {"name": "show_agent", "arguments": {"agent_name": huge}}),
                                  timeout=60))
    assert answer.get("id") == 31, str(answer)[:300]
    if "result" in answer:
        text = "".join(c.get("text", "") for c in answer["result"].get("content", []))
        assert answer["result"].get("isError") is True and 0 < len(text) < 2000, f"{text[:200]!r}… ({len(text)} chars)"


def test_a_five_megabyte_line_of_garbage_is_a_parse_error(server: RpcPipe) -> None:
    answer = only_answer(exchange(server, b"{" + b"x" * (5 << 20), timeout=60))
    assert_error(answer, -32700, None)


def test_empty_lines_are_ignored(server: RpcPipe) -> None:
    messages = exchange(server, b"\n\r\n", timeout=1)
    assert messages == [], f"empty lines were answered: {messages}"


def test_a_line_of_white_space_is_ignored_or_a_parse_error(server: RpcPipe) -> None:
    for answer in exchange(server, b" \t ", timeout=1):
        assert_error(answer, -32700, None)
