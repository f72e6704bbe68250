import CoderAPI
import Fleet
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// The state in `file`; a new state when there is no file. A file that cannot be read is an error naming it:
    /// replacing it silently would send every pending notification again, or drop them.
    static func load(_ file: URL) throws -> WatchState {
        guard FileManager.default.fileExists(atPath: file.path) else { return WatchState() }
        do {
            return try JSONDecoder.fleet.decode(WatchState.self, from: try Data(contentsOf: file))
        } catch {
            throw WatchStateError(
                "the watch state file \(file.path) cannot be read (\(error.localizedDescription)); move it away to start afresh, "
                    + "or pass --state with another file")
        }
    }

    /// Writes atomically (a temporary file renamed over the old one), so a crash never leaves half a file; only the
    /// owner may read it (it holds the webhook URLs, which are secrets).
    func save(_ file: URL) throws {
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        let data = try FleetJSON.encoder().encode(self)
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw WatchStateError("cannot write \(temporary.path)")
        }
        guard rename(temporary.path, file.path) == 0 else {
            unlink(temporary.path)
            throw WatchStateError("cannot replace \(file.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Takes the state file for this process (an exclusive `flock` on `<file>.lock`, held until exit): two watchers
    /// on one state file would both send every event.
    static func lock(_ file: URL) throws -> Int32 {
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = file.path + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw WatchStateError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw WatchStateError("another fleet-mcp watch uses the state file \(file.path); stop it, or pass --state with another file")
        }
        return descriptor
    }
}

/// A state file that cannot be used, in words that say what to do.
struct WatchStateError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension JSONDecoder {
    /// Reads what `FleetJSON` writes (snake_case keys, RFC 3339 times).
    static var fleet: JSONDecoder {
        let decoder = CoderJSON.decoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
