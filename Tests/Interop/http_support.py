"""Helpers for the Streamable HTTP tests: a sandbox with a team (alice, an admin, and bob, a member), fleet-mcp
serving it over HTTP with a users file, JWT minting for OAuth mode, and an httpx transport that alternates replicas.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interop_support import AGENT_SPEED, fleet_binary, require_module, stop_process

ALICE_CODER = "a11ce00001-aliceCoderSecret000000001"
BOB_CODER = "b0b0000001-bobCoderSecret00000000001"
ALICE_BEARER = "fleet-alice-" + "0" * 20
BOB_BEARER = "fleet-bob-" + "1" * 22
OAUTH_ISSUER = "https://idp.example.test"
OAUTH_AUDIENCE = "https://fleet.example.test/mcp"

TEAM_SEED = f"""
random_seed: 11
organization: {{ name: coder, display_name: Coder }}
users:
  - {{ username: alice, name: Alice Example, email: alice@example.com, token: "{ALICE_CODER}" }}
  - {{ username: bob, name: Bob Example, email: bob@example.com, token: "{BOB_CODER}" }}
templates:
  - name: webshop
    display_name: Webshop
    description: The storefront and checkout service
    repository: acme/webshop
    ai_task: true
    parameters:
      - {{ name: AI Prompt, description: Write a prompt for Claude Code, form_type: input, default_value: "", mutable: true }}
      - {{ name: system_prompt, description: System prompt, form_type: textarea, default_value: "", mutable: false }}
    presets:
      - {{ name: Coder, description: Writes code, default: true, parameters: {{ system_prompt: "Write code." }} }}
      - {{ name: Reviewer, description: Reviews code, parameters: {{ system_prompt: "Review code." }} }}
agents: []
"""


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def wait_for_port_file(path: Path, process: subprocess.Popen, log: Path, what: str, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        if path.exists():
            text = path.read_text().strip()
            if text.isdigit():
                return int(text)
        time.sleep(0.05)
    stop_process(process)
    raise AssertionError(f"{what} wrote no port file within {timeout} s: {log.read_text(errors='replace')[-2000:]}")


@dataclass
class Process:
    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def close(self) -> None:
        stop_process(self.process)


def start_team_sandbox(directory: Path, version: str = "2.35") -> Process:
    directory.mkdir(parents=True, exist_ok=True)
    seed = directory / "team-seed.yaml"
    seed.write_text(TEAM_SEED)
    port_file, log = directory / "team-sandbox.port", directory / "team-sandbox.log"
    port_file.unlink(missing_ok=True)
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(fleet_binary()), "sandbox", "--port", "0", "--port-file", str(port_file), "--seed", str(seed),
             "--agent-speed", AGENT_SPEED, "--coder-version", version],
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    port = wait_for_port_file(port_file, process, log, "fleet-mcp sandbox")
    return Process(url=f"http://127.0.0.1:{port}", port=port, process=process, log=log)


def users_file(directory: Path) -> Path:
    """alice and bob, each with their own bearer token (stored as SHA-256) and Coder token (from the environment)."""
    path = directory / "users.yaml"
    path.write_text(f"""users:
  - name: alice
    token_sha256: {sha256(ALICE_BEARER)}
    coder_token_env: ALICE_CODER_TOKEN
    oauth_subject: alice@example.com
  - name: bob
    token_sha256: {sha256(BOB_BEARER)}
    coder_token_env: BOB_CODER_TOKEN
    oauth_subject: bob@example.com
""")
    return path


def serve_http(sandbox: Process, directory: Path, name: str, *extra: str, users: bool = True, preexec_fn: Any = None) -> Process:
    """`fleet-mcp serve --http 127.0.0.1:0` against the team sandbox; waits until it listens. `preexec_fn` runs in
    the child before it starts (e.g. to give it a descriptor limit)."""
    directory.mkdir(parents=True, exist_ok=True)
    port_file, log = directory / f"{name}.port", directory / f"{name}.log"
    port_file.unlink(missing_ok=True)
    arguments = [str(fleet_binary()), "serve", "--http", "127.0.0.1:0", "--port-file", str(port_file), *extra]
    if users:
        arguments += ["--users", str(users_file(directory))]
    environment = {**os.environ, "CODER_URL": sandbox.url, "ALICE_CODER_TOKEN": ALICE_CODER, "BOB_CODER_TOKEN": BOB_CODER,
                   "FLEET_MCP_LOG_LEVEL": "info"}
    environment.pop("CODER_SESSION_TOKEN", None)
    if not users:
        environment["CODER_SESSION_TOKEN"] = ALICE_CODER
    with open(log, "wb") as output:
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=environment,
                                   preexec_fn=preexec_fn)
    port = wait_for_port_file(port_file, process, log, f"fleet-mcp serve --http ({name})")
    return Process(url=f"http://127.0.0.1:{port}/mcp", port=port, process=process, log=log)


class OAuthKeys:
    """An RSA key pair of the test's own, its JWKS file, and access tokens signed with it (PyJWT)."""

    def __init__(self, directory: Path) -> None:
        require_module("jwt")
        require_module("cryptography")
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": "test-key", "alg": "RS256", "use": "sig"})
        self.jwks = directory / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [jwk]}))

    def token(self, email: str = "alice@example.com", audience: str = OAUTH_AUDIENCE, issuer: str = OAUTH_ISSUER,
              expires_in: int = 300, key: Any = None) -> str:
        import jwt

        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "sub": secrets.token_hex(4), "email": email, "iat": now, "exp": now + expires_in}
        return jwt.encode(claims, key or self.private_key, algorithm="RS256", headers={"kid": "test-key"})


def alternating_client(urls: list[str], headers: dict[str, str]) -> tuple[Any, list[int]]:
    """An httpx client whose requests go to each of `urls`' ports in turn (one client, several replicas);
    returns it and the list of ports the requests went to."""
    httpx = require_module("httpx")
    ports = [int(url.split(":")[2].split("/")[0]) for url in urls]
    used: list[int] = []

    class Alternating(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):  # noqa: ANN001 - httpx's signature
            port = ports[len(used) % len(ports)]
            used.append(port)
            request.url = request.url.copy_with(port=port)
            request.headers["host"] = f"127.0.0.1:{port}"
            return await super().handle_async_request(request)

    client = httpx.AsyncClient(transport=Alternating(), headers=headers, timeout=httpx.Timeout(30, read=60))
    return client, used
