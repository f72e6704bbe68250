import Foundation
import Logging
import MCP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MCP over stdin/stdout with a blocking reader on its own thread.
///
/// Written here because the SDK's `StdioTransport` polls a non-blocking stdin every 10 ms, adding up to 10 ms
/// to every call; a blocking `read(2)` wakes as soon as a message arrives. Messages are newline-delimited
/// JSON-RPC (MCP stdio transport). Nothing else may write to stdout.
public actor BlockingStdioTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var started = false

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger = Logger(label: "fleet-mcp.stdio")) {
        self.input = input
        self.output = output
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
    }

    public func connect() async throws {
        guard !started else { return }
        started = true
        let input = self.input
        let continuation = self.continuation
        let thread = Thread {
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    let trimmed = line.last == 0x0D ? line.dropLast() : line
                    if !trimmed.isEmpty { continuation.yield(Data(trimmed)) }
                }
            }
            if !pending.isEmpty { continuation.yield(pending) }
            continuation.finish()
        }
        thread.name = "fleet-mcp-stdin"
        thread.start()
    }

    public func disconnect() async {
        continuation.finish()
    }

    public func send(_ data: Data) async throws {
        var message = data
        message.append(0x0A)
        try message.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(output, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                }
                offset += written
            }
        }
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> { stream }
}
