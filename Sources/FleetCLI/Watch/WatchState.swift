import CoderAPI
import Fleet
import Foundation

/// What a watcher keeps between runs, in a small JSON file: the cursor of the last events it took, and the
/// notifications not yet delivered. With it, a restarted watcher neither repeats an event nor loses one.
struct WatchState: Codable, Sendable {
    /// A `wait_for_fleet` cursor (Coder time); nil before the first run.
    var cursor: String?
    var pending: [Delivery] = []

    /// One event for one URL, until the URL accepts it.
    struct Delivery: Codable, Sendable, Hashable {
        var id: String
        var url: String
        var event: FleetEvent
    }

    static func defaultFile() -> URL {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_STATE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".local/state")
        return base.appendingPathComponent("fleet-mcp/watch-state.json")
    }

    static func load(_ file: URL) -> WatchState {
        guard let data = try? Data(contentsOf: file), let state = try? JSONDecoder.fleet.decode(WatchState.self, from: data) else {
            return WatchState()
        }
        return state
    }

    /// Writes atomically (a temporary file renamed over the old one), so a crash never leaves half a file.
    func save(_ file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FleetJSON.encoder().encode(self).write(to: file, options: .atomic)
    }
}

extension JSONDecoder {
    /// Reads what `FleetJSON` writes (snake_case keys, RFC 3339 times).
    static var fleet: JSONDecoder {
        let decoder = CoderJSON.decoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
