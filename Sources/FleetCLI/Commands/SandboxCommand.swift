import ArgumentParser
import CoderSandbox
import Foundation
import Logging

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a Coder-compatible sandbox server with simulated Claude Code agents.",
        discussion: """
            Point any Coder client at it: CODER_URL=<printed URL> CODER_SESSION_TOKEN=<printed token>.

            Faults (--faults): rules separated by ";", or a YAML/JSON file
            {"seed": N, "rules": [{"route": "[METHOD] PATTERN", "faults": "FAULT, ..."}]}.
              RULE     [METHOD] PATTERN: FAULT, FAULT, ...
              PATTERN  "*" for every request, or a path where "*" matches
                       (part of) one segment and "**" the rest
              500@RATE, 502@RATE, 503@RATE  server error (RATE from 0 to 1)
              429@RATE[/SECONDS]      rate limited, Retry-After (default 1)
              409@RATE                "A workspace build is already active."
              latency=DURATION        added to every request (200ms, 2s)
              spike=DURATION@RATE     added to some requests
              hang@RATE               never answers
              reset@RATE              the request takes effect, then the
                                      connection closes mid-body
              truncate@RATE           half the body (broken JSON)
              malformed@RATE          a stray "," in the body (broken JSON)
              401-after=N             401 after N matching requests (a
                                      revoked token)
            An error answer replaces the request: it has no effect. The same
            seed and the same requests give the same faults.
            Example: "POST /api/v2/workspaces/*/builds: 409@0.5;
            GET /api/v2/workspaces: latency=200ms, 503@0.1; *: 401-after=500"
            """)

    @Option(help: "Address to listen on (loopback by default).") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port: Int = 3000
    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.") var portFile: String?
    @Option(help: "Session token clients must send (random by default).") var token: String?
    @Option(help: "Seed file (JSON or YAML) with users, templates and agents.") var seed: String?
    @Option(name: .customLong("coder-version"), help: "Coder version to emulate: \(SandboxVersion.list).") var coderVersion: String = "2.35"
    @Option(name: .customLong("latency-ms"), help: "Delay added to every response, in milliseconds.") var latencyMs: Int = 0
    @Option(name: .customLong("time-scale"), help: "Multiplier of every simulated delay (1 is life-like, 0.1 ten times faster).")
    var timeScale: Double = 1
    @Option(name: .customLong("agent-speed"), help: .hidden) var agentSpeed: Double?  // the old name of --time-scale
    @Option(name: .customLong("idle-pause"), help: "Pause a task whose agent has been idle this many seconds (2.31–2.36).")
    var idlePause: Double?
    @Option(help: "Faults to inject: a specification (see above) or a YAML/JSON file.") var faults: String?
    @Option(name: .customLong("fault-seed"), help: "Seed deciding which requests fail (default: the seed file's random_seed).")
    var faultSeed: UInt64?
    @Option(name: .customLong("request-log"), help: "Append every request received, as one JSON line, to this file.")
    var requestLog: String?
    @Option(name: .customLong("log-level"), help: "Log level (stderr).") var logLevel: String?

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        guard let version = SandboxVersion(rawValue: coderVersion) else { throw ValidationError("--coder-version must be \(SandboxVersion.list).") }
        let timeScale = agentSpeed ?? timeScale
        guard timeScale >= 0, latencyMs >= 0 else { throw ValidationError("--time-scale and --latency-ms must not be negative.") }
        guard (idlePause ?? 0) >= 0 else { throw ValidationError("--idle-pause must not be negative.") }
        if let token, token.split(separator: "-").count < 2 { throw ValidationError("--token must look like a Coder API key: <id>-<secret>.") }
        let seedData = try seed.map { try SandboxSeed.load(URL(fileURLWithPath: $0)) } ?? .default
        let plan: FaultPlan?
        do { plan = try faults.map { try FaultPlan.resolve($0, seed: faultSeed) } } catch { throw ValidationError("--faults: \(error)") }
        let options = SandboxOptions(
            host: host, port: port, token: token, seed: seedData, coderVersion: version, latency: .milliseconds(latencyMs),
            timeScale: timeScale, idlePause: idlePause.map { .milliseconds($0 * 1000) }, faults: plan,
            requestLogFile: requestLog.map { URL(fileURLWithPath: $0) })
        let sandbox = try await RunningSandbox.start(options)
        if let portFile { try String(sandbox.url.port ?? port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        // Unbuffered, so scripts reading a pipe see the URL at once.
        FileHandle.standardOutput.write(
            Data(
                """
                Coder sandbox (emulating Coder v\(version.rawValue)) listening on \(sandbox.url)
                CODER_URL=\(sandbox.url.absoluteString)
                CODER_SESSION_TOKEN=\(sandbox.token)

                """.utf8))
        await withTaskCancellationHandler {
            await SignalWaiter.wait()
        } onCancel: {
        }
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
                    if once.fire() {
                        sources.forEach { $0.cancel() }
                        continuation.resume()
                    }
                }
                source.resume()
            }
        }
    }

    final class Once: @unchecked Sendable {
        private var fired = false
        private let lock = NSLock()
        func fire() -> Bool {
            lock.withLock {
                defer { fired = true }
                return !fired
            }
        }
    }
}
