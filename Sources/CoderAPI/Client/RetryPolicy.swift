import Foundation

/// Retries idempotent requests on 429/502/503/504 and on connection failures, with exponential backoff and
/// jitter, honouring `Retry-After`. Non-idempotent requests are never retried.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Statuses worth another try.
    public var retryableStatuses: Set<Int>
    /// Attempts when Coder cannot be reached at all: one retry covers a dropped keep-alive connection, more only
    /// make a down deployment slower to report.
    public var maxConnectionAttempts: Int = 2

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
        retryableStatuses: Set<Int> = [429, 502, 503, 504]
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryableStatuses = retryableStatuses
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    public static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS"].contains(method.uppercased())
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func delay(afterAttempt attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter) {
            return min(.milliseconds(Int64(seconds * 1000)), maxDelay)
        }
        let exponential = baseDelay * Int(1 << min(attempt - 1, 16))
        let capped = min(exponential, maxDelay)
        let jitter = Double.random(in: 0.8...1.2)
        return capped * jitter
    }

    /// `Retry-After` as delta-seconds or an HTTP date.
    static func parseRetryAfter(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSinceNow) }
        return nil
    }
}
