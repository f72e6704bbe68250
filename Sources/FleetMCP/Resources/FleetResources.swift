import CoderAPI
import Fleet
import Foundation
import MCP

/// The fleet as MCP resources: `fleet://agents` (the fleet table) and `fleet://agents/{name}` (one agent),
/// readable, listed with a template, and subscribable (`FleetWatcher` pushes the changes).
enum FleetResources {
    static let fleetURI = "fleet://agents"
    static let agentPrefix = "fleet://agents/"
    static let mimeType = "application/json"

    static let template = Resource.Template(
        uriTemplate: "fleet://agents/{name}", name: "agent", title: "Agent",
        description: "One agent: status and why, the latest report, the pull request. Subscribe to hear when they change.",
        mimeType: mimeType)

    static func uri(agent name: String) -> String { agentPrefix + name }

    /// The agent a URI names, nil for the fleet table; throws for anything else.
    static func agentName(in uri: String) throws -> String? {
        if uri == fleetURI { return nil }
        guard uri.hasPrefix(agentPrefix), uri.count > agentPrefix.count else {
            throw MCPError.invalidParams("Unknown resource '\(Echo.cap(uri, 80))'. Resources: fleet://agents and fleet://agents/{name}.")
        }
        let name = String(uri.dropFirst(agentPrefix.count))
        return name.removingPercentEncoding ?? name
    }

    static func list(_ fleet: FleetService) async throws -> ListResources.Result {
        let agents = try await fleet.allAgents()
        let table = Resource(
            name: "agents", uri: fleetURI, title: "The fleet", description: "Every agent with status, project, role, last report and pull request",
            mimeType: mimeType)
        let each = agents.map { agent in
            Resource(
                name: agent.name, uri: uri(agent: agent.name), title: "Agent \(agent.name)",
                description: "\(agent.status.rawValue) in \(agent.project)" + (agent.lastTask.map { ": \(Echo.cap($0, 80))" } ?? ""),
                mimeType: mimeType)
        }
        return ListResources.Result(resources: [table] + each)
    }

    static func read(_ fleet: FleetService, uri: String) async throws -> ReadResource.Result {
        let json: Data
        do {
            if let name = try agentName(in: uri) {
                json = try FleetJSON.encoder().encode(try await fleet.agentCard(name))
            } else {
                let agents = try await fleet.allAgents()
                json = try FleetJSON.encoder().encode(AgentList(agents: agents, totalCount: agents.count, nextCursor: nil, counts: counts(agents)))
            }
        } catch let error as FleetError {
            throw MCPError.invalidParams(error.message)
        }
        return ReadResource.Result(contents: [.text(String(decoding: json, as: UTF8.self), uri: uri, mimeType: mimeType)])
    }

    static func counts(_ agents: [AgentSummary]) -> [String: Int] {
        agents.reduce(into: [:]) { $0[$1.status.rawValue, default: 0] += 1 }
    }
}
