"""Shared helpers for the sandbox conformance tests: paths, the HTTP client, recorded exchanges."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_REL = "../shared/fixtures/coder-v2.27.1"  # relative to the repository root
FIXTURES_DIR = REPO_ROOT / FIXTURES_REL

SANDBOX_TOKEN = "abcdefghij-0123456789012345678901"
SANDBOX_CODER_VERSION = "2.27"
SANDBOX_TIME_SCALE = "0.05"


def binary_path() -> Path:
    env = os.environ.get("FLEET_MCP_BIN")
    return Path(env) if env else REPO_ROOT / ".build" / "debug" / "fleet-mcp"


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass
class Exchange:
    """One request/response pair, from the sandbox or from a cassette."""

    method: str
    path: str  # path without query
    status: int
    body_text: str
    source: str  # human-readable origin, e.g. "sandbox: GET /api/v2/workspaces/{id} (poll 3)"
    request_body: Any = None
    headers: dict = field(default_factory=dict)

    @property
    def json(self) -> Any:
        if not self.body_text:
            return None
        return json.loads(self.body_text)


class SandboxClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.log: list[Exchange] = []

    def request(self, method: str, path: str, body: Any = None, label: str | None = None,
                timeout: float = 30.0) -> Exchange:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Coder-Session-Token", self.token)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw, headers = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            status, raw, headers = err.code, err.read(), dict(err.headers or {})
        ex = Exchange(method=method, path=path.split("?", 1)[0], status=status,
                      body_text=raw.decode("utf-8"), source=f"sandbox: {label or method + ' ' + path}",
                      request_body=body, headers=headers)
        self.log.append(ex)
        return ex

    def get(self, path: str, **kw: Any) -> Exchange:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Exchange:
        return self.request("POST", path, body=body, **kw)
