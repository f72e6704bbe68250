import CoderAPI

/// A failure a model can act on: it names the agent, the state, and the tool to call next.
public struct FleetError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case invalidArgument = "invalid_argument"
        case notFound = "not_found"
        case conflict
        case wrongState = "wrong_state"
        case coder
        case unavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Wraps an error from Coder, keeping Coder's message and adding what to do.
    public static func coder(_ error: any Error, doing action: String, hint: String? = nil) -> FleetError {
        if let error = error as? FleetError { return error }
        var text: String
        switch error {
        case let api as CoderAPIError:
            text = "Coder refused to \(action) (HTTP \(api.status)): \(Echo.cap(api.coderMessage, 600))"
            switch api.status {
            case 401:
                text +=
                    " The Coder session token was rejected (expired or revoked): renew CODER_SESSION_TOKEN (coder tokens create) "
                    + "or run `coder login`, then restart fleet-mcp."
            case 403:
                text += " Your Coder user may not do this; ask a Coder admin for access."
            case 429, 503:
                let wait = api.retryAfter.map { "\(TransportError.seconds(.milliseconds(Int64(($0 * 1000).rounded())))) s" } ?? "a few seconds"
                text += " Coder is busy; try again in \(wait)."
            case 500...:
                text += " This is a problem inside Coder; try again shortly, and check the deployment's health if it persists."
            default:
                break
            }
        case let transport as TransportError where transport.isTimeout:
            let limit = transport.after.map { " within \(TransportError.seconds($0)) s" } ?? ""
            text =
                "Coder did not answer\(limit) while trying to \(action). Try again; if it keeps happening, check that the deployment at "
                + "CODER_URL is up."
        case let transport as TransportError:
            text = "Could not reach Coder to \(action): \(transport.reason). Check CODER_URL and that the deployment is up."
        case let decoding as CoderDecodingError:
            text =
                "Coder's answer could not be read while trying to \(action) (\(Echo.cap(decoding.reason, 200))). Try again; if it keeps "
                + "happening, the deployment may run a Coder version fleet-mcp does not know."
        default:
            text = "Failed to \(action): \(Echo.cap(String(describing: error), 300))"
        }
        if let hint { text += " " + hint }
        return FleetError(.coder, text)
    }
}

/// Closest-name suggestions for typos ("did you mean …").
enum Suggestions {
    static func closest(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let target = name.lowercased()
        let threshold = max(2, target.count / 2)
        var scored: [(name: String, score: Int)] = []
        for candidate in candidates {
            let lower = candidate.lowercased()
            let score = distance(target, lower)
            if score <= threshold || lower.contains(target) || target.contains(lower) { scored.append((candidate, score)) }
        }
        scored.sort { $0.score == $1.score ? $0.name < $1.name : $0.score < $1.score }
        return scored.prefix(limit).map(\.name)
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    static func phrase(_ names: [String]) -> String {
        names.isEmpty ? "" : " Did you mean " + names.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }
}
