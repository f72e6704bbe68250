"""Deterministic random and adversarial arguments for every tool fleet-mcp lists.

A case is one tools/call: the tool, its arguments (any JSON, or absent), and whether the request line is
well-formed JSON-RPC (a few carry bare NaN/Infinity tokens, lone surrogates or 10,000-deep arrays, which a server
may refuse with a protocol error but must never die of).

Agents the fuzz relies on (created before it runs):
* sentinels (`kilo`, `alpha`): only read-only tools (annotations.readOnlyHint) get their real names; the others
  get look-alikes instead, and the sentinels must come through untouched;
* victims (`bravo`, `charlie`): every tool may use their real names (they may be restarted, tasked or deleted).
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from typing import Any

SENTINELS = ("kilo", "alpha")
VICTIMS = ("bravo", "charlie")
PROJECTS = ("webshop", "Webshop", "platform", "Platform", "docker-dev")
ROLES = ("Coder", "coder", "Operator", "Reviewer")
ONE_MB = 1 << 20

# Names that look like a sentinel but are not its name (ASCII case aside): a destructive tool must not act on them.
LOOKALIKES = (
    "\u212Ailo",            # KELVIN SIGN + ilo (NFKC and lowercase give "kilo")
    "\u212AILO",
    "alpha\u200b",          # trailing ZERO WIDTH SPACE
    "\u200balpha",
    "al\u200cpha",          # ZERO WIDTH NON-JOINER
    "alph\u0430",           # CYRILLIC SMALL LETTER A
    "\u0430lpha",
    "\uff4b\uff49\uff4c\uff4f",  # FULLWIDTH kilo
    "kilo\u00ad",           # SOFT HYPHEN
    "k\u0131lo",            # DOTLESS I
    "K\u0130LO",            # CAPITAL I WITH DOT ABOVE
    "ki\u0301lo",           # combining acute
    "kilo\ufeff",           # BOM
    "alpha\u2060",          # WORD JOINER
    "\u1d00lpha",           # SMALL CAPITAL A
    "agent-\u212Ailo",
    "agent-alpha\u200b",
    "ALPHA\u200b",
    "kilo\u00a0",           # NO-BREAK SPACE
    "\u3000kilo",           # IDEOGRAPHIC SPACE
    "kilo\u2003",           # EM SPACE
    "alpha\u0085",          # NEXT LINE
    "alpha\u2028",          # LINE SEPARATOR
    "\u202fkilo",           # NARROW NO-BREAK SPACE
    "kilo\u180e",           # MONGOLIAN VOWEL SEPARATOR
)

CONTROL = ("", " ", "\t", "\n", "\r\n", "\x00", "kilo\x00", "bravo\x00x", "\x1b[31mred\x1b[0m", "\x07\x08\x7f", "a\x0bb",
           "\u202ebravo", "\u2028", "\ufffd", "\U0001F916", "caf\u00e9", "\u0000" * 10)
PATHS = ("../kilo", "..", ".", "a/b", "bravo/../alpha", "/", "//", "%2F", "bravo%2Falpha", "%2e%2e", "%2E%2E%2Fusers", "bravo%00",
         "bravo?x=1", "bravo#frag", "bravo;x", "@alice", "alice/agent-bravo", "..\\..\\", "bravo%", "%zz", "%", "%25",
         "bravo.main", "agent-bravo.main/apps/ccw", "apps/ccw/message", "me", "alice")
QUOTES = ('"', "'", 'bravo"', '"bravo"', "`bravo`", "bravo\\", '\\"', "'; DROP TABLE workspaces; --", '{"a":1}', "${HOME}", "$(id)")
SEARCH = ("a b", "x name:y", "owner:someone", "owner:me name:kilo", "bravo owner:bob", 'bravo" owner:"bob', "name:alpha", "status:running",
          "template:webshop", "has-ai-task:true", "param:x", "*", "_", "bravo*", "owner:alice name:agent-kilo", 'name:"kilo"', "deleted:true",
          "id:00000000-0000-0000-0000-000000000000")
LONG = ("a" * 32, "a" * 33, "a" * 64, "a" * 65, "b-" * 150, "x" * 10_000)
NUMBER_STRINGS = ("1", "0", "-1", "9223372036854775807", "9223372036854775808", "4611686018427387904", "1e300", "inf", "-inf",
                  "Infinity", "nan", "NaN", "0x10", "1_000", " 1", "1.5", "")
NUMBERS = (0, -1, 1, 2, 20, 45, 100, 101, 500, 501, -2**31, 2**31 - 1, 2**31, 2**32, 2**53, 2**53 + 1, 2**62, 2**63 - 1, 2**63, 2**64,
           -2**63, -2**63 - 1, 10**30, 1e300, -1e300, 1e17, 9.3e15, 1.5, 0.5, 0.1, 0.09, 1e-300, -0.0, 45.0001, 44.9)
WRONG_TYPES: tuple[Any, ...] = (None, True, False, [], [1], ["bravo"], {}, {"name": "bravo"}, [[[[[]]]]])
EXTRA_KEYS = ("", "agent_name ", "AGENT_NAME", "__proto__", "constructor", "page\u200b", "k" * 300, "_meta", "name", "timeout")
# Request lines that are not plain, well-formed JSON: the server may answer with a protocol error, but must answer.
RAW_VALUES = ("NaN", "Infinity", "-Infinity", '"\\ud800"', '"bravo\\udfff"', "1e999", "-1e999", "[" * 10_000 + "]" * 10_000)


@dataclass
class Case:
    """One tools/call request."""

    tool: str
    arguments: Any                 # a dict, or any JSON value, or ABSENT
    raw_value: tuple[str, str] | None = None   # (parameter, JSON text) substituted into the request line
    wait_budget: float = 40       # how long an answer may take before it counts as a hang (call timeout 30 s)
    waits: bool = False           # a waiting tool (timeout_seconds): mostly idle on the server, so not counted in the window

    @property
    def well_formed(self) -> bool:
        return self.raw_value is None

    def params(self) -> dict:
        params: dict[str, Any] = {"name": self.tool}
        if self.arguments is not ABSENT:
            params["arguments"] = self.arguments
        return params

    def line(self, request_id: int) -> bytes:
        """The request as one line of JSON (with the raw value spliced in when there is one)."""
        message = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": self.params()}
        text = json.dumps(message, ensure_ascii=False, allow_nan=False)
        if self.raw_value is not None:
            placeholder = json.dumps(RAW_PLACEHOLDER)
            text = text.replace(placeholder, self.raw_value[1], 1)
        return text.encode("utf-8", errors="surrogatepass")

    def describe(self, limit: int = 300) -> str:
        """A short, printable form for reports (long strings shortened, control characters escaped)."""
        def shorten(value: Any) -> Any:
            if isinstance(value, str) and len(value) > 80:
                return f"<{len(value)} chars: {value[:24]!r}…>"
            if isinstance(value, list):
                return [shorten(v) for v in value[:5]]
            if isinstance(value, dict):
                return {shorten(k): shorten(v) for k, v in list(value.items())[:8]}
            if isinstance(value, float) and not math.isfinite(value):
                return str(value)
            return value

        arguments = "<absent>" if self.arguments is ABSENT else json.dumps(shorten(self.arguments), ensure_ascii=True)
        if self.raw_value is not None:
            raw = self.raw_value[1] if len(self.raw_value[1]) < 40 else f"<{len(self.raw_value[1])} chars>"
            arguments = arguments.replace(json.dumps(RAW_PLACEHOLDER), raw)
        text = f"{self.tool} {arguments}"
        return text if len(text) <= limit else text[:limit] + "…"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
RAW_PLACEHOLDER = "\x01raw-value-placeholder\x01"


def huge_string(rng: random.Random) -> str:
    """About 1 MB, recognisable (so an echo of it can be found in a response)."""
    return f"fuzz-echo-{rng.randrange(10**6)}-" + "A" * ONE_MB


class CaseGenerator:
    """Yields cases for the tools in `tools` (the tools/list entries) from a seeded random generator."""

    def __init__(self, tools: list[dict], seed: int, huge_every: int = 400, long_waits: int = 4) -> None:
        self.tools = sorted(tools, key=lambda t: t["name"])
        self.rng = random.Random(seed)
        self.huge_every = huge_every
        self.count = 0
        self.long_waits = 0
        self.long_waits_allowed = long_waits
        # What the server says about its tools: read-only ones (annotations) and the ones that wait (timeout_seconds).
        self.read_only = {t["name"] for t in tools if (t.get("annotations") or {}).get("readOnlyHint") is True}
        self.waiting = {t["name"] for t in tools if "timeout_seconds" in ((t.get("inputSchema") or {}).get("properties") or {})}

    # Values.
    def real_name(self, tool: str) -> str:
        pool = VICTIMS if tool not in self.read_only else VICTIMS + SENTINELS
        name = self.rng.choice(pool)
        return self.rng.choice((name, name.upper(), name.capitalize(), "agent-" + name))

    def adversarial_string(self) -> str:
        group = self.rng.choice((LOOKALIKES, CONTROL, PATHS, QUOTES, SEARCH, LONG, NUMBER_STRINGS))
        return self.rng.choice(group)

    def adversarial_value(self) -> Any:
        roll = self.rng.random()
        if roll < 0.45:
            return self.adversarial_string()
        if roll < 0.75:
            return self.rng.choice(NUMBERS)
        return self.rng.choice(WRONG_TYPES)

    def plausible(self, tool: str, parameter: str, schema: dict) -> Any:
        kind = schema.get("type")
        if parameter in ("agent_name",):
            return self.real_name(tool)
        if parameter == "name":
            return self.rng.choice(VICTIMS + ("delta", "echo-1", "Foxtrot"))
        if parameter == "agent_names":
            return ",".join(self.rng.sample(VICTIMS + SENTINELS, self.rng.randint(1, 3)))
        if parameter == "since":
            return self.rng.choice((OLD_CURSOR, "2999-01-01T00:00:00Z", "x"))
        if parameter in ("project", "project_filter"):
            return self.rng.choice(PROJECTS)
        if parameter == "role":
            return self.rng.choice(ROLES)
        if parameter == "status_filter":
            return self.rng.choice(("idle", "busy", "failed", "stopped", "needs_input", "complete", "bogus"))
        if parameter == "until":
            return self.rng.choice(("change", "settled", "idle", "needs_input", "failed", "bogus"))
        if parameter == "timeout_seconds":
            return self.rng.choice((0.1, 0.2, 0.5, 1))
        if kind == "integer":
            return self.rng.choice((1, 2, 3, 5, 20, 100))
        if kind == "number":
            return self.rng.choice((0.5, 1, 2.5))
        if kind == "boolean":
            return self.rng.choice((True, False))
        return self.rng.choice(("do the thing", "Fix the login bug and open a PR.", "x"))

    # Directed cases: every edge value for every parameter, the others plausible, in a fixed order.
    def directed(self) -> list[Case]:
        """Each tool with each parameter set to each adversarial value in turn (strings to string parameters,
        numbers and numeric strings to numeric ones, every wrong type to all), the other parameters plausible and
        naming a real agent: read-only tools the idle sentinel kilo, the others the victim bravo; waits end at once
        (until=settled on an idle agent, or since an old cursor). Then one 1 MB value per string parameter."""
        cases: list[Case] = []
        strings = [v for group in (LOOKALIKES, CONTROL, PATHS, QUOTES, SEARCH, LONG, NUMBER_STRINGS) for v in group]
        # Read-only tools first and delete_agent last, so that an agent harmed by a defect spoils as little as possible.
        order = sorted(self.tools, key=lambda t: (t["name"] not in self.read_only, t["name"] == "delete_agent", t["name"]))
        for tool in order:
            name = tool["name"]
            properties: dict[str, dict] = (tool.get("inputSchema") or {}).get("properties") or {}
            for parameter, schema in sorted(properties.items()):
                numeric = schema.get("type") in ("integer", "number")
                values = list(NUMBERS) + list(NUMBER_STRINGS) if numeric else strings
                for value in values + list(WRONG_TYPES) + ([huge_string(self.rng)] if not numeric else []):
                    arguments = self.steady_arguments(name, properties)
                    arguments[parameter] = value
                    case = Case(tool=name, arguments=arguments, wait_budget=60 if name in self.waiting else 40,
                                waits=name in self.waiting)
                    self._protect_sentinels(case)
                    cases.append(case)
        return cases

    def steady_arguments(self, tool: str, properties: dict[str, dict]) -> dict:
        arguments = {}
        for parameter, schema in sorted(properties.items()):
            if parameter == "agent_name":
                arguments[parameter] = "kilo" if tool in self.read_only else "bravo"
            elif parameter == "agent_names":
                arguments[parameter] = "kilo"
            elif parameter == "since":
                arguments[parameter] = OLD_CURSOR  # everything since: a fleet wait returns at once
            elif parameter == "until":
                arguments[parameter] = "settled" if "agent_name" in properties else "change"
            elif parameter == "timeout_seconds":
                arguments[parameter] = 0.1
            else:
                arguments[parameter] = self.plausible(tool, parameter, schema)
        return arguments

    # Random cases.
    def case(self) -> Case:
        self.count += 1
        tool = self.rng.choice(self.tools)
        name = tool["name"]
        schema = tool.get("inputSchema") or {}
        properties: dict[str, dict] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        mode = self.rng.random()
        arguments: Any
        if mode < 0.05:
            arguments = ABSENT if self.rng.random() < 0.5 else {}
        else:
            arguments = {}
            adversarial_rate = 0.15 if mode < 0.35 else 0.6
            for parameter, parameter_schema in sorted(properties.items()):
                if parameter not in required and self.rng.random() < 0.35:
                    continue
                if parameter in required and self.rng.random() < 0.05:
                    continue  # a missing required parameter
                if self.rng.random() < adversarial_rate:
                    arguments[parameter] = self.adversarial_value()
                else:
                    arguments[parameter] = self.plausible(name, parameter, parameter_schema)
            if 0.9 <= mode:
                for _ in range(self.rng.randint(1, 3)):
                    arguments[self.rng.choice(EXTRA_KEYS)] = self.adversarial_value()
        case = Case(tool=name, arguments=arguments)
        self._protect_sentinels(case)
        self._bound_wait(case)
        if isinstance(arguments, dict) and properties:
            if self.huge_every and self.count % self.huge_every == 0:
                arguments[self.rng.choice(sorted(properties))] = huge_string(self.rng)
            elif self.rng.random() < 0.01:
                parameter = self.rng.choice(sorted(properties))
                arguments[parameter] = RAW_PLACEHOLDER
                case.raw_value = (parameter, self.rng.choice(RAW_VALUES))
                case.wait_budget = 5  # a line the server cannot parse is answered at once or never
        return case

    def _protect_sentinels(self, case: Case) -> None:
        """Only read-only tools get the sentinels' real names; the others get look-alikes instead."""
        if case.tool in self.read_only or not isinstance(case.arguments, dict):
            return
        for key in ("agent_name", "name"):
            value = case.arguments.get(key)
            if isinstance(value, str) and resolves_to_sentinel(value):
                case.arguments[key] = self.rng.choice(LOOKALIKES)

    def _bound_wait(self, case: Case) -> None:
        """A waiting tool may wait its whole timeout (up to 45 s): keep it short except for a few calls. (The directed
        cases send every edge value of timeout_seconds, with arguments that make the wait end at once.)"""
        if case.tool not in self.waiting or not isinstance(case.arguments, dict):
            return
        case.wait_budget = 60
        case.waits = True
        timeout = case.arguments.get("timeout_seconds")
        short = isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and math.isfinite(timeout) and timeout <= 1
        if short:
            return
        if self.long_waits < self.long_waits_allowed:
            self.long_waits += 1
        else:
            case.arguments["timeout_seconds"] = self.rng.choice((0.1, 0.3, 1))


OLD_CURSOR = "2000-01-01T00:00:00Z"


def _plain(name: str) -> str:
    lowered = name.lower()
    return lowered[len("agent-"):] if lowered.startswith("agent-") else lowered


def resolves_to_sentinel(name: str) -> bool:
    """Whether `name` legitimately names a sentinel (ASCII case aside, prefix optional)."""
    return name.isascii() and _plain(name) in SENTINELS
