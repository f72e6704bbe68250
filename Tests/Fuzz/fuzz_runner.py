"""Drives many tools/call requests through an RpcPipe at once and checks every answer.

A crash (the server process exits) is attributed by replaying each request that was in flight alone on a fresh
server; the culprit is then shrunk to the fewest arguments that still crash it. A request whose answer does not
arrive within its budget is a hang. Known defects (known_defects.py) are sent only a few times per run, so CI
stays fast while they are open, and their violations are reported but not counted as new.
"""
from __future__ import annotations

import itertools
import json
import queue
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from fuzz_cases import ABSENT, Case
from known_defects import KnownDefect
from rpc_pipe import Pending, RpcPipe, ServerDied

ERROR_TEXT_CAP = 2000
ECHO_WINDOW = 2000


@dataclass
class Violation:
    kind: str  # crash, hang, protocol-error, bad-result, empty-error, long-error, echo, schema, stdout-garbage, slow
    case: Case | None
    detail: str
    known: str | None = None

    def line(self) -> str:
        tag = f" [known: {self.known}]" if self.known else ""
        request = self.case.describe() if self.case else "-"
        return f"{self.kind}{tag}: {request} -> {self.detail}"


@dataclass
class FuzzReport:
    calls: int = 0
    results_ok: int = 0
    results_error: int = 0
    tolerated_protocol_errors: int = 0
    restarts: int = 0
    seconds: float = 0
    violations: list[Violation] = field(default_factory=list)
    skipped_known: Counter = field(default_factory=Counter)
    per_tool: Counter = field(default_factory=Counter)
    seconds_per_tool: Counter = field(default_factory=Counter)   # summed answer times

    def new(self, kinds: set[str] | None = None) -> list[Violation]:
        """Violations no known defect explains (of the given kinds)."""
        return [v for v in self.violations if v.known is None and (kinds is None or v.kind in kinds)]

    def summary(self) -> str:
        lines = [f"{self.calls} tools/call in {self.seconds:.1f} s ({self.results_ok} ok, {self.results_error} isError, "
                 f"{self.tolerated_protocol_errors} protocol errors to malformed lines), {self.restarts} server restarts"]
        slowest = sorted(self.seconds_per_tool.items(), key=lambda item: -item[1])[:4]
        lines.append("answer time by tool (summed): " + ", ".join(f"{tool} {seconds:.0f} s" for tool, seconds in slowest))
        if self.skipped_known:
            lines.append("not sent (known defect, quota reached): " + ", ".join(f"{k} x{n}" for k, n in sorted(self.skipped_known.items())))
        kinds = Counter((v.kind, v.known) for v in self.violations)
        for (kind, known), count in sorted(kinds.items(), key=lambda item: (item[0][0], item[0][1] or "")):
            lines.append(f"  {count:5d} {kind}" + (f" (known: {known})" if known else " (NEW)"))
        seen: set[str] = set()
        for violation in self.violations:
            key = f"{violation.kind}|{violation.known}|{violation.case.tool if violation.case else ''}|{violation.detail[:60]}"
            if key not in seen:
                seen.add(key)
                lines.append("  - " + violation.line())
        return "\n".join(lines)


def texts_of(result: dict) -> str:
    content = result.get("content")
    if not isinstance(content, list):
        return ""
    return "\n".join(c.get("text", "") for c in content if isinstance(c, dict) and c.get("type") == "text")


def long_strings(value: Any) -> list[str]:
    """Every string of at least ECHO_WINDOW characters in the arguments (values and keys)."""
    found: list[str] = []
    if isinstance(value, str) and len(value) >= ECHO_WINDOW:
        found.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += long_strings(key) + long_strings(item)
    elif isinstance(value, list):
        for item in value:
            found += long_strings(item)
    return found


class Fuzzer:
    """Sends cases through servers made by `make_server` (each returned initialized) and checks the answers."""

    def __init__(self, make_server: Callable[[], RpcPipe], validators: dict[str, Any], known: list[KnownDefect],
                 window: int = 16, max_crashes: int = 30, shrink: bool = True, time_limit: float | None = None) -> None:
        self.make_server = make_server
        self.validators = validators
        self.known = known
        self.window = window
        self.max_crashes = max_crashes
        self.shrink = shrink
        self.time_limit = time_limit
        self.report = FuzzReport()
        self.sent_known: Counter = Counter()
        self.server: RpcPipe | None = None
        self.inflight: dict[int, tuple[Case, Pending]] = {}
        self.next_id = 1000

    # Public.
    def run(self, cases: Iterable[Case], count: int) -> FuzzReport:
        """Sends the first `count` cases that known defects leave (see known_defects.py)."""
        started = time.monotonic()
        self.server = self.make_server()
        try:
            cases = list(itertools.islice((case for case in cases if not self._over_quota(case)), count))
            # Lines the server may not parse are answered with id null: send them first, one at a time.
            for case in cases:
                if not case.well_formed:
                    self._malformed(case)
            for case in cases:
                if not case.well_formed:
                    continue
                while self._busy(case):
                    self._reap()
                self._send(case)
                if self._crashes() >= self.max_crashes:
                    self.report.violations.append(Violation("crash", None, f"stopped after {self.max_crashes} crashes"))
                    break
                if self.time_limit is not None and time.monotonic() - started > self.time_limit:
                    self.report.violations.append(Violation("slow", None, f"stopped after {self.time_limit:.0f} s, "
                                                                          f"{self.report.calls} calls sent"))
                    break
            while self.inflight:
                self._reap()
            if self.server.garbage:
                self.report.violations.append(Violation("stdout-garbage", None, f"non-JSON stdout lines: {self.server.garbage[:3]!r}"))
        finally:
            self.server.close()
            self.report.seconds = time.monotonic() - started
        return self.report

    # Sending and reaping.
    def _over_quota(self, case: Case) -> bool:
        for defect in self.known:
            if defect.matches(case):
                if self.sent_known[defect.id] >= defect.quota:
                    self.report.skipped_known[defect.id] += 1
                    return True
                self.sent_known[defect.id] += 1
        return False

    def _busy(self, case: Case) -> bool:
        """Whether `case` must wait for a free slot: `window` working requests, and 4 x `window` waiting ones."""
        same = sum(1 for other, _ in self.inflight.values() if other.waits == case.waits)
        return same >= (4 * self.window if case.waits else self.window)

    def _send(self, case: Case) -> None:
        assert self.server is not None
        self.next_id += 1
        pending = self.server.send("tools/call", request_id=self.next_id, raw=case.line(self.next_id))
        self.inflight[self.next_id] = (case, pending)
        self.report.calls += 1
        self.report.per_tool[case.tool] += 1

    def _reap(self) -> None:
        assert self.server is not None
        try:
            pending = self.server.completions.get(timeout=0.25)
        except queue.Empty:
            self._expire()
            return
        if pending is None:
            self._crashed()
            return
        entry = self.inflight.pop(pending.request_id, None)
        if entry is not None:
            self.report.seconds_per_tool[entry[0].tool] += time.monotonic() - pending.sent_at
            self._check(entry[0], pending.response)
        self._expire()

    def _expire(self) -> None:
        assert self.server is not None
        now = time.monotonic()
        expired = False
        for request_id, (case, pending) in list(self.inflight.items()):
            if now - pending.sent_at > case.wait_budget:
                del self.inflight[request_id]
                self.server.forget(pending)
                self._violation("hang", case, f"no answer within {case.wait_budget:.0f} s")
                expired = True
        if expired and not self.server.responsive():
            self._crashed(stuck=True)

    def _crashes(self) -> int:
        return sum(1 for v in self.report.violations if v.kind == "crash")

    def _restart(self) -> None:
        assert self.server is not None
        self.server.close()
        self.report.restarts += 1
        self.server = self.make_server()

    def _crashed(self, stuck: bool = False) -> None:
        """The server died (or stopped answering, `stuck`): find which in-flight request does it by replaying each
        alone."""
        assert self.server is not None
        suspects = [case for case, _ in self.inflight.values()]
        self.inflight.clear()
        death = "no answer to ping: killed" if stuck else self.server.exit_description()
        self._restart()
        culprits = 0
        for case in suspects:
            outcome, response, detail = self._alone(case)
            if outcome == "crash":
                culprits += 1
                minimal = self._shrink(case) if self.shrink and not self._known_for(case, "crash") else case
                self._violation("crash", minimal, detail)
            elif outcome == "hang":
                self._violation("hang", case, detail)
            else:
                self._check(case, response)
        if culprits == 0:
            self._violation("crash", None, f"server died but no in-flight request kills it alone ({len(suspects)} in flight: "
                                           f"{[c.describe(120) for c in suspects[:5]]}); {death}")

    def _alone(self, case: Case) -> tuple[str, dict | None, str]:
        """Sends one case on the current server and waits: ('ok', response, ''), ('crash', None, why) or ('hang', None, why).
        The server is restarted after a crash."""
        assert self.server is not None
        self.next_id += 1
        pending = self.server.send("tools/call", request_id=self.next_id, raw=case.line(self.next_id))
        try:
            response = self.server.wait(pending, case.wait_budget)
        except ServerDied as died:
            self._restart()
            return "crash", None, str(died)
        if response is None:
            self.server.forget(pending)
            if not self.server.responsive():
                self._restart()
                return "hang", None, f"no answer within {case.wait_budget:.0f} s, nor to ping after it (server restarted)"
            return "hang", None, f"no answer within {case.wait_budget:.0f} s"
        return "ok", response, ""

    def _malformed(self, case: Case) -> None:
        """A line the server may not be able to parse: its answer may carry id null, so nothing else may be in flight.
        It must be answered (a result, or an error whose id is null or the request's), and the server must live."""
        assert self.server is not None
        while self.inflight:
            self._reap()
        self.report.calls += 1
        self.report.per_tool[case.tool] += 1
        self.next_id += 1
        request_id = self.next_id
        start = len(self.server.unmatched)
        pending = self.server.send("tools/call", request_id=request_id, raw=case.line(request_id))
        deadline = time.monotonic() + case.wait_budget
        while (pending.response is None and len(self.server.unmatched) == start and time.monotonic() < deadline
               and self.server.alive()):
            time.sleep(0.002)
        self.server.forget(pending)
        while True:  # the answered request's completion, if any, is consumed here
            try:
                self.server.completions.get_nowait()
            except queue.Empty:
                break
        answer = pending.response if pending.response is not None else (
            self.server.unmatched[start] if len(self.server.unmatched) > start else None)
        if answer is None:
            if not self.server.alive():
                self._violation("crash", case, self.server.exit_description())
                self._restart()
            else:
                self._violation("hang", case, f"no answer within {case.wait_budget:.0f} s")
            return
        if isinstance(answer, dict) and "error" in answer and answer.get("id") not in (None, request_id):
            self._violation("protocol-error", case, f"error answered with id {answer.get('id')!r} instead of null or "
                                                    f"{request_id}: {json.dumps(answer['error'])[:200]}")
            return
        self._check(case, answer)

    def _shrink(self, case: Case) -> Case:
        """Drops arguments one at a time while the request still crashes the server alone."""
        if not isinstance(case.arguments, dict):
            return case
        current = case
        for key in list(case.arguments):
            if current.raw_value is not None and key == current.raw_value[0]:
                continue
            trial = Case(tool=current.tool, arguments={k: v for k, v in current.arguments.items() if k != key},
                         raw_value=current.raw_value, wait_budget=current.wait_budget)
            outcome, response, _ = self._alone(trial)
            if outcome == "crash":
                current = trial
        return current

    # Checking.
    def _known_for(self, case: Case | None, kind: str) -> str | None:
        if case is None:
            return None
        for defect in self.known:
            if kind in defect.kinds and defect.matches(case):
                return defect.id
        return None

    def _violation(self, kind: str, case: Case | None, detail: str) -> None:
        self.report.violations.append(Violation(kind, case, detail, self._known_for(case, kind)))

    def _check(self, case: Case, response: dict | None) -> None:
        if not isinstance(response, dict):
            self._violation("bad-result", case, f"answer is not an object: {response!r:.200}")
            return
        if "error" in response:
            if not case.well_formed:
                self.report.tolerated_protocol_errors += 1
                return
            self._violation("protocol-error", case, f"JSON-RPC error {json.dumps(response['error'])[:300]}")
            return
        result = response.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("content"), list):
            self._violation("bad-result", case, f"result without content: {json.dumps(response)[:300]}")
            return
        text = texts_of(result)
        if result.get("isError") is True:
            self.report.results_error += 1
            if not text.strip():
                self._violation("empty-error", case, "isError result without text")
            elif len(text) >= ERROR_TEXT_CAP:
                self._violation("long-error", case, f"error text of {len(text)} chars: {text[:160]!r}…")
        else:
            self.report.results_ok += 1
            validator = self.validators.get(case.tool)
            structured = result.get("structuredContent")
            if validator is not None and structured is not None:
                errors = list(validator.iter_errors(structured))
                if errors:
                    self._violation("schema", case, f"structuredContent violates outputSchema: {errors[0].message[:200]}")
        if case.arguments is not ABSENT:
            for value in long_strings(case.arguments):
                if value[:ECHO_WINDOW] in text or value[-ECHO_WINDOW:] in text:
                    self._violation("echo", case, f"a {len(value)}-char argument comes back in a {len(text)}-char "
                                                  f"{'error' if result.get('isError') else 'result'} text")
                    break
