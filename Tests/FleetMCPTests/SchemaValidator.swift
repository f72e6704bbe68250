import Foundation
import MCP

/// Checks a value against the JSON Schema subset fleet-mcp's output schemas use (type, properties, required,
/// additionalProperties, items, enum, minimum/maximum, format date-time). Every tool result the harness sees is
/// checked, so a result that drifts from its schema fails `swift test`, not only the Python suite.
enum SchemaValidator {
    static func errors(_ value: Value, against schema: Value, at path: String = "$") -> [String] {
        guard case .object(let rules) = schema else { return [] }
        var found: [String] = []
        if let type = rules["type"]?.stringValue, !matches(value, type) {
            return ["\(path): expected \(type), got \(value)"]
        }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(value) { found.append("\(path): \(value) is not one of \(allowed)") }
        if rules["format"]?.stringValue == "date-time", case .string(let text) = value, !isDateTime(text) {
            found.append("\(path): '\(text)' is not an RFC 3339 time")
        }
        if let minimum = number(rules["minimum"]), let actual = number(value), actual < minimum { found.append("\(path): below \(minimum)") }
        if let maximum = number(rules["maximum"]), let actual = number(value), actual > maximum { found.append("\(path): above \(maximum)") }
        if case .object(let members) = value {
            let properties = rules["properties"]?.objectValue ?? [:]
            for key in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                found.append("\(path): missing required \(key)")
            }
            for (key, member) in members {
                if let rule = properties[key] {
                    found += errors(member, against: rule, at: "\(path).\(key)")
                } else if rules["additionalProperties"] == .bool(false) {
                    found.append("\(path): unexpected property \(key)")
                } else if let rule = rules["additionalProperties"], case .object = rule {
                    found += errors(member, against: rule, at: "\(path).\(key)")
                }
            }
        }
        if case .array(let items) = value, let rule = rules["items"] {
            for (index, item) in items.enumerated() { found += errors(item, against: rule, at: "\(path)[\(index)]") }
        }
        return found
    }

    static func matches(_ value: Value, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("integer", .int): return true
        case ("integer", .double(let number)): return number == number.rounded()
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    static func number(_ value: Value?) -> Double? {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: nil
        }
    }

    static func isDateTime(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }
}
