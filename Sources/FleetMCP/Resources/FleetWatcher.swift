import Fleet
import Foundation
import Logging
import MCP

/// Watches the fleet for every subscribed session of a process: one workspace-list request per poll, however many
/// sessions and subscriptions there are, and only while someone is subscribed. A change of an agent's status,
/// reason, newest report or pull request sends `notifications/resources/updated` for `fleet://agents/{name}` and
/// `fleet://agents`; agents coming and going send `notifications/resources/list_changed`.
public actor FleetWatcher {
    let fleet: FleetService
    let interval: Duration
    let logger: Logger
    private var sessions: [ObjectIdentifier: Session] = [:]
    /// 2026-07-28 `subscriptions/listen` streams (`ModernEra`).
    private var listeners: [UUID: Listener] = [:]
    private var fingerprints: [String: String]?
    private var loop: Task<Void, Never>?

    /// One session's subscriptions; the server is held weakly so a closed session drops out by itself.
    final class Session: @unchecked Sendable {
        weak var server: Server?
        var uris: Set<String> = []
        init(server: Server) { self.server = server }
    }

    /// A change a listener hears of.
    enum Event: Sendable { case updated(String), listChanged }

    struct Listener {
        var uris: Set<String>
        var listChanged: Bool
        var send: @Sendable (Event) -> Void
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

    func listen(_ key: UUID, uris: Set<String>, listChanged: Bool, send: @escaping @Sendable (Event) -> Void) {
        guard !uris.isEmpty || listChanged else { return }
        listeners[key] = Listener(uris: uris, listChanged: listChanged, send: send)
        startIfNeeded()
    }

    func stopListening(_ key: UUID) { listeners.removeValue(forKey: key) }

    /// Open listen streams.
    public var listenerCount: Int { listeners.count }

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

    /// One poll; false when nobody is subscribed any more (the loop then ends).
    private func tick() async -> Bool {
        sessions = sessions.filter { $0.value.server != nil && !$0.value.uris.isEmpty }
        guard !sessions.isEmpty || !listeners.isEmpty else {
            loop = nil
            fingerprints = nil
            return false
        }
        let agents: [AgentSummary]
        do { agents = try await fleet.allAgents() } catch {
            logger.debug("fleet watch poll failed: \(error)")
            return true
        }
        let current = Dictionary(uniqueKeysWithValues: agents.map { ($0.name, Self.fingerprint($0)) })
        defer { fingerprints = current }
        guard let previous = fingerprints else { return true }
        var changed = Set(current.filter { previous[$0.key] != $0.value }.keys)
        changed.formUnion(previous.keys.filter { current[$0] == nil })
        let listChanged = Set(previous.keys) != Set(current.keys)
        guard !changed.isEmpty else { return true }
        let uris = Set(changed.map(FleetResources.uri(agent:))).union([FleetResources.fleetURI])
        for session in sessions.values {
            guard let server = session.server else { continue }
            for uri in session.uris.intersection(uris).sorted() {
                try? await server.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
            }
            if listChanged { try? await server.notify(ResourceListChangedNotification.message()) }
        }
        for listener in listeners.values {
            for uri in listener.uris.intersection(uris).sorted() { listener.send(.updated(uri)) }
            if listChanged, listener.listChanged { listener.send(.listChanged) }
        }
        return true
    }

    static func fingerprint(_ agent: AgentSummary) -> String {
        [
            agent.status.rawValue, agent.statusReason ?? "", agent.lastTask ?? "", agent.pullRequest ?? "",
            "\(agent.lastEventAt.timeIntervalSince1970)",
        ]
        .joined(separator: "\u{1f}")
    }
}
