import CoderAPI
import Foundation

/// Locates the shared, read-only fixtures beside the repository (`../shared`).
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let coderCassettes = shared.appendingPathComponent("fixtures/coder-v2.27.1")

    static func cassetteURL(_ name: String) -> URL { coderCassettes.appendingPathComponent(name) }

    static func cassette(_ name: String) throws -> Cassette { try Cassette.load(cassetteURL(name)) }

    static var allCassetteNames: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: coderCassettes.path))?.filter { $0.hasSuffix(".yaml") }.sorted() ?? []
    }
}

func jsonObject(_ data: Data?) -> NSDictionary? {
    guard let data, let object = try? JSONSerialization.jsonObject(with: data) as? NSDictionary else { return nil }
    return object
}
