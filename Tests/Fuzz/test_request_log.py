"""What the fuzz made fleet-mcp send to Coder, from the sandbox's request log (`fleet-mcp sandbox --request-log FILE`,
one JSON object per request with its method and raw path and query).

* Every path segment is escaped: no `.` or `..` segment (also not as %2e), only RFC 3986 path characters, every `%`
  followed by two hex digits, and the path has the shape of a Coder route (a raw `/` in a name would add a segment).
* Every owner in a path or search query is the caller (`me` or the sandbox user), so no name reaches another user.
* Every `q` search query is made of known `key:value` terms, values quoted or plain; the caller's text never adds a
  term (an injected `owner:`, `name:` or free-text term).

A fleet-mcp whose sandbox has no --request-log skips these tests with a warning (even in CI); one that has the flag
but writes no log fails.
"""
from __future__ import annotations

import json
import re
import warnings
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from conftest import FuzzEnvironment

OWNERS = {"me", "alice"}
PCHAR = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$")
ROUTES = [r.split("/") for r in (
    "api/v2/buildinfo", "api/v2/organizations", "api/v2/organizations/*", "api/v2/organizations/*/templates",
    "api/v2/organizations/*/templates/*", "api/v2/organizations/*/members/*/workspaces", "api/v2/templates", "api/v2/templates/*",
    "api/v2/templateversions/*", "api/v2/templateversions/*/presets", "api/v2/templateversions/*/rich-parameters",
    "api/v2/users/*", "api/v2/users/*/organizations", "api/v2/users/*/workspace/*", "api/v2/users/*/workspaces",
    "api/v2/workspacebuilds/*", "api/v2/workspacebuilds/*/parameters", "api/v2/workspacebuilds/*/resources",
    "api/v2/workspaces", "api/v2/workspaces/*", "api/v2/workspaces/*/builds", "api/v2/workspaceagents/me/app-status",
    *(f"api/{generation}/tasks{route}" for generation in ("v2", "experimental")
      for route in ("", "/*", "/*/*", "/*/*/send", "/*/*/logs", "/*/*/input", "/*/*/pause", "/*/*/resume")),
    "@*/*/apps/*/status", "@*/*/apps/*/message", "@*/*/apps/*/messages",
)]
# Where an owner sits in a path: (route prefix, index of the owner segment).
OWNER_SEGMENTS = [(["api", "v2", "users"], 3), (["api", "v2", "tasks"], 3), (["api", "experimental", "tasks"], 3),
                  (["api", "v2", "organizations", "*", "members"], 5)]
SEARCH_KEYS = {"owner", "name", "template", "status", "param", "has-ai-task", "has_ai_task"}
PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def log_entries(fuzz_environment: FuzzEnvironment) -> list[dict]:
    if fuzz_environment.request_log is None:
        message = ("SKIPPED LOUDLY: this fleet-mcp's sandbox has no --request-log, so what the fuzz sent to Coder is not "
                   "checked (paths escaped, search queries quoted, owners). Rebuild with the flag to run these tests.")
        warnings.warn(message)
        pytest.skip(message)
    path = fuzz_environment.request_log
    assert path.exists(), f"the sandbox has --request-log but wrote no {path}"
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert entries, f"the sandbox has --request-log but {path} is empty"
    return entries


def raw_target(entry: dict) -> tuple[str, str]:
    """(raw path, raw query) of a log entry, whichever keys the log uses."""
    for key in ("target", "uri", "url", "request_uri", "raw_uri"):
        if isinstance(entry.get(key), str):
            parts = urlsplit(entry[key])
            return parts.path, parts.query
    path = next((entry[k] for k in ("raw_path", "path") if isinstance(entry.get(k), str)), None)
    assert path is not None, f"request log entry without a path: {entry}"
    query = next((entry[k] for k in ("raw_query", "query") if isinstance(entry.get(k), str)), "")
    if "?" in path and not query:
        path, query = path.split("?", 1)
    return path, query


def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s != ""]


def route_of(parts: list[str]) -> list[str] | None:
    for route in ROUTES:
        if len(route) == len(parts) and all(r == p or r == "*" or (r == "@*" and p.startswith(("@", "%40"))) for r, p in zip(route, parts)):
            return route
    return None


def path_problems(method: str, path: str) -> list[str]:
    problems = []
    parts = segments(path)
    for part in parts:
        if part in (".", "..") or unquote(part) in (".", ".."):
            problems.append(f"dot segment {part!r}")
        if not PCHAR.match(part):
            problems.append(f"unescaped characters or a bare % in segment {part!r:.80}")
    if route_of(parts) is None:
        problems.append("not the shape of a Coder route (an unescaped / in a name?)")
    for prefix, index in OWNER_SEGMENTS:
        if len(parts) > index and all(p == "*" or p == q for p, q in zip(prefix, parts)):
            owner = unquote(parts[index])
            if owner not in OWNERS and not (prefix[-1] == "tasks" and owner == "me"):
                problems.append(f"owner segment {owner!r} is not the caller")
    if parts and parts[0].startswith(("@", "%40")):
        owner = unquote(parts[0])[1:]
        if owner not in OWNERS:
            problems.append(f"app proxy owner {owner!r} is not the caller")
    return [f"{method} {path[:160]}: {p}" for p in problems]


def search_terms(query: str) -> list[str]:
    """Splits a Coder search query on spaces outside double quotes (backslash escapes inside quotes)."""
    terms, current, quoted, escaped = [], "", False, False
    for char in query:
        if escaped:
            current += char
            escaped = False
        elif char == "\\" and quoted:
            current += char
            escaped = True
        elif char == '"':
            current += char
            quoted = not quoted
        elif char == " " and not quoted:
            if current:
                terms.append(current)
            current = ""
        else:
            current += char
    if current:
        terms.append(current)
    assert not quoted, f"unbalanced quotes in q={query!r:.200}"
    return terms


def query_problems(method: str, path: str, raw_query: str) -> list[str]:
    problems = []
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        if key != "q":
            continue
        seen: dict[str, int] = {}
        for term in search_terms(value):
            if term.startswith('"') and term.endswith('"') and len(term) >= 2:
                continue  # quoted free text
            name, colon, term_value = term.partition(":")
            if not colon or name not in SEARCH_KEYS:
                problems.append(f"term {term!r:.80} is not a known key:value term (caller text let through?)")
                continue
            seen[name] = seen.get(name, 0) + 1
            quoted = term_value.startswith('"') and term_value.endswith('"') and len(term_value) >= 2
            if not quoted and not PLAIN_VALUE.match(term_value):
                problems.append(f"term {term!r:.80} has an unquoted value")
            if name == "owner" and term_value.strip('"') not in OWNERS:
                problems.append(f"owner term {term!r:.80} is not the caller")
        problems += [f"{count} {name}: terms" for name, count in seen.items() if count > 1 and name in ("owner", "name")]
    return [f"{method} {path[:80]} q: {p}" for p in problems]


def test_the_request_log_covers_the_fuzz(fuzz_report, fuzz_environment: FuzzEnvironment) -> None:
    entries = log_entries(fuzz_environment)
    assert len(entries) >= fuzz_report.calls // 4, f"only {len(entries)} Coder requests logged for {fuzz_report.calls} calls"


def test_every_name_in_a_path_is_escaped_and_owned_by_the_caller(fuzz_report, fuzz_environment: FuzzEnvironment) -> None:
    problems: list[str] = []
    for entry in log_entries(fuzz_environment):
        path, _ = raw_target(entry)
        problems += path_problems(str(entry.get("method", "?")), path)
    assert not problems, f"{len(problems)} unsafe Coder request paths:\n" + "\n".join(sorted(set(problems))[:30])


def test_search_queries_quote_what_the_caller_gave(fuzz_report, fuzz_environment: FuzzEnvironment) -> None:
    problems: list[str] = []
    for entry in log_entries(fuzz_environment):
        path, query = raw_target(entry)
        problems += query_problems(str(entry.get("method", "?")), path, query)
    assert not problems, f"{len(problems)} unsafe search queries:\n" + "\n".join(sorted(set(problems))[:30])


@pytest.mark.parametrize("path, bad", [
    ("/api/v2/users/me/workspace/agent-a%2Fb", False), ("/api/v2/users/me/workspace/agent-a/b", True),
    ("/api/v2/users/me/workspace/..", True), ("/api/v2/users/me/workspace/%2e%2e", True),
    ("/api/v2/users/me/workspace/agent a", True), ("/api/v2/users/me/workspace/agent%zz", True),
    ("/api/v2/users/bob/workspace/agent-a", True), ("/@alice/agent-a.main/apps/ccw/status", False),
    ("/@bob/agent-a.main/apps/ccw/status", True), ("/api/v2/tasks/me/agent-x/send", False),
])
def test_the_path_check_itself(path: str, bad: bool) -> None:
    """The checker finds what it must (so a passing log check means something)."""
    assert bool(path_problems("GET", path)) == bad, path_problems("GET", path)


@pytest.mark.parametrize("query, bad", [
    ('q=owner:"me" name:"agent-x"', False), ('q=owner:"me" name:"agent-x name:y"', False),
    ('q=owner:"me" name:agent-x name:y', True), ('q=owner:"me" name:"agent-x" owner:someone', True),
    ('q=owner:"me" "free text"', False), ('q=owner:"me" free', True), ('q=owner:me has-ai-task:true', False),
])
def test_the_query_check_itself(query: str, bad: bool) -> None:
    from urllib.parse import quote

    key, _, value = query.partition("=")
    assert bool(query_problems("GET", "/api/v2/workspaces", f"{key}={quote(value)}")) == bad, query
