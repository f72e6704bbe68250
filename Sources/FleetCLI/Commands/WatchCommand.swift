import ArgumentParser
import CoderAPI
import Fleet
import Foundation
import Logging
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// `fleet-mcp watch`: the fleet live in a terminal, and attention events pushed to webhooks.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show the fleet live (redrawn in place on a terminal, one line per event otherwise) and POST attention events to webhooks.",
        discussion: """
            Each attention event (an agent needs input, completes, fails, goes idle or is paused) is POSTed once to each \
            --notify URL: a JSON body by default, {"text": …} for Slack webhook URLs, and ntfy's Title/Priority headers for \
            ntfy URLs. Failed deliveries are retried with backoff without blocking the view. The cursor and the deliveries \
            not yet accepted are kept in --state, so a restarted watcher repeats nothing and loses nothing.
            """)

    @OptionGroup var options: FleetOptions

    @Option(name: .customLong("notify"), help: "Webhook URL to POST attention events to (repeatable).")
    var notify: [String] = []

    @Option(name: .customLong("project"), help: "Only agents of this project.")
    var project: String?

    @Option(name: .customLong("state"), help: "State file (cursor and undelivered events; default: $XDG_STATE_HOME/fleet-mcp/watch-state.json).")
    var stateFile: String?

    @Option(name: .customLong("interval"), help: "Seconds between looks at the fleet (one Coder request each).")
    var interval: Double = 2

    @Flag(name: .customLong("no-color"), help: "No colour, even on a terminal.")
    var noColor = false

    /// One line to stdout, unbuffered (a pipe gets each event as it happens).
    func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The terminal's width in columns (120 when it cannot be told).
    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 else { return 120 }
        return Int(size.ws_col)
    }

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel ?? "warning")
        let logger = Logger(label: "fleet-mcp.watch")
        guard interval.isFinite, (0.05...3600).contains(interval) else { throw ValidationError("--interval must be between 0.05 and 3600 seconds.") }
        let urls = try notify.map { text -> URL in
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--notify takes an http(s) URL.")
            }
            return url
        }
        let connection: CoderConnection
        do { connection = try CoderConnection.resolve(urlFlag: options.coderURL, tokenFile: options.tokenFile) } catch let error
            as CoderConnection.Missing
        {
            throw ValidationError(error.description)
        }
        let live = LiveTransport()
        defer { Task { [live] in try? await live.shutdown() } }
        let coder = makeCoderClient(url: connection.url, token: connection.token, live: live)
        let fleet = FleetService(coder: coder, configuration: try options.configuration(), logger: logger)
        let file = stateFile.map { URL(fileURLWithPath: $0) } ?? WatchState.defaultFile()
        // Webhooks follow no redirect: a 302 would turn the POST into a GET elsewhere, and the event would count as delivered.
        let hooks = LiveTransport(redirects: .never)
        defer { Task { [hooks] in try? await hooks.shutdown() } }
        let state: WatchState
        do {
            _ = try WatchState.lock(file)  // held until the process exits
            state = try WatchState.load(file)
        } catch let error as WatchStateError {
            throw ValidationError(error.description)
        }
        let notifier = Notifier(transport: hooks, stateFile: file, state: state, logger: logger)
        await notifier.deliverPending()

        let terminal = isatty(STDOUT_FILENO) == 1
        let table = FleetTable(color: terminal && !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, width: Self.terminalWidth())
        let cursor = try await notifier.cursor.map(FleetCursor.decode)
        let targets = try FleetService.eventTargets("attention")
        // SIGTERM or SIGINT ends the loop; deliveries already sent are then awaited, so none is repeated by the
        // next watcher (a receiver that took an event before the answer came back would otherwise get it twice).
        let loop = Task {
            try await watch(fleet, notifier, cursor: cursor, targets: targets, urls: urls, table: table, host: connection.url.host, logger: logger)
        }
        let signals = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                loop.cancel()
                return
            }
        }
        try? await loop.value
        signals.cancel()
        await notifier.stop(within: .seconds(3))
    }

    /// Polls the fleet until cancelled: events go to the notifier and to the screen.
    private func watch(
        _ fleet: FleetService, _ notifier: Notifier, cursor start: FleetCursor?, targets: Set<Fleet.AgentStatus>, urls: [URL], table: FleetTable,
        host: String?, logger: Logger
    ) async throws {
        let terminal = isatty(STDOUT_FILENO) == 1
        var cursor = start
        var failures = 0
        while !Task.isCancelled {
            do {
                let poll = try await fleet.pollFleet(project: project, since: cursor, targets: targets)
                failures = 0
                if cursor == nil || !poll.events.isEmpty || poll.cursor != cursor {
                    await notifier.take(poll.events, cursor: poll.cursor.encoded, urls: urls)
                }
                cursor = poll.cursor
                if terminal {
                    let agents = await fleet.summaries(poll.workspaces)
                    let title =
                        "fleet-mcp watch — \(agents.count) agents at \(host ?? "")"
                        + (urls.isEmpty ? "" : " — notifying \(urls.count) URL\(urls.count == 1 ? "" : "s")")
                    emit(FleetTable.home + table.lines(agents, title: title).joined(separator: "\n"))
                } else {
                    for event in poll.events { emit(table.eventLine(event)) }
                }
            } catch {
                failures += 1
                logger.error("\(error)")
                if terminal { emit(FleetTable.home + table.paint("Coder unreachable: \(error)", { $0.red })) }
            }
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1000 * (failures > 0 ? min(8, Double(1 << min(failures, 3))) : 1))))
        }
    }
}
