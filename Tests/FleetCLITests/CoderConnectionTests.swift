import CoderAPI
import Foundation
import Testing

@testable import FleetCLI

/// Where fleet-mcp finds Coder: flags, then the environment, then the Coder CLI's login.
@Suite struct CoderConnectionTests {
    func configDir(url: String?, session: String?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coderv2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if let url { try url.write(to: dir.appendingPathComponent("url"), atomically: true, encoding: .utf8) }
        if let session { try (session + "\n").write(to: dir.appendingPathComponent("session"), atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func environmentFirst() throws {
        let connection = try CoderConnection.resolve(
            urlFlag: nil, tokenFile: nil,
            environment: [
                "CODER_URL": "https://coder.example.com", "CODER_SESSION_TOKEN": "abc-123", "CODER_TOKEN": "ignored-1",
            ])
        #expect(connection.url.absoluteString == "https://coder.example.com")
        #expect(connection.token.secret == "abc-123")
        #expect(connection.source == "CODER_URL, CODER_SESSION_TOKEN")
    }

    @Test func coderTokenIsAccepted() throws {
        let connection = try CoderConnection.resolve(
            urlFlag: nil, tokenFile: nil, environment: ["CODER_URL": "http://127.0.0.1:3000", "CODER_TOKEN": "tok-1"])
        #expect(connection.token.secret == "tok-1")
    }

    @Test func coderCLILoginHonoursConfigDir() throws {
        let dir = try configDir(url: "https://dev.coder.example\n", session: "sess-42")
        let connection = try CoderConnection.resolve(urlFlag: nil, tokenFile: nil, environment: ["CODER_CONFIG_DIR": dir.path])
        #expect(connection.url.absoluteString == "https://dev.coder.example")
        #expect(connection.token.secret == "sess-42")
        #expect(connection.source.contains(dir.path))
    }

    @Test func flagsOverride() throws {
        let dir = try configDir(url: nil, session: "from-file")
        let connection = try CoderConnection.resolve(
            urlFlag: "https://flag.example", tokenFile: dir.appendingPathComponent("session").path,
            environment: ["CODER_URL": "https://env.example", "CODER_SESSION_TOKEN": "env-token"])
        #expect(connection.url.host == "flag.example")
        #expect(connection.token.secret == "from-file")
    }

    @Test func missingSettingsSayWhatToSet() throws {
        let empty = try configDir(url: nil, session: nil)
        let noURL = #expect(throws: CoderConnection.Missing.self) {
            _ = try CoderConnection.resolve(urlFlag: nil, tokenFile: nil, environment: ["CODER_CONFIG_DIR": empty.path])
        }
        #expect(noURL?.description.contains("CODER_URL") == true && noURL?.description.contains("--sandbox") == true)
        let noToken = #expect(throws: CoderConnection.Missing.self) {
            _ = try CoderConnection.resolve(
                urlFlag: nil, tokenFile: nil, environment: ["CODER_URL": "https://x.example", "CODER_CONFIG_DIR": empty.path])
        }
        #expect(noToken?.description.contains("CODER_SESSION_TOKEN") == true)
        let badURL = #expect(throws: CoderConnection.Missing.self) {
            _ = try CoderConnection.resolve(urlFlag: "coder.example.com", tokenFile: nil, environment: ["CODER_TOKEN": "t"])
        }
        #expect(badURL?.description.contains("not an http(s) URL") == true)
    }
}

/// A token in CODER_URL's user-info is dropped: it must not reach logs or app links.
@Suite struct CoderURLCredentialTests {
    @Test func userInfoIsStripped() throws {
        let connection = try CoderConnection.resolve(
            urlFlag: nil, tokenFile: nil,
            environment: [
                "CODER_URL": "http://u:SECRET-TOKEN-123@coder.example.com:8080/", "CODER_SESSION_TOKEN": "abc-123",
            ])
        #expect(!connection.url.absoluteString.contains("SECRET"))
        #expect(!connection.url.absoluteString.contains("u:"))
        #expect(connection.url.host == "coder.example.com" && connection.url.port == 8080)
        #expect(!connection.source.contains("SECRET"))
    }

    @Test func badURLDoesNotEchoIt() throws {
        #expect(throws: CoderConnection.Missing.self) {
            _ = try CoderConnection.resolve(urlFlag: "ftp://u:SECRET@x", tokenFile: nil, environment: ["CODER_SESSION_TOKEN": "a-b"])
        }
        do {
            _ = try CoderConnection.resolve(urlFlag: "ftp://u:SECRET@x", tokenFile: nil, environment: ["CODER_SESSION_TOKEN": "a-b"])
        } catch {
            #expect(!"\(error)".contains("SECRET"))
        }
    }
}
