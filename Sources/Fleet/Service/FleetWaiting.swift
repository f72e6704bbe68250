import CoderAPI
import Foundation

/// Waiting on the whole fleet: one workspace-list request per poll, whatever the fleet's size, and a cursor in
/// Coder's own clock so a loop of calls misses nothing, whichever copy of fleet-mcp answers each call.
extension FleetService {
    /// Returns as soon as a watched agent has an event in `until` after `since` (or, without `since`, after
    /// the call started), or when the wait times out.
    public func waitForFleet(
        agentNames: [String]?, project: String?, until: String?, since: String?, timeout: Duration?,
        progress: @escaping @Sendable (Double, Double, String) async -> Void = { _, _, _ in }
    ) async throws -> FleetWaitResult {
        let targets = try Self.eventTargets(until)
        let names = try agentNames.map { list in
            try Set(
                list.map { input -> String in
                    switch try naming.reference(input) {
                    case .name(let name): return naming.workspaceName(for: name).asciiLowercased
                    case .id: throw FleetError(.invalidArgument, "wait_for_fleet takes agent names, not workspace ids.")
                    }
                })
        }
        var cursor = try since.map(FleetCursor.decode)
        let limit = min(timeout ?? configuration.maxWait, configuration.maxWait)
        let started = ContinuousClock.now
        var interval = configuration.pollInterval / 2
        var polls = 0
        while true {
            let poll = try await pollFleet(names: names, project: project, since: cursor, targets: targets)
            polls += 1
            cursor = poll.cursor
            let elapsed = ContinuousClock.now - started
            if !poll.events.isEmpty || elapsed >= limit {
                return FleetWaitResult(
                    events: poll.events, cursor: poll.cursor.encoded, timedOut: poll.events.isEmpty,
                    waitedSeconds: (elapsed.seconds * 10).rounded() / 10, agentsWatched: poll.workspaces.count, polls: polls)
            }
            let busy = poll.workspaces.filter { StatusModel.derive($0).status == .busy }.count
            await progress(elapsed.seconds, limit.seconds, "watching \(poll.workspaces.count) agents (\(busy) busy); no event yet")
            try await Task.sleep(for: min(interval, limit - elapsed))
            // Adaptive: quick at first (answers often follow a task at once), then calmer, never above 3 polls' worth.
            interval = min(interval * 3 / 2, configuration.pollInterval * 3)
        }
    }

    /// One look at the fleet (one workspace-list request): the watched workspaces, the events in `targets`
    /// after `since` (without one: none, the fleet as it is now is the baseline), and the cursor to pass next.
    public func pollFleet(
        names: Set<String>? = nil, project: String?, since: FleetCursor?, targets: Set<AgentStatus>,
        granularity: FleetEvents.Granularity = .statusChanges
    ) async throws -> FleetPoll {
        let watched = try await watchedWorkspaces(names: names, project: project)
        let failedNow = Dictionary(
            watched.compactMap { workspace in
                FleetEvents.untimedFailure(of: workspace, agent: agentName(of: workspace)).map { (FleetCursor.key(workspace), $0) }
            }, uniquingKeysWith: { first, _ in first })
        // Without a cursor, everything up to now is old news, failures included.
        let base =
            since ?? FleetCursor(time: FleetEvents.newestTime(in: watched) ?? Date(timeIntervalSince1970: 0), acknowledged: Set(failedNow.keys))
        var events: [FleetEvent] = []
        for workspace in watched {
            let changes = FleetEvents.changes(of: workspace, agent: agentName(of: workspace), after: base.time, granularity: granularity)
            events += changes.filter { targets.contains($0.newStatus) }
        }
        var acknowledged = base.acknowledged.intersection(failedNow.keys)
        if targets.contains(.failed) {
            for (key, failure) in failedNow
            where !acknowledged.contains(key) && !events.contains(where: { $0.agent == failure.agent && $0.newStatus == .failed }) {
                events.append(failure)
                acknowledged.insert(key)
            }
        }
        events.sort { (a: FleetEvent, b: FleetEvent) in a.at == b.at ? a.agent < b.agent : a.at < b.at }
        // The cursor moves only past what is returned: changes not waited for stay visible to the next call.
        let next = FleetCursor(time: max(base.time, events.map(\FleetEvent.at).max() ?? base.time), acknowledged: acknowledged)
        return FleetPoll(workspaces: watched, events: events, cursor: next)
    }

    /// The summaries of polled workspaces (no requests once template versions are cached).
    public func summaries(_ workspaces: [WorkspaceView]) async -> [AgentSummary] {
        var agents: [AgentSummary] = []
        for workspace in workspaces { agents.append(await summary(workspace)) }
        return agents.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// The fleet's workspaces narrowed to the watched agents: one request.
    func watchedWorkspaces(names: Set<String>?, project: String?) async throws -> [WorkspaceView] {
        let nameFilter = names?.count == 1 ? names?.first : nil
        var workspaces = inProject(try await onlyProjects(try await fleetWorkspaces(nameContains: nameFilter)), project)
        if let names { workspaces = workspaces.filter { names.contains($0.name.asciiLowercased) } }
        return workspaces
    }

    /// `attention` (default), `change` (any status), or statuses and groups separated by commas.
    public static func eventTargets(_ until: String?) throws -> Set<AgentStatus> {
        let text = (until ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch text {
        case "", "attention": return Attention.statuses
        case "change", "changed", "any": return Set(AgentStatus.allCases)
        default:
            var set: Set<AgentStatus> = []
            for part in text.split(separator: ",") {
                guard let statuses = AgentStatus.matching(filter: String(part)) else {
                    throw FleetError(
                        .invalidArgument,
                        "Unknown until '\(Echo.cap(String(part), 40))'. Use attention (default), change, or statuses: "
                            + AgentStatus.filterVocabulary.joined(separator: ", ") + ".")
                }
                set.formUnion(statuses)
            }
            return set
        }
    }
}

/// One look at the fleet.
public struct FleetPoll: Sendable {
    public var workspaces: [WorkspaceView]
    public var events: [FleetEvent]
    public var cursor: FleetCursor
}
