import Foundation
import Yams

/// A vcrpy cassette: recorded HTTP interactions in YAML, the format of `shared/fixtures/coder-v2.27.1`.
public struct Cassette: Codable, Sendable {
    public var interactions: [Interaction]
    public var version: Int?

    public init(interactions: [Interaction] = [], version: Int? = 1) {
        self.interactions = interactions
        self.version = version
    }

    public struct Interaction: Codable, Sendable {
        public var request: Request
        public var response: Response

        public init(request: Request, response: Response) {
            self.request = request
            self.response = response
        }
    }

    public struct Request: Codable, Sendable {
        public var body: String?
        public var headers: [String: [String]]?
        public var method: String
        public var uri: String

        public init(body: String?, headers: [String: [String]]?, method: String, uri: String) {
            self.body = body
            self.headers = headers
            self.method = method
            self.uri = uri
        }

        /// Path with percent-decoding undone, e.g. `/api/v2/workspaces`.
        public var path: String { URLComponents(string: uri)?.path ?? uri }
        /// The query string, if any.
        public var query: String? { URLComponents(string: uri)?.percentEncodedQuery }
    }

    public struct Response: Codable, Sendable {
        public var body: Body
        public var headers: [String: [String]]?
        public var status: Status

        public init(body: Body, headers: [String: [String]]?, status: Status) {
            self.body = body
            self.headers = headers
            self.status = status
        }
    }

    public struct Body: Codable, Sendable {
        public var string: String?
        public init(string: String?) { self.string = string }
    }

    public struct Status: Codable, Sendable {
        public var code: Int
        public var message: String?
        public init(code: Int, message: String?) {
            self.code = code
            self.message = message
        }
    }

    /// Reads a cassette file.
    public static func load(_ url: URL) throws -> Cassette {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try YAMLDecoder().decode(Cassette.self, from: text)
    }
}
