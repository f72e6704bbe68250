import MCP

/// Builds the JSON Schemas of tool inputs and outputs (draft 2020-12 subset that MCP clients read).
enum Schema {
    static func object(_ properties: [String: Value], required: [String] = [], description: String? = nil, additional: Bool = false) -> Value {
        var schema: [String: Value] = ["type": "object", "properties": .object(properties), "additionalProperties": .bool(additional)]
        if !required.isEmpty { schema["required"] = .array(required.sorted().map { .string($0) }) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    static func string(_ description: String, enumeration: [String]? = nil, minLength: Int? = nil, maxLength: Int? = nil, format: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "string", "description": .string(description)]
        if let enumeration { schema["enum"] = .array(enumeration.map { .string($0) }) }
        if let minLength { schema["minLength"] = .int(minLength) }
        if let maxLength { schema["maxLength"] = .int(maxLength) }
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }

    static func integer(_ description: String, minimum: Int? = nil, maximum: Int? = nil, defaultValue: Int? = nil) -> Value {
        var schema: [String: Value] = ["type": "integer", "description": .string(description)]
        if let minimum { schema["minimum"] = .int(minimum) }
        if let maximum { schema["maximum"] = .int(maximum) }
        if let defaultValue { schema["default"] = .int(defaultValue) }
        return .object(schema)
    }

    static func number(_ description: String, minimum: Double? = nil, maximum: Double? = nil) -> Value {
        var schema: [String: Value] = ["type": "number", "description": .string(description)]
        if let minimum { schema["minimum"] = .double(minimum) }
        if let maximum { schema["maximum"] = .double(maximum) }
        return .object(schema)
    }

    static func boolean(_ description: String) -> Value { .object(["type": "boolean", "description": .string(description)]) }

    static func array(_ items: Value, _ description: String) -> Value {
        .object(["type": "array", "items": items, "description": .string(description)])
    }

    static func map(_ values: Value, _ description: String) -> Value {
        .object(["type": "object", "additionalProperties": values, "description": .string(description)])
    }

    static let time = string("RFC 3339 time", format: "date-time")
    static let agentStatus = string("Agent status (see the README's status model)", enumeration: Fleet.AgentStatus.allCases.map(\.rawValue))
}

import Fleet
