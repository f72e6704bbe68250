import CoderAPI

/// A JSON Schema (the draft 2020-12 subset MCP clients read), built in Swift so every result type declares its
/// schema once, beside its fields (`FleetOutput`). Tool inputs use the same builder.
public struct JSONSchema: Sendable, Hashable {
    /// The schema as JSON.
    public var json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    public static func object(
        _ properties: [String: JSONSchema], required: [String] = [], description: String? = nil, additional: Bool = false
    ) -> JSONSchema {
        var schema: [String: JSONValue] = [
            "type": .string("object"), "properties": .object(properties.mapValues(\.json)), "additionalProperties": .bool(additional),
        ]
        if !required.isEmpty { schema["required"] = .array(required.sorted().map { .string($0) }) }
        if let description { schema["description"] = .string(description) }
        return JSONSchema(.object(schema))
    }

    public static func string(
        _ description: String, enumeration: [String]? = nil, minLength: Int? = nil, maxLength: Int? = nil, format: String? = nil
    ) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": .string("string"), "description": .string(description)]
        if let enumeration { schema["enum"] = .array(enumeration.map { .string($0) }) }
        if let minLength { schema["minLength"] = .number(Double(minLength)) }
        if let maxLength { schema["maxLength"] = .number(Double(maxLength)) }
        if let format { schema["format"] = .string(format) }
        return JSONSchema(.object(schema))
    }

    public static func integer(_ description: String, minimum: Int? = nil, maximum: Int? = nil, defaultValue: Int? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": .string("integer"), "description": .string(description)]
        if let minimum { schema["minimum"] = .number(Double(minimum)) }
        if let maximum { schema["maximum"] = .number(Double(maximum)) }
        if let defaultValue { schema["default"] = .number(Double(defaultValue)) }
        return JSONSchema(.object(schema))
    }

    public static func number(_ description: String, minimum: Double? = nil, maximum: Double? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": .string("number"), "description": .string(description)]
        if let minimum { schema["minimum"] = .number(minimum) }
        if let maximum { schema["maximum"] = .number(maximum) }
        return JSONSchema(.object(schema))
    }

    public static func boolean(_ description: String) -> JSONSchema {
        JSONSchema(.object(["type": .string("boolean"), "description": .string(description)]))
    }

    public static func array(_ items: JSONSchema, _ description: String) -> JSONSchema {
        JSONSchema(.object(["type": .string("array"), "items": items.json, "description": .string(description)]))
    }

    public static func map(_ values: JSONSchema, _ description: String) -> JSONSchema {
        JSONSchema(.object(["type": .string("object"), "additionalProperties": values.json, "description": .string(description)]))
    }

    /// The same object schema with more optional properties.
    public func adding(_ properties: [String: JSONSchema]) -> JSONSchema {
        guard case .object(var schema) = json, case .object(var members)? = schema["properties"] else { return self }
        for (key, value) in properties { members[key] = value.json }
        schema["properties"] = .object(members)
        return JSONSchema(.object(schema))
    }

    public static let time = string("RFC 3339 time", format: "date-time")
    public static let agentStatus = string("Agent status (see the README's status model)", enumeration: AgentStatus.allCases.map(\.rawValue))
}

/// A tool result: encoded with `FleetJSON` as the tool's structured content, described by `schema`.
public protocol FleetOutput: Encodable, Sendable {
    /// The JSON Schema of the encoded value; the tool's `outputSchema`.
    static var schema: JSONSchema { get }
}
