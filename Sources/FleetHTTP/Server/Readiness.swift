import CoderAPI
import Foundation
import Logging

/// `GET /readyz`: every user's Coder credential works (Coder answers `GET /api/v2/users/me`). Answers are reused
/// for a few seconds, so probes do not load Coder; the body holds counts only (failing users go to the log).
actor Readiness {
    let users: [FleetUser]
    let logger: Logger
    let reuse: Duration
    private var last: (at: ContinuousClock.Instant, ready: Bool, failing: Int)?

    init(users: [FleetUser], logger: Logger, reuse: Duration = .seconds(5)) {
        self.users = users
        self.logger = logger
        self.reuse = reuse
    }

    struct Report: Encodable {
        var ready: Bool
        var users: Int
        var failing: Int
    }

    func check() async -> Report {
        if let last, ContinuousClock.now - last.at < reuse { return Report(ready: last.ready, users: users.count, failing: last.failing) }
        let failures = await withTaskGroup(of: String?.self) { group in
            for user in users {
                group.addTask {
                    do {
                        _ = try await CallDeadline.run(within: .seconds(5)) { try await user.mcp.fleet.coder.user() }
                        return nil
                    } catch {
                        return "\(user.name): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        for failure in failures { logger.warning("not ready: \(failure)") }
        last = (.now, failures.isEmpty, failures.count)
        return Report(ready: failures.isEmpty, users: users.count, failing: failures.count)
    }
}
