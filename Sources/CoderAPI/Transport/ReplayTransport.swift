import Foundation
import Synchronization

/// Answers requests from a recorded cassette instead of a server.
///
/// Matching: method and path must be equal; when recorded requests for that path differ in their query,
/// the query must match too. Matching interactions answer in recorded order; when they run out the last one
/// repeats (a poll that outlives the recording sees the final state). An unmatched request throws
/// `ReplayTransport.Unmatched`, which names the request, and is remembered in `unmatched`.
public final class ReplayTransport: HTTPTransport {
    public struct Unmatched: Error, CustomStringConvertible {
        public var request: String
        public var recorded: [String]
        public var description: String {
            "No recorded interaction matches \(request). Recorded: \(recorded.joined(separator: ", "))"
        }
    }

    private struct State {
        var used: [Bool]
        var served: [String] = []
        var unmatched: [String] = []
    }

    public let cassette: Cassette
    private let state: Mutex<State>

    public init(_ cassette: Cassette) {
        self.cassette = cassette
        self.state = Mutex(State(used: Array(repeating: false, count: cassette.interactions.count)))
    }

    public convenience init(contentsOf url: URL) throws {
        self.init(try Cassette.load(url))
    }

    /// Requests that found no recording, as `METHOD /path?query`.
    public var unmatched: [String] { state.withLock { $0.unmatched } }
    /// Requests served, in order, as `METHOD /path?query`.
    public var served: [String] { state.withLock { $0.served } }
    /// How many recorded interactions were never used.
    public var unusedCount: Int { state.withLock { $0.used.filter { !$0 }.count } }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        let path = components?.path ?? request.url.path
        let query = components?.percentEncodedQuery
        let method = request.method.uppercased()
        let candidates = cassette.interactions.indices.filter {
            cassette.interactions[$0].request.method.uppercased() == method && cassette.interactions[$0].request.path == path
        }
        let queries = Set(candidates.map { cassette.interactions[$0].request.query ?? "" })
        let matching = queries.count > 1 ? candidates.filter { (cassette.interactions[$0].request.query ?? "") == (query ?? "") } : candidates
        let index: Int? = state.withLock { state in
            state.served.append(request.description)
            guard let last = matching.last else {
                state.unmatched.append(request.description)
                return nil
            }
            let next = matching.first { !state.used[$0] } ?? last
            state.used[next] = true
            return next
        }
        guard let index else {
            throw Unmatched(
                request: request.description,
                recorded: cassette.interactions.map { "\($0.request.method) \($0.request.path)" }.uniqued())
        }
        let recorded = cassette.interactions[index].response
        var headers: [(name: String, value: String)] = []
        for (name, values) in recorded.headers ?? [:] { for value in values { headers.append((name: name, value: value)) } }
        return CoderHTTPResponse(status: recorded.status.code, headers: headers, body: Data((recorded.body.string ?? "").utf8))
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
