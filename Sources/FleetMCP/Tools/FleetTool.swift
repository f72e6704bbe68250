import CoderAPI
import Fleet
import Foundation
import MCP

/// One MCP tool as a value: its public definition and what it does with a fleet.
///
/// Definitions need no fleet, so the tool list, its names and schemas are static (`FleetTools.all`).
public struct FleetTool: Sendable {
    public let definition: Tool
    /// The tool blocks until something happens (its deadline includes the fleet's longest wait).
    public let waits: Bool
    let run: @Sendable (FleetService, ToolArguments, ToolContext) async throws -> any FleetOutput

    /// A tool whose result is `Output`; its output schema is `Output.schema`.
    init<Output: FleetOutput>(
        name: String, title: String, description: String, parameters: [any ToolParameter] = [], output: Output.Type,
        annotations: Tool.Annotations, waits: Bool = false,
        run: @escaping @Sendable (FleetService, ToolArguments, ToolContext) async throws -> Output
    ) {
        self.definition = Tool(
            name: name, title: title, description: description,
            inputSchema: JSONSchema.input(parameters).json.mcpValue,
            annotations: annotations, outputSchema: Output.schema.json.mcpValue)
        self.waits = waits
        self.run = { fleet, arguments, context in try await run(fleet, arguments, context) }
    }

    public var name: String { definition.name }

    /// Names the tool accepts as arguments.
    var parameterNames: Set<String> { Set(definition.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? []) }

    /// Annotations of a tool that only reads.
    static let reads = Tool.Annotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
}

/// What a running tool can use besides its arguments: progress reporting to the caller.
public struct ToolContext: Sendable {
    let reportProgress: @Sendable (Double, Double?, String) async -> Void

    public init(reportProgress: @escaping @Sendable (Double, Double?, String) async -> Void = { _, _, _ in }) {
        self.reportProgress = reportProgress
    }

    func progress(_ value: Double, total: Double?, _ message: String) async { await reportProgress(value, total, message) }
}
