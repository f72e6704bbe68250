"""The fuzzer itself, against fake_server.py (a server broken on purpose): every kind of failure it must report is
reported once, a crash is attributed to the one request that causes it and shrunk to its smallest arguments, and a
known defect is told apart from a new one. Without this a quiet fuzz run could mean a blind fuzzer."""
from __future__ import annotations

import itertools
import os
import sys
from collections import Counter
from pathlib import Path

from conftest import strict_validator
from fake_server import TOOL
from fuzz_cases import RAW_PLACEHOLDER, Case
from fuzz_runner import Fuzzer
from interop_support import require_module
from known_defects import KnownDefect
from rpc_pipe import RpcPipe


def test_the_fuzzer_reports_every_kind_of_failure(tmp_path: Path) -> None:
    jsonschema = require_module("jsonschema")
    argv = [sys.executable, str(Path(__file__).with_name("fake_server.py"))]
    counter = itertools.count()

    def make_server() -> RpcPipe:
        server = RpcPipe(argv, dict(os.environ), tmp_path / f"fake-{next(counter)}.stderr")
        server.initialize()
        return server

    broken = [
        Case("probe", {"agent_name": "x", "page": 13}),          # crash, shrinks to {"page": 13}
        Case("probe", {"agent_name": "hang"}, wait_budget=1),    # hang
        Case("probe", {"agent_name": "proto"}),                  # protocol error
        Case("probe", {"agent_name": "long"}),                   # long error text
        Case("probe", {"agent_name": "empty"}),                  # empty error text (declared known below)
        Case("probe", {"agent_name": "float"}),                  # 1e19 where the schema says integer
        Case("probe", {"agent_name": "A" * 5000}),               # echo (and a long error text)
        Case("probe", {"agent_name": RAW_PLACEHOLDER}, raw_value=("agent_name", "nul"), wait_budget=2),  # made-up id
    ]
    fine = [Case("probe", {"agent_name": f"agent-{i}", "page": 1}) for i in range(40)]
    cases = fine[:20] + broken + fine[20:]
    known = [KnownDefect(id="empty-text", summary="", kinds=frozenset({"empty-error"}), repro_test="",
                         predicate=lambda case: isinstance(case.arguments, dict) and case.arguments.get("agent_name") == "empty",
                         expected="", quota=5)]
    fuzzer = Fuzzer(make_server, {"probe": strict_validator(jsonschema, TOOL["outputSchema"])}, known, window=8)
    report = fuzzer.run(cases, len(cases))

    kinds = Counter(v.kind for v in report.violations)
    assert kinds == {"crash": 1, "hang": 1, "protocol-error": 2, "long-error": 2, "empty-error": 1, "schema": 1, "echo": 1}, \
        report.summary()
    crash = next(v for v in report.violations if v.kind == "crash")
    assert crash.case is not None and crash.case.arguments == {"page": 13}, crash.line()
    assert "exit status 3" in crash.detail, crash.detail
    assert [v.kind for v in report.violations if v.known] == ["empty-error"]
    assert report.calls == len(cases) and report.restarts >= 1
    assert report.results_error >= len(fine)
