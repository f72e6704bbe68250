import CoderAPI
import Foundation

/// The one place that decides which channel reaches an agent, and that demotes the deployment when a tasks route
/// is missing. Every tasks-API call of the fleet goes through `onChannel`.
extension FleetService {
    /// Runs `body` on the channel in force for `agent` (nil: no agent yet, as when creating one).
    ///
    /// - A missing tasks route (404 `Route not found.`, 405) demotes the deployment for every later call and
    ///   retries on the next older channel: nothing was written, so the retry is safe.
    /// - An agent without a task record (a workspace made outside the tasks API) is reached through AgentAPI:
    ///   directly where workspaces link their task (2.30+), else after the tasks API answers 404 for it.
    func onChannel<T: Sendable>(for agent: AgentRef?, _ body: (any AgentChannel) async throws -> T) async throws -> T {
        var channel = await deployment.channel()
        if let agent, channel.generation != .none, agent.workspace.taskID == nil, await deployment.workspacesLinkTasks() {
            channel = agentAPI
        }
        while true {
            do {
                return try await body(channel)
            } catch let error as CoderAPIError where error.isRouteMissing && channel.generation != .none {
                channel = await deployment.channel(for: await deployment.demote(from: channel.generation))
            } catch let error as CoderAPIError where error.status == 404 && agent != nil && channel.generation != .none {
                logger.debug("no task record for \(agent?.name ?? "?") (\(error.coderMessage)); using AgentAPI")
                channel = agentAPI
            }
        }
    }
}
