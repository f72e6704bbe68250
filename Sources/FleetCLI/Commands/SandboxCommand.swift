import ArgumentParser
import CoderSandbox
import Foundation
import Logging

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a Coder-compatible sandbox server with simulated Claude Code agents.",
        discussion: "Point any Coder client at it: CODER_URL=<printed URL> CODER_SESSION_TOKEN=<printed token>.")

    @Option(help: "Address to listen on (loopback by default).") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port: Int = 3000
    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.") var portFile: String?
    @Option(help: "Session token clients must send (random by default).") var token: String?
    @Option(help: "Seed file (JSON or YAML) with users, templates and agents.") var seed: String?
    @Option(name: .customLong("coder-version"), help: "Coder version to emulate: 2.27, 2.35 or 2.37.") var coderVersion: String = "2.35"
    @Option(name: .customLong("latency-ms"), help: "Delay added to every response, in milliseconds.") var latencyMs: Int = 0
    @Option(name: .customLong("agent-speed"), help: "Scale of simulated delays (0.1 is ten times faster).") var agentSpeed: Double = 1
    @Option(name: .customLong("log-level"), help: "Log level (stderr).") var logLevel: String?

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        guard let version = SandboxVersion(rawValue: coderVersion) else { throw ValidationError("--coder-version must be 2.27, 2.35 or 2.37.") }
        guard agentSpeed >= 0, latencyMs >= 0 else { throw ValidationError("--agent-speed and --latency-ms must not be negative.") }
        if let token, token.split(separator: "-").count < 2 { throw ValidationError("--token must look like a Coder API key: <id>-<secret>.") }
        let seedData = try seed.map { try SandboxSeed.load(URL(fileURLWithPath: $0)) } ?? .default
        let sandbox = try await RunningSandbox.start(SandboxOptions(host: host, port: port, token: token, seed: seedData, coderVersion: version,
                                                                    latency: .milliseconds(latencyMs), agentSpeed: agentSpeed))
        if let portFile { try String(sandbox.url.port ?? port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        // Unbuffered, so scripts reading a pipe see the URL at once.
        FileHandle.standardOutput.write(Data("""
            Coder sandbox (emulating Coder v\(version.rawValue)) listening on \(sandbox.url)
            CODER_URL=\(sandbox.url.absoluteString)
            CODER_SESSION_TOKEN=\(sandbox.token)

            """.utf8))
        await withTaskCancellationHandler {
            await SignalWaiter.wait()
        } onCancel: {}
        FileHandle.standardError.write(Data("shutting down\n".utf8))
        try await sandbox.stop()
    }
}

/// Waits for SIGINT or SIGTERM.
enum SignalWaiter {
    static func wait() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "signals")
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            let once = Once()
            for source in sources {
                source.setEventHandler {
                    if once.fire() { sources.forEach { $0.cancel() }; continuation.resume() }
                }
                source.resume()
            }
        }
    }

    final class Once: @unchecked Sendable {
        private var fired = false
        private let lock = NSLock()
        func fire() -> Bool { lock.withLock { defer { fired = true }; return !fired } }
    }
}
