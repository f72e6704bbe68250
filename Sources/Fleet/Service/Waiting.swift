import CoderAPI
import Foundation

/// Waiting for one agent.
extension FleetService {
    /// Waits until the agent's status changes or settles (`until`: `change`, `settled`, or a status name),
    /// never longer than the configured maximum. Polls one workspace per interval.
    public func waitForAgent(
        _ input: String, until: String?, timeout: Duration?,
        progress: @escaping @Sendable (Double, Double, String) async -> Void = { _, _, _ in }
    ) async throws -> WaitResult {
        let goal = (until ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var targets: Set<AgentStatus>?
        switch goal {
        case "", "change", "changed", "settled", "done":
            targets = nil
        default:
            guard let set = AgentStatus.matching(filter: goal) else {
                throw FleetError(
                    .invalidArgument,
                    "Unknown until '\(Echo.cap(goal, 40))'. Use change, settled, or a status: \(AgentStatus.filterVocabulary.joined(separator: ", "))."
                )
            }
            targets = set
        }
        let limit = min(timeout ?? configuration.maxWait, configuration.maxWait)
        guard limit > .zero else { throw FleetError(.invalidArgument, "timeout_seconds must be positive.") }
        let started = ContinuousClock.now
        let first: AgentRef
        do {
            first = try await resolveAgent(input)
        } catch let error as FleetError where error.kind == .notFound && targets?.contains(.deleted) == true {
            // Waiting for a deletion that already finished: the agent is gone, which is what was asked for.
            return WaitResult(
                agent: naming.normalise(input), status: .deleted, previousStatus: .deleted, changed: false, timedOut: false, waitedSeconds: 0,
                lastTask: nil, pullRequest: nil, newReports: [], statusReason: "no agent by that name exists (any more)")
        }
        let name = first.name
        let initial = await currentStatus(first)
        // Reports count as new only if they are newer than everything seen at the start and than the build the
        // agent runs (right after restart_agent, the reports of the previous run are not news).
        let initialReports = AgentApps.reports(in: first.workspace)
        let seenReports = Set(initialReports.map(\.id))
        let cutoff = max(initialReports.first?.createdAt ?? .distantPast, first.workspace.latestBuild.createdAt)
        func satisfied(_ status: AgentStatus) -> Bool {
            if let targets { return targets.contains(status) }
            if goal == "settled" || goal == "done" { return status.isSettled }
            return status != initial.status
        }
        var workspace = first.workspace
        var derived = initial
        var timedOut = false
        while !satisfied(derived.status) {
            let elapsed = ContinuousClock.now - started
            if elapsed >= limit {
                timedOut = true
                break
            }
            let detail = derived.report.map { ": \(Echo.cap($0.message, 120))" } ?? (derived.reason.map { " (\($0))" } ?? "")
            await progress(elapsed.seconds, limit.seconds, "agent '\(name)' is \(derived.status.rawValue)" + detail)
            try await Task.sleep(for: min(configuration.pollInterval, limit - elapsed))
            do {
                // A poll may take no longer than what is left of the wait.
                workspace = try await CallDeadline.run(within: max(limit - (ContinuousClock.now - started), .milliseconds(200))) {
                    try await coder.workspace(id: first.workspace.id, as: WorkspaceView.self)
                }
            } catch let error as CoderAPIError where error.status == 410 || error.status == 404 {
                derived = DerivedStatus(status: .deleted, reason: "the workspace is gone", report: nil)
                break
            } catch let error as TransportError where error.isTimeout {
                timedOut = true
                break
            } catch {
                throw FleetError.coder(error, doing: "read agent '\(name)'")
            }
            derived = await currentStatus(AgentRef(workspace: workspace, name: name))
        }
        let reports = AgentApps.reports(in: workspace)
        let fresh = reports.filter { !seenReports.contains($0.id) && $0.createdAt >= cutoff }.reversed().map(HistoryEntry.init)
        return WaitResult(
            agent: name, status: derived.status, previousStatus: initial.status, changed: derived.status != initial.status,
            timedOut: timedOut, waitedSeconds: ((ContinuousClock.now - started).seconds * 10).rounded() / 10,
            lastTask: derived.report?.message ?? workspace.latestAppStatus?.message,
            pullRequest: PullRequest.newest(in: reports)?.url,
            newReports: Array(fresh), statusReason: derived.reason)
    }
}
