"""Defects the fuzz found that are not fixed yet: one entry each, with the smallest request that shows it.

While an entry is here, the fuzz sends matching requests only a couple of times per run and reports what they do
without failing, and test_known_defects.py runs its repro as a strict xfail. Once fleet-mcp is fixed the repro
passes, the strict xfail fails the run, and the entry must be deleted: from then on the fuzz sends every such
request and fails on any regression.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from fuzz_cases import Case


@dataclass(frozen=True)
class KnownDefect:
    id: str
    summary: str
    kinds: frozenset[str]                      # violation kinds it explains (crash, long-error, echo, ...)
    predicate: Callable[[Case], bool]          # which fuzz requests it concerns
    repro_test: str                            # the strict-xfail test that shows it with the smallest request
    expected: str                              # what fleet-mcp must do instead
    quota: int = 2                             # matching fuzz requests sent per run while the defect is open

    def matches(self, case: Case) -> bool:
        try:
            return self.predicate(case)
        except Exception:  # noqa: BLE001 - a predicate must never break the fuzz
            return False


def argument(case: Case, key: str) -> Any:
    return case.arguments.get(key) if isinstance(case.arguments, dict) else None


def long_string(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 2000


def huge_page(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and int(str(value).strip()) > 2**53
    except ValueError:
        return False


KNOWN_DEFECTS: list[KnownDefect] = [
    KnownDefect(
        id="task-echo",
        summary="create_agent and start_agent_task return the whole task in their result's `task` field: "
                "a 1 MiB task_description comes back as a 1 MiB result.",
        kinds=frozenset({"echo"}),
        predicate=lambda case: (case.tool == "start_agent_task" and long_string(argument(case, "task_description")))
        or (case.tool == "create_agent" and long_string(argument(case, "task"))),
        repro_test="test_known_defects.py::test_a_long_task_is_not_echoed_whole",
        expected="the task capped in the result (e.g. the first 200 characters and '… (1048576 characters)')",
    ),
    KnownDefect(
        id="huge-page-float",
        summary="show_agent_task_history / show_agent_log read page as a Double: a page above 2^53 is answered inexactly "
                "(2^53+1 -> 9007199254740992; 2^62 -> 4.611686018427388e+18 in the text, 4611686018427388000 in structuredContent) "
                "and Int64.max as 9.223372036854776e+18, which breaks their outputSchema (integer).",
        kinds=frozenset({"schema"}),
        predicate=lambda case: case.tool in {"show_agent_task_history", "show_agent_log"} and huge_page(argument(case, "page")),
        repro_test="test_known_defects.py::test_a_huge_page_number_is_refused_or_echoed_exactly",
        expected="isError 'page must be at most …' (or the exact integer echoed)",
    ),
    KnownDefect(
        id="parse-error-random-id",
        summary="A request with a lone surrogate escape (\"\\ud800\") or a number beyond Double (1e999) is answered "
                "-32700 with a random UUID as id (the SDK's decoder), not id null.",
        kinds=frozenset({"protocol-error"}),
        predicate=lambda case: case.raw_value is not None and any(
            marker in case.raw_value[1] for marker in ("\\ud", "\\udf", "e999")),
        repro_test="test_jsonrpc_edges.py::test_undecodable_json_is_a_parse_error_with_null_id",
        expected="-32700 with id null, or (better) the request processed and answered with its own id",
    ),
]
