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


NON_ASCII_SPACE = "\u00a0\u0085\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000"


def padded_with_unicode_space(value: Any) -> bool:
    return isinstance(value, str) and value != value.strip(NON_ASCII_SPACE) and value.strip(NON_ASCII_SPACE + " \t\r\n").isascii()


def long_string(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 2000


def huge_page(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and int(str(value).strip()) > 2**53
    except ValueError:
        return False


KNOWN_DEFECTS: list[KnownDefect] = [
    KnownDefect(
        id="unicode-space-lookalike",
        summary="Agent names are trimmed of Unicode white space (CharacterSet.whitespacesAndNewlines), so 'alpha\\u200b', "
                "'kilo\\u00a0', '\\u3000kilo', 'kilo\\u2003', 'alpha\\u0085', 'alpha\\u2028', '\\u202fkilo' name alpha/kilo: "
                "delete_agent, restart_agent and start_agent_task act on them, cancel_agent_task resolves them.",
        kinds=frozenset(),  # shows as harm to a sentinel, which no fuzz request may cause: never sent by the fuzz
        predicate=lambda case: case.tool in {"delete_agent", "restart_agent", "start_agent_task", "cancel_agent_task"}
        and padded_with_unicode_space(argument(case, "agent_name")),
        repro_test="test_tool_fuzz.py::test_lookalike_names_never_reach_an_agent",
        expected="isError 'not an agent name' (trim ASCII white space at most); the agent untouched",
        quota=0,
    ),
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
        summary="show_agent_task_history / show_agent_log accept page > 2^53 and answer with page as a float "
                "(9.223372036854776e+18), which breaks their outputSchema (integer).",
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
