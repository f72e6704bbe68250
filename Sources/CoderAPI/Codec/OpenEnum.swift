/// A string enum that tolerates values it does not know.
///
/// Coder keeps adding enum values (for example `BuildReason` gained `task_auto_pause`), so every wire enum
/// decodes an unrecognised string into its `unknown(String)` case instead of failing, and encodes it back
/// unchanged.
public protocol OpenEnum: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Every known case, in no particular order.
    static var knownCases: [Self] { get }
    /// The case that carries a value this version of fleet-mcp does not know.
    static func unknown(_ raw: String) -> Self
    /// The string Coder sends for this case.
    var rawValue: String { get }
}

extension OpenEnum {
    public init(rawValue: String) {
        self = Self.knownCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(rawValue: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Whether this value is one of the known cases.
    public var isKnown: Bool { Self.knownCases.contains(self) }
}
