import CoderAPI

/// An error the sandbox answers with, in Coder's shapes (`codersdk.Response` JSON, or an HTML page for the app proxy).
struct SandboxError: Error, Sendable {
    var status: Int
    var body: CoderErrorBody
    /// App-proxy errors are HTML pages in Coder.
    var html: String?
    var headers: [(String, String)] = []

    init(_ status: Int, _ message: String, detail: String? = nil, validations: [ValidationError]? = nil) {
        self.status = status
        self.body = CoderErrorBody(message: message, detail: detail, validations: validations)
    }

    static let notFound = SandboxError(404, "Resource not found or you do not have access to this resource")
    static let routeNotFound = SandboxError(404, "Route not found.")
    static func invalidUUID(_ text: String) -> SandboxError {
        SandboxError(400, "Invalid UUID \"\(text)\".", detail: "invalid UUID length: \(text.count)")
    }
    static func signedOut(_ detail: String) -> SandboxError {
        SandboxError(401, "You are signed out or your session has expired. Please sign in again to continue.", detail: detail)
    }
    static func invalidJSON(_ detail: String) -> SandboxError {
        SandboxError(400, "Request body must be valid JSON.", detail: detail)
    }
    static func page(_ status: Int, title: String, description: String) -> SandboxError {
        var error = SandboxError(status, title, detail: description)
        error.html = "<!DOCTYPE html><html><head><title>\(title)</title></head><body><h1>\(title)</h1><p>\(description)</p></body></html>"
        return error
    }
    static let appNotFound = page(
        404, title: "Application Not Found",
        description: "The application or workspace you are trying to access does not exist "
            + "or you do not have permission to access it.")
}

func isUUID(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
    return text.allSatisfy { $0 == "-" || $0.isHexDigit }
}
