import ArgumentParser
import CoderSandbox
import Foundation
import Logging

/// `fleet-bench`: what each tool call costs and how it grows with the fleet, for fleet-mcp and, side by side, the
/// reference implementation, both driven over stdio against the same sandbox. See BENCHMARKS.md.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-bench",
        abstract: "Measure fleet-mcp's tool calls (and the reference implementation's) against a seeded sandbox.")

    @Option(help: "The fleet-mcp binary to measure (default: the one beside fleet-bench).") var fleetMCP: String?
    @Option(help: "The reference server's console script (setup-fleet-mcp 0.12.1); omit to measure fleet-mcp alone.") var reference: String?
    @Option(help: "Calls per tool.") var repetitions: Int = 20
    @Flag(help: "Smallest sizes, one repetition: keeps the program working in CI.") var smoke = false
    @Option(name: .customLong("case"), help: "Run only these cases, as N,M,L (agents, statuses, latency ms); repeatable.")
    var cases: [String] = []
    @Option(help: "Measure only these tools (comma-separated names, e.g. list_agents); for profiling.") var tools: String?
    @Flag(help: "Also time what the MCP SDK adds to each fleet-mcp result (re-encode and Value re-decode).") var sdkCost = false
    @Flag(help: "Seed the sandbox of the first case, print CODER_URL and CODER_SESSION_TOKEN, and keep serving (for profiling).")
    var holdSandbox = false
    @Option(help: "Write the results as JSON here.") var json: String?
    @Option(help: "Write the Markdown tables here.") var markdown: String?
    @Option(help: "Run the reliability soak for this many minutes instead of the sweep (RELIABILITY.md).") var soakMinutes: Double?
    @Option(help: "Soak: simulated agents.") var soakAgents: Int = 100
    @Option(help: "Soak: concurrent clients.") var soakClients: Int = 10
    @Option(help: "Soak: the sandbox's fault spec.")
    var soakFaults: String =
        "GET /api/v2/workspaces: 503@0.02, latency=2ms; GET /api/v2/users/*/workspace/*: reset@0.01, 502@0.02; "
        + "POST /api/v2/workspaces/*/builds: 409@0.03; *: spike=150ms@0.01, 429@0.005/1"
    @Flag(help: "Instead of the sweep: a bounded loopback load test over MCP Streamable HTTP (see --load-*).") var httpLoad = false
    @Option(help: "HTTP load: concurrent clients.") var loadClients: Int = 50
    @Option(help: "HTTP load: read calls per client.") var loadCalls: Int = 200
    @Option(help: "HTTP load: agents in the fleet.") var loadAgents: Int = 100
    @Option(help: "HTTP load: read calls per client for the reference (it answers about one call a second under load).")
    var loadReferenceCalls: Int = 4

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let binary = fleetMCP ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fleet-mcp").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no fleet-mcp binary at \(binary); pass --fleet-mcp")
        }
        if let reference, !FileManager.default.isExecutableFile(atPath: reference) { throw ValidationError("no reference server at \(reference)") }
        if let soakMinutes {
            let soak = Soak(
                agents: soakAgents, clients: soakClients, duration: .milliseconds(Int64(soakMinutes * 60_000)), faults: soakFaults, binary: binary)
            let figures = try await soak.run()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let text = String(decoding: try encoder.encode(figures), as: UTF8.self)
            print(text)
            if let json { try text.write(toFile: json, atomically: true, encoding: .utf8) }
            return
        }
        if httpLoad {
            guard (1...500).contains(loadClients), (1...10_000).contains(loadCalls), (1...5_000).contains(loadAgents) else {
                throw ValidationError("--load-clients 1–500, --load-calls 1–10000, --load-agents 1–5000")
            }
            let load = HTTPLoad(clients: loadClients, callsPerClient: loadCalls, agents: loadAgents)
            var referenceLoad = load
            referenceLoad.callsPerClient = max(1, min(loadReferenceCalls, loadCalls))
            let results = try await HTTPLoadRun.run(load: load, referenceLoad: referenceLoad, fleetMCP: binary, reference: reference)
            let text = "Machine: \(Machine.describe())\n\n" + HTTPLoadRun.markdown(results)
            print(text)
            if let markdown { try text.write(toFile: markdown, atomically: true, encoding: .utf8) }
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(results).write(to: URL(fileURLWithPath: json))
            }
            return
        }
        var selected = smoke ? [BenchCase(agents: 10, statuses: 10, latencyMs: 0)] : BenchCase.sweep
        if !cases.isEmpty {
            selected = try cases.map { text in
                let numbers = text.split(separator: ",").compactMap { Int($0) }
                guard numbers.count == 3 else { throw ValidationError("--case takes N,M,L, e.g. 1000,10,0") }
                return BenchCase(agents: numbers[0], statuses: numbers[1], latencyMs: numbers[2])
            }
        }
        if holdSandbox, let benchCase = selected.first {
            let options = SandboxOptions(port: 0, coderVersion: .v2_27, latency: .milliseconds(benchCase.latencyMs), timeScale: 0)
            let sandbox = try await RunningSandbox.start(options)
            try await sandbox.seedFleet(agents: benchCase.agents, statusesPerAgent: benchCase.statuses)
            FileHandle.standardOutput.write(Data("CODER_URL=\(sandbox.url.absoluteString)\nCODER_SESSION_TOKEN=\(sandbox.token)\n".utf8))
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        let reps = smoke ? 1 : repetitions
        var results: [CaseResult] = []
        for benchCase in selected {
            FileHandle.standardError.write(Data("== \(benchCase.label)\n".utf8))
            var servers = [ServerUnderTest.fleetMCP(binary)]
            if let reference { servers.append(.reference(reference)) }
            let only = tools.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            results.append(try await Runner(benchCase: benchCase, repetitions: reps, onlyTools: only, sdkCost: sdkCost).run(servers))
        }
        let report = Report(machine: Machine.describe(), repetitions: reps, results: results)
        let text = report.markdown()
        print(text)
        if let markdown { try text.write(toFile: markdown, atomically: true, encoding: .utf8) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// One point of the sweep: N agents with M reports each, behind L ms of Coder latency.
struct BenchCase: Codable, Sendable {
    var agents: Int
    var statuses: Int
    var latencyMs: Int

    var label: String { "N=\(agents) agents, M=\(statuses) statuses, L=\(latencyMs) ms" }

    /// N = 10, 100, 1,000 (M = 10); M = 100, 1,000 (N = 10); and the base cases again at L = 20 ms.
    static let sweep = [
        BenchCase(agents: 10, statuses: 10, latencyMs: 0), BenchCase(agents: 100, statuses: 10, latencyMs: 0),
        BenchCase(agents: 1000, statuses: 10, latencyMs: 0), BenchCase(agents: 10, statuses: 100, latencyMs: 0),
        BenchCase(agents: 10, statuses: 1000, latencyMs: 0), BenchCase(agents: 10, statuses: 10, latencyMs: 20),
        BenchCase(agents: 100, statuses: 100, latencyMs: 20),
    ]
}

enum ServerUnderTest: Sendable {
    case fleetMCP(String)
    case reference(String)

    var name: String {
        switch self {
        case .fleetMCP: "fleet-mcp"
        case .reference: "reference"
        }
    }
}

/// The machine the numbers come from.
enum Machine {
    static func describe() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
            ?? "unknown CPU"
        let memory =
            (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }.map { line in
                let kb = Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "0") ?? 0
                return String(format: "%.0f GiB", kb / 1_048_576)
            } ?? "?"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(memory), \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }
}
