import MCP

/// The tool list: one static value, in the order clients see it. Adding a tool means adding it here, in its
/// area's file, with its snapshot (`Tests/FleetMCPTests/__snapshots__/tools.json`) and its tests.
public enum FleetTools {
    public static let all: [FleetTool] = DiscoveryTools.all + AgentTools.all + TaskTools.all + AttentionTools.all

    /// Every tool name, in list order.
    public static var names: [String] { all.map(\.name) }
}
