import FleetMCP
import Foundation
import Synchronization

/// One person (or CI job) the server acts for: their fleet, seen through their own Coder credential, and the
/// tools they may use.
public final class FleetUser: Sendable {
    /// The name from the users file (`local` without one); appears in logs, never a token.
    public let name: String
    /// The MCP surface of this user's fleet (their `FleetService`, `--read-only` and `--tools`).
    public let mcp: FleetMCPServer
    let limiter: ConcurrencyLimiter

    public init(name: String, mcp: FleetMCPServer, maxConcurrentRequests: Int) {
        self.name = name
        self.mcp = mcp
        self.limiter = ConcurrencyLimiter(limit: maxConcurrentRequests)
    }
}

/// Caps the requests one user has in flight at once.
final class ConcurrencyLimiter: Sendable {
    let limit: Int
    private let running = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// A permit, or nil when the user is at the limit.
    func acquire() -> Permit? {
        let granted = running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        return granted ? Permit(limiter: self) : nil
    }

    fileprivate func release() { running.withLock { $0 -= 1 } }

    var inUse: Int { running.withLock { $0 } }

    /// One request's place under the cap; released once, by whoever finishes the request (or its stream).
    final class Permit: Sendable {
        private let limiter: ConcurrencyLimiter
        private let released = Mutex(false)

        fileprivate init(limiter: ConcurrencyLimiter) { self.limiter = limiter }

        func release() {
            let first = released.withLock { done in
                defer { done = true }
                return !done
            }
            if first { limiter.release() }
        }

        deinit { release() }
    }
}
