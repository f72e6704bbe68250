import ArgumentParser
import FleetHTTP
import Foundation

/// `fleet-mcp token`: bearer tokens for `serve --http`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Bearer tokens for `serve --http`: make one, and hash it for the users file.",
        subcommands: [Hash.self, Generate.self])

    /// `fleet-mcp token hash`: the SHA-256 the users file stores, of a token read from stdin (never an argument,
    /// so it stays out of shell history and the process list).
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the token_sha256 of a bearer token read from standard input (or --file).",
            discussion: "  printf %s \"$TOKEN\" | fleet-mcp token hash")

        @Option(help: "Read the token from this file instead of standard input.") var file: String?

        func run() throws {
            let data = try file.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } ?? FileHandle.standardInput.readDataToEndOfFile()
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ValidationError("no token on standard input (printf %s \"$TOKEN\" | fleet-mcp token hash)") }
            print(TokenDigest.hex(token))
        }
    }

    /// `fleet-mcp token generate`: a new random token (stdout) and its hash (stderr).
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new random bearer token; its token_sha256 goes to stderr.")

        func run() throws {
            var generator = SystemRandomNumberGenerator()
            let token = "fmcp_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
            print(token)
            FileHandle.standardError.write(Data("token_sha256: \(TokenDigest.hex(token))\n".utf8))
        }
    }
}
