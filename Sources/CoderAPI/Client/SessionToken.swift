/// A Coder session token. Its description is redacted so it cannot leak through logs or errors.
public struct SessionToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; read it only to put it on the wire.
    public let secret: String

    public init(_ secret: String) { self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines) }

    public var description: String { "<redacted token>" }
    public var debugDescription: String { description }

    /// The header Coder reads the token from (`codersdk.SessionTokenHeader`).
    public static let headerName = "Coder-Session-Token"
}
