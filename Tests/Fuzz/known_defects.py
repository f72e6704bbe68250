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


KNOWN_DEFECTS: list[KnownDefect] = []
