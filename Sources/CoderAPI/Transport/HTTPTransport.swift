import Foundation

/// One HTTP request as the Coder client sends it, independent of how it travels.
public struct CoderHTTPRequest: Sendable, CustomStringConvertible {
    public var method: String
    /// Absolute URL, including the query string.
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var timeout: Duration

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil, timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The path and query, e.g. `/api/v2/workspaces?q=owner:me`.
    public var pathAndQuery: String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? url.path
        if let query = components?.percentEncodedQuery, !query.isEmpty { return path + "?" + query }
        return path
    }

    /// Header value by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `METHOD /path?query`. Never includes headers, so never the session token.
    public var description: String { "\(method) \(pathAndQuery)" }
}

/// One HTTP response.
public struct CoderHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// The seam below `CoderClient`: a live HTTP connection, a cassette replay, or a recorder around either.
public protocol HTTPTransport: Sendable {
    func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse

    /// Sends `request` and hands a 2xx body to `consumer` piece by piece as it arrives, instead of collecting it;
    /// the returned response then has an empty body. Other statuses come back whole, as from `send(_:)`.
    ///
    /// The default collects the body with `send(_:)` and hands it over in one piece; `LiveTransport` streams.
    func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws
        -> CoderHTTPResponse
}

/// Takes a response body in pieces, in order (see `HTTPTransport.send(_:streamingInto:)`).
public protocol ResponseBodyConsumer {
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws
}

extension HTTPTransport {
    public func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws
        -> CoderHTTPResponse
    {
        var response = try await send(request)
        guard (200..<300).contains(response.status) else { return response }
        try response.body.withUnsafeBytes { try consumer.consume($0) }
        response.body = Data()
        return response
    }
}

/// A transport-level failure (connection refused, timeout), as opposed to an HTTP error status.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var request: String
    /// What went wrong, in words a person can act on (never a library's type name).
    public var reason: String
    public var isTimeout: Bool
    /// For timeouts: how long the request was given.
    public var after: Duration?
    /// No connection could be made (refused, unresolvable, connect timeout): Coder is down or unreachable, as
    /// opposed to a connection that broke while a request was under way.
    public var isConnectFailure: Bool
    /// Asking again cannot help (an answer over the size limit, a TLS failure): never retried.
    public var isFinal: Bool

    public init(
        request: String, reason: String, isTimeout: Bool = false, after: Duration? = nil, isConnectFailure: Bool = false,
        isFinal: Bool = false
    ) {
        self.request = request
        self.reason = reason
        self.isTimeout = isTimeout
        self.after = after
        self.isConnectFailure = isConnectFailure
        self.isFinal = isFinal
    }

    public var description: String {
        guard isTimeout else { return "\(request) failed: \(reason)" }
        let limit = after.map { " within \(TransportError.seconds($0)) s" } ?? ""
        return "\(request) timed out: no answer\(limit) (\(reason))"
    }

    /// `1.5`, `3`, `0.2`: seconds for messages.
    public static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        let value = (Double(whole) + Double(atto) / 1e18)
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
