import CoderAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Injects a ``FaultPlan``'s faults: delays, error answers instead of the sandbox's, hangs, and broken bodies.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let plan: FaultPlan
    let seed: UInt64
    /// Requests each rule matched so far.
    private let matches: RuleCounters

    init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.seed = seed
        matches = RuleCounters(rules: plan.rules.count)
    }

    /// What the plan does to one request.
    struct Decision: Equatable {
        var delay: Duration = .zero
        /// Answers instead of the sandbox (a status, a hang, a revoked token).
        var replacement: Fault?
        /// Alters the sandbox's answer.
        var bodyFault: Fault?
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let decision = decide(method: request.method.rawValue, path: request.uri.path)
        if decision.delay > .zero { try? await Task.sleep(for: decision.delay) }
        if let replacement = decision.replacement {
            return try await Self.answer(replacement)
        }
        let response = try await next(request, context)
        guard let bodyFault = decision.bodyFault else { return response }
        return try await Self.alter(response, with: bodyFault)
    }

    /// Counts the request against every matching rule and rolls each of their faults.
    func decide(method: String, path: String) -> Decision {
        let counts: [(rule: Int, count: Int)] = matches.counts.withLock { matches in
            plan.rules.indices.compactMap { index in
                guard plan.rules[index].matches(method: method, path: path) else { return nil }
                matches[index] += 1
                return (index, matches[index])
            }
        }
        var decision = Decision()
        for (rule, count) in counts {
            for (index, fault) in plan.rules[rule].faults.enumerated() {
                let roll = FaultDice.roll(seed: seed, rule: rule, fault: index, request: count)
                switch fault {
                case .latency(let duration): decision.delay += duration
                case .spike(let duration, let rate): if roll < rate { decision.delay += duration }
                case .revokeAfter(let limit): if count > limit, decision.replacement == nil { decision.replacement = fault }
                case .status(_, let rate), .rateLimited(let rate, _), .hang(let rate):
                    if roll < rate, decision.replacement == nil { decision.replacement = fault }
                case .reset(let rate), .truncate(let rate), .malformed(let rate):
                    if roll < rate, decision.bodyFault == nil { decision.bodyFault = fault }
                }
            }
        }
        return decision
    }

    // MARK: - Answers

    static func answer(_ fault: Fault) async throws -> Response {
        switch fault {
        case .status(500, _):
            return Reply.error(SandboxError(500, "An internal server error occurred.", detail: "injected fault"))
        case .status(409, _):
            return Reply.error(SandboxError(409, "A workspace build is already active."))
        case .status(let code, _):
            let title = code == 502 ? "502 Bad Gateway" : code == 503 ? "503 Service Temporarily Unavailable" : "\(code)"
            let page = "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n</body>\r\n</html>\r\n"
            return Reply.raw(status: code, contentType: "text/html", body: Data(page.utf8))
        case .rateLimited(_, let retryAfter):
            // coderd's limiter (v2.35.1 coderd/httpmw/ratelimit.go:23–94, go-chi/httprate v0.15.0 limiter.go): the
            // message names the count and the window, `Retry-After` is the window's length in seconds, and
            // `X-RateLimit-Limit`, `-Remaining` and `-Reset` (the window's end, Unix seconds) come with it. Here the
            // window is the fault's SECONDS.
            let window = max(retryAfter, 0)
            var error = SandboxError(429, "You've been rate limited for sending more than 512 requests in \(Self.goDuration(window)).")
            let now = Int(Date().timeIntervalSince1970)
            let reset = window > 0 ? now - now % window + window : now
            error.headers = [
                ("Retry-After", "\(window)"), ("X-RateLimit-Limit", "512"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "\(reset)"),
            ]
            return Reply.error(error)
        case .revokeAfter:
            return Reply.error(SandboxError.signedOut("API key expired."))
        default:
            // A hang: no answer until the client gives up (and closes) or the sandbox stops (and cancels).
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Go's `time.Duration` text for whole seconds: `1s`, `1m0s`, `1h0m0s`.
    static func goDuration(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
        if h > 0 { return "\(h)h\(m)m\(s)s" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }

    static func alter(_ response: Response, with fault: Fault) async throws -> Response {
        var response = response
        let body = try await collect(response.body)
        var bytes = [UInt8](buffer: body)
        switch fault {
        case .truncate:
            bytes = Array(bytes.prefix(bytes.count / 2))
        case .malformed:
            bytes.insert(UInt8(ascii: ","), at: min(1, bytes.count))
            if bytes.count == 1 { bytes = Array("{".utf8) }
        default:
            // A reset: the length of the whole body is promised, half of it sent, then the connection closes.
            let length = max(bytes.count, 2)
            let half = ByteBuffer(bytes: bytes.prefix(length / 2))
            response.headers[.contentLength] = String(length)
            response.body = ResponseBody(contentLength: length) { writer in
                try await writer.write(half)
                throw ConnectionReset()
            }
            return response
        }
        response.headers[.contentLength] = String(bytes.count)
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return response
    }

    /// The bytes of a response body.
    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = BodySink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer.withLock { $0 }
    }

    struct ConnectionReset: Error {}
}

/// Reproducible coin flips: the same seed, rule, fault and request number give the same number in [0, 1).
enum FaultDice {
    static func roll(seed: UInt64, rule: Int, fault: Int, request: Int) -> Double {
        var generator = IDGenerator(seed: seed ^ (UInt64(rule) &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(fault) &* 0xABC9_8388_FB8F_AC03))
        var value: UInt64 = 0
        // Mix in the request number, then draw.
        generator = IDGenerator(seed: generator.next() ^ UInt64(request))
        value = generator.next()
        return Double(value >> 11) / Double(1 << 53)
    }
}

private final class RuleCounters: Sendable {
    let counts: Mutex<[Int]>
    init(rules: Int) { counts = Mutex(Array(repeating: 0, count: rules)) }
}

private final class BodySink: Sendable {
    let buffer = Mutex(ByteBuffer())
}

private struct CollectingWriter: ResponseBodyWriter {
    let sink: BodySink

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        sink.buffer.withLock { _ = $0.writeBuffer(&buffer) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
