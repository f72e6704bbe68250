import MCP

extension Value {
    /// The member of an object value.
    public subscript(key: String) -> Value? { objectValue?[key] }
    /// The strings of an array value.
    public var strings: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}
