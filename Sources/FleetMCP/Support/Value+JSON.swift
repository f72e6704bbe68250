import CoderAPI
import Fleet
import Foundation
import MCP

extension JSONValue {
    /// The same JSON as an MCP `Value` (integral numbers as `.int`).
    var mcpValue: Value {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value):
            return value == value.rounded() && abs(value) < 9_007_199_254_740_992 ? .int(Int(value)) : .double(value)
        case .string(let value): return .string(value)
        case .array(let values): return .array(values.map(\.mcpValue))
        case .object(let members): return .object(members.mapValues(\.mcpValue))
        }
    }
}
