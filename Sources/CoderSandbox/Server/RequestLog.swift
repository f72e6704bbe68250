import Foundation
import Synchronization

/// One request the sandbox received: the method, the path and the query exactly as sent (not decoded).
public struct SandboxRequestRecord: Sendable, Hashable, Codable, CustomStringConvertible {
    public var method: String
    /// The raw path, e.g. `/api/v2/users/me/workspace/agent%2Fx`.
    public var path: String
    /// The raw query without `?`, or nil when the URL has none.
    public var query: String?

    public init(method: String, path: String, query: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
    }

    /// Path and query as sent: `/api/v2/workspaces?q=owner%3Ame`.
    public var target: String { query.map { "\(path)?\($0)" } ?? path }

    public var description: String { "\(method) \(target)" }
}

/// Counts the requests the sandbox answers (what a benchmark charges a tool call) and keeps them in order: the
/// newest `limit` in memory, every one in the JSON-lines file when there is one.
final class RequestLog: Sendable {
    private struct State {
        var count = 0
        var entries: [SandboxRequestRecord] = []
        var file: FileHandle?
    }

    private let state: Mutex<State>
    private let limit: Int

    init(limit: Int, file: URL? = nil) throws {
        var initial = State()
        if let file {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            initial.file = try FileHandle(forWritingTo: file)
        }
        state = Mutex(initial)
        self.limit = max(0, limit)
    }

    func record(_ entry: SandboxRequestRecord) {
        state.withLock { state in
            state.count += 1
            if limit > 0 {
                // Trimmed in chunks, so recording stays O(1) once the log is full.
                if state.entries.count >= 2 * limit { state.entries.removeFirst(limit) }
                state.entries.append(entry)
            }
            if let file = state.file {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                if let line = try? encoder.encode(entry) { try? file.write(contentsOf: line + Data("\n".utf8)) }
            }
        }
    }

    var count: Int { state.withLock { $0.count } }
    var entries: [SandboxRequestRecord] { state.withLock { Array($0.entries.suffix(limit)) } }

    func close() {
        state.withLock { state in
            try? state.file?.close()
            state.file = nil
        }
    }
}
