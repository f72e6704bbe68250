#!/usr/bin/env python3
"""Splits a `perf record -g` profile of fleet-mcp into the parts of a tool call (BENCHMARKS.md, "Profile").

Record (no hardware counters needed; cpu-clock sampling works on this kind of VM):
    printf '#!/bin/sh\nexec perf record -e cpu-clock -F 4000 -g -o /tmp/fleet.data -- %s/.build/release/fleet-mcp "$@"\n' "$PWD" > /tmp/perf-fleet-mcp.sh
    chmod +x /tmp/perf-fleet-mcp.sh
    .build/release/fleet-bench --fleet-mcp /tmp/perf-fleet-mcp.sh --case 1000,10,0 --repetitions 20 --tools list_agents
    python3 benchmarks/profile-split.py /tmp/fleet.data 21     # 21 = list_agents calls in the run (20 + the first)

Each sample goes to the first category whose marker appears anywhere on its stack (order matters). Samples whose
stack ends in libc without frame pointers (malloc/free) land in "other".
"""
import collections
import re
import subprocess
import sys

CATEGORIES = [
    ("MCP SDK: result re-decode into Value (data-URL regex per string)", ["isDataURL", "parseDataURL", "_StringProcessing", "RegexBuilder"]),
    ("MCP SDK: other (JSON-RPC decode/encode, dispatch)", ["$s3MCP"]),
    ("tool result encoding (FleetMCP)", ["$s8FleetMCP", "FleetJSON"]),
    ("pull-request link parsing", ["PullRequest"]),
    ("status derivation", ["StatusModel", "9AgentApps"]),
    ("JSON decoding: Foundation JSONDecoder", ["JSONDecoderImpl", "JSONScanner", "JSONMap", "8CoderAPI9CoderJSON"]),
    ("JSON decoding: selective reader (scan + read)", ["SelectiveJSONDecoder", "SelectiveDecoding", "JSONReader", "StreamedList",
                                                       "ArrayStreamScanner", "9JSONBytes"]),
    ("HTTP read (AsyncHTTPClient, NIO, kernel)", ["$s15AsyncHTTPClient", "$s7NIOCore", "$s8NIOPosix", "$s8NIOHTTP1", "13LiveTransport"]),
    ("fleet domain: rest of list_agents (filter, summaries, sort)", ["$s5Fleet"]),
    ("CoderAPI: rest", ["$s8CoderAPI"]),
]


def stacks(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True, text=True, check=True).stdout
    current = []
    for line in out.splitlines():
        if not line.strip():
            if current:
                yield current
            current = []
            continue
        parts = line.strip().split(None, 1)
        current.append(re.sub(r"\+0x[0-9a-f]+", "", parts[1] if len(parts) > 1 else "?"))
    if current:
        yield current


def category(frames):
    for name, markers in CATEGORIES:
        if any(marker in frame for frame in frames for marker in markers):
            return name
    if any("swift_task" in f or "swift_job" in f for f in frames):
        return "concurrency runtime"
    return "other (malloc/free, runtime, kernel, start-up)"


def main():
    path, calls = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    counts = collections.Counter(category(frames) for frames in stacks(path))
    total = sum(counts.values())
    ms = 1000 / 4000  # -F 4000
    print(f"{total} samples, {total * ms:.0f} ms of CPU, {calls} calls")
    for name, n in counts.most_common():
        print(f"{100 * n / total:5.1f} %  {n * ms / calls:6.1f} ms/call  {name}")


if __name__ == "__main__":
    main()
