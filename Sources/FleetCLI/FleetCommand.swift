import ArgumentParser

/// `fleet-mcp`: an MCP server that runs a fleet of Claude Code agents in Coder workspaces.
public struct FleetCommand: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "fleet-mcp",
        abstract: "An MCP server that runs a fleet of Claude Code agents, each in its own Coder workspace.",
        discussion: """
            With no subcommand, serves MCP over stdio (the same as `fleet-mcp serve`):
              claude mcp add fleet -- fleet-mcp
            Try it without a Coder deployment: `fleet-mcp demo`, or `fleet-mcp serve --sandbox`.
            """,
        version: version,
        subcommands: [ServeCommand.self, SandboxCommand.self, DemoCommand.self, WatchCommand.self, TokenCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    public init() {}
}
