"""`fleet-mcp sandbox` flags seen from outside: fault injection, the request log, the time scale and its old name."""

from __future__ import annotations

import json
import subprocess

from conformance_support import SANDBOX_TOKEN, binary_path


def test_help_documents_the_flags_and_the_fault_syntax() -> None:
    out = subprocess.run([str(binary_path()), "sandbox", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    flat = " ".join(out.stdout.split())
    for text in ["--time-scale", "--idle-pause", "--faults", "--fault-seed", "--request-log", "401-after=N", "429@RATE[/SECONDS]",
                 "2.27, 2.28, 2.29, 2.30, 2.31, 2.35, 2.36, 2.37 or 2.38"]:
        assert text in flat, f"{text!r} missing from sandbox --help"
    assert "--agent-speed" not in out.stdout, "the old name is a hidden alias"


def test_the_old_speed_flag_still_works(launch) -> None:
    sandbox = launch("2.27", ["--agent-speed", "0.05"])
    assert sandbox.client.get("/api/v2/buildinfo").status == 200


def test_faults_and_the_request_log(launch, tmp_path) -> None:
    log = tmp_path / "requests.jsonl"
    sandbox = launch("2.35", ["--time-scale", "0.05", "--request-log", str(log), "--fault-seed", "3",
                              "--faults", "GET /api/v2/buildinfo: 503@1; /api/v2/users/*: 401-after=1"])
    client = sandbox.client
    unavailable = client.get("/api/v2/buildinfo")
    assert unavailable.status == 503 and "Service Temporarily Unavailable" in unavailable.body_text
    assert client.get("/api/v2/users/me").status == 200
    revoked = client.get("/api/v2/users/me?x=1")
    assert revoked.status == 401 and revoked.json["detail"] == "API key expired."
    assert client.get("/api/v2/templates").status == 200
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == [
        {"method": "GET", "path": "/api/v2/buildinfo"},
        {"method": "GET", "path": "/api/v2/users/me"},
        {"method": "GET", "path": "/api/v2/users/me", "query": "x=1"},
        {"method": "GET", "path": "/api/v2/templates"},
    ]


def test_faults_from_a_yaml_file(launch, tmp_path) -> None:
    spec = tmp_path / "faults.yaml"
    spec.write_text('seed: 5\nrules:\n  - route: "GET /api/v2/templates"\n    faults: ["429@1/7"]\n')
    client = launch("2.35", ["--time-scale", "0.05", "--faults", str(spec)]).client
    limited = client.get("/api/v2/templates")
    assert limited.status == 429
    assert limited.headers.get("Retry-After") == "7"


def test_a_bad_fault_spec_is_refused() -> None:
    out = subprocess.run([str(binary_path()), "sandbox", "--port", "0", "--token", SANDBOX_TOKEN, "--faults", "/x: 418@1"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "--faults" in out.stderr and "418@1" in out.stderr
