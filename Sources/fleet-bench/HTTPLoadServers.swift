import AsyncHTTPClient
import CoderSandbox
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the HTTP load test against fleet-mcp (`serve --http`) and, when given, the reference (uvicorn serving
/// `fleet_mcp.__main__:app`, its stateless HTTP app), both in front of the same seeded sandbox on loopback.
enum HTTPLoadRun {
    static func run(load: HTTPLoad, referenceLoad: HTTPLoad, fleetMCP: String, reference: String?) async throws -> [HTTPLoad.Result] {
        let sandbox = try await RunningSandbox.start(SandboxOptions(port: 0, coderVersion: .v2_27, timeScale: 0))
        try await sandbox.seedFleet(agents: load.agents, statusesPerAgent: 10)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: load.clients + 8)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-bench-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var results: [HTTPLoad.Result] = []
        do {
            var servers: [(String, HTTPLoad, () throws -> (Process, HTTPLoad.Target))] = [
                ("fleet-mcp", load, { try launchFleetMCP(fleetMCP, sandbox: sandbox, directory: directory, load: load) })
            ]
            if let reference { servers.append(("reference", referenceLoad, { try launchReference(reference, sandbox: sandbox) })) }
            for (name, load, launch) in servers {
                let label = "\(name), \(load.clients) clients × \(load.callsPerClient) calls, \(load.agents) agents"
                FileHandle.standardError.write(Data("== HTTP load: \(label)\n".utf8))
                let (process, target) = try launch()
                defer { stop(process) }
                try await waitUntilUp(target, http: http, process: process)
                // Warm-up (caches, connections), not measured.
                _ = try await HTTPLoad(clients: 2, callsPerClient: 10, agents: load.agents).run(target, http: http)
                results.append(try await load.run(target, http: http))
            }
        } catch {
            try? await http.shutdown()
            try? await sandbox.stop()
            try? FileManager.default.removeItem(at: directory)  // it holds the bearer token
            throw error
        }
        try? await http.shutdown()
        try? await sandbox.stop()
        try? FileManager.default.removeItem(at: directory)
        return results
    }

    static func launchFleetMCP(_ binary: String, sandbox: RunningSandbox, directory: URL, load: HTTPLoad) throws -> (Process, HTTPLoad.Target) {
        let token = "bench-" + UUID().uuidString
        let tokenFile = directory.appendingPathComponent("bearer"), portFile = directory.appendingPathComponent("port")
        try token.write(to: tokenFile, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "serve", "--http", "127.0.0.1:0", "--port-file", portFile.path, "--bearer-token-file", tokenFile.path,
            "--max-concurrent-per-user", String(load.clients + 8), "--log-level", "error",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CODER_URL": sandbox.url.absoluteString,
            "CODER_SESSION_TOKEN": sandbox.token,
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return (process, HTTPLoad.Target(name: "fleet-mcp", url: "http://127.0.0.1:\(port)/mcp", token: token))
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop(process)
        throw MCPSession.Failure(description: "fleet-mcp serve --http wrote no port file")
    }

    /// The reference's stateless HTTP app under uvicorn (what its `setup-fleet-mcp-serve` runs, without auto-reload).
    static func launchReference(_ script: String, sandbox: RunningSandbox) throws -> (Process, HTTPLoad.Target) {
        let python = URL(fileURLWithPath: script).deletingLastPathComponent().appendingPathComponent("python").path
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "uvicorn", "fleet_mcp.__main__:app", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CODER_URL": sandbox.url.absoluteString, "CODER_SESSION_TOKEN": sandbox.token, "FLEET_MCP_AUTH_ENABLED": "false",
            "FASTMCP_SHOW_CLI_BANNER": "false", "FASTMCP_LOG_LEVEL": "ERROR",
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, HTTPLoad.Target(name: "reference", url: "http://127.0.0.1:\(port)/mcp", token: nil))
    }

    static func waitUntilUp(_ target: HTTPLoad.Target, http: HTTPClient, process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var session = MCPSession(target: target, http: http)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw MCPSession.Failure(description: "\(target.name) exited before answering") }
            if (try? await session.initialize()) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw MCPSession.Failure(description: "\(target.name) did not answer initialize within 60 s")
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MCPSession.Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw MCPSession.Failure(description: "bind() failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func markdown(_ results: [HTTPLoad.Result]) -> String {
        var lines = [
            "| server | clients × calls | agents | calls | errors | calls/s | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in results {
            lines.append(
                "| \(r.server) | \(r.clients) × \(r.callsPerClient) | \(r.agents) | \(r.calls) | \(r.errors) | "
                    + String(format: "%.0f | %.1f | %.1f | %.1f |", r.callsPerSecond, r.p50Ms, r.p99Ms, r.maxMs))
        }
        lines += ["", "| server | tool | calls | p50 ms | p99 ms |", "|---|---|---|---|---|"]
        for r in results {
            for t in r.tools { lines.append("| \(r.server) | \(t.tool) | \(t.calls) | " + String(format: "%.1f | %.1f |", t.p50Ms, t.p99Ms)) }
        }
        for r in results where !r.firstErrors.isEmpty { lines.append("\n\(r.server) errors: " + r.firstErrors.joined(separator: " / ")) }
        return lines.joined(separator: "\n")
    }
}
