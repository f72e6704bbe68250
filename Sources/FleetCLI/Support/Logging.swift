import Foundation
import Logging

/// Logs go to stderr only: stdout belongs to JSON-RPC.
enum LogSetup {
    static func bootstrap(level: String?) {
        let text = level ?? ProcessInfo.processInfo.environment["FLEET_MCP_LOG_LEVEL"] ?? "info"
        let parsed = Logger.Level(rawValue: text.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
