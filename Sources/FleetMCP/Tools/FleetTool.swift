import CoderAPI
import Fleet
import Foundation
import MCP

/// One MCP tool: its public definition and what it does.
public struct FleetTool: Sendable {
    public let definition: Tool
    let run: @Sendable (ToolArguments, ToolContext) async throws -> Value

    init(name: String, title: String, description: String, input: [String: Value], required: [String] = [],
         output: Value, annotations: Tool.Annotations, run: @escaping @Sendable (ToolArguments, ToolContext) async throws -> Value) {
        self.definition = Tool(name: name, title: title, description: description,
                               inputSchema: Schema.object(input, required: required),
                               annotations: annotations, outputSchema: output)
        self.run = run
    }

    /// Names the tool accepts as arguments.
    var parameterNames: Set<String> { Set(definition.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? []) }
}

/// What a running tool can use besides its arguments: progress reporting to the caller.
public struct ToolContext: Sendable {
    let reportProgress: @Sendable (Double, Double?, String) async -> Void

    public init(reportProgress: @escaping @Sendable (Double, Double?, String) async -> Void = { _, _, _ in }) {
        self.reportProgress = reportProgress
    }

    func progress(_ value: Double, total: Double?, _ message: String) async { await reportProgress(value, total, message) }
}

/// Typed access to a tool's arguments, with errors that name the parameter.
public struct ToolArguments: Sendable {
    let values: [String: Value]
    let tool: String

    func string(_ name: String) throws -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(number)
        default: throw FleetError(.invalidArgument, "\(tool): \(name) must be a string.")
        }
    }

    func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else { throw FleetError(.invalidArgument, "\(tool): \(name) is required.") }
        return value
    }

    func int(_ name: String) throws -> Int? {
        switch values[name] {
        case nil, .null?: return nil
        case .int(let number)?: return number
        case .double(let number)? where number == number.rounded() && abs(number) < 1e9: return Int(number)
        case .string(let text)? where Int(text.trimmingCharacters(in: .whitespaces)) != nil: return Int(text.trimmingCharacters(in: .whitespaces))
        default: throw FleetError(.invalidArgument, "\(tool): \(name) must be an integer.")
        }
    }

    func number(_ name: String) throws -> Double? {
        switch values[name] {
        case nil, .null?: return nil
        case .int(let number)?: return Double(number)
        case .double(let number)?: return number
        case .string(let text)? where Double(text) != nil: return Double(text)
        default: throw FleetError(.invalidArgument, "\(tool): \(name) must be a number.")
        }
    }
}

/// Encodes a fleet result as MCP structured content.
///
/// Goes through `JSONValue` rather than decoding `MCP.Value` directly: the SDK's `Value` decoder builds and
/// compiles a data-URL regex for every string (swift-sdk 0.12.1), which costs about 25 µs a string.
func structured<T: Encodable>(_ value: T, renaming: [String: String] = [:]) throws -> Value {
    let data = try FleetJSON.encoder().encode(value)
    var result = try JSONDecoder().decode(JSONValue.self, from: data).mcpValue
    if case .object(var members) = result, !renaming.isEmpty {
        for (from, to) in renaming { if let moved = members.removeValue(forKey: from) { members[to] = moved } }
        result = .object(members)
    }
    return result
}

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
