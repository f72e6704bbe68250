import Foundation

/// Faults the sandbox injects into its answers, per route, to test how clients cope with a deployment that fails.
///
/// Written in a compact syntax (`fleet-mcp sandbox --faults SPEC`), or as a YAML/JSON file (see ``load(_:)``):
///
/// ```
/// SPEC     = RULE { ";" RULE }                    rules are also separated by newlines
/// RULE     = [METHOD] PATTERN ":" FAULT { "," FAULT }
/// PATTERN  = "*"                                  every request
///          | /path/with/*/segments                "*" matches one segment or part of one ("@*"), "**" the rest;
///                                                 the raw path is matched, without the query
/// FAULT    = 500@RATE | 502@RATE | 503@RATE       a server error (Coder JSON for 500, a proxy's HTML page for 502/503)
///          | 429@RATE[/SECONDS]                   rate limited, with Retry-After: SECONDS (default 1)
///          | 409@RATE                             409 "A workspace build is already active." (for build creation)
///          | latency=DURATION                     added to every matching request
///          | spike=DURATION@RATE                  added to some
///          | hang@RATE                            never answers (until the client gives up or the sandbox stops)
///          | reset@RATE                           the request is handled, then the connection closes mid-body
///          | truncate@RATE                        the body cut to half its bytes (valid HTTP, broken JSON)
///          | malformed@RATE                       the body with a stray "," after its first byte (broken JSON)
///          | 401-after=N                          every matching request after the first N answers 401 (a revoked token)
/// RATE     = a probability from 0 to 1;  DURATION = NUMBER followed by ms or s
/// ```
///
/// Example: `POST /api/v2/workspaces/*/builds: 409@0.5; GET /api/v2/workspaces: latency=200ms, 503@0.1; *: 401-after=500`.
///
/// Every rule whose method and pattern match applies: latencies add up, the first status, hang or 401 that fires
/// answers instead of the sandbox (the request has no effect), and otherwise the first body fault that fires alters
/// the real answer. Whether a fault fires is decided by the seed, the rule, the fault and how many requests the rule
/// matched before, so the same seed and the same requests give the same faults.
public struct FaultPlan: Sendable, Equatable {
    public var rules: [FaultRule]
    /// Decides which requests fail; the sandbox seed's `random_seed` when nil.
    public var seed: UInt64?

    public init(rules: [FaultRule], seed: UInt64? = nil) {
        self.rules = rules
        self.seed = seed
    }
}

/// The faults of one route pattern.
public struct FaultRule: Sendable, Equatable {
    /// `GET`, `POST`, … or nil for every method.
    public var method: String?
    /// A path pattern (`/api/v2/workspaces/*/builds`), or `*` for every path.
    public var pattern: String
    public var faults: [Fault]

    public init(method: String? = nil, pattern: String, faults: [Fault]) {
        self.method = method?.uppercased()
        self.pattern = pattern
        self.faults = faults
    }

    /// Whether the rule applies to a request (raw path, without the query).
    public func matches(method requestMethod: String, path: String) -> Bool {
        if let method, method != requestMethod.uppercased() { return false }
        if pattern == "*" || pattern == "**" { return true }
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for (index, part) in parts.enumerated() {
            if part == "**" { return true }
            guard index < segments.count, Self.glob(part, segments[index]) else { return false }
        }
        return parts.count == segments.count
    }

    /// One segment: `*` stands for any run of characters (`*`, `@*`, `*.json`).
    static func glob(_ pattern: Substring, _ text: Substring) -> Bool {
        let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false)
        guard pieces.count > 1 else { return pattern == text }
        guard text.hasPrefix(pieces[0]), text.dropFirst(pieces[0].count).hasSuffix(pieces[pieces.count - 1]) else { return false }
        var rest = text.dropFirst(pieces[0].count).dropLast(pieces[pieces.count - 1].count)
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}

/// One kind of failure, with how often it happens.
public enum Fault: Sendable, Equatable, CustomStringConvertible {
    /// 500, 502, 503 or 409 (`A workspace build is already active.`).
    case status(Int, rate: Double)
    /// 429 with `Retry-After: retryAfter` (seconds).
    case rateLimited(rate: Double, retryAfter: Int)
    case latency(Duration)
    case spike(Duration, rate: Double)
    case hang(rate: Double)
    case reset(rate: Double)
    case truncate(rate: Double)
    case malformed(rate: Double)
    /// 401 for every matching request after the first `count`.
    case revokeAfter(Int)

    public var description: String {
        switch self {
        case .status(let code, let rate): "\(code)@\(rate)"
        case .rateLimited(let rate, let retryAfter): "429@\(rate)/\(retryAfter)"
        case .latency(let duration): "latency=\(Self.milliseconds(duration))ms"
        case .spike(let duration, let rate): "spike=\(Self.milliseconds(duration))ms@\(rate)"
        case .hang(let rate): "hang@\(rate)"
        case .reset(let rate): "reset@\(rate)"
        case .truncate(let rate): "truncate@\(rate)"
        case .malformed(let rate): "malformed@\(rate)"
        case .revokeAfter(let count): "401-after=\(count)"
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
