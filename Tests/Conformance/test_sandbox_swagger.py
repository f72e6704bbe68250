"""Conformance of the answers there is no recorded traffic for (tasks pause/resume/input and log snapshots,
Coder 2.31+), against Coder's own API description: ``<repo>/../shared/coder-api/swagger.json`` (v2.35.1).

The sandbox runs with ``--coder-version 2.35`` and is driven through a task's whole pause/resume cycle. For every
answer we check:

* the status code is the one swagger declares for that path and method (202 pause/resume, 204 input, 200 logs...),
  or the error code ``coder-api.md`` §2.10 gives (409);
* every key the sandbox sends is declared in swagger's definition (recursively), and its JSON type is the declared
  one (enums must use a value declared by the field or by its type). ``null`` is accepted only where Go has a pointer or a nullable UUID: a
  ``$ref`` (object or enum), ``format: uuid`` or ``format: date-time``;
* every key of the top-level definition (and of members such as ``workspace_build``) is present, except the ones ``codersdk`` marks ``omitempty`` (swagger does
  not say which; listed in ``OMITEMPTY`` from ``codersdk/aitasks.go`` and ``codersdk/workspacebuilds.go``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from conformance_support import REPO_ROOT, Exchange, SandboxClient

SWAGGER = REPO_ROOT.parent / "shared" / "coder-api" / "swagger.json"
OWNER = "alice"
TASK = "agent-swagger"

# Keys Go leaves out when empty (json:",omitempty"), per definition.
OMITEMPTY = {
    "codersdk.Task": {"owner_avatar_url", "workspace_status", "workspace_build_number"},
    "codersdk.TaskLogsResponse": {"snapshot", "snapshot_at"},
    "codersdk.WorkspaceBuild": {"deadline", "max_deadline", "has_ai_task", "has_external_agent", "template_version_preset_id"},
    "codersdk.Response": {"detail", "validations"},
}


@pytest.fixture(scope="module")
def swagger() -> dict:
    if not SWAGGER.is_file():
        pytest.skip(f"swagger.json not found at {SWAGGER}")
    return json.loads(SWAGGER.read_text())


class Checker:
    def __init__(self, swagger: dict) -> None:
        self.definitions = swagger["definitions"]
        self.paths = swagger["paths"]

    def resolve(self, schema: dict) -> tuple[dict, str | None]:
        """Follows $ref / single allOf; returns the schema and the definition name (if any)."""
        name = None
        while True:
            if "$ref" in schema:
                name = schema["$ref"].split("/")[-1]
                schema = self.definitions[name]
            elif "allOf" in schema and len(schema["allOf"]) == 1:
                merged = {k: v for k, v in schema.items() if k != "allOf"}
                inner, inner_name = self.resolve(schema["allOf"][0])
                name = inner_name or name
                schema = {**inner, **{k: v for k, v in merged.items() if k not in ("type", "enum")}}
                if "enum" in merged or "enum" in inner:
                    # A field's own `enums:` tag can lag behind its type (WorkspaceBuild.reason lists
                    # initiator|autostart|autostop, codersdk.BuildReason also the task_* reasons): either is declared.
                    schema["enum"] = list(dict.fromkeys(inner.get("enum", []) + merged.get("enum", [])))
            else:
                return schema, name

    @staticmethod
    def nullable(schema: dict) -> bool:
        return "$ref" in schema or "allOf" in schema or schema.get("format") in ("uuid", "date-time")

    def check(self, value: Any, schema: dict, path: str, problems: list[str]) -> None:
        if value is None:
            if not self.nullable(schema):
                problems.append(f"{path}: null, but swagger declares {schema.get('type')} (not a pointer)")
            return
        resolved, name = self.resolve(schema)
        if name == "uuid.NullUUID":  # encodes as a UUID string or null (coder-api.md §1.3)
            if not isinstance(value, str):
                problems.append(f"{path}: {json.dumps(value)[:60]} is not a UUID string")
            return
        kind = resolved.get("type")
        if "enum" in resolved and value not in resolved["enum"]:
            problems.append(f"{path}: {value!r} is not one of {name or ''} {resolved['enum']}")
        if kind == "object" or (kind is None and "properties" in resolved):
            if not isinstance(value, dict):
                problems.append(f"{path}: {type(value).__name__}, swagger declares an object ({name})")
                return
            properties = resolved.get("properties")
            if properties is None:
                extra = resolved.get("additionalProperties")
                if isinstance(extra, dict):
                    for key, item in value.items():
                        self.check(item, extra, f"{path}.{key}", problems)
                return
            for key, item in value.items():
                if key not in properties:
                    problems.append(f"{path}.{key}: not declared in {name}")
                else:
                    self.check(item, properties[key], f"{path}.{key}", problems)
        elif kind == "array":
            if not isinstance(value, list):
                problems.append(f"{path}: {type(value).__name__}, swagger declares an array")
                return
            for index, item in enumerate(value):
                self.check(item, resolved.get("items", {}), f"{path}[{index}]", problems)
        elif kind == "string":
            if not isinstance(value, str):
                problems.append(f"{path}: {type(value).__name__}, swagger declares a string")
            elif resolved.get("format") == "date-time" and "T" not in value:
                problems.append(f"{path}: {value!r} is not a date-time")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{path}: {value!r} is not an integer")
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{path}: {value!r} is not a number")
        elif kind == "boolean":
            if not isinstance(value, bool):
                problems.append(f"{path}: {value!r} is not a boolean")

    def body(self, exchange: Exchange, definition: str) -> list[str]:
        """Problems of a JSON body against a definition: types, undeclared keys, missing non-omitempty keys."""
        problems: list[str] = []
        try:
            value = exchange.json
        except ValueError:
            return [f"{exchange.source}: body is not JSON: {exchange.body_text[:200]!r}"]
        self.check(value, {"$ref": f"#/definitions/{definition}"}, "$", problems)
        self.missing(value, definition, "$", problems)
        return [f"{exchange.source}: {p}" for p in problems]

    def missing(self, value: Any, definition: str, path: str, problems: list[str]) -> None:
        """Keys of `definition` that are not omitempty but absent; also in members whose definition is in OMITEMPTY."""
        if not isinstance(value, dict):
            return
        properties = self.definitions[definition].get("properties", {})
        for key in sorted(set(properties) - set(value) - OMITEMPTY.get(definition, set())):
            problems.append(f"{path}.{key}: declared in {definition} and not omitempty, but missing")
        for key, schema in properties.items():
            _, name = self.resolve(schema)
            if name in OMITEMPTY and key in value:
                self.missing(value[key], name, f"{path}.{key}", problems)

    def success_status(self, method: str, path: str) -> int:
        operation = self.paths[path][method.lower()]
        codes = [int(code) for code in operation["responses"] if code.startswith("2")]
        assert len(codes) == 1, f"{method} {path}: success codes {codes} (test bug)"
        return codes[0]


def wait_for(client: SandboxClient, what: str, predicate, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = client.get(f"/api/v2/tasks/{OWNER}/{TASK}", label=f"GET task (waiting for {what})")
        if last.status == 200 and predicate(last.json):
            return last.json
        time.sleep(0.05)
    pytest.fail(f"task never reached {what}; last: {last.status if last else '-'} {last.body_text[:300] if last else ''}",
                pytrace=False)


@pytest.fixture(scope="module")
def cycle(launch) -> dict[str, Exchange]:
    """Drives one task through create → active → pause → input → resume on a 2.35 sandbox."""
    client = launch("2.35").client
    steps: dict[str, Exchange] = {}
    templates = client.get("/api/v2/templates").json
    webshop = next(t for t in templates if t["name"] == "webshop")
    steps["create"] = client.post(f"/api/v2/tasks/{OWNER}", {"template_version_id": webshop["active_version_id"],
                                                              "input": "Investigate the slow deploys", "name": TASK})
    wait_for(client, "active with its first turn done",
             lambda t: t["status"] == "active" and (t.get("current_state") or {}).get("state") == "complete")
    base = f"/api/v2/tasks/{OWNER}/{TASK}"
    steps["task_active"] = client.get(base)
    steps["logs_live"] = client.get(base + "/logs")
    steps["input_active"] = client.request("PATCH", base + "/input", {"input": "Fix the flaky login test"})
    steps["resume_active"] = client.post(base + "/resume", None)
    steps["pause"] = client.post(base + "/pause", None)
    wait_for(client, "paused", lambda t: t["status"] == "paused" and t.get("workspace_status") == "stopped")
    steps["task_paused"] = client.get(base)
    steps["list_paused"] = client.get("/api/v2/tasks?q=status:paused")
    steps["logs_snapshot"] = client.get(base + "/logs")
    steps["send_paused"] = client.post(base + "/send", {"input": "Hello?"})
    steps["input"] = client.request("PATCH", base + "/input", {"input": "Fix the flaky login test"})
    steps["resume"] = client.post(base + "/resume", None)
    wait_for(client, "active again", lambda t: t["status"] == "active")
    steps["task_resumed"] = client.get(base)
    return steps


# (step, swagger path, method, expected status or None for swagger's success code, definition of the body or None)
CASES = [
    ("create", "/api/v2/tasks/{user}", "POST", None, "codersdk.Task"),
    ("task_active", "/api/v2/tasks/{user}/{task}", "GET", None, "codersdk.Task"),
    ("logs_live", "/api/v2/tasks/{user}/{task}/logs", "GET", None, "codersdk.TaskLogsResponse"),
    ("input_active", "/api/v2/tasks/{user}/{task}/input", "PATCH", 409, "codersdk.Response"),
    ("resume_active", "/api/v2/tasks/{user}/{task}/resume", "POST", 409, "codersdk.Response"),
    ("pause", "/api/v2/tasks/{user}/{task}/pause", "POST", None, "codersdk.PauseTaskResponse"),
    ("task_paused", "/api/v2/tasks/{user}/{task}", "GET", None, "codersdk.Task"),
    ("list_paused", "/api/v2/tasks", "GET", None, "codersdk.TasksListResponse"),
    ("logs_snapshot", "/api/v2/tasks/{user}/{task}/logs", "GET", None, "codersdk.TaskLogsResponse"),
    ("send_paused", "/api/v2/tasks/{user}/{task}/send", "POST", 409, "codersdk.Response"),
    ("input", "/api/v2/tasks/{user}/{task}/input", "PATCH", None, None),
    ("resume", "/api/v2/tasks/{user}/{task}/resume", "POST", None, "codersdk.ResumeTaskResponse"),
    ("task_resumed", "/api/v2/tasks/{user}/{task}", "GET", None, "codersdk.Task"),
]


@pytest.mark.parametrize("step,path,method,status,definition", CASES, ids=[c[0] for c in CASES])
def test_answer_matches_swagger(step: str, path: str, method: str, status: int | None, definition: str | None,
                                swagger: dict, cycle: dict[str, Exchange]) -> None:
    checker = Checker(swagger)
    exchange = cycle[step]
    expected = status if status is not None else checker.success_status(method, path)
    problems = []
    if exchange.status != expected:
        problems.append(f"status {exchange.status}, expected {expected} (body {exchange.body_text[:300]!r})")
    if definition is None:
        if exchange.body_text != "":
            problems.append(f"body should be empty (204), is {exchange.body_text[:200]!r}")
    else:
        problems += checker.body(exchange, definition)
    if problems:
        pytest.fail(f"{method} {path} ({step}):\n  - " + "\n  - ".join(problems), pytrace=False)


def test_pause_and_resume_builds_carry_their_reasons(cycle: dict[str, Exchange]) -> None:
    pause, resume = cycle["pause"].json["workspace_build"], cycle["resume"].json["workspace_build"]
    assert (pause["transition"], pause["reason"]) == ("stop", "task_manual_pause")
    assert (resume["transition"], resume["reason"]) == ("start", "task_resume")
    assert pause["build_number"] + 1 == resume["build_number"]


def test_paused_task_and_its_snapshot(cycle: dict[str, Exchange]) -> None:
    assert cycle["task_paused"].json["status"] == "paused"
    assert [t["name"] for t in cycle["list_paused"].json["tasks"]] == [TASK]
    live, snapshot = cycle["logs_live"].json, cycle["logs_snapshot"].json
    assert "snapshot" not in live and "snapshot_at" not in live
    assert snapshot["snapshot"] is True and isinstance(snapshot["snapshot_at"], str)
    assert snapshot["logs"] == live["logs"], "the snapshot is what the agent had said"
    assert cycle["task_resumed"].json["initial_prompt"] == "Fix the flaky login test"


def test_conflict_messages(cycle: dict[str, Exchange]) -> None:
    assert cycle["input_active"].json["message"] == "Unable to update task input, task must be paused."
    assert cycle["send_paused"].json == {"message": "Task is paused.", "detail": "Resume the task to send messages."}
