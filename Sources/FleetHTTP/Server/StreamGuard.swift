import Foundation
import NIOCore
import Synchronization

/// Bounds the SSE streams the server sends: each ends after the lifetime cap, and at shutdown the standing GET
/// streams end at once (POST streams end with their response, which shutdown waits for).
final class StreamGuard: Sendable {
    let lifetime: Duration
    private let state = Mutex<State>(State())

    struct State {
        var shuttingDown = false
        var closers: [Int: @Sendable () -> Void] = [:]
        var next = 0
    }

    init(lifetime: Duration) { self.lifetime = lifetime }

    /// Streams open now.
    var open: Int { state.withLock { $0.closers.count } }

    /// `source` as response bytes, ended by the lifetime cap (and by shutdown when `closesAtShutdown`);
    /// `onEnd` runs once when the stream ends for any reason.
    func bound(
        _ source: AsyncThrowingStream<Data, any Error>, closesAtShutdown: Bool,
        onEnd: @escaping @Sendable () -> Void = {}
    ) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (output, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let pump = Task {
            do {
                for try await chunk in source { continuation.yield(ByteBuffer(bytes: chunk)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        let lifetime = self.lifetime
        let timer = Task {
            try? await Task.sleep(for: lifetime)
            if !Task.isCancelled { continuation.finish() }
        }
        let key: Int? = closesAtShutdown ? register { continuation.finish() } : nil
        continuation.onTermination = { [weak self] _ in
            pump.cancel()
            timer.cancel()
            if let key { self?.unregister(key) }
            onEnd()
        }
        return output
    }

    private func register(_ close: @escaping @Sendable () -> Void) -> Int? {
        let (key, closeNow) = state.withLock { state -> (Int?, Bool) in
            if state.shuttingDown { return (nil, true) }
            state.next += 1
            state.closers[state.next] = close
            return (state.next, false)
        }
        if closeNow { close() }
        return key
    }

    private func unregister(_ key: Int) { _ = state.withLock { $0.closers.removeValue(forKey: key) } }

    /// Ends every standing stream, and every such stream opened from now on.
    func shutDown() {
        let closers = state.withLock { state in
            state.shuttingDown = true
            defer { state.closers.removeAll() }
            return Array(state.closers.values)
        }
        for close in closers { close() }
    }
}
