import Foundation
import Hummingbird

/// Test servers on a free loopback port.
enum Loopback {
    /// Serves `router` while `body` runs, then stops it (also when `body` throws).
    static func serve(_ router: Router<BasicRequestContext>, _ body: (URL) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in portContinuation.yield(channel.localAddress!.port!) })
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var ports = portStream.makeAsyncIterator()
            let port = await ports.next()!
            try await body(URL(string: "http://127.0.0.1:\(port)")!)
            group.cancelAll()
        }
    }
}
