import Fleet

/// A tool parameter, declared once: its name and schema are the tool's input-schema entry, and the tool reads its
/// value through the same declaration (`arguments[parameter]`), so the schema and the reader cannot disagree on a key.
protocol ToolParameter: Sendable {
    var name: String { get }
    var schema: JSONSchema { get }
    var isRequired: Bool { get }
}

struct Parameter<Value: Sendable>: ToolParameter {
    let name: String
    let schema: JSONSchema
    let isRequired: Bool
    fileprivate let read: @Sendable (ToolArguments, String) throws -> Value
}

extension Parameter where Value == String {
    /// A string the caller must send.
    static func requiredString(_ name: String, _ schema: JSONSchema) -> Self {
        Self(name: name, schema: schema, isRequired: true) { try $0.requiredString($1) }
    }
}

extension Parameter where Value == String? {
    static func string(_ name: String, _ schema: JSONSchema) -> Self {
        Self(name: name, schema: schema, isRequired: false) { try $0.string($1) }
    }
}

extension Parameter where Value == Int? {
    static func int(_ name: String, _ schema: JSONSchema) -> Self {
        Self(name: name, schema: schema, isRequired: false) { try $0.int($1) }
    }
}

extension Parameter where Value == Duration? {
    /// Seconds, clamped to `range` (see `ToolArguments.seconds`).
    static func seconds(_ name: String, _ schema: JSONSchema, within range: ClosedRange<Double>) -> Self {
        Self(name: name, schema: schema, isRequired: false) { try $0.seconds($1, within: range) }
    }
}

extension ToolArguments {
    /// The value of a declared parameter.
    subscript<Value>(_ parameter: Parameter<Value>) -> Value {
        get throws { try parameter.read(self, parameter.name) }
    }
}

extension JSONSchema {
    /// The input schema of a tool taking `parameters`; two with one name are a programming error.
    static func input(_ parameters: [any ToolParameter]) -> JSONSchema {
        let properties = Dictionary(parameters.map { ($0.name, $0.schema) }) { first, _ in
            preconditionFailure("a tool declares a parameter twice")
        }
        return .object(properties, required: parameters.filter(\.isRequired).map(\.name))
    }
}
