import Fleet
import Foundation
import Logging
import MCP

/// Watches the fleet for every subscribed session of a process: one workspace-list request per poll, however many
/// sessions and subscriptions there are, and only while someone is subscribed. A change of an agent's status,
/// newest report or build (`FleetEvents`, every change) sends `notifications/resources/updated` for `fleet://agents/{name}` and
/// `fleet://agents`; agents coming and going send `notifications/resources/list_changed`.
public actor FleetWatcher {
    let fleet: FleetService
    let interval: Duration
    let logger: Logger
    private var sessions: [ObjectIdentifier: Session] = [:]
    /// Where the last poll left off (Coder's time), and the agents it saw.
    private var cursor: FleetCursor?
    private var names: Set<String>?
    private var loop: Task<Void, Never>?

    /// One session's subscriptions; the server is held weakly so a closed session drops out by itself.
    final class Session: @unchecked Sendable {
        weak var server: Server?
        var uris: Set<String> = []
        init(server: Server) { self.server = server }
    }

    public init(fleet: FleetService, interval: Duration = .seconds(2), logger: Logger = Logger(label: "fleet-mcp.watch")) {
        self.fleet = fleet
        self.interval = interval
        self.logger = logger
    }

    func subscribe(_ server: Server, uri: String) {
        let session = sessions[ObjectIdentifier(server)] ?? Session(server: server)
        session.uris.insert(uri)
        sessions[ObjectIdentifier(server)] = session
        startIfNeeded()
    }

    func unsubscribe(_ server: Server, uri: String) {
        sessions[ObjectIdentifier(server)]?.uris.remove(uri)
    }

    /// Whether the loop runs (someone is subscribed).
    var isWatching: Bool { loop != nil }

    private func startIfNeeded() {
        guard loop == nil else { return }
        loop = Task { [weak self] in
            while let self, await self.tick() {
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One poll; false when nobody is subscribed any more (the loop then ends). The changes come from the fleet's
    /// one event source (`FleetService.pollFleet`, every change), the same that `wait_for_fleet` and `watch` read.
    private func tick() async -> Bool {
        sessions = sessions.filter { $0.value.server != nil && !$0.value.uris.isEmpty }
        guard !sessions.isEmpty else {
            loop = nil
            cursor = nil
            names = nil
            return false
        }
        let poll: FleetPoll
        do {
            poll = try await fleet.pollFleet(project: nil, since: cursor, targets: Set(AgentStatus.allCases), granularity: .everyChange)
        } catch {
            logger.debug("fleet watch poll failed: \(error)")
            return true
        }
        let current = Set(poll.workspaces.map { fleet.configuration.naming.agentName(ofWorkspace: $0.name) ?? $0.name })
        defer {
            cursor = poll.cursor
            names = current
        }
        guard let previous = names else { return true }
        let changed = Set(poll.events.map(\.agent)).union(current.symmetricDifference(previous))
        let listChanged = previous != current
        guard !changed.isEmpty else { return true }
        let uris = Set(changed.map(FleetResources.uri(agent:))).union([FleetResources.fleetURI])
        for session in sessions.values {
            guard let server = session.server else { continue }
            for uri in session.uris.intersection(uris).sorted() {
                try? await server.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
            }
            if listChanged { try? await server.notify(ResourceListChangedNotification.message()) }
        }
        return true
    }
}
