import Foundation
import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounds the connections the server holds, so that nobody can take it down without a token by opening
/// connections and sending nothing (or a header a byte at a time):
///
/// - a request's head must be complete within the header timeout of the connection opening;
/// - a request's body must be complete within the body timeout of its head;
/// - at most `maxConnections` connections are open: beyond it, a new connection closes the oldest connection that
///   has no request under way (a half-open or idle one), so that a client with a real request always gets in; only
///   when every connection is busy with a request is the new one refused.
///
/// Idle kept-alive connections are closed by Hummingbird's `idleTimeout` (``HTTPServerOptions/idleTimeout``).
final class ConnectionLimits: Sendable {
    let maxConnections: Int
    let headerTimeout: Duration
    let bodyTimeout: Duration
    /// Called with "header_timeout", "body_timeout", "connection_evicted" or "connection_refused".
    let onRejection: @Sendable (String) -> Void
    private let state = Mutex<State>(State())

    struct State {
        var next = 0
        /// Open connections by admission order; `idle` when no request is under way on it.
        var open: [Int: Entry] = [:]
    }

    struct Entry {
        let channel: any Channel
        var idle: Bool
    }

    init(maxConnections: Int, headerTimeout: Duration, bodyTimeout: Duration, onRejection: @escaping @Sendable (String) -> Void = { _ in }) {
        self.maxConnections = max(1, maxConnections)
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.onRejection = onRejection
    }

    /// Connections open now.
    var open: Int { state.withLock { $0.open.count } }

    /// Admits `channel`: its id, and the connection to close to make room (an idle one, or `channel` itself).
    func admit(_ channel: any Channel) -> (id: Int, close: (any Channel)?) {
        state.withLock { state in
            state.next += 1
            let id = state.next
            state.open[id] = Entry(channel: channel, idle: true)
            guard state.open.count > maxConnections else { return (id, nil) }
            let oldestIdle = state.open.lazy.filter { $0.key != id && $0.value.idle }.min { $0.key < $1.key }
            if let (victim, entry) = oldestIdle {
                state.open.removeValue(forKey: victim)
                return (id, entry.channel)
            }
            state.open.removeValue(forKey: id)
            return (id, channel)
        }
    }

    func setIdle(_ id: Int, _ idle: Bool) {
        state.withLock { state in state.open[id]?.idle = idle }
    }

    func remove(_ id: Int) { _ = state.withLock { $0.open.removeValue(forKey: id) } }

    /// A handler for one new connection (Hummingbird's `additionalChannelHandlers`).
    func handler() -> ConnectionGuardHandler { ConnectionGuardHandler(limits: self) }

    /// The connection cap that fits the process's descriptor limit: `wanted`, lowered to leave room for Coder
    /// connections, files and the listening socket. Raises the soft limit towards the hard one first (as Go does).
    static func fittingCap(_ wanted: Int, reserve: Int = 256) -> (cap: Int, descriptors: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (wanted, -1) }
        let needed = rlim_t(wanted + reserve)
        if limit.rlim_cur < needed, limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, max(needed, 65_536))
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let descriptors = Int(clamping: limit.rlim_cur)
        return (max(16, min(wanted, descriptors - reserve)), descriptors)
    }
}

/// Tracks one connection for ``ConnectionLimits``: its header and body deadlines, and whether a request is under way.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: ConnectionLimits
    private var id: Int?
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits) { self.limits = limits }

    func handlerAdded(context: ChannelHandlerContext) {
        let (id, close) = limits.admit(context.channel)
        self.id = id
        if let close {
            limits.onRejection(close === context.channel ? "connection_refused" : "connection_evicted")
            close.close(promise: nil)
        }
        arm(context, after: limits.headerTimeout, reason: "header_timeout")
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            if let id { limits.setIdle(id, false) }
            arm(context, after: limits.bodyTimeout, reason: "body_timeout")
        case .end:
            disarm()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), let id { limits.setIdle(id, true) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, after timeout: Duration, reason: String) {
        disarm()
        let limits = self.limits
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            limits.onRejection(reason)
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    private func release() {
        disarm()
        if let id { limits.remove(id) }
        id = nil
    }
}
