import Foundation

/// A non-2xx answer from Coder, keeping Coder's own `message`, `detail` and `validations`.
public struct CoderAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var detail: String?
    public var validations: [ValidationError]
    /// `METHOD /path`, never with credentials.
    public var request: String
    /// Coder's `Retry-After` header (429, 503), in seconds when it gave a number.
    public var retryAfter: Double?

    public init(status: Int, message: String, detail: String? = nil, validations: [ValidationError] = [], request: String) {
        self.status = status
        self.message = message
        self.detail = detail
        self.validations = validations
        self.request = request
    }

    /// Builds the error from a response, as `codersdk.ReadBodyAsError` does: Coder's JSON body when there is
    /// one, otherwise a synthetic message naming the status.
    public init(response: CoderHTTPResponse, request: CoderHTTPRequest) {
        self.status = response.status
        self.request = request.description
        self.retryAfter = response.header("Retry-After").flatMap(RetryPolicy.parseRetryAfter)
        if let body = try? CoderJSON.decode(CoderErrorBody.self, from: response.body) {
            message = body.message
            detail = body.detail
            validations = body.validations ?? []
        } else {
            let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = "Unexpected HTTP \(response.status) from Coder"
            detail = text.isEmpty ? nil : text
            validations = []
        }
    }

    /// Coder's message, its detail and each failed field, e.g.
    /// `Validation failed. (name: Validation failed for tag "workspace_name" …)`.
    public var coderMessage: String {
        var text = message
        if let detail, !detail.isEmpty { text += " \(detail)" }
        if !validations.isEmpty {
            text += " (" + validations.map { "\($0.field): \($0.detail)" }.joined(separator: "; ") + ")"
        }
        return text
    }

    public var description: String { "Coder answered HTTP \(status) to \(request): \(coderMessage)" }

    /// The validation failure for a field, if Coder reported one.
    public func validation(for field: String) -> ValidationError? {
        validations.first { $0.field == field }
    }
}

/// Coder answered 2xx but with a body that does not decode as the expected type.
public struct CoderDecodingError: Error, Sendable, CustomStringConvertible {
    public var request: String
    public var type: String
    public var reason: String

    public init(request: String, type: String, reason: String) {
        self.request = request
        self.type = type
        self.reason = reason
    }

    public var description: String { "Could not read Coder's answer to \(request) as \(type): \(reason)" }
}
